// `--format` of listing verbs (images, ps, history, ...) as podman reads it:
//
//   ""/"table"          the verb's own table (header row, aligned columns)
//   "json"/"{{json .}}" a JSON array of the rows
//   "table TEMPLATE"    a header row, then TEMPLATE per row, aligned at tabs (spaces in TEMPLATE
//                       are tabs too, as podman's normalisation makes them)
//   TEMPLATE            TEMPLATE per row, as is (`\t` and `\n` escapes read; a newline added)
//
// Templates are Go templates over each row's JSON (go_template.h). The header row is the same
// template executed over the field -> header map, as podman does. Rows hold values as the verb
// shows them (a "Created" is "2 hours ago", not a time to reformat): listing_options().
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/go_template.h"

namespace dabba::cli {

class ListFormat {
 public:
  // default_format: the verb's own "table ..." template; headers: field name -> column header.
  // Throws Error{kInvalidArgument} for a template that does not parse.
  ListFormat(const std::string& format, const std::string& default_format,
             std::map<std::string, std::string> headers, TemplateOptions options = {});

  bool json() const { return json_; }
  // The whole output for rows (a JSON array for json()).
  std::string render(const std::vector<TemplateData>& rows, bool heading = true) const;

 private:
  bool json_ = false;
  bool table_ = false;
  std::optional<GoTemplate> template_;
  std::map<std::string, std::string> headers_;
};

// Template options for listing rows: their strings are already formatted, no time fields.
TemplateOptions listing_options();

// True for "json" and "{{json .}}" (with any spacing): podman's IsJSON.
bool is_json_format(const std::string& format);

// The listing verbs that still build rows of strings (ps).
struct TemplateField {
  std::string name;    // "Names"
  std::string header;  // "NAMES"
};

class RowTemplate {
 public:
  // Throws Error{kInvalidArgument} for a template that does not parse or names an unknown field.
  RowTemplate(const std::string& format, const std::vector<TemplateField>& fields);
  std::string render(const std::vector<std::map<std::string, std::string>>& rows) const;

 private:
  std::optional<ListFormat> format_;
  bool json_rows_ = false;
};

}  // namespace dabba::cli
