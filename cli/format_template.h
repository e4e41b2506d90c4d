// `--format` as Docker and podman take it for listing verbs: "table", "json", or a Go-template
// subset: `{{.Field}}` (spaces allowed inside the braces), `{{json .}}` (the row as one JSON
// object), `\t` and `\n` escapes, and a "table "
// prefix that adds a header row and aligns the columns at the tabs. Enough for the scripts people
// write (`dabba ps --format '{{.ID}} {{.Names}}'`); functions and pipelines are refused clearly.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace dabba::cli {

// One field a listing offers: its template name (Docker's), its header, and its value per row.
struct TemplateField {
  std::string name;    // "Names"
  std::string header;  // "NAMES"
};

class RowTemplate {
 public:
  // Throws Error{kInvalidArgument} naming an unknown field or a construct it does not handle.
  RowTemplate(const std::string& format, const std::vector<TemplateField>& fields);
  // The whole output: a header first with "table ", then one line per row (values by name).
  std::string render(const std::vector<std::map<std::string, std::string>>& rows) const;

 private:
  struct Piece {
    enum Kind { kText, kField, kJson } kind;
    std::string text;  // literal text, or the field's name
  };
  bool table_ = false;
  std::vector<Piece> pieces_;
  std::map<std::string, std::string> headers_;
};

}  // namespace dabba::cli
