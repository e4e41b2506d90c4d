#include "runner/env.h"

#include <cstdlib>
#include <map>

#include "common/error.h"

namespace dabba::runner {
namespace {

std::string_view name_of(std::string_view entry) { return entry.substr(0, entry.find('=')); }

bool has_space(std::string_view s) { return s.find_first_of(" \t\r\n\v\f") != s.npos; }

// Adds or replaces an entry, keeping the position of the first occurrence.
class EnvBuilder {
 public:
  void set(std::string entry) {
    std::string name(name_of(entry));
    auto it = index_.find(name);
    if (it != index_.end()) {
      entries_[it->second] = std::move(entry);
    } else {
      index_.emplace(std::move(name), entries_.size());
      entries_.push_back(std::move(entry));
    }
  }
  bool has(const std::string& name) const { return index_.count(name) != 0; }
  std::vector<std::string> take() { return std::move(entries_); }

 private:
  std::vector<std::string> entries_;
  std::map<std::string, size_t> index_;
};

// "K=V" as is; "K" from the host, or nothing. Throws on an empty name.
std::optional<std::string> resolve_entry(std::string_view entry, const HostEnvLookup& lookup,
                                         const std::string& where) {
  auto eq = entry.find('=');
  std::string name(entry.substr(0, eq));
  if (name.empty())
    throw Error(Errc::kInvalidArgument, where + "invalid environment variable '" +
                                            std::string(entry) + "': no variable name");
  if (has_space(name))
    throw Error(Errc::kInvalidArgument,
                where + "environment variable name '" + name + "' contains whitespace");
  if (eq != std::string_view::npos) return std::string(entry);
  auto value = lookup ? lookup(name) : std::nullopt;
  if (!value) return std::nullopt;
  return name + "=" + *value;
}

}  // namespace

std::optional<std::string> host_getenv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

std::vector<std::string> parse_env_file(const EnvFile& file, const HostEnvLookup& lookup) {
  std::vector<std::string> out;
  size_t pos = 0;
  int line_no = 0;
  while (pos <= file.text.size()) {
    auto nl = file.text.find('\n', pos);
    std::string_view line(file.text);
    line = line.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    ++line_no;
    pos = nl == std::string::npos ? file.text.size() + 1 : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos) continue;
    line.remove_prefix(start);
    if (line[0] == '#') continue;
    auto entry = resolve_entry(line, lookup, file.path + ":" + std::to_string(line_no) + ": ");
    if (entry) out.push_back(std::move(*entry));
  }
  return out;
}

std::vector<std::string> merge_env(const EnvInputs& in) {
  EnvBuilder env;
  bool image_has_path = false;
  for (const auto& e : in.image_env)
    if (name_of(e) == "PATH") image_has_path = true;
  if (!image_has_path) env.set(std::string("PATH=") + kDefaultPath);
  if (!in.hostname.empty()) env.set("HOSTNAME=" + in.hostname);
  env.set("TERM=xterm");  // podman's containers.conf default, with or without -t
  env.set("container=dabba");
  for (const auto& e : in.host_env)
    if (e.find('=') != std::string::npos && e[0] != '=') env.set(e);
  if (in.http_proxy && in.host_lookup) {
    for (const char* name : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "ftp_proxy",
                             "FTP_PROXY", "no_proxy", "NO_PROXY"})
      if (auto v = in.host_lookup(name)) env.set(std::string(name) + "=" + *v);
  }
  for (const auto& e : in.conf_env)
    if (auto entry = resolve_entry(e, in.host_lookup, "containers.conf env: ")) env.set(*entry);
  for (const auto& e : in.image_env) {
    // An image config entry without '=' is malformed; Docker keeps it verbatim, which makes
    // execve() pass a string no program can read as a variable. Skip it.
    if (e.find('=') == std::string::npos || e[0] == '=') continue;
    env.set(e);
  }
  for (const auto& file : in.env_files)
    for (auto& e : parse_env_file(file, in.host_lookup)) env.set(std::move(e));
  for (const auto& flag : in.env_flags) {
    auto entry = resolve_entry(flag, in.host_lookup, "-e: ");
    if (entry) env.set(std::move(*entry));
  }
  return env.take();
}

bool set_default(std::vector<std::string>& env, std::string_view name, std::string_view value) {
  for (const auto& e : env)
    if (name_of(e) == name) return false;
  std::string entry(name);
  entry += '=';
  entry += value;
  env.push_back(std::move(entry));
  return true;
}

std::optional<std::string> env_value(const std::vector<std::string>& env, std::string_view name) {
  for (const auto& e : env)
    if (name_of(e) == name && e.size() > name.size()) return e.substr(name.size() + 1);
  return std::nullopt;
}

}  // namespace dabba::runner
