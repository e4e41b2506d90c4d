// The Go template parser: text and actions first (trim markers, comments, strings that contain
// "}}"), then each action's tokens, then the tree of if/range/with lists.
#include <cctype>
#include <cstdlib>
#include <string_view>

#include "cli/go_template_ast.h"
#include "common/error.h"

namespace dabba::cli::tmpl {
namespace {

struct Item {
  bool action = false;
  std::string text;  // the text, or the action's content between the delimiters
  Pos pos;
};

enum class Tok { kDot, kField, kVariable, kIdent, kString, kNumber, kPipe, kLParen, kRParen,
                 kDeclare, kAssign, kComma };

// The punctuation of an action, and its token; ":=" before "=".
struct Punctuation {
  std::string_view text;
  Tok kind;
};
constexpr Punctuation kPunctuation[] = {{"|", Tok::kPipe},     {"(", Tok::kLParen},
                                        {")", Tok::kRParen},   {",", Tok::kComma},
                                        {":=", Tok::kDeclare}, {"=", Tok::kAssign}};

// The punctuation rest starts with, or nullptr.
const Punctuation* punctuation_at(std::string_view rest) {
  for (const Punctuation& p : kPunctuation)
    if (rest.substr(0, p.text.size()) == p.text) return &p;
  return nullptr;
}

struct Token {
  Tok kind;
  std::string text;                // identifier, variable, or the literal's source
  std::vector<std::string> chain;  // kField, kVariable: the fields
  TemplateData value;              // kString, kNumber
  size_t start = 0, end = 0;       // offsets in the action, to tell `(x).F` from `(x) .F`
  Pos pos;
};

class Parser {
 public:
  Parser(const std::string& name, std::string_view text) : name_(name), text_(text) {}

  Tree run() {
    split();
    Tree tree;
    tree.name = name_;
    size_t at = 0;
    std::vector<Token> rest;
    std::string ended = parse_list(at, tree.root, rest);
    if (!ended.empty()) fail(last_pos_, "unexpected {{" + ended + "}}");
    return tree;
  }

 private:
  [[noreturn]] void fail(Pos pos, const std::string& message) const {
    throw Error(Errc::kInvalidArgument,
                "template: " + name_ + ":" + std::to_string(pos.line) + ": " + message, 0,
                "see podman's --format documentation: {{.Field}}, {{.A | upper}}, "
                "{{range .List}}...{{end}}");
  }

  Pos pos_at(size_t offset) const {
    Pos p;
    for (size_t i = 0; i < offset && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++p.line;
        p.col = 1;
      } else {
        ++p.col;
      }
    }
    return p;
  }

  // ---- text and actions

  // The offset of the "}}" closing the action whose content starts at from, skipping quoted text.
  size_t find_close(size_t from) const {
    for (size_t i = from; i + 1 < text_.size(); ++i) {
      char c = text_[i];
      if (c == '"' || c == '\'') {
        for (++i; i < text_.size() && text_[i] != c; ++i)
          if (text_[i] == '\\') ++i;
      } else if (c == '`') {
        i = text_.find('`', i + 1);
        if (i == std::string_view::npos) return i;
      } else if (c == '}' && text_[i + 1] == '}') {
        return i;
      }
    }
    return std::string_view::npos;
  }

  void split() {
    size_t i = 0;
    while (i < text_.size()) {
      size_t open = text_.find("{{", i);
      std::string piece(text_.substr(i, open == std::string_view::npos ? open : open - i));
      if (open == std::string_view::npos) {
        items_.push_back({false, piece, pos_at(i)});
        break;
      }
      bool trim_left = open + 3 < text_.size() && text_[open + 2] == '-' &&
                       std::isspace(static_cast<unsigned char>(text_[open + 3]));
      if (trim_left)
        while (!piece.empty() && std::isspace(static_cast<unsigned char>(piece.back())))
          piece.pop_back();
      if (!piece.empty()) items_.push_back({false, piece, pos_at(i)});
      size_t start = open + 2 + (trim_left ? 1 : 0);
      size_t close = find_close(start);
      if (close == std::string_view::npos) fail(pos_at(open), "unclosed action");
      bool trim_right = close >= start + 2 && text_[close - 1] == '-' &&
                        std::isspace(static_cast<unsigned char>(text_[close - 2]));
      std::string content(text_.substr(start, close - start - (trim_right ? 1 : 0)));
      i = close + 2;
      if (trim_right)
        while (i < text_.size() && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
      size_t first = content.find_first_not_of(" \t\r\n");
      if (first != std::string::npos && content.compare(first, 2, "/*") == 0) {
        size_t last = content.find_last_not_of(" \t\r\n");
        if (last < first + 3 || content.compare(last - 1, 2, "*/") != 0)
          fail(pos_at(open), "unclosed comment");
        continue;
      }
      items_.push_back({true, content, pos_at(open)});
    }
  }

  // ---- tokens of one action

  static bool ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  }

