// Go's text/template, the part podman users write in --format, evaluated over JSON:
//
//   {{.Field}}, {{.A.B.C}}, {{.}}, {{$}}, {{$v.Field}}, {{(index .List 0).Name}}
//   pipelines {{.ID | upper}}, {{.Names | join ","}}, literals "a\n", `raw`, 12, 1.5, true, nil
//   {{if PIPE}} .. {{else if PIPE}} .. {{else}} .. {{end}}, {{with PIPE}} .. {{end}},
//   {{range PIPE}} .. {{else}} .. {{end}} with {{range $i, $v := PIPE}}, {{$x := PIPE}}, {{$x = PIPE}}
//   {{/* comments */}}, {{- and -}} trimming
//   functions: Go's (and or not len index slice print printf println eq ne lt le gt ge) and
//   podman's (json lower upper title split join pad truncate)
//
// Values print as Go's fmt prints them: lists "[a b]", objects "map[k:v]", null "<nil>", times
// (TemplateOptions::time_fields) as Go's time.Time.
// Field names match JSON keys exactly, else ignoring case and underscores, so `.ID` finds "Id" and
// `.CreatedBy` finds "created_by" (podman's Go struct names beside its JSON keys). A missing field
// is an error ("can't evaluate field X"), as on podman's structs, except in objects reached
// through a field named in TemplateOptions::map_fields (Labels, Annotations, ...), which are Go
// maps in podman: there a missing key prints "<no value>".
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

namespace dabba::cli {

// ordered_json keeps the producer's key order (podman's struct order) for `{{json .}}` and
// inspect output; Go-style map printing sorts keys itself.
using TemplateData = nlohmann::ordered_json;

struct TemplateOptions {
  // Field names whose objects are maps (podman's map[string]... fields).
  std::set<std::string, std::less<>> map_fields = {
      "Labels",  "Annotations", "Data",         "ExposedPorts", "Volumes",  "Ports",
      "Options", "Networks",    "PortBindings", "Sysctls",  "GraphOptions", "GraphStatus"};
  // Field names whose RFC 3339 strings are Go time.Time values in podman: printed as Go prints
  // them ("2024-05-01 12:34:56.5 +0000 UTC"), while `json` keeps the RFC 3339 text.
  std::set<std::string, std::less<>> time_fields = {"Created", "created", "StartedAt",
                                                    "FinishedAt"};
};

namespace tmpl {
struct Tree;
}

class GoTemplate {
 public:
  // Parses text; name appears in messages as Go's ("template: NAME:LINE: ..."). Throws
  // Error{kInvalidArgument} naming the problem (unclosed action, unknown function, ...).
  GoTemplate(std::string name, std::string_view text, TemplateOptions options = {});
  ~GoTemplate();
  GoTemplate(GoTemplate&&) noexcept;
  GoTemplate& operator=(GoTemplate&&) noexcept;

  // Executes over data. Throws Error{kInvalidArgument} ("template: NAME:LINE:COL: executing
  // "NAME" at <.X>: can't evaluate field X") when a field or a function call fails.
  std::string render(const TemplateData& data) const;

 private:
  std::unique_ptr<tmpl::Tree> tree_;
  TemplateOptions options_;
};

// Go's fmt.Sprint of one value (%v).
std::string go_print(const TemplateData& value);

// Go's time.Time.String() for unix seconds and nanoseconds, in the local time zone:
// "2024-05-01 12:34:56.123456789 +0200 CEST" (the fraction only when non-zero).
std::string go_time_string(int64_t unix_seconds, int64_t nanos = 0);
// The same for an RFC 3339 text (as image configs write times); the text itself when it does not
// parse.
std::string go_time_string(std::string_view rfc3339);

}  // namespace dabba::cli
