// Copying a file or a directory tree between two places given as directory fds, for `cp` and for
// filling a new volume from the image. Every open below the starting points is relative to an fd
// already open and never follows a symlink (O_NOFOLLOW, symlinks are copied as links), so a tree
// that a running container changes under us cannot make the copy read or write elsewhere. Where
// the starting points are found (openat2 RESOLVE_IN_ROOT for a container's side) is the caller's.
#pragma once

#include <string>

namespace dabba {

struct TreeCopy {
  // Keep the source's owners (copying inside one id space: a volume filled from the image). Else
  // what is written belongs to the caller (uid 0 of dabba's namespace: the container's root).
  bool keep_owner = false;
  // A file where a directory is, or a directory where a file is: replaced (podman's
  // --overwrite), else Error{kAlreadyExists} 'error creating "PATH": ...: file exists'.
  bool overwrite = false;
  // How messages name the destination's top: PATH is dest_label + "/" + name.
  std::string dest_label;
};

// Copies the object open as src (any fd of it; O_PATH is fine) to the entry name in the directory
// dst_dir: a file replaces a non-directory there, a directory merges into one. Throws Error
// naming the path that failed (what: the source's name for messages).
void copy_tree(int src, const std::string& what, int dst_dir, const std::string& name,
               const TreeCopy& how);

}  // namespace dabba
