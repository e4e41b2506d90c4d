#include "cli/completion.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include "cli/man_pages.h"

namespace dabba::cli {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

// A tree shaped as dabba's: a global flag, a verb with flags, a group with verbs.
struct Tree {
  CLI::App root{"dabba: test", "dabba"};
  std::string s;
  bool b = false;
  Tree() {
    root.add_option("--root", s, "store");
    CLI::App* run = root.add_subcommand("run", "Run a command");
    run->add_flag("-d,--detach", b, "background");
    run->add_option("--restart", s, "policy");
    run->add_option("--name", s, "its name");
    run->add_flag("--secret-flag", b, "hidden")->group("");
    CLI::App* network = root.add_subcommand("network", "Manage networks");
    network->add_subcommand("create", "Create a network");
    network->add_subcommand("rm", "Remove networks");
    root.add_subcommand("hidden", "not shown")->group("");
  }
};

std::vector<std::string> values(const Completion& c) {
  std::vector<std::string> out;
  for (const std::string& line : c.candidates) out.push_back(line.substr(0, line.find('\t')));
  return out;
}

TEST(CompleteWords, VerbsFromThePrefixWithDescriptionsHiddenOnesLeftOut) {
  Tree t;
  Completion c = complete_words(t.root, {"r"}, "");
  EXPECT_THAT(c.candidates, ElementsAre("run\tRun a command"));
  EXPECT_EQ(c.directive & kCompleteNoFiles, kCompleteNoFiles);
  EXPECT_THAT(values(complete_words(t.root, {""}, "")), Not(Contains("hidden")));
  EXPECT_THAT(values(complete_words(t.root, {"network", ""}, "")), ElementsAre("create", "rm"));
}

TEST(CompleteWords, FlagsOfTheVerbAndTheGlobalOnes) {
  Tree t;
  std::vector<std::string> flags = values(complete_words(t.root, {"run", "-"}, ""));
  EXPECT_THAT(flags, Contains("--detach"));
  EXPECT_THAT(flags, Contains("-d"));
  EXPECT_THAT(flags, Contains("--root"));
  EXPECT_THAT(flags, Not(Contains("--secret-flag")));
}

TEST(CompleteWords, ValuesOfAFlagSpacedOrAfterEquals) {
  Tree t;
  EXPECT_THAT(values(complete_words(t.root, {"run", "--restart", "al"}, "")),
              ElementsAre("always"));
  EXPECT_THAT(values(complete_words(t.root, {"run", "--restart=no"}, "")), ElementsAre("no"));
  // A value already given is skipped: the word after it is the verb's again.
  EXPECT_THAT(values(complete_words(t.root, {"--root", "/s", "ru"}, "")), ElementsAre("run"));
  // A flag whose values are free text offers nothing, and leaves the shell its file names.
  Completion name = complete_words(t.root, {"run", "--name", ""}, "");
  EXPECT_TRUE(name.candidates.empty());
  EXPECT_EQ(name.directive & kCompleteNoFiles, 0);
}

TEST(CompleteWords, RunsFirstCommandWordIsAPathInTheImage) {
  Tree t;
  Completion first = complete_words(t.root, {"run", "-d", "img", "/et"}, "");
  EXPECT_EQ(first.paths_in_image, "img");
  EXPECT_EQ(first.path_typed, "/et");
  EXPECT_TRUE(complete_words(t.root, {"run", "img", "sh", "/et"}, "").paths_in_image.empty());
}

TEST(ManPage, NameSynopsisOptionsInRoff) {
  Tree t;
  const CLI::App* run = t.root.get_subcommand("run");
  std::string page = man_page(*run, "1.2.3");
  EXPECT_THAT(page, ::testing::StartsWith(".TH DABBA-RUN 1 \"\" \"dabba 1.2.3\""));
  EXPECT_THAT(page, ::testing::HasSubstr(".SH NAME\ndabba\\-run \\- Run a command\n"));
  EXPECT_THAT(page, ::testing::HasSubstr("\\fB\\-d, \\-\\-detach\\fR\nbackground\n"));
  EXPECT_THAT(page, ::testing::HasSubstr("\\fB\\-\\-restart VALUE\\fR\npolicy\n"));
  EXPECT_THAT(page, Not(::testing::HasSubstr("secret")));
  std::string top = man_page(t.root, "1.2.3");
  EXPECT_THAT(top, ::testing::HasSubstr(".SH NAME\ndabba \\- test\n"));
  EXPECT_THAT(top, ::testing::HasSubstr("\\fBdabba\\-network\\fR(1)\nManage networks\n"));
  EXPECT_THAT(top, Not(::testing::HasSubstr("hidden")));
}

}  // namespace
}  // namespace dabba::cli
