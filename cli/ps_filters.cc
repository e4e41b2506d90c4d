#include "cli/ps_filters.h"

#include <algorithm>
#include <regex>

#include "cli/image_filters.h"
#include "common/error.h"

namespace dabba::cli {
namespace {

const char* const kKeys[] = {"id",       "name",     "label",  "label!", "status",
                             "exited",   "ancestor", "before", "since",  "network"};

bool label_matches(const std::map<std::string, std::string>& labels, const std::string& want) {
  const size_t eq = want.find('=');
  auto it = labels.find(want.substr(0, eq));
  if (it == labels.end()) return false;
  return eq == std::string::npos || it->second == want.substr(eq + 1);
}

bool one_matches(const std::string& key, const std::string& value, const PsRow& row,
                 const std::vector<PsRow>& all) {
  if (key == "id") return row.id.rfind(value, 0) == 0;
  if (key == "name") return std::regex_search(row.name, std::regex(value));
  if (key == "label") return label_matches(row.labels, value);
  if (key == "label!") return !label_matches(row.labels, value);
  if (key == "network")
    return std::find(row.networks.begin(), row.networks.end(), value) != row.networks.end();
  if (key == "status") return row.state == (value == "stopped" ? "exited" : value);
  if (key == "exited") return row.exit_code && row.state == "exited" &&
                              std::to_string(*row.exit_code) == value;
  if (key == "ancestor") {
    const std::string hex =
        row.image_id.rfind("sha256:", 0) == 0 ? row.image_id.substr(7) : row.image_id;
    return reference_matches(value, row.image) || hex.rfind(value, 0) == 0 ||
           row.image_id == value;
  }
  // before= / since=: relative to the container named.
  for (const PsRow& other : all) {
    if (other.name == value || other.id.rfind(value, 0) == 0)
      return key == "before" ? row.created < other.created : row.created > other.created;
  }
  return false;
}

}  // namespace

PsFilters::PsFilters(const std::vector<std::string>& filters) {
  for (const std::string& f : filters) {
    const size_t eq = f.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error(Errc::kInvalidArgument, "invalid filter \"" + f + "\"", 0,
                  "filters are KEY=VALUE: id, name, label, status, exited, ancestor, before, since, network");
    std::string key = f.substr(0, eq), value = f.substr(eq + 1);
    if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys))
      throw Error(Errc::kInvalidArgument, "\"" + key + "\" is an invalid filter", 0,
                  "filters are id, name, label, status, exited, ancestor, before, since, network");
    if (key == "name") {
      try {
        std::regex check(value);
      } catch (const std::regex_error&) {
        throw Error(Errc::kInvalidArgument, "invalid name filter \"" + value + "\"");
      }
    }
    if (key == "status") {
      static const char* const kStates[] = {"created", "running", "exited", "stopped",
                                            "paused",  "unknown", "configured", "removing"};
      if (std::find(std::begin(kStates), std::end(kStates), value) == std::end(kStates))
        throw Error(Errc::kInvalidArgument, "\"" + value + "\" is not a valid status", 0,
                    "status is created, running, exited, stopped, paused or unknown");
    }
    if (key == "exited" && (value.empty() || value.find_first_not_of("0123456789") !=
                                                 std::string::npos))
      throw Error(Errc::kInvalidArgument, "exited code out of range \"" + value + "\"");
    by_key_.emplace(std::move(key), std::move(value));
  }
}

bool PsFilters::matches(const PsRow& row, const std::vector<PsRow>& all) const {
  for (auto it = by_key_.begin(); it != by_key_.end();) {
    auto range = by_key_.equal_range(it->first);
    bool any = false;
    for (auto v = range.first; v != range.second && !any; ++v)
      any = one_matches(v->first, v->second, row, all);
    if (!any) return false;
    it = range.second;
  }
  return true;
}

void sort_ps_rows(std::vector<PsRow>& rows, const std::string& key) {
  auto by = [&rows](auto less) { std::stable_sort(rows.begin(), rows.end(), less); };
  if (key == "created")
    by([](const PsRow& a, const PsRow& b) { return a.created < b.created; });
  else if (key == "runningfor")
    by([](const PsRow& a, const PsRow& b) { return a.created > b.created; });
  else if (key == "id")
    by([](const PsRow& a, const PsRow& b) { return a.id < b.id; });
  else if (key == "names")
    by([](const PsRow& a, const PsRow& b) { return a.name < b.name; });
  else if (key == "image")
    by([](const PsRow& a, const PsRow& b) { return a.image < b.image; });
  else if (key == "command")
    by([](const PsRow& a, const PsRow& b) { return a.command < b.command; });
  else if (key == "status")
    by([](const PsRow& a, const PsRow& b) { return a.status < b.status; });
  else if (key != "size" && key != "pod")  // every container is 0 and no pod here
    throw Error(Errc::kInvalidArgument, "invalid option for --sort, options are: command, "
                                        "created, id, image, names, runningfor, size, or status");
}

}  // namespace dabba::cli
