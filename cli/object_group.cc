#include "cli/object_group.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/containers.h"
#include "cli/format_template.h"

namespace dabba::cli {

int create_named(const std::string& name, bool ignore, const std::function<void()>& create) {
  try {
    create();
  } catch (const Error& e) {
    if (!(ignore && e.code() == Errc::kAlreadyExists)) throw;
  }
  std::printf("%s\n", name.c_str());
  return kExitOk;
}

Command add_ls_verb(CLI::App& parent, const std::string& description, ListFlags& flags,
                    const std::string& filter_help) {
  Command cmd = podman_verb(parent, "ls", description, Needs::kNothing);
  cmd.app->alias("list");
  cmd.app->add_flag("-q,--quiet", flags.quiet, "names only");
  cmd.app->add_flag("-n,--noheading", flags.noheading, "no header row");
  cmd.app->add_option("--format", flags.format, "table, json or a Go template");
  repeatable(cmd.app->add_option("-f,--filter", flags.filters, filter_help));
  return cmd;
}

void print_list(const ListFlags& flags, const std::vector<TemplateData>& rows,
                const std::string& default_format, std::map<std::string, std::string> headers) {
  const ListFormat list(flags.format, default_format, std::move(headers));
  std::fputs(list.render(rows, !flags.noheading).c_str(), stdout);
}

Command add_inspect_verb(CLI::App& parent, const std::string& description, InspectFlags& flags) {
  Command cmd = podman_verb(parent, "inspect", description, Needs::kNothing);
  cmd.app->add_option("-f,--format", flags.format, "json (default) or a Go template");
  return cmd;
}

Command add_rm_verb(CLI::App& parent, const std::string& description, RemoveFlags& flags) {
  Command cmd = podman_verb(parent, "rm", description, Needs::kNothing);
  cmd.app->alias("remove");
  cmd.app->add_flag("-f,--force", flags.force, "remove the containers using them first");
  cmd.app->add_option("-t,--time", flags.time, "seconds before a container is killed (accepted)");
  return cmd;
}

Command add_prune_verb(CLI::App& parent, const std::string& description, Needs needs,
                       PruneFlags& flags, const std::string& filter_help) {
  Command cmd = podman_verb(parent, "prune", description, needs);
  cmd.app->add_flag("-f,--force", flags.force, "do not ask");
  repeatable(cmd.app->add_option("--filter", flags.filters, filter_help));
  return cmd;
}

int print_inspect(const std::string& format, const std::function<std::string()>& json,
                  const std::vector<TemplateData>& rows, const std::vector<std::string>& missing,
                  const std::function<Error(const std::string&)>& not_found) {
  if (format.empty() || is_json_format(format))
    std::printf("%s\n", json().c_str());
  else
    std::fputs(ListFormat(format, "", {}).render(rows).c_str(), stdout);
  for (const std::string& name : missing) report_error(not_found(name));
  return missing.empty() ? kExitOk : kExitDabbaFailed;
}

int remove_each(const std::vector<std::string>& names,
                const std::function<void(const std::string&)>& remove, bool ignore_missing) {
  // podman's order of the codes: its own failure, then an object in use, then no such object.
  auto rank = [](int code) { return code == kExitDabbaFailed ? 3 : code; };
  int exit = kExitOk;
  for (const std::string& name : names) {
    try {
      remove(name);
      std::printf("%s\n", name.c_str());
    } catch (const Error& e) {
      if (ignore_missing && e.code() == Errc::kNotFound) continue;
      report_error(e);
      const int code = e.code() == Errc::kNotFound   ? kExitFailure
                       : e.code() == Errc::kConflict ? 2
                                                     : kExitDabbaFailed;
      if (rank(code) > rank(exit)) exit = code;
    }
  }
  return exit;
}

void prune_each(const std::vector<std::string>& names,
                const std::function<void(const std::string&)>& remove) {
  for (const std::string& name : names) {
    try {
      remove(name);
      std::printf("%s\n", name.c_str());
    } catch (const Error& e) {
      if (e.code() != Errc::kConflict && e.code() != Errc::kNotFound) throw;  // raced another
    }
  }
}

}  // namespace dabba::cli
