#include "cli/image_changes.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "common/error.h"

namespace dabba::cli {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& change, const std::string& why) {
  throw Error(Errc::kInvalidArgument, "invalid change \"" + change + "\": " + why, 0,
              "-c takes CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME "
              "or WORKDIR, e.g. -c 'ENV FOO=bar'");
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Words separated by blanks; "..." and '...' group (quotes removed), \ escapes the next char.
std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < s.size()) {
        cur += s[++i];
      } else {
        cur += c;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < s.size()) {
      cur += s[++i];
      in_word = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(cur);
  return out;
}

// CMD/ENTRYPOINT/VOLUME value: a JSON array of strings, else nullopt.
std::optional<std::vector<std::string>> json_array(const std::string& value) {
  if (value.empty() || value[0] != '[') return std::nullopt;
  try {
    json j = json::parse(value);
    if (!j.is_array()) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& e : j) {
      if (!e.is_string()) return std::nullopt;
      out.push_back(e.get<std::string>());
    }
    return out;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

// "K=V K2=V2" or the legacy "K V" form, into pairs.
std::vector<std::pair<std::string, std::string>> pairs(const std::string& change,
                                                       const std::string& value) {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<std::string> w = words(value);
  if (w.empty()) bad(change, "needs a value");
  if (w[0].find('=') == std::string::npos) {  // ENV K V...
    size_t sp = value.find_first_of(" \t");
    if (sp == std::string::npos) bad(change, "needs KEY=VALUE");
    out.emplace_back(w[0], trim(value.substr(sp)));
    return out;
  }
  for (const auto& kv : w) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) bad(change, "'" + kv + "' is not KEY=VALUE");
    out.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return out;
}

json& object_at(json& config, const char* key) {
  json& o = config[key];
  if (!o.is_object()) o = json::object();
  return o;
}

}  // namespace

void apply_changes(json& config, const std::vector<std::string>& changes) {
  if (!config.is_object()) config = json::object();
  for (const std::string& raw : changes) {
    std::string change = trim(raw);
    size_t sp = change.find_first_of(" \t=");
    std::string op = change.substr(0, sp);
    std::string value = sp == std::string::npos ? "" : trim(change.substr(sp + 1));
    std::transform(op.begin(), op.end(), op.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (op == "CMD" || op == "ENTRYPOINT") {
      const char* key = op == "CMD" ? "Cmd" : "Entrypoint";
      if (auto a = json_array(value))
        config[key] = *a;
      else if (value.empty())
        config[key] = json::array();
      else
        config[key] = {"/bin/sh", "-c", value};
    } else if (op == "ENV") {
      json& env = config["Env"];
      if (!env.is_array()) env = json::array();
      for (const auto& [k, v] : pairs(change, value)) {
        std::string entry = k + "=" + v;
        auto same = std::find_if(env.begin(), env.end(), [&](const json& e) {
          return e.is_string() && e.get<std::string>().rfind(k + "=", 0) == 0;
        });
        if (same != env.end())
          *same = entry;
        else
          env.push_back(entry);
      }
    } else if (op == "LABEL") {
      json& labels = object_at(config, "Labels");
      for (const auto& [k, v] : pairs(change, value)) labels[k] = v;
    } else if (op == "EXPOSE") {
      json& ports = object_at(config, "ExposedPorts");
      std::vector<std::string> w = words(value);
      if (w.empty()) bad(change, "needs a port");
      for (std::string p : w) {
        if (p.find('/') == std::string::npos) p += "/tcp";
        std::string num = p.substr(0, p.find('/'));
        std::string proto = p.substr(p.find('/') + 1);
        if (num.empty() || !std::all_of(num.begin(), num.end(),
                                        [](char c) { return std::isdigit(c) || c == '-'; }) ||
            (proto != "tcp" && proto != "udp" && proto != "sctp"))
          bad(change, "'" + p + "' is not PORT[/tcp|udp|sctp]");
        ports[p] = json::object();
      }
    } else if (op == "VOLUME") {
      json& volumes = object_at(config, "Volumes");
      std::vector<std::string> list;
      if (auto a = json_array(value))
        list = *a;
      else
        list = words(value);
      if (list.empty()) bad(change, "needs a path");
      for (const auto& v : list) {
        if (v.empty() || v[0] != '/') bad(change, "'" + v + "' is not an absolute path");
        volumes[v] = json::object();
      }
    } else if (op == "USER" || op == "WORKDIR" || op == "STOPSIGNAL") {
      if (value.empty()) bad(change, op + " needs a value");
      const char* key = op == "USER" ? "User" : op == "WORKDIR" ? "WorkingDir" : "StopSignal";
      if (op == "WORKDIR" && value[0] != '/') {  // relative to the current one, as Docker does
        std::string cur = config.value("WorkingDir", "/");
        value = (cur.empty() || cur.back() != '/' ? cur + "/" : cur) + value;
      }
      config[key] = value;
    } else if (op == "ONBUILD") {
      if (value.empty()) bad(change, "ONBUILD needs an instruction");
      json& onbuild = config["OnBuild"];
      if (!onbuild.is_array()) onbuild = json::array();
      onbuild.push_back(value);
    } else {
      bad(change, "unknown instruction '" + op + "'");
    }
  }
}

}  // namespace dabba::cli