  // ".A.B" or "$x.A" from s[i]; returns the chain.
  std::vector<std::string> read_chain(std::string_view s, size_t& i, Pos pos) const {
    std::vector<std::string> chain;
    while (i < s.size() && s[i] == '.' && i + 1 < s.size() && ident_char(s[i + 1])) {
      size_t b = ++i;
      while (i < s.size() && ident_char(s[i])) ++i;
      std::string f(s.substr(b, i - b));
      if (std::isdigit(static_cast<unsigned char>(f[0]))) fail(pos, "bad field name '" + f + "'");
      chain.push_back(f);
    }
    return chain;
  }

  std::vector<Token> tokenize(const Item& item) const {
    std::string_view s = item.text;
    std::vector<Token> out;
    size_t i = 0;
    while (i < s.size()) {
      char c = s[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      Token t;
      t.start = i;
      t.pos = item.pos;
      t.pos.col += static_cast<int>(i) + 2;
      if (c == '.' && (i + 1 >= s.size() || !ident_char(s[i + 1]))) {
        if (i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))
          fail(item.pos, "bad number syntax");
        t.kind = Tok::kDot;
        ++i;
      } else if (c == '.') {
        t.kind = Tok::kField;
        t.chain = read_chain(s, i, item.pos);
      } else if (c == '$') {
        size_t b = i++;
        while (i < s.size() && ident_char(s[i])) ++i;
        t.kind = Tok::kVariable;
        t.text = std::string(s.substr(b, i - b));
        t.chain = read_chain(s, i, item.pos);
      } else if (c == '"' || c == '`' || c == '\'') {
        t.kind = c == '\'' ? Tok::kNumber : Tok::kString;
        t.value = read_quoted(s, i, item.pos);
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 ((c == '-' || c == '+') && i + 1 < s.size() &&
                  std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
        t.kind = Tok::kNumber;
        t.value = read_number(s, i, item.pos);
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t b = i;
        while (i < s.size() && ident_char(s[i])) ++i;
        t.kind = Tok::kIdent;
        t.text = std::string(s.substr(b, i - b));
        if (i < s.size() && s[i] == '.' && i + 1 < s.size() && ident_char(s[i + 1]))
          fail(item.pos, "unexpected '.' after " + t.text);
      } else if (const Punctuation* p = punctuation_at(s.substr(i))) {
        t.kind = p->kind;
        i += p->text.size();
      } else {
        fail(item.pos, std::string("unexpected \"") + c + "\" in command");
      }
      t.end = i;
      if (t.text.empty()) t.text = std::string(s.substr(t.start, t.end - t.start));
      out.push_back(std::move(t));
    }
    return out;
  }

  TemplateData read_quoted(std::string_view s, size_t& i, Pos pos) const {
    char q = s[i++];
    std::string out;
    if (q == '`') {
      size_t end = s.find('`', i);
      if (end == std::string_view::npos) fail(pos, "unterminated raw quoted string");
      out = std::string(s.substr(i, end - i));
      i = end + 1;
      return out;
    }
    for (;;) {
      if (i >= s.size()) fail(pos, "unterminated quoted string");
      char c = s[i++];
      if (c == q) break;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i >= s.size()) fail(pos, "unterminated quoted string");
      char e = s[i++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case '0': out += '\0'; break;
        case '\\': case '"': case '\'': out += e; break;
        default: fail(pos, std::string("unknown escape sequence \\") + e);
      }
    }
    if (q == '\'') {  // a character constant is its code point, a number
      if (out.size() != 1) fail(pos, "malformed character constant");
      return static_cast<int64_t>(static_cast<unsigned char>(out[0]));
    }
    return out;
  }

