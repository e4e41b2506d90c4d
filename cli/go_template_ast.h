// The parsed form of a Go template (go_template.h): plain data built by the parser
// (go_template_parse.cc) and walked by the executor (go_template_exec.cc).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/go_template.h"

namespace dabba::cli::tmpl {

struct Pos {
  int line = 1;
  int col = 1;
};

struct Pipeline;

// One argument of a command: `.A.B`, `$x.C`, `.`, a literal, a function name, or `( PIPE ).D`.
struct Operand {
  enum class Kind { kDot, kField, kVariable, kLiteral, kFunction, kPipeline };
  Kind kind = Kind::kDot;
  std::string name;                // kVariable: "$x" ("$" for the root); kFunction: its name
  TemplateData literal;            // kLiteral: the string, number, bool or null
  std::vector<std::string> chain;  // fields that follow: .A.B -> {"A", "B"}
  std::shared_ptr<Pipeline> pipe;  // kPipeline
  std::string source;              // as written, for messages: "<.Config.Nope>"
  Pos pos;
};

// `f a b` or a single operand.
struct Command {
  std::vector<Operand> args;
  Pos pos;
};

// `$v := c1 | c2 arg | c3`.
struct Pipeline {
  std::vector<std::string> decl;  // declared or assigned variables
  bool assign = false;            // `=` rather than `:=`
  std::vector<Command> commands;
  Pos pos;
};

struct Node;
using List = std::vector<Node>;

struct Node {
  enum class Kind { kText, kAction, kIf, kRange, kWith };
  Kind kind = Kind::kText;
  std::string text;  // kText
  Pipeline pipe;     // the rest
  List list;         // if/range/with body
  List else_list;    // their else branch ("else if" is an if inside it)
  Pos pos;
};

struct Tree {
  std::string name;
  List root;
};

// Throws Error{kInvalidArgument} "template: NAME:LINE: MESSAGE".
Tree parse(const std::string& name, std::string_view text);

// The functions a template may call (checked at parse time, as Go does).
bool is_function(std::string_view name);

}  // namespace dabba::cli::tmpl
