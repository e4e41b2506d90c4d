// What the verbs of podman's groups of named objects (volume, network: cli/volume.cc and
// cli/network.cc) share: create's --ignore, the flags of ls, inspect, rm and prune, inspect's
// lookup of each name asked and its output (image and container inspect print theirs with it
// too), and the removal loops of rm and prune. Each group keeps what is its own: its filter, its
// fields, its store calls and its messages.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/go_template.h"
#include "common/error.h"

namespace dabba::cli {

// create's end: create() makes the object named name; with ignore (--ignore), one of that name
// there already is no error. Then the name on stdout; returns 0.
int create_named(const std::string& name, bool ignore, const std::function<void()>& create);

// `NOUN ls` (alias list) with -q, -n, --format and -f/--filter; the caller adds the rest.
struct ListFlags {
  bool quiet = false, noheading = false;
  std::string format;
  std::vector<std::string> filters;
};
Command add_ls_verb(CLI::App& parent, const std::string& description, ListFlags& flags,
                    const std::string& filter_help);
// ls's table (or template, or JSON) of rows on stdout, headed unless -n.
void print_list(const ListFlags& flags, const std::vector<TemplateData>& rows,
                const std::string& default_format, std::map<std::string, std::string> headers);

// `NOUN rm` (alias remove) with -f and -t; the caller adds the names (and -a where it has one).
struct RemoveFlags {
  bool force = false;
  std::string time;  // -t: accepted, not used (podman's wait before killing a user)
  std::vector<std::string> names;
};
Command add_rm_verb(CLI::App& parent, const std::string& description, RemoveFlags& flags);

// `NOUN prune` with -f (do not ask) and --filter.
struct PruneFlags {
  bool force = false;
  std::vector<std::string> filters;
};
Command add_prune_verb(CLI::App& parent, const std::string& description, Needs needs,
                       PruneFlags& flags, const std::string& filter_help);

// `NOUN inspect` with -f/--format; the caller adds the names (and -a where it has one).
struct InspectFlags {
  std::string format;
  std::vector<std::string> names;
};
Command add_inspect_verb(CLI::App& parent, const std::string& description, InspectFlags& flags);

// inspect's lookup: what each name finds, in the order asked, and the names that find nothing.
template <class T>
struct Lookup {
  std::vector<T> found;
  std::vector<std::string> missing;
};
template <class T>
Lookup<T> look_up(const std::vector<std::string>& names,
                  const std::function<std::optional<T>(const std::string&)>& find) {
  Lookup<T> out;
  for (const std::string& name : names) {
    if (std::optional<T> one = find(name))
      out.found.push_back(std::move(*one));
    else
      out.missing.push_back(name);
  }
  return out;
}

// inspect's output: json (the group's own JSON array) unless format is a Go template, which
// renders rows. Then each missing name's error (not_found makes it) on stderr; returns 0, or 125
// when any name was missing.
int print_inspect(const std::string& format, const std::function<std::string()>& json,
                  const std::vector<TemplateData>& rows, const std::vector<std::string>& missing,
                  const std::function<Error(const std::string&)>& not_found);

// rm's loop: removes each name and prints it; a failure is reported and the next name tried
// (with ignore_missing, a name not found is passed over in silence, as podman's rm -f does).
// Returns the worst failure's exit code, podman's: 125 over 2 (in use) over 1 (no such object).
int remove_each(const std::vector<std::string>& names,
                const std::function<void(const std::string&)>& remove, bool ignore_missing);

// prune's loop: removes each name and prints it. One that another process removed or took into
// use meanwhile (kNotFound, kConflict) is passed over; any other failure is thrown.
void prune_each(const std::vector<std::string>& names,
                const std::function<void(const std::string&)>& remove);

}  // namespace dabba::cli
