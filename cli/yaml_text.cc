#include "cli/yaml_text.h"

#include <cstdlib>

namespace dabba::cli {
namespace {

// Would a plain scalar read back as another type (go-yaml quotes these with double quotes)?
bool reads_as_other_type(const std::string& s) {
  static const char* const kWords[] = {"true", "false", "yes", "no", "on", "off", "null", "~",
                                       "True", "False", "Yes", "No", "On", "Off", "Null",
                                       "TRUE", "FALSE", "YES", "NO", "ON", "OFF", "NULL", "y", "n"};
  for (const char* w : kWords)
    if (s == w) return true;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end && *end == '\0';
}

bool needs_single_quotes(const std::string& s) {
  if (s.front() == ' ' || s.back() == ' ') return true;
  if (std::string("-?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string::npos) return true;
  return s.find(": ") != std::string::npos || s.find(" #") != std::string::npos ||
         s.back() == ':';
}

std::string scalar(const std::string& s, int indent) {
  if (s.empty()) return "\"\"";
  if (s.find('\n') != std::string::npos) {
    std::string out = "|-";
    size_t start = 0;
    while (start <= s.size()) {
      size_t nl = s.find('\n', start);
      if (nl == std::string::npos) nl = s.size();
      out += "\n" + std::string(indent, ' ') + s.substr(start, nl - start);
      start = nl + 1;
    }
    return out;
  }
  if (reads_as_other_type(s)) return "\"" + s + "\"";
  if (needs_single_quotes(s)) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
  }
  return s;
}

std::string scalar(const TemplateData& v, int indent) {
  if (v.is_null()) return "null";
  if (v.is_string()) return scalar(v.get<std::string>(), indent);
  return v.dump();  // numbers, booleans
}

bool is_block(const TemplateData& v) {
  return (v.is_object() || v.is_array()) && !v.empty();
}

std::string inline_value(const TemplateData& v, int indent) {
  if (v.is_object()) return "{}";
  if (v.is_array()) return "[]";
  return scalar(v, indent);
}

void emit(const TemplateData& v, int indent, std::string& out);

// "key: value" or "key:" and the block under it. first: what goes before the key (the indent, or
// "- " for a list item's first key).
void emit_entry(const std::string& first, const std::string& key, const TemplateData& v,
                int indent, std::string& out) {
  out += first + scalar(key, indent) + ":";
  if (!is_block(v)) {
    out += " " + inline_value(v, indent + 2) + "\n";
    return;
  }
  out += "\n";
  emit(v, v.is_array() ? indent : indent + 2, out);  // list items at their key's indentation
}

void emit(const TemplateData& v, int indent, std::string& out) {
  const std::string pad(indent, ' ');
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) emit_entry(pad, it.key(), it.value(), indent, out);
    return;
  }
  for (const TemplateData& item : v) {  // an array
    if (item.is_object() && !item.empty()) {
      bool first = true;
      for (auto it = item.begin(); it != item.end(); ++it) {
        emit_entry(first ? pad + "- " : pad + "  ", it.key(), it.value(), indent + 2, out);
        first = false;
      }
    } else if (is_block(item)) {
      out += pad + "-\n";
      emit(item, indent + 2, out);
    } else {
      out += pad + "- " + inline_value(item, indent + 2) + "\n";
    }
  }
}

}  // namespace

std::string to_yaml(const TemplateData& value) {
  if (!is_block(value)) return inline_value(value, 0) + "\n";
  std::string out;
  emit(value, 0, out);
  return out;
}

}  // namespace dabba::cli
