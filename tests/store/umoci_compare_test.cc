// The rig's fixture images unpacked by the store and by `umoci unpack`, compared entry by entry
// (type, mode, owner, size, link target, content hash, device, mtime). dabba's side is the
// kernel's merged view of its per-layer dirs (overlay, userxattr) -- what a container sees.
// Needs the rig (DABBA_RIG_ENV, set by scripts/test); skipped without it.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/subprocess.h"
#include "common/text.h"
#include "store/store.h"
#include "tests/support/store_test_util.h"

namespace dabba {
namespace {

using testing::Scratch;

std::map<std::string, std::string> rig_env() {
  std::map<std::string, std::string> env;
  const char* path = std::getenv("DABBA_RIG_ENV");
  if (path == nullptr) return env;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("export ", 0) != 0) continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string v = line.substr(eq + 1);
    if (v.size() >= 2 && (v[0] == '\'' || v[0] == '"')) v = v.substr(1, v.size() - 2);
    env[line.substr(7, eq - 7)] = v;
  }
  return env;
}

void run(const std::vector<std::string>& argv) {
  CommandResult r = run_command(argv);
  if (!r.status.exited() || r.status.code() != 0)
    throw std::runtime_error(argv[0] + " failed: " + r.err + r.out);
}

// path -> "type mode uid:gid size mtime target/hash/rdev"
using Tree = std::map<std::string, std::string>;

void walk(const std::string& root, const std::string& rel, Tree& out) {
  std::string dir = root + (rel.empty() ? "" : "/" + rel);
  std::vector<std::string> names = testing::dir_entries_of(dir);
  for (const auto& n : names) {
    std::string r = rel.empty() ? n : rel + "/" + n;
    std::string p = root + "/" + r;
    struct stat st = testing::lstat_or_die(p);
    std::ostringstream d;
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    d << mode << " " << st.st_uid << ":" << st.st_gid;
    if (S_ISREG(st.st_mode)) {
      d << " file " << st.st_size << " mtime " << st.st_mtime << " nlink " << st.st_nlink << " "
        << Digest::of(read_file(p)).short_hex();
    } else if (S_ISDIR(st.st_mode)) {
      d << " dir";
    } else if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t len = ::readlink(p.c_str(), target, sizeof target);
      d << " symlink -> " << std::string(target, len > 0 ? static_cast<size_t>(len) : 0)
        << " mtime " << st.st_mtime;
    } else if (S_ISFIFO(st.st_mode)) {
      d << " fifo mtime " << st.st_mtime;
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      d << (S_ISCHR(st.st_mode) ? " chr " : " blk ") << major(st.st_rdev) << ":"
        << minor(st.st_rdev);
    } else {
      d << " other";
    }
    out[r] = d.str();
    if (S_ISDIR(st.st_mode)) walk(root, r, out);
  }
}

std::string serialize(const Tree& t) {
  std::string out;
  for (const auto& [k, v] : t) out += k + "\t" + v + "\n";
  return out;
}

