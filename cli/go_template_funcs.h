// Values as the template executor passes them around, and the functions templates call
// (go_template.h lists them). Internal to the template engine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/go_template.h"

namespace dabba::cli::tmpl {

struct Value {
  TemplateData v;
  bool missing = false;  // a map's absent key: prints "<no value>", is false
  bool is_map = false;   // an object that is a Go map (missing keys are not errors)
  bool is_time = false;  // an RFC 3339 string that is a time.Time in podman
};

// Go's notion of truth: false, 0, "", nil, empty list or map, and a missing value are false.
bool truth(const Value& v);

// Calls a function other than and/or (which the executor evaluates lazily). Throws Error with a
// plain message ("wrong number of args for join: want 2 got 1"); the executor adds where.
Value call_function(std::string_view name, std::vector<Value>& args,
                    const TemplateOptions& options);

// Go's fmt %v of a value; options say which named objects are maps.
std::string print_value(const Value& v, const TemplateOptions& options);

// Go's type names for messages: "string", "int", "[]interface {}", "map[string]interface {}".
std::string type_name(const TemplateData& v);

}  // namespace dabba::cli::tmpl
