#include "cli/man_pages.h"

#include <CLI/CLI.hpp>
#include <cctype>

#include "cli/cli_tree.h"
#include "common/fs.h"
#include "common/version.h"

namespace dabba::cli {
namespace {

// Text for roff: backslashes escaped, a line starting with a dot or quote made literal.
std::string roff(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
    line_start = c == '\n';
  }
  return out;
}

std::string page_name(const CLI::App& app) {
  std::string path = verb_path(app);
  for (char& c : path)
    if (c == ' ') c = '-';
  return path.empty() ? "dabba" : "dabba-" + path;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

void write_pages(const CLI::App& app, const std::string& dir) {
  write_file_atomic(dir + "/" + page_name(app) + ".1", man_page(app, kVersion), Sync::kNone, 0644);
  for (const CLI::App* sub : visible_subcommands(app)) write_pages(*sub, dir);
}

}  // namespace

std::string man_page(const CLI::App& app, const std::string& version) {
  const std::string name = page_name(app);
  const std::string path = verb_path(app);
  std::string out = ".TH " + upper(name) + " 1 \"\" \"dabba " + version + "\" \"dabba manual\"\n";
  std::string description = app.get_description();
  if (description.starts_with(name + ": ")) description.erase(0, name.size() + 2);
  out += ".SH NAME\n" + roff(name) + " \\- " + roff(description) + "\n";
  out += ".SH SYNOPSIS\n\\fBdabba" + (path.empty() ? "" : " " + roff(path)) + "\\fR";
  if (!visible_options(app).empty()) out += " [\\fIoptions\\fR]";
  const std::vector<const CLI::App*> subs = visible_subcommands(app);
  if (!subs.empty()) out += " \\fIcommand\\fR";
  for (const CLI::Option* p : positionals(app)) {
    std::string word = roff(upper(p->get_name(true)));
    if (p->get_items_expected_max() > 1) word += "...";
    out += p->get_required() ? " \\fI" + word + "\\fR" : " [\\fI" + word + "\\fR]";
  }
  out += "\n";
  if (path.empty())
    out +=
        ".SH DESCRIPTION\nRootless containers, a drop-in for podman: each command takes "
        "podman's flags and prints podman's output where it can. docs/compatibility.md (in "
        "/usr/share/doc/dabba) says what differs and why.\n";
  if (!subs.empty()) {
    out += ".SH COMMANDS\n";
    for (const CLI::App* s : subs)
      out += ".TP\n\\fB" + roff(page_name(*s)) + "\\fR(1)\n" + roff(s->get_description()) + "\n";
  }
  const std::vector<const CLI::Option*> options = visible_options(app);
  if (!options.empty()) {
    out += ".SH OPTIONS\n";
    for (const CLI::Option* o : options)
      out += ".TP\n\\fB" + roff(option_names(*o)) + "\\fR\n" + roff(o->get_description()) + "\n";
  }
  out += ".SH SEE ALSO\n";
  if (path.empty())
    out += "\\fBpodman\\fR(1), \\fBcontainers.conf\\fR(5), \\fBcontainers-registries.conf\\fR(5)\n";
  else
    out += "\\fBdabba\\fR(1), \\fBpodman-" + roff(page_name(app).substr(6)) + "\\fR(1)\n";
  return out;
}

void write_man_pages(const CLI::App& root, const std::string& dir) {
  make_dirs(dir, 0755);
  write_pages(root, dir);
}

}  // namespace dabba::cli
