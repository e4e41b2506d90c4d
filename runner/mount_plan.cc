#include "runner/mount_plan.h"

#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>

#include "runner/etc_files.h"
#include "runner/path.h"

namespace dabba::runner {
namespace {

constexpr uint64_t kNoSuid = MOUNT_ATTR_NOSUID;
constexpr uint64_t kNoDev = MOUNT_ATTR_NODEV;
constexpr uint64_t kNoExec = MOUNT_ATTR_NOEXEC;
constexpr uint64_t kReadOnly = MOUNT_ATTR_RDONLY;

MountOp filesystem(std::string fstype, std::string target,
                   std::vector<std::pair<std::string, std::string>> options, uint64_t attrs) {
  MountOp op;
  op.kind = MountOp::Kind::kFilesystem;
  op.fstype = std::move(fstype);
  op.target = std::move(target);
  op.options = std::move(options);
  op.attrs = attrs;
  return op;
}

MountOp bind(std::string source, std::string target, bool recursive, uint64_t attrs) {
  MountOp op;
  op.kind = MountOp::Kind::kBind;
  op.source = std::move(source);
  op.target = std::move(target);
  op.recursive = recursive;
  op.attrs = attrs;
  return op;
}

MountOp path_op(MountOp::Kind kind, std::string target) {
  MountOp op;
  op.kind = kind;
  op.target = std::move(target);
  return op;
}

MountOp symlink(std::string text, std::string target) {
  MountOp op;
  op.kind = MountOp::Kind::kSymlink;
  op.source = std::move(text);
  op.target = std::move(target);
  return op;
}

// "size=64m,mode=1777" -> {{"size","64m"},{"mode","1777"}}; "ro"/"noexec"-style words become
// mount attributes rather than tmpfs parameters.
void parse_tmpfs_options(const std::string& text, MountOp& op) {
  size_t start = 0;
  while (start < text.size()) {
    auto comma = text.find(',', start);
    std::string opt = text.substr(start, comma - start);
    start = comma == std::string::npos ? text.size() : comma + 1;
    if (opt.empty()) continue;
    if (opt == "ro") {
      op.attrs |= kReadOnly;
    } else if (opt == "rw") {
      op.attrs &= ~kReadOnly;
    } else if (opt == "nosuid") {
      op.attrs |= kNoSuid;
    } else if (opt == "nodev") {
      op.attrs |= kNoDev;
    } else if (opt == "noexec") {
      op.attrs |= kNoExec;
    } else if (opt == "exec") {
      op.attrs &= ~kNoExec;
    } else if (opt == "suid") {
      op.attrs &= ~kNoSuid;
    } else if (opt == "dev") {
      op.attrs &= ~kNoDev;
    } else if (opt == "tmpcopyup" || opt == "notmpcopyup") {
      op.copy_up = opt == "tmpcopyup";
    } else {
      auto eq = opt.find('=');
      if (eq == std::string::npos)
        op.options.emplace_back(opt, "");
      else
        op.options.emplace_back(opt.substr(0, eq), opt.substr(eq + 1));
    }
  }
}

std::string describe_attrs(uint64_t attrs) {
  std::string out;
  auto add = [&](uint64_t bit, const char* name) {
    if (attrs & bit) {
      if (!out.empty()) out += ',';
      out += name;
    }
  };
  add(kReadOnly, "ro");
  add(kNoSuid, "nosuid");
  add(kNoDev, "nodev");
  add(kNoExec, "noexec");
  add(MOUNT_ATTR_STRICTATIME, "strictatime");
  return out;
}

}  // namespace

std::string MountOp::describe() const {
  std::string out;
  switch (kind) {
    case Kind::kFilesystem: {
      out = fstype + " " + target;
      std::string opts;
      for (const auto& [k, v] : options) {
        if (!opts.empty()) opts += ',';
        opts += v.empty() ? k : k + "=" + v;
      }
      if (!opts.empty()) out += " " + opts;
      break;
    }
    case Kind::kBind:
      out = std::string(recursive ? "rbind " : "bind ") + source + " " + target;
      break;
    case Kind::kSymlink:
      return "symlink " + target + " -> " + source;
    case Kind::kReadOnly:
      return "readonly " + target;
    case Kind::kMask:
      return "mask " + target;
  }
  std::string a = describe_attrs(attrs);
  if (!a.empty()) out += " [" + a + "]";
  if (optional) out += " (optional)";
  return out;
}

std::vector<std::string> MountPlan::describe() const {
  std::vector<std::string> out;
  std::string overlay = "overlay " + rootfs + " lower=";
  for (size_t i = 0; i < lower.size(); ++i) overlay += (i ? ":" : "") + lower[i];
  if (!upper.empty()) overlay += " upper=" + upper + " work=" + work;
  if (read_only) overlay += " upper=tmpfs [ro]";
  if (volatile_upper) overlay += " volatile";
  out.push_back(overlay);
  for (const auto& m : mounts) out.push_back(m.describe());
  return out;
}

namespace {

void list_devices_under(const std::string& rel, std::vector<std::string>& out) {
  std::string dir = rel.empty() ? "/dev" : "/dev/" + rel;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    // The container has its own of these.
    if (rel.empty() &&
        (name == "pts" || name == "shm" || name == "mqueue" || name == "ptmx" || name == "console"))
      continue;
    std::string child = rel.empty() ? name : rel + "/" + name;
    struct stat st;
    if (::lstat(("/dev/" + child).c_str(), &st) != 0) continue;
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
      out.push_back(child);
    else if (S_ISDIR(st.st_mode) && out.size() < 4096)
      list_devices_under(child, out);
  }
  ::closedir(d);
}

}  // namespace

