// Where load and import read their archive from: a path, standard input, or (import) a URL. A pipe
// or a download is first copied into a temp file under the store's tmp/ (archives are read twice,
// and a layer's size must be known); a regular file on standard input is read where it is.
#pragma once

#include <string>

namespace dabba::cli {

class InputFile {
 public:
  // Standard input; refuses a terminal with terminal_error (podman's wording for the verb).
  static InputFile from_stdin(const std::string& tmp_dir, const std::string& terminal_error);
  // http://, https:// (through the registry library's HTTP client) or file://.
  static InputFile from_url(const std::string& url, const std::string& tmp_dir);
  static InputFile from_path(const std::string& path);
  static bool is_url(const std::string& text);
  // What the user gave: standard input when use_stdin, else a URL or a path.
  static InputFile open(bool use_stdin, const std::string& source, const std::string& tmp_dir,
                        const std::string& terminal_error);

  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&&) = delete;
  InputFile(const InputFile&) = delete;
  ~InputFile();

  const std::string& path() const { return path_; }

 private:
  InputFile(std::string path, bool temp) : path_(std::move(path)), temp_(temp) {}
  std::string path_;
  bool temp_ = false;
};

}  // namespace dabba::cli