  TemplateData read_number(std::string_view s, size_t& i, Pos pos) const {
    size_t b = i;
    if (s[i] == '-' || s[i] == '+') ++i;
    bool is_float = false;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '.' ||
                            s[i] == '_' ||
                            ((s[i] == '-' || s[i] == '+') && (s[i - 1] == 'e' || s[i - 1] == 'E')))) {
      if (s[i] == '.' || ((s[i] == 'e' || s[i] == 'E') && s.substr(b, 2) != "0x")) is_float = true;
      ++i;
    }
    std::string text(s.substr(b, i - b));
    std::string digits;
    for (char c : text)
      if (c != '_') digits += c;
    char* end = nullptr;
    if (!is_float) {
      long long v = std::strtoll(digits.c_str(), &end, 0);
      if (end != nullptr && *end == '\0') return static_cast<int64_t>(v);
    } else {
      double v = std::strtod(digits.c_str(), &end);
      if (end != nullptr && *end == '\0') return v;
    }
    fail(pos, "bad number syntax: \"" + text + "\"");
  }

  // ---- the tree

  // Parses items from at into list until {{end}} or {{else ...}} (returned, with the tokens that
  // followed "else" in rest) or the end of the text ("").
  std::string parse_list(size_t& at, List& list, std::vector<Token>& rest) {
    while (at < items_.size()) {
      const Item& item = items_[at++];
      last_pos_ = item.pos;
      if (!item.action) {
        Node n;
        n.kind = Node::Kind::kText;
        n.text = item.text;
        n.pos = item.pos;
        list.push_back(std::move(n));
        continue;
      }
      std::vector<Token> toks = tokenize(item);
      if (toks.empty()) fail(item.pos, "missing value for command");
      const std::string kw = toks[0].kind == Tok::kIdent ? toks[0].text : "";
      if (kw == "end") {
        if (toks.size() > 1) fail(item.pos, "unexpected " + toks[1].text + " in end");
        return "end";
      }
      if (kw == "else") {
        rest.assign(toks.begin() + 1, toks.end());
        return "else";
      }
      if (kw == "if" || kw == "range" || kw == "with") {
        list.push_back(parse_control(kw, {toks.begin() + 1, toks.end()}, item.pos, at));
        continue;
      }
      if (kw == "define" || kw == "template" || kw == "block" || kw == "break" ||
          kw == "continue")
        fail(item.pos, "{{" + kw + "}} is not supported by dabba's templates");
      Node n;
      n.kind = Node::Kind::kAction;
      n.pos = item.pos;
      n.pipe = parse_pipeline(toks, 0, toks.size(), false, item.pos);
      list.push_back(std::move(n));
    }
    return "";
  }

  Node parse_control(const std::string& kw, std::vector<Token> toks, Pos pos, size_t& at) {
    Node n;
    n.kind = kw == "if" ? Node::Kind::kIf : kw == "range" ? Node::Kind::kRange : Node::Kind::kWith;
    n.pos = pos;
    if (toks.empty()) fail(pos, "missing value for " + kw);
    n.pipe = parse_pipeline(toks, 0, toks.size(), kw == "range", pos);
    std::vector<Token> rest;
    std::string ended = parse_list(at, n.list, rest);
    if (ended.empty()) fail(pos, "unexpected EOF: {{" + kw + "}} without {{end}}");
    if (ended == "else") {
      if (!rest.empty() && rest[0].kind == Tok::kIdent && (rest[0].text == "if" ||
                                                            rest[0].text == "with")) {
        std::string inner = rest[0].text;
        n.else_list.push_back(parse_control(inner, {rest.begin() + 1, rest.end()}, pos, at));
      } else {
        if (!rest.empty()) fail(pos, "unexpected " + rest[0].text + " after else");
        std::vector<Token> none;
        std::string ended2 = parse_list(at, n.else_list, none);
        if (ended2 != "end")
          fail(pos, ended2.empty() ? "unexpected EOF: {{else}} without {{end}}"
                                   : "expected end; found {{" + ended2 + "}}");
      }
    }
    return n;
  }

  Pipeline parse_pipeline(const std::vector<Token>& t, size_t b, size_t e, bool two_vars,
                          Pos pos) {
    Pipeline p;
    p.pos = pos;
    // Declarations: $x := / $x = / $i, $v :=
    size_t i = b;
    if (e - i >= 2 && t[i].kind == Tok::kVariable && t[i].chain.empty()) {
      if (t[i + 1].kind == Tok::kDeclare || t[i + 1].kind == Tok::kAssign) {
        p.decl.push_back(t[i].text);
        p.assign = t[i + 1].kind == Tok::kAssign;
        i += 2;
      } else if (two_vars && e - i >= 4 && t[i + 1].kind == Tok::kComma &&
                 t[i + 2].kind == Tok::kVariable && t[i + 3].kind == Tok::kDeclare) {
        p.decl = {t[i].text, t[i + 2].text};
        i += 4;
      }
    }
    while (i < e) {
      Command cmd;
      cmd.pos = t[i].pos;
      while (i < e && t[i].kind != Tok::kPipe) cmd.args.push_back(parse_operand(t, i, e, pos));
      if (cmd.args.empty()) fail(pos, "missing command");
      p.commands.push_back(std::move(cmd));
      if (i < e) {
        ++i;  // '|'
        if (i >= e) fail(pos, "missing command after |");
      }
    }
    if (p.commands.empty()) fail(pos, "missing value for command");
    for (size_t c = 1; c < p.commands.size(); ++c) {
      const Operand& first = p.commands[c].args[0];
      if (first.kind == Operand::Kind::kLiteral || first.kind == Operand::Kind::kDot ||
          first.kind == Operand::Kind::kVariable)
        fail(pos, "non executable command in pipeline stage " + std::to_string(c + 1));
    }
    return p;
  }

  Operand parse_operand(const std::vector<Token>& t, size_t& i, size_t e, Pos pos) {
    const Token& tok = t[i++];
    Operand o;
    o.pos = tok.pos;
    o.source = tok.text;
    switch (tok.kind) {
      case Tok::kDot:
        o.kind = Operand::Kind::kDot;
        break;
      case Tok::kField:
        o.kind = Operand::Kind::kField;
        o.chain = tok.chain;
        break;
      case Tok::kVariable:
        o.kind = Operand::Kind::kVariable;
        o.name = tok.text;
        o.chain = tok.chain;
        for (const auto& f : tok.chain) o.source += "." + f;
        break;
      case Tok::kString:
      case Tok::kNumber:
        o.kind = Operand::Kind::kLiteral;
        o.literal = tok.value;
        break;
      case Tok::kIdent:
        if (tok.text == "true" || tok.text == "false") {
          o.kind = Operand::Kind::kLiteral;
          o.literal = tok.text == "true";
        } else if (tok.text == "nil") {
          o.kind = Operand::Kind::kLiteral;
          o.literal = nullptr;
        } else if (is_function(tok.text)) {
          o.kind = Operand::Kind::kFunction;
          o.name = tok.text;
        } else {
          fail(pos, "function \"" + tok.text + "\" not defined");
        }
        break;
      case Tok::kLParen: {
        int depth = 1;
        size_t close = i;
        for (; close < e; ++close) {
          if (t[close].kind == Tok::kLParen) ++depth;
          if (t[close].kind == Tok::kRParen && --depth == 0) break;
        }
        if (close >= e) fail(pos, "unclosed left paren");
        o.kind = Operand::Kind::kPipeline;
        o.pipe = std::make_shared<Pipeline>(parse_pipeline(t, i, close, false, pos));
        i = close + 1;
        // `(x).A.B`: a field token right after the paren, without a space.
        if (i < e && t[i].kind == Tok::kField && t[i].start == t[close].end) {
          o.chain = t[i].chain;
          ++i;
        }
        o.source = "(...)";
        break;
      }
      default:
        fail(pos, "unexpected \"" + tok.text + "\" in operand");
    }
    return o;
  }

  const std::string& name_;
  std::string_view text_;
  std::vector<Item> items_;
  Pos last_pos_;
};

}  // namespace

Tree parse(const std::string& name, std::string_view text) { return Parser(name, text).run(); }

}  // namespace dabba::cli::tmpl
