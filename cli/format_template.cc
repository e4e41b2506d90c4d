#include "cli/format_template.h"

#include "cli/tab_writer.h"
#include "common/error.h"

namespace dabba::cli {
namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

}  // namespace

TemplateOptions listing_options() {
  TemplateOptions o;
  o.time_fields.clear();
  return o;
}

bool is_json_format(const std::string& format) {
  if (format == "json") return true;
  std::string squeezed;
  for (char c : format)
    if (c != ' ') squeezed += c;
  return squeezed == "{{json.}}";
}

ListFormat::ListFormat(const std::string& format, const std::string& default_format,
                       std::map<std::string, std::string> headers, TemplateOptions options)
    : headers_(std::move(headers)) {
  if (is_json_format(format)) {
    json_ = true;
    return;
  }
  std::string text = format.empty() || format == "table" ? default_format : format;
  // podman's NormalizeFormat: "table " goes and spaces become tabs; escapes are read; a newline
  // ends each row.
  if (text.rfind("table ", 0) == 0) {
    table_ = true;
    replace_all(text, "table ", "");
    replace_all(text, " ", "\t");
  }
  replace_all(text, "\\t", "\t");
  replace_all(text, "\\n", "\n");
  if (text.empty() || text.back() != '\n') text += "\n";
  template_.emplace("format", text, std::move(options));
}

std::string ListFormat::render(const std::vector<TemplateData>& rows, bool heading) const {
  if (json_) {
    TemplateData all = TemplateData::array();
    for (const auto& r : rows) all.push_back(r);
    return all.dump(4, ' ', false, TemplateData::error_handler_t::replace) + "\n";
  }
  std::string out;
  if (table_ && heading) {
    TemplateData names = TemplateData::object();
    for (const auto& [field, header] : headers_) names[field] = header;
    try {
      out += template_->render(names);
    } catch (const Error&) {
      // A header the template cannot show (a nested field of a row): the rows only.
    }
  }
  for (const auto& r : rows) out += template_->render(r);
  return table_ ? tab_align(out) : out;
}

RowTemplate::RowTemplate(const std::string& format, const std::vector<TemplateField>& fields) {
  std::map<std::string, std::string> headers;
  TemplateData blank = TemplateData::object();
  for (const auto& f : fields) {
    headers[f.name] = f.header;
    blank[f.name] = "";
  }
  json_rows_ = is_json_format(format);
  if (json_rows_) return;
  format_.emplace(format, "", headers, listing_options());
  format_->render({blank}, false);  // names an unknown field now, before any work is done
}

std::string RowTemplate::render(const std::vector<std::map<std::string, std::string>>& rows) const {
  if (json_rows_) {  // one object per line, as `--format '{{json .}}'` always gave here
    std::string out;
    for (const auto& r : rows)
      out += TemplateData(r).dump(-1, ' ', false, TemplateData::error_handler_t::replace) + "\n";
    return out;
  }
  std::vector<TemplateData> data;
  for (const auto& r : rows) data.emplace_back(r);
  return format_->render(data);
}

}  // namespace dabba::cli
