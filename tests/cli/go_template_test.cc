#include "cli/go_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>

#include "cli/format_template.h"
#include "cli/tab_writer.h"
#include "common/error.h"

namespace dabba::cli {
namespace {

using ::testing::HasSubstr;

// An image inspect shape: podman's Go names beside its JSON keys.
TemplateData inspect_data() {
  return TemplateData::parse(R"({
    "Id": "3b5814d98ee5aed1",
    "RepoTags": ["localhost/bb:1", "localhost/bb:2"],
    "Size": 1997991,
    "Config": {"Env": ["FOO=bar", "A=b"], "Cmd": ["/bin/sh"], "Entrypoint": [],
               "ExposedPorts": {"80/tcp": {}}, "Labels": {"a": "b"}, "WorkingDir": ""},
    "Labels": {"a": "b", "created_by": "me"},
    "RootFS": {"Type": "layers", "Layers": ["sha256:aa", "sha256:bb"]},
    "History": [{"created_by": "ADD x", "empty_layer": false},
                {"created_by": "CMD sh", "empty_layer": true}],
    "GraphDriver": {"Name": "overlay", "Data": null},
    "State": {"Status": "running", "Running": true, "ExitCode": 0},
    "Ratio": 1.5
  })");
}

std::string render(const std::string& text, const TemplateData& data = inspect_data()) {
  return GoTemplate("inspect", text).render(data);
}

// Each template rendered against inspect_data(), with what it prints.
void expect_renders(std::initializer_list<std::pair<std::string, std::string>> cases) {
  for (const auto& [text, printed] : cases) EXPECT_EQ(render(text), printed) << text;
}

std::string error_of(const std::string& text, const TemplateData& data = inspect_data()) {
  try {
    render(text, data);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kInvalidArgument);
    return e.what();
  }
  ADD_FAILURE() << "no error for " << text;
  return "";
}

// Each template failing against inspect_data(), with a piece of its error.
void expect_errors(std::initializer_list<std::pair<std::string, std::string>> cases) {
  for (const auto& [text, part] : cases) EXPECT_THAT(error_of(text), HasSubstr(part)) << text;
}

TEST(GoTemplate, FieldsAndNestedFields) {
  expect_renders({
      {"{{.Id}} {{ .Size }}", "3b5814d98ee5aed1 1997991"},
      {"{{.State.Status}}/{{.Config.WorkingDir}}/{{.State.Running}}", "running//true"},
      {"{{.Config.Env}}", "[FOO=bar A=b]"},
      {"{{.Config.Entrypoint}}", "[]"},
      {"{{.Ratio}}", "1.5"},
  });
}

TEST(GoTemplate, GoNamesFindJsonKeys) {
  expect_renders({
      {"{{.ID}}", "3b5814d98ee5aed1"},  // podman's ID is "Id" in JSON
      {"{{range .History}}{{.CreatedBy}};{{end}}", "ADD x;CMD sh;"},
      {"{{(index .History 1).EmptyLayer}}", "true"},
  });
}

TEST(GoTemplate, PrintsAsGoPrints) {
  expect_renders({
      {"{{.Labels}}", "map[a:b created_by:me]"},
      {"{{.Config.ExposedPorts}}", "map[80/tcp:{}]"},
      {"{{.RootFS}}", "{layers [sha256:aa sha256:bb]}"},
      {"{{.GraphDriver.Data}}", "map[]"},  // a nil map
  });
  EXPECT_EQ(go_print(TemplateData::parse("[1, true, null, \"x\"]")), "[1 true <nil> x]");
  EXPECT_EQ(go_print(TemplateData(1e6)), "1e+06");
  EXPECT_EQ(go_print(TemplateData(123456.0)), "123456");
}

TEST(GoTemplate, MapsTolerateMissingKeysStructsDoNot) {
  EXPECT_EQ(render("{{.Labels.a}}|{{.Labels.zz}}"), "b|<no value>");
  EXPECT_EQ(render("{{index .Labels \"a\"}}|{{index .Labels \"zz\"}}"), "b|");
  std::string e = error_of("{{.Nope}}");
  EXPECT_THAT(e, HasSubstr("can't evaluate field Nope"));
  EXPECT_THAT(e, HasSubstr("template: inspect:1:"));
  EXPECT_THAT(e, HasSubstr("<.Nope>"));
  expect_errors({
      {"{{.Config.Nope}}", "can't evaluate field Nope"},
      {"{{.Id.Nope}}", "can't evaluate field Nope in type string"},
  });
}

