// The Go template executor: walks the parsed tree over JSON data, with Go's scoping of variables,
// its truth, its field lookup (adapted to JSON: see go_template.h) and its error messages.
#include <algorithm>
#include <map>

#include "cli/go_template.h"
#include "cli/go_template_ast.h"
#include "cli/go_template_funcs.h"
#include "common/error.h"

namespace dabba::cli {
namespace tmpl {
namespace {

// "CreatedBy" and "created_by" alike.
std::string loose_key(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class Exec {
 public:
  Exec(const Tree& tree, const TemplateOptions& options, std::string& out)
      : tree_(tree), options_(options), out_(out) {}

  void run(const TemplateData& data) {
    Value root{data};
    vars_.push_back({"$", root});
    walk(tree_.root, root);
  }

 private:
  [[noreturn]] void fail(const Pos& pos, const std::string& at, const std::string& message) const {
    throw Error(Errc::kInvalidArgument,
                "template: " + tree_.name + ":" + std::to_string(pos.line) + ":" +
                    std::to_string(pos.col) + ": executing \"" + tree_.name + "\" at <" + at +
                    ">: " + message);
  }

  void walk(const List& list, const Value& dot) {
    const size_t mark = vars_.size();
    for (const Node& n : list) {
      switch (n.kind) {
        case Node::Kind::kText:
          out_ += n.text;
          break;
        case Node::Kind::kAction: {
          Value v = pipeline(n.pipe, dot);
          if (n.pipe.decl.empty()) out_ += print_value(v, options_);
          break;
        }
        case Node::Kind::kIf:
        case Node::Kind::kWith: {
          const size_t inner = vars_.size();
          Value v = pipeline(n.pipe, dot);
          if (truth(v))
            walk(n.list, n.kind == Node::Kind::kWith ? v : dot);
          else
            walk(n.else_list, dot);
          vars_.resize(inner);
          break;
        }
        case Node::Kind::kRange:
          range(n, dot);
          break;
      }
    }
    vars_.resize(mark);
  }

  void range(const Node& n, const Value& dot) {
    const size_t mark = vars_.size();
    Pipeline head = n.pipe;
    std::vector<std::string> names = head.decl;
    head.decl.clear();
    Value v = pipeline(head, dot);
    auto each = [&](const Value& key, const Value& elem) {
      vars_.resize(mark);
      if (names.size() == 1) vars_.push_back({names[0], elem});
      if (names.size() == 2) {
        vars_.push_back({names[0], key});
        vars_.push_back({names[1], elem});
      }
      walk(n.list, elem);
    };
    bool any = false;
    if (v.v.is_array()) {
      int64_t i = 0;
      for (const auto& e : v.v) {
        any = true;
        each(Value{i++}, Value{e});
      }
    } else if (v.v.is_object()) {
      std::map<std::string, const TemplateData*> sorted;  // Go ranges over maps in key order
      for (auto it = v.v.begin(); it != v.v.end(); ++it) sorted[it.key()] = &it.value();
      for (const auto& [k, e] : sorted) {
        any = true;
        each(Value{k}, Value{*e, false, options_.map_fields.count(k) > 0});
      }
    } else if (v.v.is_number_integer() && !v.missing) {  // Go 1.22: range over an int
      for (int64_t i = 0; i < v.v.get<int64_t>(); ++i) {
        any = true;
        each(Value{i}, Value{i});
      }
    } else if (!v.v.is_null() && !v.missing) {
      fail(n.pos, "range", "range can't iterate over " + print_value(v, options_));
    }
    vars_.resize(mark);
    if (!any) walk(n.else_list, dot);
  }

  Value pipeline(const Pipeline& p, const Value& dot) {
    Value v;
    bool have = false;
    for (const Command& c : p.commands) {
      v = command(c, dot, have ? &v : nullptr);
      have = true;
    }
    for (const std::string& name : p.decl) {
      if (p.assign) {
        auto it = std::find_if(vars_.rbegin(), vars_.rend(),
                               [&](const auto& var) { return var.first == name; });
        if (it == vars_.rend()) fail(p.pos, name, "undefined variable: " + name);
        it->second = v;
      } else {
        vars_.push_back({name, v});
      }
    }
    return v;
  }

  Value command(const Command& c, const Value& dot, const Value* piped) {
    const Operand& head = c.args[0];
    if (head.kind != Operand::Kind::kFunction) {
      if (c.args.size() > 1 || piped != nullptr)
        fail(c.pos, head.source, "can't give argument to non-function " + head.source);
      return operand(head, dot);
    }
    // and/or evaluate their arguments only as far as needed (Go 1.18).
    if (head.name == "and" || head.name == "or") {
      size_t n = c.args.size() - 1 + (piped != nullptr);
      if (n < 1) fail(c.pos, head.name, "wrong number of args for " + head.name);
      Value v;
      for (size_t i = 1; i <= n; ++i) {
        v = i < c.args.size() ? operand(c.args[i], dot) : *piped;
        if (truth(v) == (head.name == "or")) return v;
      }
      return v;
    }
    std::vector<Value> args;
    for (size_t i = 1; i < c.args.size(); ++i) args.push_back(operand(c.args[i], dot));
    if (piped != nullptr) args.push_back(*piped);
    try {
      return call_function(head.name, args, options_);
    } catch (const Error& e) {
      std::string at = head.name;
      if (c.args.size() > 1) at = c.args.back().source.empty() ? head.name : c.args.back().source;
      fail(c.pos, at, e.what());
    }
  }

  Value operand(const Operand& o, const Value& dot) {
    Value v;
    switch (o.kind) {
      case Operand::Kind::kDot:
        return dot;
      case Operand::Kind::kField:
        v = dot;
        break;
      case Operand::Kind::kVariable: {
        auto it = std::find_if(vars_.rbegin(), vars_.rend(),
                               [&](const auto& var) { return var.first == o.name; });
        if (it == vars_.rend()) fail(o.pos, o.name, "undefined variable: " + o.name);
        v = it->second;
        break;
      }
      case Operand::Kind::kLiteral:
        return Value{o.literal};
      case Operand::Kind::kFunction: {
        std::vector<Value> none;
        if (o.name == "and" || o.name == "or")
          fail(o.pos, o.name, "wrong number of args for " + o.name);
        try {
          return call_function(o.name, none, options_);
        } catch (const Error& e) {
          fail(o.pos, o.name, e.what());
        }
      }
      case Operand::Kind::kPipeline:
        v = pipeline(*o.pipe, dot);
        break;
    }
    std::string path = o.kind == Operand::Kind::kVariable ? o.name : "";
    for (const std::string& f : o.chain) {
      path += "." + f;
      v = field(v, f, o, path);
    }
    return v;
  }

  Value field(const Value& v, const std::string& name, const Operand& o,
              const std::string& path) {
    if (v.missing || v.v.is_null()) return Value{nullptr, true};
    if (!v.v.is_object())
      fail(o.pos, o.source, "can't evaluate field " + name + " in type " + type_name(v.v));
    auto it = v.v.find(name);
    if (it == v.v.end() && !v.is_map) {
      const std::string want = loose_key(name);
      for (auto k = v.v.begin(); k != v.v.end(); ++k)
        if (loose_key(k.key()) == want) {
          it = k;
          break;
        }
    }
    if (it == v.v.end()) {
      if (v.is_map) return Value{nullptr, true};
      fail(o.pos, o.source.empty() ? path : o.source, "can't evaluate field " + name);
    }
    return Value{*it, false, options_.map_fields.count(name) > 0,
                 options_.time_fields.count(it.key()) > 0};
  }

  const Tree& tree_;
  const TemplateOptions& options_;
  std::string& out_;
  std::vector<std::pair<std::string, Value>> vars_;
};

}  // namespace
}  // namespace tmpl

GoTemplate::GoTemplate(std::string name, std::string_view text, TemplateOptions options)
    : tree_(std::make_unique<tmpl::Tree>(tmpl::parse(name, text))), options_(std::move(options)) {}
GoTemplate::~GoTemplate() = default;
GoTemplate::GoTemplate(GoTemplate&&) noexcept = default;
GoTemplate& GoTemplate::operator=(GoTemplate&&) noexcept = default;

std::string GoTemplate::render(const TemplateData& data) const {
  std::string out;
  tmpl::Exec(*tree_, options_, out).run(data);
  return out;
}

}  // namespace dabba::cli
