#include "runner/etc_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <utility>

#include "common/error.h"

#include "common/fs.h"
#include "common/unique_fd.h"
#include "runner/net/network_etc_files.h"

namespace dabba::runner {
namespace {

// The files are regenerated on every start, so no fsync. Nor a rewrite in place: ext4 flushes a
// file that is truncated and written again (and one renamed over another) on close, which cost
// a restarted container ~5 ms here. Same content: nothing to do; else a fresh inode.
void write_plain(const std::string& path, const std::string& data) {
  std::string old;
  if (read_file_if_exists(path, old)) {
    if (old == data) return;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw_errno("unlink " + path);
  }
  UniqueFd fd = open_file(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
  write_all(fd.get(), data);
}

}  // namespace

EtcFiles default_etc_files(const std::string& hostname, const NetworkSpec& network) {
  return network_etc_files(hostname, network,
                           read_host_network_files(network.mode == NetworkMode::kSlirp4netns ||
                                                   network.mode == NetworkMode::kBridge));
}

EtcFiles default_etc_files(const std::string& hostname, NetworkMode mode) {
  NetworkSpec network;
  network.mode = mode;
  return default_etc_files(hostname, network);
}

std::string etc_files_dir(const std::string& container_dir) { return container_dir + "/etc"; }

void write_etc_files(const std::string& container_dir, const EtcFiles& files) {
  std::string dir = etc_files_dir(container_dir);
  make_dirs(dir, 0755);
  write_plain(dir + "/hostname", files.hostname);
  write_plain(dir + "/hosts", files.hosts);
  write_plain(dir + "/resolv.conf", files.resolv_conf);
  write_plain(dir + "/containerenv", files.containerenv);
  if (!files.localtime.empty()) write_plain(dir + "/localtime", files.localtime);
}

void rewrite_network_etc_files(const std::string& container_dir, const EtcFiles& files) {
  const std::string dir = etc_files_dir(container_dir);
  for (const auto& [name, text] :
       {std::pair{"hosts", &files.hosts}, std::pair{"resolv.conf", &files.resolv_conf}}) {
    const std::string path = dir + "/" + name;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) {
      if (errno == ENOENT) continue;  // never started: made at the start
      throw_errno("rewrite " + path);
    }
    write_all(fd.get(), *text);
  }
}

}  // namespace dabba::runner