std::vector<std::string> list_host_devices() {
  std::vector<std::string> out;
  list_devices_under("", out);
  std::sort(out.begin(), out.end());
  return out;
}

std::string rootfs_dir(const std::string& container_dir) { return container_dir + "/rootfs"; }
std::string upper_dir(const std::string& container_dir) { return container_dir + "/upper"; }
std::string work_dir(const std::string& container_dir) { return container_dir + "/work"; }

MountPlan plan_mounts(const Spec& spec, const MountHost& host) {
  MountPlan plan;
  plan.rootfs = rootfs_dir(spec.container_dir);
  plan.lower = spec.layers;
  plan.read_only = spec.read_only;
  plan.volatile_upper = spec.volatile_upper || spec.read_only;
  if (!spec.read_only) {
    plan.upper = upper_dir(spec.container_dir);
    plan.work = work_dir(spec.container_dir);
  }
  plan.api = spec.mount_api;
  auto& m = plan.mounts;

  m.push_back(filesystem("proc", "/proc", {}, kNoSuid | kNoDev | kNoExec));
  // Read-only, as podman's, but for --privileged.
  const uint64_t sys_ro = spec.privileged ? 0 : kReadOnly;
  if (host.own_network_namespace)
    m.push_back(filesystem("sysfs", "/sys", {}, sys_ro | kNoSuid | kNoDev | kNoExec));
  else
    m.push_back(bind("/sys", "/sys", true, sys_ro | kNoSuid | kNoDev | kNoExec));

  // /dev without mknod (bubblewrap's recipe): a tmpfs with the host's harmless devices bound on
  // empty files. A tmpfs mounted in a user namespace is implicitly nodev, so device nodes made
  // there would not open anyway; the binds keep the host's devtmpfs superblock.
  m.push_back(filesystem("tmpfs", "/dev", {{"mode", "755"}, {"size", "65536k"}},
                         kNoSuid | MOUNT_ATTR_STRICTATIME));
  static const std::vector<std::string> kDevices = {"null",   "zero",    "full",
                                                    "random", "urandom", "tty"};
  for (const std::string& dev : kDevices)
    m.push_back(bind("/dev/" + dev, "/dev/" + dev, false, kNoSuid | kNoExec));
  // --privileged: every host device too, as podman gives a rootless privileged container the
  // devices of the user who runs it (the host's permissions still decide who may open them).
  for (const std::string& dev : host.host_devices) {
    if (std::find(kDevices.begin(), kDevices.end(), dev) != kDevices.end()) continue;
    MountOp op = bind("/dev/" + dev, "/dev/" + dev, false, kNoSuid | kNoExec);
    op.optional = true;
    m.push_back(std::move(op));
  }
  for (const auto& [from, to] : host.devices)
    m.push_back(bind(from, clean_path(to), false, kNoSuid | kNoExec));
  std::vector<std::pair<std::string, std::string>> pts = {
      {"newinstance", ""}, {"ptmxmode", "0666"}, {"mode", "0620"}};
  if (host.tty_gid_mapped) pts.emplace_back("gid", "5");
  m.push_back(filesystem("devpts", "/dev/pts", std::move(pts), kNoSuid | kNoExec));
  m.push_back(symlink("pts/ptmx", "/dev/ptmx"));
  if (spec.host_ipc) {
    // The host's IPC namespace: its shared memory and message queues, as podman binds them (an
    // mqueue filesystem could not be mounted for a namespace dabba's user namespace does not own).
    m.push_back(bind("/dev/shm", "/dev/shm", false, kNoSuid | kNoDev | kNoExec));
    if (host.host_mqueue)  // (a host without one: none in the container either)
      m.push_back(bind("/dev/mqueue", "/dev/mqueue", false, kNoSuid | kNoDev | kNoExec));
  } else {
    if (!spec.ipc_none)  // podman's --ipc none: no /dev/shm at all
      m.push_back(filesystem("tmpfs", "/dev/shm",
                             {{"mode", "1777"},
                              {"size", std::to_string(spec.shm_size / 1024) + "k"}},
                             kNoSuid | kNoDev | kNoExec));
    m.push_back(filesystem("mqueue", "/dev/mqueue", {}, kNoSuid | kNoDev | kNoExec));
  }
  m.push_back(symlink("/proc/self/fd", "/dev/fd"));
  m.push_back(symlink("/proc/self/fd/0", "/dev/stdin"));
  m.push_back(symlink("/proc/self/fd/1", "/dev/stdout"));
  m.push_back(symlink("/proc/self/fd/2", "/dev/stderr"));
  m.push_back(symlink("/proc/kcore", "/dev/core"));

  // Generated per container; optional because a read-only image may lack the files to mount on.
  std::string etc = etc_files_dir(spec.container_dir);
  for (const char* f : {"hostname", "hosts", "resolv.conf"}) {
    MountOp op = bind(etc + "/" + f, std::string("/etc/") + f, false, 0);
    op.optional = true;
    m.push_back(std::move(op));
  }
  if (!spec.etc.localtime.empty()) {
    MountOp op = bind(etc + "/localtime", "/etc/localtime", false, kReadOnly);
    op.optional = true;
    m.push_back(std::move(op));
  }

  if (spec.read_only) {
    m.push_back(filesystem("tmpfs", "/tmp", {{"mode", "1777"}}, kNoSuid | kNoDev));
    m.push_back(filesystem("tmpfs", "/run", {{"mode", "755"}}, kNoSuid | kNoDev));
  }

  // podman's marker that this is a container (after /run's tmpfs with --read-only).
  MountOp containerenv = bind(etc + "/containerenv", "/run/.containerenv", false, 0);
  containerenv.optional = true;
  m.push_back(std::move(containerenv));

  // The user's mounts last, parents before children (Docker sorts them the same way), so
  // "-v a:/data/x -v b:/data" does not hide the first under the second.
  std::vector<MountSpec> user = spec.mounts;
  std::stable_sort(user.begin(), user.end(), [](const MountSpec& a, const MountSpec& b) {
    return path_components(a.target).size() < path_components(b.target).size();
  });
  for (const auto& u : user) {
    if (u.kind == MountSpec::Kind::kBind) {
      m.push_back(bind(u.source, clean_path(u.target), true, u.read_only ? kReadOnly : 0));
    } else {
      // Docker's and podman's --tmpfs defaults; "exec" in the options lifts noexec.
      MountOp op = filesystem("tmpfs", clean_path(u.target), {}, kNoSuid | kNoDev | kNoExec);
      op.copy_up = true;
      parse_tmpfs_options(u.tmpfs_options, op);
      m.push_back(std::move(op));
    }
  }

  for (const std::string& p : spec.masked.readonly)
    m.push_back(path_op(MountOp::Kind::kReadOnly, clean_path(p)));
  for (const std::string& p : spec.masked.masked)
    m.push_back(path_op(MountOp::Kind::kMask, clean_path(p)));
  return plan;
}

}  // namespace dabba::runner
