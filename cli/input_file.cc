#include "cli/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "common/error.h"
#include "common/fs.h"
#include "registry/http_client.h"

namespace dabba::cli {
namespace {

// A new temp file under dir; returns its path and fd.
std::pair<std::string, UniqueFd> temp_file(const std::string& dir) {
  make_dirs(dir, 0700);
  std::string path = dir + "/input-XXXXXX";
  int fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) throw_errno("create a temp file in " + dir);
  return {path, UniqueFd(fd)};
}

}  // namespace

InputFile::InputFile(InputFile&& other) noexcept
    : path_(std::move(other.path_)), temp_(other.temp_) {
  other.temp_ = false;
}

InputFile::~InputFile() {
  if (temp_) ::unlink(path_.c_str());
}

bool InputFile::is_url(const std::string& text) {
  return text.starts_with("http://") || text.starts_with("https://") ||
         text.starts_with("file://");
}

InputFile InputFile::from_path(const std::string& path) { return InputFile(path, false); }

InputFile InputFile::open(bool use_stdin, const std::string& source, const std::string& tmp_dir,
                          const std::string& terminal_error) {
  if (use_stdin) return from_stdin(tmp_dir, terminal_error);
  return is_url(source) ? from_url(source, tmp_dir) : from_path(source);
}

InputFile InputFile::from_stdin(const std::string& tmp_dir, const std::string& terminal_error) {
  if (::isatty(STDIN_FILENO))
    throw Error(Errc::kInvalidArgument, terminal_error, 0,
                "redirect a file to standard input, or name it with -i/--input");
  struct stat st;
  DABBA_SYSCALL(::fstat(STDIN_FILENO, &st), "stat standard input");
  if (S_ISREG(st.st_mode) && ::lseek(STDIN_FILENO, 0, SEEK_CUR) == 0)
    return InputFile("/proc/self/fd/0", false);
  auto [path, fd] = temp_file(tmp_dir);
  InputFile out(path, true);
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = DABBA_SYSCALL(::read(STDIN_FILENO, buf.data(), buf.size()), "read stdin");
    if (n == 0) break;
    write_all(fd.get(), buf.data(), static_cast<size_t>(n));
  }
  return out;
}

InputFile InputFile::from_url(const std::string& url, const std::string& tmp_dir) {
  if (url.starts_with("file://")) return InputFile(url.substr(7), false);
  auto [path, fd] = temp_file(tmp_dir);
  InputFile out(path, true);
  HttpClient http;
  HttpRequest req;
  req.url = url;
  int file = fd.get();
  HttpResponse resp = with_context("download " + url, [&] {
    return http.send(
        req,
        [&](const HttpResponse&, uint64_t offset) {
          if (offset != 0) return;  // a resumed body goes on where it stopped
          DABBA_SYSCALL(::ftruncate(file, 0), "truncate");
          DABBA_SYSCALL(::lseek(file, 0, SEEK_SET), "lseek");
        },
        [&](const char* data, size_t size) { write_all(file, data, size); });
  });
  if (!resp.ok())
    throw Error(Errc::kNotFound,
                "download " + url + ": the server answered " + std::to_string(resp.status));
  return out;
}

}  // namespace dabba::cli
