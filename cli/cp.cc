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
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_root.h"
#include "cli/containers.h"
#include "cli/tree_copy.h"
#include "common/dir_stream.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/userns.h"
#include "store/unpack/layer_tar.h"
#include "store/unpack/layer_writer.h"
#include "store/unpack/tar_unpack.h"

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
Target resolve_target(const std::string& dest, const std::string& src_path, bool src_is_dir,
                      const Open& open_at, const std::string& where) {
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
  if (ends_with_slash(dest))
    throw Error(Errc::kNotFound, "\"" + dest + "\" could not be found on " + where +
                                     ": no such file or directory");
  UniqueFd parent = open_at(parent_of(dest), O_PATH | O_DIRECTORY);
  if (!parent.valid())
    throw Error(Errc::kNotFound, "\"" + parent_of(dest) + "\" could not be found on " + where +
                                     ": no such file or directory");
  (void)src_is_dir;
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

// The container's filesystem: live root of a running one, else its layers mounted.
ContainerRoot open_root(const Store& store, const ContainerView& view) {
  if (view.running && view.state) return ContainerRoot::of_process(view.state->pid);
  std::vector<std::string> layers;
  for (auto l = view.record.layers.rbegin(); l != view.record.layers.rend(); ++l)
    layers.push_back(store.layer_dir(*l));
  return ContainerRoot::mount_layers(layers, view.dir + "/upper", view.dir + "/work",
                                     store.temp_dir());
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

// stdin's tar unpacked into a scratch dir (safe: the layer writer refuses escapes).
TempDir tar_from_stdin(const std::string& scratch_parent) {
  TempDir scratch(scratch_parent, "cp-");
  UniqueFd dir = open_dir(scratch.path());
  LayerWriter writer(dir.get(), current_id_map());
  std::vector<uint8_t> buf(1 << 16);
  TarChunkSource source = [&buf](const uint8_t** data) -> size_t {
    for (;;) {
      ssize_t n = ::read(STDIN_FILENO, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("read the tar from stdin");
      *data = buf.data();
      return static_cast<size_t>(n);
    }
  };
  with_context("unpack the tar from stdin", [&] { unpack_tar(source, writer); });
  writer.finish();
  return scratch;
}

int copy_out(const Store& store, const ContainerView& view, const std::string& path,
             const std::string& dest) {
  ContainerRoot root = open_root(store, view);
  std::string where = "container " + view.record.name;
  UniqueFd src = root.open(path, O_PATH);
  if (!src.valid())
    throw Error(Errc::kNotFound, "\"" + path + "\" could not be found on " + where +
                                     ": no such file or directory");
  struct stat st;
  if (::fstat(src.get(), &st) != 0) throw_errno("stat " + path);
  if (dest == "-") {
    std::string name = last_name(path);
    tar_to_stdout(src.get(), path, name == "/" ? "." : name, store.temp_dir());
    return kExitOk;
  }
  auto host_open = [](const std::string& p, int flags) {
    return UniqueFd(::open(p.c_str(), flags | O_CLOEXEC));
  };
  Target target = resolve_target(dest, path, S_ISDIR(st.st_mode), host_open, "the host");
  copy_into(src.get(), path, target, TreeCopy{});
  return kExitOk;
}

int copy_in(const Store& store, const ContainerView& view, const std::string& src_path,
            const std::string& path) {
  std::optional<TempDir> unpacked;
  UniqueFd src;
  std::string what = src_path;
  TreeCopy how;
  if (src_path == "-") {
    unpacked.emplace(tar_from_stdin(store.temp_dir()));
    src = UniqueFd(::open(unpacked->path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    what = "the tar";
    how.keep_owner = true;  // the archive's owners
  } else {
    src = UniqueFd(::open(src_path.c_str(), O_PATH | O_CLOEXEC));
    if (!src.valid())
      throw Error(Errc::kNotFound, "\"" + src_path +
                                       "\" could not be found on the host: no such file or directory");
  }
  struct stat st;
  if (::fstat(src.get(), &st) != 0) throw_errno("stat " + what);
  ContainerRoot root = open_root(store, view);
  std::string where = "container " + view.record.name;
  auto in_root = [&root](const std::string& p, int flags) { return root.open(p, flags); };
  if (unpacked) {
    // A tar's entries go into the directory named (which must exist), as `tar -x -C`.
    UniqueFd d = root.open(path, O_PATH | O_DIRECTORY);
    if (!d.valid())
      throw Error(Errc::kNotFound, "\"" + path + "\" could not be found on " + where +
                                       ": no such file or directory");
    copy_into(src.get(), what, Target{std::move(d), ""}, how);
    return kExitOk;
  }
  Target target = resolve_target(path, src_path, S_ISDIR(st.st_mode), in_root, where);
  copy_into(src.get(), what, target, how);
  return kExitOk;
}

}  // namespace

Command add_cp(CLI::App& parent) {
  struct Args {
    bool archive = true;
    bool overwrite = false;
    std::string src, dest;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "cp", "Copy files between a container and the host",
                            Needs::kUserNamespace);
  cmd.app->add_flag("-a,--archive", args->archive, "keep the archive's owners (default)");
  cmd.app->add_flag("--overwrite", args->overwrite,
                    "replace a directory by a file and the other way round (accepted)");
  cmd.app->add_option("src", args->src, "CONTAINER:PATH, a host path or -")->required();
  cmd.app->add_option("dest", args->dest, "CONTAINER:PATH, a host path or -")->required();
  cmd.run = [args](const Globals& globals) {
    Location src = parse_location(args->src), dest = parse_location(args->dest);
    if (src.container.empty() == dest.container.empty())
      throw Error(Errc::kInvalidArgument,
                  src.container.empty() ? "copying between two host paths is not what cp does"
                                        : "copying between containers is not supported",
                  0, "one of SRC and DEST must be CONTAINER:PATH, the other a host path or -");
    if (src.path == "-" && dest.path == "-")
      throw Error(Errc::kInvalidArgument, "SRC and DEST cannot both be -");
    Store store = Store::open(globals.root());
    const Location& c = src.container.empty() ? dest : src;
    ContainerView view = view_container(store, find_container(store, c.container));
    // A relative path is from the container's working directory, as podman's.
    std::string cpath = c.path;
    if (cpath.empty() || cpath[0] != '/') {
      std::string cwd = view.info.cwd.empty() ? "/" : view.info.cwd;
      cpath = cpath.empty() ? cwd : (cwd.back() == '/' ? cwd : cwd + "/") + cpath;
    }
    return src.container.empty() ? copy_in(store, view, src.path, cpath)
                                 : copy_out(store, view, cpath, dest.path);
  };
  return cmd;
}

}  // namespace dabba::cli