Tree parse(const std::string& text) {
  Tree t;
  for (const std::string& line : split_lines(text)) {
    auto tab = line.find('\t');
    if (tab != std::string::npos) t[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return t;
}

// Mounts the layers (top first) read-only with the new mount API ("lowerdir+": no page-size
// limit on the option string, 101 layers fit) in a child's mount namespace and walks the view.
std::string merged_view(const std::vector<std::string>& lowers_top_first, const std::string& at) {
  if (lowers_top_first.size() == 1) {  // overlay wants two lowers without an upper
    Tree t;
    walk(lowers_top_first[0], "", t);
    return serialize(t);
  }
  Pipe out = Pipe::make();
  pid_t pid = ::fork();
  if (pid == 0) {
    out.read.reset();
    std::string text;
    try {
      if (::unshare(CLONE_NEWNS) != 0) throw_errno("unshare");
      DABBA_SYSCALL(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr));
      make_dirs(at);
      int fs = DABBA_SYSCALL(::fsopen("overlay", FSOPEN_CLOEXEC));
      for (const auto& l : lowers_top_first)
        DABBA_SYSCALL(::fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", l.c_str(), 0), l);
      DABBA_SYSCALL(::fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", nullptr, 0));
      DABBA_SYSCALL(::fsconfig(fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0));
      int mnt = DABBA_SYSCALL(::fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY));
      DABBA_SYSCALL(::move_mount(mnt, "", AT_FDCWD, at.c_str(), MOVE_MOUNT_F_EMPTY_PATH));
      Tree t;
      walk(at, "", t);
      text = serialize(t);
    } catch (const std::exception& e) {
      text = std::string("ERROR\t") + e.what() + "\n";
    }
    write_all(out.write.get(), text);
    ::_exit(0);
  }
  out.write.reset();
  std::string text = read_all(out.read.get());
  ::waitpid(pid, nullptr, 0);
  return text;
}

class VsUmoci : public ::testing::TestWithParam<const char*> {};

TEST_P(VsUmoci, SameTreeEntryByEntry) {
  auto env = rig_env();
  if (env.empty()) GTEST_SKIP() << "no rig (DABBA_RIG_ENV)";
  std::string ref = env["FIXTURE_" + std::string(GetParam())];
  ASSERT_FALSE(ref.empty()) << "no FIXTURE_" << GetParam() << " in the rig env";
  Scratch s;
  const std::string layout = s / "oci";
  run({"skopeo", "copy", "--quiet", "--src-tls-verify=false", "docker://" + ref,
       "oci:" + layout + ":img"});

  // umoci's side.
  bool umoci_ok = true;
  CommandResult u = run_command({"umoci", "unpack", "--image", layout + ":img", s / "bundle"});
  if (!u.status.exited() || u.status.code() != 0) {
    umoci_ok = false;  // umoci 0.4.7 knows no zstd: compared against the gzip twin below
    ASSERT_NE(std::string(GetParam()).find("ZSTD"), std::string::npos) << u.err;
  }

  // dabba's side: ingest every layer blob of the layout.
  using json = nlohmann::json;
  json index = json::parse(read_file(layout + "/index.json"));
  Digest manifest_digest = Digest::parse(index["manifests"][0]["digest"].get<std::string>());
  json manifest = json::parse(read_file(layout + "/blobs/sha256/" + manifest_digest.hex()));
  json config =
      json::parse(read_file(layout + "/blobs/sha256/" +
                            Digest::parse(manifest["config"]["digest"].get<std::string>()).hex()));
  Store store = Store::open(s / "store");
  Lease lease = store.lease();
  std::vector<std::string> lowers;
  for (size_t i = 0; i < manifest["layers"].size(); ++i) {
    Digest blob = Digest::parse(manifest["layers"][i]["digest"].get<std::string>());
    Digest diff = Digest::parse(config["rootfs"]["diff_ids"][i].get<std::string>());
    LayerIngest in =
        store.begin_layer({blob, manifest["layers"][i]["size"].get<int64_t>(), diff}, lease);
    if (!in.complete()) {
      testing::TestSource src(read_file(layout + "/blobs/sha256/" + blob.hex()));
      in.run(src);
    }
    lowers.insert(lowers.begin(), store.layer_dir(diff));
  }
  std::string text = merged_view(lowers, s / "merged");
  ASSERT_EQ(text.rfind("ERROR", 0), std::string::npos) << text;
  Tree ours = parse(text);

  Tree theirs;
  if (umoci_ok) {
    walk(s / "bundle/rootfs", "", theirs);
  } else {
    std::string twin = env["FIXTURE_LAYERS"];
    Scratch t;
    run({"skopeo", "copy", "--quiet", "--src-tls-verify=false", "docker://" + twin,
         "oci:" + (t / "oci") + ":img"});
    run({"umoci", "unpack", "--image", (t / "oci") + ":img", t / "bundle"});
    walk(t / "bundle/rootfs", "", theirs);
  }
  ASSERT_FALSE(theirs.empty());
  int shown = 0;
  for (const auto& [path, what] : theirs) {
    auto it = ours.find(path);
    if (it == ours.end()) {
      if (shown++ < 20) ADD_FAILURE() << path << ": only umoci has it: " << what;
    } else if (it->second != what) {
      if (shown++ < 20)
        ADD_FAILURE() << path << ":\n  umoci " << what << "\n  dabba " << it->second;
    }
  }
  for (const auto& [path, what] : ours)
    if (!theirs.count(path) && shown++ < 20)
      ADD_FAILURE() << path << ": only dabba has it: " << what;
  EXPECT_EQ(shown, 0) << ours.size() << " entries (dabba), " << theirs.size() << " (umoci)";
}

INSTANTIATE_TEST_SUITE_P(Rig, VsUmoci,
                         ::testing::Values("BUSYBOX", "BUSYBOX_APP", "LAYERS", "LAYERS_V2S2",
                                           "LAYERS_ZSTD", "LAYERS_UNCOMPRESSED", "SHARED", "MANY",
                                           "MULTI", "CORRUPTIBLE"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace dabba
