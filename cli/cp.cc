// dabba cp [-a] [--overwrite] SRC DEST, one side CONTAINER:PATH, the other a host path or `-`
// (a tar stream on stdin or stdout), for running and stopped containers.
//
// The container's side is its root as ContainerRoot opens it (a running container's through
// /proc/PID/root, a stopped one's upper dir over its layers mounted here) and every path in it is
// resolved with openat2(RESOLVE_IN_ROOT): a symlink to / or ../.. in the container leads to the
// container's own root, never the host's. Below the starting points tree_copy.h never follows a
// symlink. What is copied in belongs to the container's root (a tar keeps the owners it names);
// what is copied out belongs to the caller. A tar from stdin is unpacked first into a scratch
// directory by the store's layer writer (which refuses names and links leading out), then copied.
// Runs in dabba's user namespace.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <climits>
#include <cstdio>
#include <memory>
#include <optional>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_root.h"
#include "cli/containers.h"
#include "cli/tar_input.h"
#include "common/dir_stream.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/tree_copy.h"
#include "common/userns.h"
#include "runner/path.h"
#include "runner/spec.h"
#include "runner/spec_codec.h"
#include "store/unpack/layer_tar.h"

namespace dabba::cli {
namespace {

struct Location {
  std::string container;  // "" for the host
  std::string path;
};

// podman's rule: a host path is absolute or starts with ".", else "NAME:PATH" names a container.
Location parse_location(const std::string& arg) {
  if (arg.empty()) throw Error(Errc::kInvalidArgument, "empty path for cp");
  if (arg[0] == '/' || arg[0] == '.' || arg == "-") return {"", arg};
  auto colon = arg.find(':');
  if (colon == std::string::npos) return {"", arg};
  if (colon == 0) throw Error(Errc::kInvalidArgument, "invalid container name in \"" + arg + "\"");
  return {arg.substr(0, colon), arg.substr(colon + 1)};
}

bool ends_with_dot(const std::string& p) {
  return p == "." || (p.size() >= 2 && p.compare(p.size() - 2, 2, "/.") == 0);
}
bool ends_with_slash(const std::string& p) { return !p.empty() && p.back() == '/'; }

// basename without trailing slashes ("/a/b/" -> "b"; "/" -> "/").
std::string last_name(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return basename_of(p);
}
std::string parent_of(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return dirname_of(p);
}

// Where a copy lands, as docker and podman decide: into an existing directory under the source's
// name (or, for SRC/., merged into it), else at the destination path itself.
struct Target {
  UniqueFd dir;
  std::string name;
};

template <typename Open>
Target resolve_target(const std::string& typed_dest, const std::string& src_path, bool src_is_dir,
                      const Open& open_at, const std::string& where) {
  // A destination that is a symlink is followed (inside the container's root for its side), as
  // podman does: a file copied onto "x -> /tmp/nonesuch" creates /tmp/nonesuch.
  std::string dest = typed_dest;
  for (int links = 0; links < 40 && !ends_with_slash(dest); ++links) {
    UniqueFd l = open_at(dest, O_PATH | O_NOFOLLOW);
    struct stat st;
    if (!l.valid() || ::fstat(l.get(), &st) != 0 || !S_ISLNK(st.st_mode)) break;
    char buf[PATH_MAX];
    ssize_t n = ::readlinkat(l.get(), "", buf, sizeof buf - 1);
    if (n <= 0) break;
    const std::string link(buf, static_cast<size_t>(n));
    dest = link[0] == '/' ? link : parent_of(dest) + "/" + link;
  }
  UniqueFd d = open_at(dest, O_PATH | O_DIRECTORY);
  if (d.valid()) {
    if (ends_with_dot(src_path) && src_is_dir) {
      // Contents merged into dest: dest itself is the target, reached from its parent.
      UniqueFd parent = open_at(parent_of(dest), O_PATH | O_DIRECTORY);
      if (parent.valid() && last_name(dest) != "/" && last_name(dest) != ".")
        return {std::move(parent), last_name(dest)};
    }
    std::string name = ends_with_dot(src_path) ? "." : last_name(src_path);
    if (name == "/" || name == ".") name = "";
    if (name.empty()) {
      // "/" or "X/." into a directory that has no parent we can name: copy the children.
      return {std::move(d), ""};
    }
    return {std::move(d), name};
  }
  if (src_is_dir && open_at(dest, O_PATH).valid())  // podman's words
    throw Error(Errc::kInvalidArgument, "destination must be a directory when copying a directory");
  if (ends_with_slash(dest))
    throw Error(Errc::kNotFound,
                "\"" + dest + "\" could not be found on " + where + ": no such file or directory");
  UniqueFd parent = open_at(parent_of(dest), O_PATH | O_DIRECTORY);
  if (!parent.valid())
    throw Error(Errc::kNotFound, "\"" + parent_of(dest) + "\" could not be found on " + where +
                                     ": no such file or directory");
  return {std::move(parent), last_name(dest)};
}

// Copies src into target; an empty target name copies the children of src into target.dir.
void copy_into(int src, const std::string& what, const Target& target, const TreeCopy& how) {
  // *at() calls need a real directory fd, not O_PATH, for fchmod and reading.
  UniqueFd dir(::openat(target.dir.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) throw_errno("open the destination directory");
  if (!target.name.empty()) {
    copy_tree(src, what, dir.get(), target.name, how);
    return;
  }
  UniqueFd in(::openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!in.valid()) throw_errno("open " + what);
  DirStream entries(std::move(in), what);
  while (const struct dirent* e = entries.next()) {
    UniqueFd c(::openat(entries.fd(), e->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (c.valid()) copy_tree(c.get(), what + "/" + e->d_name, dir.get(), e->d_name, how);
  }
}

// A container path and the root it is resolved in: a running container's live root; a stopped
// one's volume or bind source when the path is in one (the longest match: a volume mounted inside
// another's path is its own), as podman resolves it to the host, else its layers mounted. prefix:
// the mount's path in the container, for messages.
struct RootedPath {
  ContainerRoot root;
  std::string path;
  std::string prefix;
};

RootedPath open_root(const Store& store, const ContainerView& view, const std::string& path) {
  if (view.running && view.state) return {ContainerRoot::of_process(view.state->pid), path, ""};
  const std::string clean = runner::clean_path(path);
  std::optional<runner::MountSpec> best;
  std::string best_target;
  for (const runner::MountSpec& m : runner::load_spec(view.dir).mounts) {
    if (m.kind != runner::MountSpec::Kind::kBind || m.source.empty()) continue;
    const std::string t = runner::clean_path(m.target);
    const bool inside = clean == t || clean.compare(0, t.size() + 1, t + "/") == 0;
    if (inside && t.size() > best_target.size()) {
      best = m;
      best_target = t;
    }
  }
  if (best) {
    std::string rel = clean.substr(best_target.size());
    if (rel.empty() && is_regular_file(best->source)) {
      // A file bind (-v /host/app.conf:/etc/app.conf): rooted at its directory, by its name.
      return {ContainerRoot::of_directory(dirname_of(best->source)),
              "/" + basename_of(best->source), dirname_of(best_target)};
    }
    if (rel.empty()) rel = "/";
    if (ends_with_dot(path))
      rel += rel == "/" ? "." : "/.";
    else if (ends_with_slash(path) && rel != "/")
      rel += "/";
    return {ContainerRoot::of_directory(best->source), rel, best_target};
  }
  std::vector<std::string> layers;
  for (auto l = view.record.layers.rbegin(); l != view.record.layers.rend(); ++l)
    layers.push_back(store.layer_dir(*l));
  // A tmpfs is not there yet: what is copied to its path lands in the image's directory, which
  // the start copies into the tmpfs (tmpcopyup).
  return {ContainerRoot::mount_layers(layers, view.dir + "/upper", view.dir + "/work",
                                      store.temp_dir()),
          path, ""};
}

void tar_to_stdout(int src, const std::string& what, const std::string& name,
                   const std::string& scratch_parent) {
  if (::isatty(STDOUT_FILENO))
    throw Error(Errc::kInvalidArgument, "refusing to write a tar to a terminal", 0,
                "redirect stdout, or give a host path");
  // A copy first (owners kept), so the tar is of a tree nobody changes while it is written.
  TempDir scratch(scratch_parent, "cp-");
  UniqueFd dir = open_dir(scratch.path());
  copy_tree(src, what, dir.get(), name, TreeCopy{.keep_owner = true});
  write_tree_tar({scratch.path()}, TreeTarMode::kMerged,
                 [](const void* data, size_t size) { write_all(STDOUT_FILENO, data, size); });
}

// The container path of a target's directory, for messages ("" for its root): read back from
// the fd, which the container's root mount makes relative to it.
std::string container_dir_label(const ContainerRoot& root, const Target& target) {
  auto path_of = [](int fd) {
    char buf[PATH_MAX];
    ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buf, sizeof buf - 1);
    return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
  };
  const std::string top = path_of(root.fd()), dir = path_of(target.dir.get());
  if (top.empty() || dir.size() < top.size() || dir.compare(0, top.size(), top) != 0) return "";
  std::string rel = dir.substr(top == "/" ? 0 : top.size());
  return rel == "/" ? "" : rel;
}

// What cp was asked, as typed (messages name the container path as typed, as podman's).
struct CopyRequest {
  std::string typed;  // the container side's path as typed
  bool overwrite = false;
};

int copy_out(const Store& store, const ContainerView& view, const std::string& cpath,
             const std::string& dest, const CopyRequest& req) {
  RootedPath rooted = open_root(store, view, cpath);
  const ContainerRoot& root = rooted.root;
  const std::string& path = rooted.path;
  std::string where = "container " + view.record.name;
  UniqueFd src = root.open(path, O_PATH);
  if (!src.valid())
    throw Error(Errc::kNotFound, "\"" + req.typed + "\" could not be found on " + where +
                                     ": no such file or directory");
  struct stat st;
  if (::fstat(src.get(), &st) != 0) throw_errno("stat " + path);
  // Names come from the container's path, not the path inside a volume it resolved to.
  if (dest == "-") {
    std::string name = last_name(cpath);
    tar_to_stdout(src.get(), cpath, name == "/" ? "." : name, store.temp_dir());
    return kExitOk;
  }
  struct stat dst;
  if (::stat(dest.c_str(), &dst) == 0 && !S_ISDIR(dst.st_mode) && !S_ISREG(dst.st_mode))
    throw Error(Errc::kInvalidArgument,
                "invalid destination: \"" + dest + "\" must be a directory or a regular file");
  auto host_open = [](const std::string& p, int flags) {
    return UniqueFd(::open(p.c_str(), flags | O_CLOEXEC));
  };
  Target target = resolve_target(dest, cpath, S_ISDIR(st.st_mode), host_open, "the host");
  copy_into(src.get(), cpath, target, TreeCopy{.overwrite = req.overwrite});
  return kExitOk;
}

int copy_in(const Store& store, const ContainerView& view, const std::string& src_path,
            const std::string& cpath, const CopyRequest& req) {
  std::optional<TempDir> unpacked;
  UniqueFd src;
  std::string what = src_path;
  TreeCopy how{.overwrite = req.overwrite};
  if (src_path == "-" || src_path == "/dev/stdin") {
    unpacked.emplace(
        unpack_tar_input(STDIN_FILENO, store.temp_dir(),
                         "source must be a (compressed) tar archive when copying from stdin"));
    src = UniqueFd(::open(unpacked->path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    what = "the tar";
    how.keep_owner = true;  // the archive's owners
  } else {
    src = UniqueFd(::open(src_path.c_str(), O_PATH | O_CLOEXEC));
    if (!src.valid())
      throw Error(Errc::kNotFound,
                  "\"" + src_path + "\" could not be found on the host: no such file or directory");
  }
  struct stat st;
  if (::fstat(src.get(), &st) != 0) throw_errno("stat " + what);
  RootedPath rooted = open_root(store, view, cpath);
  const ContainerRoot& root = rooted.root;
  const std::string& path = rooted.path;
  std::string where = "container " + view.record.name;
  auto in_root = [&root](const std::string& p, int flags) { return root.open(p, flags); };
  if (unpacked) {
    // A tar's entries go into the directory named (which must exist), as `tar -x -C`.
    UniqueFd d = root.open(path, O_PATH | O_DIRECTORY);
    if (!d.valid())
      throw Error(Errc::kInvalidArgument,
                  "destination must be a directory when copying from stdin");
    how.dest_label = runner::clean_path(cpath) == "/" ? "" : runner::clean_path(cpath);
    copy_into(src.get(), what, Target{std::move(d), ""}, how);
    return kExitOk;
  }
  Target target = resolve_target(path, src_path, S_ISDIR(st.st_mode), in_root, where);
  how.dest_label = rooted.prefix + container_dir_label(root, target);
  copy_into(src.get(), what, target, how);
  return kExitOk;
}

// CONTAINER:PATH to CONTAINER:PATH: out of the first into a scratch directory (owners kept), then
// from there into the second, as a tar from stdin would go.
int copy_between(const Store& store, const ContainerView& from, const std::string& from_path,
                 const ContainerView& to, const std::string& to_path, const CopyRequest& req) {
  TempDir scratch(store.temp_dir(), "cp-");
  std::string name;
  {
    RootedPath rooted = open_root(store, from, from_path);
    UniqueFd src = rooted.root.open(rooted.path, O_PATH);
    if (!src.valid())
      throw Error(Errc::kNotFound, "\"" + req.typed + "\" could not be found on container " +
                                       from.record.name + ": no such file or directory");
    name = ends_with_dot(from_path) ? "" : last_name(from_path);
    if (name == "/") name = "";
    UniqueFd dir = open_dir(scratch.path());
    Target all{std::move(dir), name};
    copy_into(src.get(), from_path, all, TreeCopy{.keep_owner = true});
  }
  const std::string staged = name.empty() ? scratch.path() + "/." : scratch.path() + "/" + name;
  UniqueFd src(::open(staged.c_str(), O_PATH | O_CLOEXEC));
  if (!src.valid()) throw_errno("open " + staged);
  struct stat st;
  if (::fstat(src.get(), &st) != 0) throw_errno("stat " + staged);
  RootedPath rooted = open_root(store, to, to_path);
  const ContainerRoot& root = rooted.root;
  auto in_root = [&root](const std::string& p, int flags) { return root.open(p, flags); };
  Target target = resolve_target(rooted.path, name.empty() ? from_path : name, S_ISDIR(st.st_mode),
                                 in_root, "container " + to.record.name);
  TreeCopy how{.keep_owner = true, .overwrite = req.overwrite};
  how.dest_label = rooted.prefix + container_dir_label(root, target);
  copy_into(src.get(), from_path, target, how);
  return kExitOk;
}

}  // namespace

Command add_cp(CLI::App& parent) {
  struct Args {
    bool archive = true;
    bool overwrite = false;
    bool pause = true;
    std::string src, dest;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "cp", "Copy files between a container and the host",
                            Needs::kUserNamespace);
  cmd.app->add_flag("-a,--archive", args->archive, "keep the archive's owners (default)");
  cmd.app->add_flag("--overwrite", args->overwrite,
                    "replace a directory by a file and the other way round");
  cmd.app->add_flag("--pause", args->pause,
                    "accepted: dabba copies without pausing the container (podman's default "
                    "pauses it)");
  cmd.app->add_option("src", args->src, "CONTAINER:PATH, a host path or -")->required();
  cmd.app->add_option("dest", args->dest, "CONTAINER:PATH, a host path or -")->required();
  cmd.run = [args](const Globals& globals) {
    Location src = parse_location(args->src), dest = parse_location(args->dest);
    if (src.container.empty() && dest.container.empty())
      throw Error(Errc::kInvalidArgument, "copying between two host paths is not what cp does", 0,
                  "one of SRC and DEST must be CONTAINER:PATH");
    if (src.path == "-" && dest.path == "-")
      throw Error(Errc::kInvalidArgument, "SRC and DEST cannot both be -");
    Store store = Store::open(globals.root());
    // A relative path is from the container's working directory, as podman's.
    auto in_container = [](const ContainerView& view, const std::string& typed) {
      if (!typed.empty() && typed[0] == '/') return typed;
      std::string cwd = view.info.cwd.empty() ? "/" : view.info.cwd;
      return typed.empty() ? cwd : (cwd.back() == '/' ? cwd : cwd + "/") + typed;
    };
    CopyRequest req{.overwrite = args->overwrite};
    if (!src.container.empty() && !dest.container.empty()) {
      ContainerView from = view_container(store, find_container(store, src.container));
      ContainerView to = view_container(store, find_container(store, dest.container));
      req.typed = src.path;
      return copy_between(store, from, in_container(from, src.path), to,
                          in_container(to, dest.path), req);
    }
    const Location& c = src.container.empty() ? dest : src;
    ContainerView view = view_container(store, find_container(store, c.container));
    req.typed = c.path;
    const std::string cpath = in_container(view, c.path);
    return src.container.empty() ? copy_in(store, view, src.path, cpath, req)
                                 : copy_out(store, view, cpath, dest.path, req);
  };
  return cmd;
}

}  // namespace dabba::cli
