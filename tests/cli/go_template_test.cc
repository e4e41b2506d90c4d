#include "cli/go_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

TEST(GoTemplate, FieldsAndNestedFields) {
  EXPECT_EQ(render("{{.Id}} {{ .Size }}"), "3b5814d98ee5aed1 1997991");
  EXPECT_EQ(render("{{.State.Status}}/{{.Config.WorkingDir}}/{{.State.Running}}"),
            "running//true");
  EXPECT_EQ(render("{{.Config.Env}}"), "[FOO=bar A=b]");
  EXPECT_EQ(render("{{.Config.Entrypoint}}"), "[]");
  EXPECT_EQ(render("{{.Ratio}}"), "1.5");
}

TEST(GoTemplate, GoNamesFindJsonKeys) {
  EXPECT_EQ(render("{{.ID}}"), "3b5814d98ee5aed1");  // podman's ID is "Id" in JSON
  EXPECT_EQ(render("{{range .History}}{{.CreatedBy}};{{end}}"), "ADD x;CMD sh;");
  EXPECT_EQ(render("{{(index .History 1).EmptyLayer}}"), "true");
}

TEST(GoTemplate, PrintsAsGoPrints) {
  EXPECT_EQ(render("{{.Labels}}"), "map[a:b created_by:me]");
  EXPECT_EQ(render("{{.Config.ExposedPorts}}"), "map[80/tcp:{}]");
  EXPECT_EQ(render("{{.RootFS}}"), "{layers [sha256:aa sha256:bb]}");
  EXPECT_EQ(render("{{.GraphDriver.Data}}"), "map[]");  // a nil map
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
  EXPECT_THAT(error_of("{{.Config.Nope}}"), HasSubstr("can't evaluate field Nope"));
  EXPECT_THAT(error_of("{{.Id.Nope}}"), HasSubstr("can't evaluate field Nope in type string"));
}

TEST(GoTemplate, PipesAndPodmansFunctions) {
  EXPECT_EQ(render("{{.Id | upper}}"), "3B5814D98EE5AED1");
  EXPECT_EQ(render("{{\"AbC\" | lower}}"), "abc");
  EXPECT_EQ(render("{{title \"hello world\"}}"), "Hello World");
  EXPECT_EQ(render("{{truncate .Id 5}}"), "3b581");
  EXPECT_EQ(render("{{.Id | printf \"%.4s\"}}"), "3b58");
  EXPECT_EQ(render("{{join .RepoTags \",\"}}"), "localhost/bb:1,localhost/bb:2");
  EXPECT_EQ(render("{{split \"a:b:c\" \":\"}}"), "[a b c]");
  EXPECT_EQ(render("{{index (split \"a:b:c\" \":\") 1}}"), "b");
  EXPECT_EQ(render("[{{pad \"x\" 1 2}}][{{pad \"\" 1 2}}]"), "[ x  ][]");
  EXPECT_EQ(render("{{json .Config.Env}}"), "[\"FOO=bar\",\"A=b\"]");
  EXPECT_EQ(render("{{json .Labels}}"), "{\"a\":\"b\",\"created_by\":\"me\"}");
  // podman's own quirks: truncate wants (string, int), join wants the list first.
  EXPECT_THAT(error_of("{{.Id | truncate 5}}"), HasSubstr("expected string"));
  EXPECT_THAT(error_of("{{.RepoTags | join \",\"}}"), HasSubstr("can't handle"));
}

TEST(GoTemplate, GoBuiltins) {
  EXPECT_EQ(render("{{len .RepoTags}} {{len .Labels}} {{len \"abc\"}}"), "2 2 3");
  EXPECT_EQ(render("{{index .RepoTags 1}}"), "localhost/bb:2");
  EXPECT_EQ(render("{{index .Config.Env 0}}"), "FOO=bar");
  EXPECT_EQ(render("{{slice .Id 0 4}}"), "3b58");
  EXPECT_EQ(render("{{printf \"%s-%d|%5s|%-4d|%05d|%q|%v\" \"a\" 7 \"b\" 3 42 \"x\" .Config.Cmd}}"),
            "a-7|    b|3   |00042|\"x\"|[/bin/sh]");
  EXPECT_EQ(render("{{print \"a\" 1 2 \"b\"}}|{{println \"a\" 1}}"), "a1 2b|a 1\n");
  EXPECT_EQ(render("{{eq .State.Status \"running\"}} {{ne .Size 1}} {{lt 1 2}} {{ge 2.5 3}}"),
            "true true true false");
  EXPECT_EQ(render("{{eq .Size 1 1997991}}"), "true");
  EXPECT_EQ(render("{{and .State.Running .Size}} {{or \"\" \"y\"}} {{not .State.Running}}"),
            "1997991 y false");
  EXPECT_EQ(render("{{and false .Nope}}"), "false");  // and/or stop at the first that decides
  EXPECT_THAT(error_of("{{lt .Size \"x\"}}"), HasSubstr("comparison"));
  EXPECT_THAT(error_of("{{index .RepoTags 5}}"), HasSubstr("out of range"));
  EXPECT_THAT(error_of("{{.Id | .Size}}"), HasSubstr("can't give argument to non-function"));
}

TEST(GoTemplate, IfElseWithRange) {
  EXPECT_EQ(render("{{if .Labels}}yes{{else}}no{{end}}"), "yes");
  EXPECT_EQ(render("{{if .Config.Entrypoint}}e{{else if .Config.Cmd}}c{{else}}n{{end}}"), "c");
  EXPECT_EQ(render("{{if eq .State.Status \"exited\"}}x{{else}}up{{end}}"), "up");
  EXPECT_EQ(render("{{with .State}}{{.Status}}{{end}}"), "running");
  EXPECT_EQ(render("{{with .Config.Entrypoint}}x{{else}}none{{end}}"), "none");
  EXPECT_EQ(render("{{range .Config.Env}}[{{.}}]{{end}}"), "[FOO=bar][A=b]");
  EXPECT_EQ(render("{{range $i, $e := .Config.Env}}{{$i}}={{$e}} {{end}}"), "0=FOO=bar 1=A=b ");
  EXPECT_EQ(render("{{range $k, $v := .Labels}}{{$k}}:{{$v}},{{end}}"), "a:b,created_by:me,");
  EXPECT_EQ(render("{{range .Config.Entrypoint}}x{{else}}empty{{end}}"), "empty");
  EXPECT_EQ(render("{{range .History}}{{if .EmptyLayer}}-{{else}}+{{end}}{{end}}"), "+-");
  EXPECT_EQ(render("{{range .RepoTags}}{{$.Size}} {{end}}"), "1997991 1997991 ");
}

TEST(GoTemplate, VariablesLiteralsTrimAndComments) {
  EXPECT_EQ(render("{{$x := .Size}}{{$x}}"), "1997991");
  EXPECT_EQ(render("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}"), "2");
  EXPECT_EQ(render("{{$s := .State}}{{$s.Status}}"), "running");
  EXPECT_EQ(render("a{{\"\\n\"}}b{{\"\\t\"}}c{{`raw\\n`}}"), "a\nb\tcraw\\n");
  EXPECT_EQ(render("a  {{- \"b\" -}}  \n c"), "abc");
  EXPECT_EQ(render("a{{/* a comment */}}b{{- /* trimmed */ -}} c"), "abc");
  EXPECT_EQ(render("{{\"}}\"}}"), "}}");
  EXPECT_EQ(render("{{nil}}|{{true}}|{{-3}}|{{1.25}}|{{'a'}}"), "<nil>|true|-3|1.25|97");
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
