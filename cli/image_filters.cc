#include "cli/image_filters.h"

#include <fnmatch.h>

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "common/human.h"
#include "store/image_names.h"

namespace dabba::cli {
namespace {

const std::vector<std::string> kKeys = {"reference", "dangling", "intermediate", "label",
                                        "id",        "digest",   "containers",   "before",
                                        "since",     "after",    "until",        "readonly"};

bool parse_bool(const std::string& key, const std::string& value) {
  if (value == "true" || value == "1") return true;
  if (value == "false" || value == "0") return false;
  throw Error(Errc::kInvalidArgument,
              "invalid filter " + key + "=" + value + ": want true or false");
}

int64_t created_of(const ImageRecord& img) { return img.created > 0 ? img.created : img.added; }

bool glob(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), FNM_PATHNAME) == 0;
}

}  // namespace

bool reference_matches(const std::string& pattern, const std::string& name) {
  NameParts p = split_name(name);
  if (p.repository.empty()) return false;
  std::vector<std::string> candidates = {name, p.repository};
  // The short forms people type: "alpine" for docker.io/library/alpine, "bb" for localhost/bb.
  for (const char* prefix : {"docker.io/library/", "docker.io/", "localhost/"}) {
    std::string_view repo = p.repository;
    if (repo.starts_with(prefix)) {
      std::string shortname(repo.substr(std::string_view(prefix).size()));
      candidates.push_back(shortname);
      candidates.push_back(shortname + (p.tag.empty() ? "@" + p.digest : ":" + p.tag));
      break;
    }
  }
  for (const auto& c : candidates)
    if (glob(pattern, c)) return true;
  // podman also finds "name" in any registry: the last path components.
  if (pattern.find('/') == std::string::npos) {
    std::string last = p.repository.substr(p.repository.rfind('/') + 1);
    if (glob(pattern, last) || glob(pattern, last + ":" + p.tag)) return true;
  }
  return false;
}

int64_t parse_go_duration(const std::string& text) {
  if (text.empty()) throw Error(Errc::kInvalidArgument, "invalid duration ''");
  double total = 0;
  size_t i = 0;
  bool neg = false;
  if (text[0] == '-' || text[0] == '+') {
    neg = text[0] == '-';
    ++i;
  }
  if (text.substr(i) == "0") return 0;
  bool any = false;
  while (i < text.size()) {
    size_t b = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (b == i) throw Error(Errc::kInvalidArgument, "invalid duration '" + text + "'");
    double n = std::stod(text.substr(b, i - b));
    size_t u = i;
    while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i])) && text[i] != '.')
      ++i;
    std::string unit = text.substr(u, i - u);
    double scale = unit == "h" ? 3600 : unit == "m" ? 60 : unit == "s" ? 1 : unit == "ms" ? 1e-3
                   : unit == "us" || unit == "µs" ? 1e-6 : unit == "ns" ? 1e-9 : -1;
    if (scale < 0)
      throw Error(Errc::kInvalidArgument, "invalid duration '" + text + "'", 0,
                  "units are h, m, s, ms, us, ns (e.g. 24h, 1h30m)");
    total += n * scale;
    any = true;
  }
  if (!any) throw Error(Errc::kInvalidArgument, "invalid duration '" + text + "'");
  return static_cast<int64_t>(std::floor(neg ? -total : total));
}

int64_t parse_until(const std::string& text, int64_t now) {
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
      }))
    return static_cast<int64_t>(std::stod(text));
  if (int64_t t = parse_rfc3339(text); t != 0) return t;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-')  // a date alone
    if (int64_t t = parse_rfc3339(text + "T00:00:00Z"); t != 0) return t;
  return now - parse_go_duration(text);
}

ImageFilters::ImageFilters(const Store& store, const std::vector<std::string>& specs,
                           const std::vector<std::string>& allowed) {
  const auto& keys = allowed.empty() ? kKeys : allowed;
  for (const std::string& spec : specs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error(Errc::kInvalidArgument, "invalid filter \"" + spec + "\"", 0,
                  "filters are key=value, e.g. --filter dangling=true");
    Clause c;
    std::string key = spec.substr(0, eq);
    if (key.back() == '!') {
      c.negate = true;
      key.pop_back();
    }
    c.value = spec.substr(eq + 1);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string list;
      for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
      throw Error(Errc::kInvalidArgument, "invalid filter \"" + key + "\"", 0,
                  "the filters are: " + list);
    }
    if (key == "after") key = "since";
    if (key == "dangling" || key == "intermediate" || key == "containers" || key == "readonly")
      parse_bool(key, c.value);
    if (key == "before" || key == "since") c.when = created_of(find_image_or_throw(store, c.value));
    if (key == "until") c.when = parse_until(c.value, unix_now());
    by_key_[key].push_back(std::move(c));
  }
}

bool ImageFilters::clause_matches(const std::string& key, const Clause& c,
                                  const ImageView& v) const {
  const int64_t created = created_of(v.image);
  if (key == "reference")
    return std::any_of(v.names.begin(), v.names.end(),
                       [&](const std::string& n) { return reference_matches(c.value, n); });
  if (key == "dangling" || key == "intermediate") return v.dangling() == parse_bool(key, c.value);
  if (key == "label") return labels_match(v.runtime_config().value("Labels", TemplateData()),
                                          c.value);
  if (key == "id") {
    std::string want = c.value.starts_with("sha256:") ? c.value.substr(7) : c.value;
    return v.id().starts_with(want);
  }
  if (key == "digest") return v.image.manifest.str().starts_with(c.value) ||
                              v.image.manifest.hex().starts_with(c.value);
  if (key == "containers") return (v.image.container_refs > 0) == parse_bool(key, c.value);
  if (key == "before") return created < c.when;
  if (key == "since") return created > c.when;
  if (key == "until") return created < c.when;
  if (key == "readonly") return !parse_bool(key, c.value);
  return false;
}

bool ImageFilters::match(const ImageView& v) const {
  for (const auto& [key, clauses] : by_key_) {
    bool all = key == "label";
    bool ok = all;
    for (const Clause& c : clauses) {
      bool m = clause_matches(key, c, v) != c.negate;
      ok = all ? ok && m : ok || m;
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace dabba::cli