TEST(GoTemplate, PipesAndPodmansFunctions) {
  expect_renders({
      {"{{.Id | upper}}", "3B5814D98EE5AED1"},
      {"{{\"AbC\" | lower}}", "abc"},
      {"{{title \"hello world\"}}", "Hello World"},
      {"{{truncate .Id 5}}", "3b581"},
      {"{{.Id | printf \"%.4s\"}}", "3b58"},
      {"{{join .RepoTags \",\"}}", "localhost/bb:1,localhost/bb:2"},
      {"{{split \"a:b:c\" \":\"}}", "[a b c]"},
      {"{{index (split \"a:b:c\" \":\") 1}}", "b"},
      {"[{{pad \"x\" 1 2}}][{{pad \"\" 1 2}}]", "[ x  ][]"},
      {"{{json .Config.Env}}", "[\"FOO=bar\",\"A=b\"]"},
      {"{{json .Labels}}", "{\"a\":\"b\",\"created_by\":\"me\"}"},
  });
  // podman's own quirks: truncate wants (string, int), join wants the list first.
  expect_errors({
      {"{{.Id | truncate 5}}", "expected string"},
      {"{{.RepoTags | join \",\"}}", "can't handle"},
  });
}

TEST(GoTemplate, GoBuiltins) {
  expect_renders({
      {"{{len .RepoTags}} {{len .Labels}} {{len \"abc\"}}", "2 2 3"},
      {"{{index .RepoTags 1}}", "localhost/bb:2"},
      {"{{index .Config.Env 0}}", "FOO=bar"},
      {"{{slice .Id 0 4}}", "3b58"},
      {"{{printf \"%s-%d|%5s|%-4d|%05d|%q|%v\" \"a\" 7 \"b\" 3 42 \"x\" .Config.Cmd}}",
       "a-7|    b|3   |00042|\"x\"|[/bin/sh]"},
      // Go's space flag, and its limits on width and precision (found by tests/fuzz).
      {"{{printf \"% d|%+d|% .1f|% 05d|%.30f\" 5 5 1.25 42 0.5}}",
       " 5|+5| 1.2| 0042|0.500000000000000000000000000000"},
      {"{{printf \"%9999999d|%.9999999s\" 1 \"ab\"}}", "%!(BADWIDTH)1|%!(BADPREC)ab"},
      {"{{json \"a\xff"
       "b\"}}",
       "\"a\ufffdb\""},  // a byte that is not UTF-8
      {"{{print \"a\" 1 2 \"b\"}}|{{println \"a\" 1}}", "a1 2b|a 1\n"},
      {"{{eq .State.Status \"running\"}} {{ne .Size 1}} {{lt 1 2}} {{ge 2.5 3}}",
       "true true true false"},
      {"{{eq .Size 1 1997991}}", "true"},
      {"{{and .State.Running .Size}} {{or \"\" \"y\"}} {{not .State.Running}}", "1997991 y false"},
      {"{{and false .Nope}}", "false"},  // and/or stop at the first that decides
  });
  expect_errors({
      {"{{lt .Size \"x\"}}", "comparison"},
      {"{{index .RepoTags 5}}", "out of range"},
      {"{{.Id | .Size}}", "can't give argument to non-function"},
  });
}

TEST(GoTemplate, IfElseWithRange) {
  expect_renders({
      {"{{if .Labels}}yes{{else}}no{{end}}", "yes"},
      {"{{if .Config.Entrypoint}}e{{else if .Config.Cmd}}c{{else}}n{{end}}", "c"},
      {"{{if eq .State.Status \"exited\"}}x{{else}}up{{end}}", "up"},
      {"{{with .State}}{{.Status}}{{end}}", "running"},
      {"{{with .Config.Entrypoint}}x{{else}}none{{end}}", "none"},
      {"{{range .Config.Env}}[{{.}}]{{end}}", "[FOO=bar][A=b]"},
      {"{{range $i, $e := .Config.Env}}{{$i}}={{$e}} {{end}}", "0=FOO=bar 1=A=b "},
      {"{{range $k, $v := .Labels}}{{$k}}:{{$v}},{{end}}", "a:b,created_by:me,"},
      {"{{range .Config.Entrypoint}}x{{else}}empty{{end}}", "empty"},
      {"{{range .History}}{{if .EmptyLayer}}-{{else}}+{{end}}{{end}}", "+-"},
      {"{{range .RepoTags}}{{$.Size}} {{end}}", "1997991 1997991 "},
  });
}

TEST(GoTemplate, VariablesLiteralsTrimAndComments) {
  expect_renders({
      {"{{$x := .Size}}{{$x}}", "1997991"},
      {"{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2"},
      {"{{$s := .State}}{{$s.Status}}", "running"},
      {"a{{\"\\n\"}}b{{\"\\t\"}}c{{`raw\\n`}}", "a\nb\tcraw\\n"},
      {"a  {{- \"b\" -}}  \n c", "abc"},
      {"a{{/* a comment */}}b{{- /* trimmed */ -}} c", "abc"},
      {"{{\"}}\"}}", "}}"},
      {"{{nil}}|{{true}}|{{-3}}|{{1.25}}|{{'a'}}", "<nil>|true|-3|1.25|97"},
  });
}

