#include "cli/format_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/error.h"

namespace dabba::cli {
namespace {

const std::vector<TemplateField> kFields = {{"ID", "CONTAINER ID"}, {"Names", "NAMES"}};
const std::vector<std::map<std::string, std::string>> kRows = {
    {{"ID", "abc"}, {"Names", "web"}}, {{"ID", "defgh"}, {"Names", "db"}}};

TEST(RowTemplate, FieldsAndLiterals) {
  EXPECT_EQ(RowTemplate("{{.ID}} is {{ .Names }}", kFields).render(kRows),
            "abc is web\ndefgh is db\n");
}

TEST(RowTemplate, EscapesAsPodmanReadsThem) {
  EXPECT_EQ(RowTemplate("{{.ID}}\\t{{.Names}}", kFields).render(kRows), "abc\tweb\ndefgh\tdb\n");
}

TEST(RowTemplate, TableAddsAHeaderAndAlignsAsPodman) {
  EXPECT_EQ(RowTemplate("table {{.ID}}\\t{{.Names}}", kFields).render(kRows),
            "CONTAINER ID  NAMES\n"
            "abc           web\n"
            "defgh         db\n");
}

TEST(RowTemplate, JsonOfTheRow) {
  EXPECT_EQ(RowTemplate("{{json .}}", kFields).render({kRows[0]}),
            "{\"ID\":\"abc\",\"Names\":\"web\"}\n");
}

TEST(RowTemplate, FunctionsWork) {
  EXPECT_EQ(RowTemplate("{{.ID | upper}}", kFields).render({kRows[0]}), "ABC\n");
}

TEST(RowTemplate, UnknownFieldsAndBadTemplatesAreNamedAtOnce) {
  try {
    RowTemplate("{{.Nope}}", kFields);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kInvalidArgument);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("can't evaluate field Nope"));
  }
  EXPECT_THROW(RowTemplate("{{.ID", kFields), Error);
  EXPECT_THROW(RowTemplate("{{nope .ID}}", kFields), Error);
}

}  // namespace
}  // namespace dabba::cli
