// A JSON value as YAML the way podman prints it (go-yaml's block style): `podman info` without
// --format. Keys keep their order; a list's items sit at their key's indentation ("- x"); empty
// maps and lists are `{}` and `[]`; a string that would read as something else (a number, a bool,
// null) is double-quoted, one with YAML's special characters single-quoted, and a multi-line one
// is a `|-` block.
#pragma once

#include <string>

#include "cli/go_template.h"

namespace dabba::cli {

std::string to_yaml(const TemplateData& value);

}  // namespace dabba::cli
