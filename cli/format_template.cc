#include "cli/format_template.h"

#include <nlohmann/json.hpp>

#include "cli/table.h"
#include "common/error.h"

namespace dabba::cli {
namespace {

std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 't' || s[i + 1] == 'n')) {
      out += s[i + 1] == 't' ? '\t' : '\n';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string field_names(const std::vector<TemplateField>& fields) {
  std::string out;
  for (const auto& f : fields) out += (out.empty() ? "" : ", ") + f.name;
  return out;
}

// Splits at tabs, for Table's alignment.
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

}  // namespace

RowTemplate::RowTemplate(const std::string& format, const std::vector<TemplateField>& fields) {
  std::string body = format;
  if (body.rfind("table", 0) == 0 && (body.size() == 5 || body[5] == ' ')) {
    table_ = true;
    body = body.size() > 6 ? body.substr(6) : "";
  }
  if (!table_ && body.find("{{") == std::string::npos)
    throw Error(
        Errc::kInvalidArgument, "--format '" + format + "' is not table, json or a template", 0,
        "e.g. --format '{{." + (fields.empty() ? std::string("ID") : fields[0].name) + "}}'");
  body = unescape(body);
  for (const auto& f : fields) headers_[f.name] = f.header;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t open = body.find("{{", pos);
    if (open == std::string::npos) {
      pieces_.push_back({Piece::kText, body.substr(pos)});
      break;
    }
    if (open > pos) pieces_.push_back({Piece::kText, body.substr(pos, open - pos)});
    size_t close = body.find("}}", open);
    if (close == std::string::npos)
      throw Error(Errc::kInvalidArgument, "--format: unclosed '{{' in '" + format + "'");
    std::string inner = trim(body.substr(open + 2, close - open - 2));
    if (inner == "json .") {
      pieces_.push_back({Piece::kJson, ""});
      pos = close + 2;
      continue;
    }
    if (inner.size() < 2 || inner[0] != '.' || inner.find_first_of(" |()\"") != std::string::npos)
      throw Error(Errc::kInvalidArgument, "--format: '{{" + inner + "}}' is not supported", 0,
                  "use {{.Field}} with one of: " + field_names(fields));
    std::string name = inner.substr(1);
    if (!headers_.count(name))
      throw Error(Errc::kInvalidArgument, "--format: no field '" + name + "'", 0,
                  "the fields are: " + field_names(fields));
    pieces_.push_back({Piece::kField, name});
    pos = close + 2;
  }
}

std::string RowTemplate::render(const std::vector<std::map<std::string, std::string>>& rows) const {
  auto line_of = [&](const std::map<std::string, std::string>* row) {
    std::string line;
    for (const Piece& p : pieces_) {
      if (p.kind == Piece::kText) {
        line += p.text;
      } else if (p.kind == Piece::kJson) {
        if (row != nullptr) line += nlohmann::json(*row).dump();
      } else if (row == nullptr) {
        line += headers_.at(p.text);
      } else {
        auto it = row->find(p.text);
        if (it != row->end()) line += it->second;
      }
    }
    return line;
  };
  if (!table_) {
    std::string out;
    for (const auto& row : rows) out += line_of(&row) + "\n";
    return out;
  }
  Table table(cells(line_of(nullptr)));
  for (const auto& row : rows) table.add(cells(line_of(&row)));
  return table.str();
}

}  // namespace dabba::cli