TEST(GoTemplate, ParseErrorsNameTheProblem) {
  auto parse_error = [](const std::string& text) -> std::string {
    try {
      GoTemplate("t", text);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::kInvalidArgument);
      return e.what();
    }
    ADD_FAILURE() << "parsed: " << text;
    return "";
  };
  EXPECT_THAT(parse_error("{{nope .ID}}"), HasSubstr("function \"nope\" not defined"));
  EXPECT_THAT(parse_error("{{.ID"), HasSubstr("unclosed action"));
  EXPECT_THAT(parse_error("{{if .A}}x"), HasSubstr("unexpected EOF"));
  EXPECT_THAT(parse_error("x{{end}}"), HasSubstr("unexpected {{end}}"));
  EXPECT_THAT(parse_error("{{(.A}}"), HasSubstr("unclosed left paren"));
  EXPECT_THAT(parse_error("{{template \"x\"}}"), HasSubstr("not supported"));
  EXPECT_THAT(parse_error("{{.A | \"x\"}}"), HasSubstr("non executable"));
  EXPECT_THAT(parse_error("line1\n{{\"x}}"), HasSubstr("template: t:2:"));
}

TEST(GoTemplate, TimesPrintAsGoTimes) {
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(go_time_string(0), "1970-01-01 00:00:00 +0000 UTC");
  EXPECT_EQ(go_time_string("2026-12-03T16:12:46.336140327Z"),
            "2026-12-03 16:12:46.336140327 +0000 UTC");
  EXPECT_EQ(go_time_string("2024-05-01T12:00:00.5Z"), "2024-05-01 12:00:00.5 +0000 UTC");
  EXPECT_EQ(go_time_string("not a time"), "not a time");
  // Go's zero time (a container never started): the year padded to four digits.
  EXPECT_EQ(go_time_string("0001-01-01T00:00:00Z"), "0001-01-01 00:00:00 +0000 UTC");
  EXPECT_EQ(go_time_string("0099-05-01T00:00:00Z"), "0099-05-01 00:00:00 +0000 UTC");
  setenv("TZ", "America/New_York", 1);  // the zero time is UTC in any zone, as Go's
  tzset();
  EXPECT_EQ(go_time_string("0001-01-01T00:00:00Z"), "0001-01-01 00:00:00 +0000 UTC");
  setenv("TZ", "UTC", 1);
  tzset();
  TemplateData d = {{"Created", "2024-05-01T12:00:00.5Z"},
                    {"History", {{{"created", "2024-05-01T12:00:00Z"}, {"comment", "c"}}}},
                    {"Labels", {{"Created", "2024-05-01T12:00:00Z"}}}};
  EXPECT_EQ(render("{{.Created}}|{{json .Created}}", d),
            "2024-05-01 12:00:00.5 +0000 UTC|\"2024-05-01T12:00:00.5Z\"");
  EXPECT_EQ(render("{{.History}}", d), "[{2024-05-01 12:00:00 +0000 UTC c}]");
  EXPECT_EQ(render("{{range .History}}{{.Created}}{{end}}", d), "2024-05-01 12:00:00 +0000 UTC");
}

TEST(TabAlign, AsGoTabwriterWithPodmansSettings) {
  EXPECT_EQ(tab_align("REPOSITORY\tTAG\tIMAGE ID\n"
                      "localhost/bb\t1\t3b5814d98ee5\n"
                      "localhost/other/x\tlatest\t3b5814d98ee5\n"),
            "REPOSITORY         TAG         IMAGE ID\n"
            "localhost/bb       1           3b5814d98ee5\n"
            "localhost/other/x  latest      3b5814d98ee5\n");
  EXPECT_EQ(tab_align("no tabs\n"), "no tabs\n");
  EXPECT_EQ(tab_align("a\tb\nc\n"), "a           b\nc\n");
  EXPECT_EQ(tab_align(""), "");
}

TEST(ListFormat, TablesJsonAndPlainTemplates) {
  std::map<std::string, std::string> headers = {{"ID", "IMAGE ID"}, {"Tag", "TAG"}};
  std::vector<TemplateData> rows = {TemplateData{{"ID", "abc"}, {"Tag", "1"}},
                                    TemplateData{{"ID", "defgh"}, {"Tag", "latest"}}};
  ListFormat table("table {{.ID}} {{.Tag}}", "", headers);
  EXPECT_EQ(table.render(rows),
            "IMAGE ID    TAG\n"
            "abc         1\n"
            "defgh       latest\n");
  EXPECT_EQ(table.render(rows, false), "abc         1\ndefgh       latest\n");
  EXPECT_EQ(ListFormat("{{.ID}}\\t{{.Tag | upper}}", "", headers).render(rows),
            "abc\t1\ndefgh\tLATEST\n");
  EXPECT_EQ(ListFormat("", "table {{.Tag}}", headers).render(rows), "TAG\n1\nlatest\n");
  ListFormat json("{{ json . }}", "", headers);
  EXPECT_TRUE(json.json());
  EXPECT_EQ(TemplateData::parse(json.render(rows))[1]["Tag"], "latest");
  EXPECT_THROW(ListFormat("{{.ID", "", headers), Error);
}

}  // namespace
}  // namespace dabba::cli
