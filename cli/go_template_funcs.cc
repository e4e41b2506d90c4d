// The functions of Go's text/template and podman's additions, Go's value printing, and its time
// format.
#include "cli/go_template_funcs.h"

#include "cli/go_template_ast.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <map>
#include <string_view>

#include "common/error.h"
#include "common/human.h"

namespace dabba::cli {
namespace tmpl {
namespace {

[[noreturn]] void bad(const std::string& message) { throw Error(Errc::kInvalidArgument, message); }

void want_args(std::string_view name, const std::vector<Value>& args, size_t n) {
  if (args.size() != n)
    bad("wrong number of args for " + std::string(name) + ": want " + std::to_string(n) +
        " got " + std::to_string(args.size()));
}

const std::string& want_string(const Value& v) {
  if (!v.v.is_string())
    bad("expected string; found " + (v.missing ? std::string("<no value>") : go_print(v.v)));
  return v.v.get_ref<const std::string&>();
}

int64_t want_int(const Value& v) {
  if (v.v.is_number_integer()) return v.v.get<int64_t>();
  if (v.v.is_number_float() && std::floor(v.v.get<double>()) == v.v.get<double>())
    return static_cast<int64_t>(v.v.get<double>());
  bad("expected integer; found " + (v.missing ? std::string("<no value>") : go_print(v.v)));
}

std::string go_float(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  // Shortest digits that round-trip, then Go's %v (strconv 'g' with the shortest precision):
  // exponent form when the exponent is < -4 or >= 6, so 1e6 prints "1e+06".
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, r.ptr);
  size_t e = sci.find('e');
  int exp = std::stoi(sci.substr(e + 1));
  if (exp < -4 || exp >= 6) {
    std::string mant = sci.substr(0, e);
    std::string out = mant + "e" + (exp < 0 ? "-" : "+");
    std::string digits = std::to_string(std::abs(exp));
    if (digits.size() < 2) digits = "0" + digits;
    return out + digits;
  }
  r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

bool is_map_field(const std::string& key, const TemplateOptions& options) {
  return options.map_fields.count(key) > 0;
}

std::string print_nested(const TemplateData& v, bool is_map, const TemplateOptions& options,
                         bool is_time = false) {
  if (is_time && v.is_string()) return go_time_string(v.get_ref<const std::string&>());
  switch (v.type()) {
    case TemplateData::value_t::null:
      return is_map ? "map[]" : "<nil>";
    case TemplateData::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case TemplateData::value_t::number_integer:
      return std::to_string(v.get<int64_t>());
    case TemplateData::value_t::number_unsigned:
      return std::to_string(v.get<uint64_t>());
    case TemplateData::value_t::number_float:
      return go_float(v.get<double>());
    case TemplateData::value_t::string:
      return v.get<std::string>();
    case TemplateData::value_t::array: {
      std::string out = "[";
      bool first = true;
      for (const auto& e : v) {
        out += (first ? "" : " ") + print_nested(e, false, options);
        first = false;
      }
      return out + "]";
    }
    case TemplateData::value_t::object: {
      if (is_map) {  // Go sorts map keys when printing
        std::map<std::string, const TemplateData*> sorted;
        for (auto it = v.begin(); it != v.end(); ++it) sorted[it.key()] = &it.value();
        std::string out = "map[";
        bool first = true;
        for (const auto& [k, e] : sorted) {
          out += (first ? "" : " ") + k + ":" + print_nested(*e, false, options);
          first = false;
        }
        return out + "]";
      }
      std::string out = "{";  // a struct: its values in field order
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        out += (first ? "" : " ") + print_nested(it.value(), is_map_field(it.key(), options),
                                                 options, options.time_fields.count(it.key()) > 0);
        first = false;
      }
      return out + "}";
    }
    default:
      return "";
  }
}

// Go's comparison for eq/lt/...: numbers by value, strings, bools; else an error.
int compare(const Value& a, const Value& b, bool ordered) {
  const TemplateData &x = a.v, &y = b.v;
  if (x.is_number() && y.is_number()) {
    if (x.is_number_integer() && y.is_number_integer()) {
      int64_t p = x.get<int64_t>(), q = y.get<int64_t>();
      return p < q ? -1 : p > q;
    }
    double p = x.get<double>(), q = y.get<double>();
    return p < q ? -1 : p > q;
  }
  if (x.is_string() && y.is_string()) return x.get_ref<const std::string&>().compare(
                                             y.get_ref<const std::string&>()) < 0 ? -1
                                         : x == y ? 0 : 1;
  if (!ordered && x.is_boolean() && y.is_boolean()) return x == y ? 0 : 1;
  if (!ordered && (x.is_null() || a.missing) && (y.is_null() || b.missing)) return 0;
  if (!ordered && (x.is_null() || y.is_null())) return 1;
  bad(std::string(ordered ? "invalid type for comparison" : "incompatible types for comparison") +
      " (" + type_name(x) + " and " + type_name(y) + ")");
}

// Invalid UTF-8 becomes U+FFFD, as Go's json.Marshal and strconv.Quote write it (nlohmann would
// throw instead).
std::string json_text(const TemplateData& v) {
  return v.dump(-1, ' ', false, TemplateData::error_handler_t::replace);
}

std::string quote(const std::string& s) { return json_text(TemplateData(s)); }

// Go's fmt.Sprintf for the verbs scripts use: %v %s %d %q %t %x %X %f %g %e %c %%, with flags
// "-+ 0#", width and precision.
std::string go_sprintf(const std::string& format, const std::vector<Value>& args,
                       const TemplateOptions& options) {
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    if (++i >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    bool minus = false, zero = false, plus = false, space = false;
    for (; i < format.size() && std::string_view("-+ 0#").find(format[i]) != std::string::npos;
         ++i) {
      minus |= format[i] == '-';
      zero |= format[i] == '0';
      plus |= format[i] == '+';
      space |= format[i] == ' ';
    }
    // Go's limit: a width or precision over 1e6 prints %!(BADWIDTH) / %!(BADPREC) and is dropped
    // (and never overflows an int here).
    constexpr int kTooLarge = 1000000;
    auto number = [&](int* n) {
      *n = 0;
      bool too_large = false;
      while (i < format.size() && std::isdigit(static_cast<unsigned char>(format[i]))) {
        if (*n <= kTooLarge) *n = *n * 10 + (format[i] - '0');
        too_large |= *n > kTooLarge;
        ++i;
      }
      return !too_large;
    };
    int width = -1, prec = -1;
    if (i < format.size() && std::isdigit(static_cast<unsigned char>(format[i])) &&
        !number(&width)) {
      out += "%!(BADWIDTH)";
      width = -1;
    }
    if (i < format.size() && format[i] == '.') {
      ++i;
      if (!number(&prec)) {
        out += "%!(BADPREC)";
        prec = -1;
      }
    }
    if (i >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    char verb = format[i];
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (next >= args.size()) {
      out += std::string("%!") + verb + "(MISSING)";
      continue;
    }
    const Value& a = args[next++];
    std::string s;
    bool numeric = false;
    // Go's text for an operand the verb does not fit: "%!d(string=abc)".
    auto wrong_type = [&] {
      return std::string("%!") + verb + "(" + type_name(a.v) + "=" + print_value(a, options) + ")";
    };
    if (std::string_view("dxXcfFge").find(verb) != std::string_view::npos && !a.v.is_number()) {
      s = wrong_type();  // the number verbs take numbers only
    } else {
      switch (verb) {
        case 'v':
        case 's':
          s = a.missing ? "<no value>" : print_value(a, options);
          if (prec >= 0 && static_cast<int>(s.size()) > prec) s.resize(prec);
          break;
        case 'q':
          s = quote(a.v.is_string() ? a.v.get<std::string>() : print_value(a, options));
          break;
        case 't':
          s = a.v.is_boolean() ? (a.v.get<bool>() ? "true" : "false") : wrong_type();
          break;
        case 'd':
        case 'x':
        case 'X':
        case 'c': {
          numeric = true;
          int64_t n = a.v.is_number_integer() ? a.v.get<int64_t>()
                                              : static_cast<int64_t>(a.v.get<double>());
          if (verb == 'c') {
            s = std::string(1, static_cast<char>(n));
            numeric = false;
          } else if (verb == 'd') {
            s = std::to_string(n);
          } else {
            char buf[32];
            std::snprintf(buf, sizeof buf, verb == 'x' ? "%llx" : "%llX",
                          static_cast<unsigned long long>(n));
            s = buf;
          }
          if ((plus || space) && n >= 0 && verb == 'd') s = (plus ? "+" : " ") + s;
        } break;
        case 'f':
        case 'F':
        case 'g':
        case 'e': {
          numeric = true;
          const std::string sign = plus ? "+" : space ? " " : "";
          std::string spec = "%" + sign + "." + std::to_string(prec >= 0 ? prec : 6) +
                             static_cast<char>(verb == 'F' ? 'f' : verb);
          if (verb == 'g' && prec < 0) spec = "%" + sign + "g";
          const double x = a.v.get<double>();
          const int n = std::snprintf(nullptr, 0, spec.c_str(), x);
          s.assign(n > 0 ? static_cast<size_t>(n) : 0, '\0');
          if (n > 0) std::snprintf(s.data(), s.size() + 1, spec.c_str(), x);
        } break;
        default:
          s = wrong_type();
      }
    }
    if (width > static_cast<int>(s.size())) {
      size_t pad = static_cast<size_t>(width) - s.size();
      if (minus)
        s += std::string(pad, ' ');
      else if (zero && numeric)
        s.insert(s[0] == '-' || s[0] == '+' || s[0] == ' ' ? 1 : 0, std::string(pad, '0'));
      else
        s.insert(0, std::string(pad, ' '));
    }
    out += s;
  }
  if (next < args.size()) {
    out += "%!(EXTRA ";
    for (size_t k = next; k < args.size(); ++k)
      out += (k > next ? ", " : "") + type_name(args[k].v) + "=" + print_value(args[k], options);
    out += ")";
  }
  return out;
}

Value index_value(Value v, const std::vector<Value>& keys) {
  for (const Value& k : keys) {
    if (v.v.is_array()) {
      int64_t i = want_int(k);
      if (i < 0 || static_cast<size_t>(i) >= v.v.size())
        bad("error calling index: index out of range: " + std::to_string(i));
      v = Value{v.v[static_cast<size_t>(i)]};
    } else if (v.v.is_object()) {
      const std::string& key = want_string(k);
      auto it = v.v.find(key);
      v = it == v.v.end() ? Value{""} : Value{*it};
    } else if (v.v.is_null() || v.missing) {
      v = Value{""};
    } else {
      bad("error calling index: can't index item of type " + type_name(v.v));
    }
  }
  return v;
}

std::string title_case(std::string s) {
  bool start = true;
  for (char& c : s) {
    if (start && std::isalpha(static_cast<unsigned char>(c)))
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    start = std::isspace(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  }
  return s;
}

}  // namespace

std::string type_name(const TemplateData& v) {
  switch (v.type()) {
    case TemplateData::value_t::null: return "<nil>";
    case TemplateData::value_t::boolean: return "bool";
    case TemplateData::value_t::number_integer:
    case TemplateData::value_t::number_unsigned: return "int";
    case TemplateData::value_t::number_float: return "float64";
    case TemplateData::value_t::string: return "string";
    case TemplateData::value_t::array: return "[]interface {}";
    case TemplateData::value_t::object: return "map[string]interface {}";
    default: return "interface {}";
  }
}

bool truth(const Value& v) {
  if (v.missing) return false;
  switch (v.v.type()) {
    case TemplateData::value_t::null: return false;
    case TemplateData::value_t::boolean: return v.v.get<bool>();
    case TemplateData::value_t::number_integer:
    case TemplateData::value_t::number_unsigned: return v.v.get<int64_t>() != 0;
    case TemplateData::value_t::number_float: return v.v.get<double>() != 0;
    case TemplateData::value_t::string: return !v.v.get_ref<const std::string&>().empty();
    case TemplateData::value_t::array:
    case TemplateData::value_t::object: return !v.v.empty();
    default: return true;
  }
}

std::string print_value(const Value& v, const TemplateOptions& options) {
  if (v.missing) return "<no value>";
  return print_nested(v.v, v.is_map, options, v.is_time);
}

Value call_function(std::string_view name, std::vector<Value>& args,
                    const TemplateOptions& options) {
  if (name == "not") {
    want_args(name, args, 1);
    return Value{!truth(args[0])};
  }
  if (name == "len") {
    want_args(name, args, 1);
    const TemplateData& v = args[0].v;
    if (v.is_string()) return Value{static_cast<int64_t>(v.get_ref<const std::string&>().size())};
    if (v.is_array() || v.is_object()) return Value{static_cast<int64_t>(v.size())};
    if (v.is_null()) return Value{int64_t{0}};
    bad("error calling len: len of type " + type_name(v));
  }
  if (name == "index") {
    if (args.empty()) bad("wrong number of args for index: want at least 1 got 0");
    return index_value(args[0], {args.begin() + 1, args.end()});
  }
  if (name == "slice") {
    if (args.empty() || args.size() > 3)
      bad("wrong number of args for slice: want 1 to 3 got " + std::to_string(args.size()));
    const TemplateData& v = args[0].v;
    size_t n = v.is_string() ? v.get_ref<const std::string&>().size()
               : v.is_array() ? v.size()
                              : 0;
    if (!v.is_string() && !v.is_array()) bad("error calling slice: can't slice item of type " +
                                             type_name(v));
    int64_t b = args.size() > 1 ? want_int(args[1]) : 0;
    int64_t e = args.size() > 2 ? want_int(args[2]) : static_cast<int64_t>(n);
    if (b < 0 || e < b || static_cast<size_t>(e) > n)
      bad("error calling slice: index out of range");
    if (v.is_string())
      return Value{v.get_ref<const std::string&>().substr(static_cast<size_t>(b),
                                                          static_cast<size_t>(e - b))};
    TemplateData out = TemplateData::array();
    for (int64_t i = b; i < e; ++i) out.push_back(v[static_cast<size_t>(i)]);
    return Value{out};
  }
  if (name == "print" || name == "println") {
    std::string out;
    for (size_t i = 0; i < args.size(); ++i) {
      // Sprint puts spaces between operands when neither is a string; Sprintln always.
      if (i > 0 && (name == "println" || (!args[i - 1].v.is_string() && !args[i].v.is_string())))
        out += ' ';
      out += print_value(args[i], options);
    }
    if (name == "println") out += '\n';
    return Value{out};
  }
  if (name == "printf") {
    if (args.empty()) bad("wrong number of args for printf: want at least 1 got 0");
    const std::string& format = want_string(args[0]);
    return Value{go_sprintf(format, {args.begin() + 1, args.end()}, options)};
  }
  if (name == "eq") {
    if (args.size() < 2) bad("missing argument for comparison");
    for (size_t i = 1; i < args.size(); ++i)
      if (compare(args[0], args[i], false) == 0) return Value{true};
    return Value{false};
  }
  if (name == "ne" || name == "lt" || name == "le" || name == "gt" || name == "ge") {
    want_args(name, args, 2);
    int c = compare(args[0], args[1], name != "ne");
    bool r = name == "ne" ? c != 0 : name == "lt" ? c < 0 : name == "le" ? c <= 0
                                   : name == "gt" ? c > 0 : c >= 0;
    return Value{r};
  }
  if (name == "json") {
    want_args(name, args, 1);
    return Value{args[0].missing ? std::string("null") : json_text(args[0].v)};
  }
  if (name == "lower" || name == "upper" || name == "title") {
    want_args(name, args, 1);
    std::string s = want_string(args[0]);
    if (name == "title") return Value{title_case(s)};
    for (char& c : s)
      c = static_cast<char>(name == "lower" ? std::tolower(static_cast<unsigned char>(c))
                                            : std::toupper(static_cast<unsigned char>(c)));
    return Value{s};
  }
  if (name == "split") {
    want_args(name, args, 2);
    const std::string& s = want_string(args[0]);
    const std::string& sep = want_string(args[1]);
    TemplateData out = TemplateData::array();
    if (sep.empty()) {
      for (char c : s) out.push_back(std::string(1, c));
      return Value{out};
    }
    size_t b = 0;
    for (;;) {
      size_t e = s.find(sep, b);
      out.push_back(s.substr(b, e == std::string::npos ? e : e - b));
      if (e == std::string::npos) break;
      b = e + sep.size();
    }
    return Value{out};
  }
  if (name == "join") {
    want_args(name, args, 2);
    if (!args[0].v.is_array() && !args[0].v.is_null())
      bad("can't handle " + print_value(args[0], options) + " for arg of type []string");
    const std::string& sep = want_string(args[1]);
    std::string out;
    bool first = true;
    for (const auto& e : args[0].v.is_null() ? TemplateData::array() : args[0].v) {
      if (!e.is_string()) bad("can't handle " + json_text(e) + " for arg of type []string");
      out += (first ? "" : sep) + e.get<std::string>();
      first = false;
    }
    return Value{out};
  }
  if (name == "pad") {
    want_args(name, args, 3);
    const std::string& s = want_string(args[0]);
    if (s.empty()) return Value{s};
    return Value{std::string(static_cast<size_t>(std::max<int64_t>(0, want_int(args[1]))), ' ') +
                 s + std::string(static_cast<size_t>(std::max<int64_t>(0, want_int(args[2]))), ' ')};
  }
  if (name == "truncate") {
    want_args(name, args, 2);
    const std::string& s = want_string(args[0]);
    int64_t n = want_int(args[1]);
    if (n < 0) n = 0;
    return Value{static_cast<size_t>(n) >= s.size() ? s : s.substr(0, static_cast<size_t>(n))};
  }
  bad("function \"" + std::string(name) + "\" not defined");
}

bool is_function(std::string_view name) {
  static const char* const kNames[] = {
      "and",   "or",   "not",   "len",   "index", "slice", "print",    "printf", "println",
      "eq",    "ne",   "lt",    "le",    "gt",    "ge",    "json",     "lower",  "upper",
      "title", "split", "join", "pad",   "truncate"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

}  // namespace tmpl

std::string go_print(const TemplateData& value) {
  return tmpl::print_value(tmpl::Value{value}, TemplateOptions{});
}

std::string go_time_string(int64_t unix_seconds, int64_t nanos) {
  // Go's zero time (never started, never finished) is UTC in every zone.
  constexpr int64_t kGoZeroTime = -62135596800;  // 0001-01-01T00:00:00Z
  if (unix_seconds == kGoZeroTime && nanos == 0) return "0001-01-01 00:00:00 +0000 UTC";
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm;
  localtime_r(&t, &tm);
  char year[16], date[64], zone[64];
  // Go pads the year to 4 digits: the zero time is "0001-01-01 ..." (strftime's %Y gives "1").
  std::snprintf(year, sizeof year, "%04d", tm.tm_year + 1900);
  std::strftime(date, sizeof date, "-%m-%d %H:%M:%S", &tm);
  std::strftime(zone, sizeof zone, "%z %Z", &tm);
  std::string out = std::string(year) + date;
  if (nanos > 0) {
    char frac[32];
    std::snprintf(frac, sizeof frac, "%09lld", static_cast<long long>(nanos % 1000000000));
    std::string f = frac;
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out + " " + zone;
}

std::string go_time_string(std::string_view rfc3339) {
  int64_t seconds = parse_rfc3339(rfc3339);
  if (seconds == 0 && rfc3339.substr(0, 4) != "1970") return std::string(rfc3339);
  int64_t nanos = 0;
  size_t dot = rfc3339.find('.');
  if (dot != std::string_view::npos && dot > 10) {
    std::string digits;
    for (size_t i = dot + 1; i < rfc3339.size() && std::isdigit(static_cast<unsigned char>(
                                                       rfc3339[i])) && digits.size() < 9;
         ++i)
      digits += rfc3339[i];
    while (digits.size() < 9) digits += '0';
    nanos = std::stoll(digits);
  }
  return go_time_string(seconds, nanos);
}

}  // namespace dabba::cli
