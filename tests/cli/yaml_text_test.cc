#include "cli/yaml_text.h"

#include <gtest/gtest.h>

namespace dabba::cli {
namespace {

TEST(YamlText, BlockStyleAsPodmanInfo) {
  TemplateData v = TemplateData::object();
  v["host"] = {{"arch", "amd64"},
               {"cgroupControllers", {"cpu", "memory"}},
               {"conmon", {{"version", "conmon version 2.1.6, commit: unknown"}}},
               {"cpus", 2},
               {"distribution", {{"version", "12"}}},
               {"idMappings", {{"uidmap", nullptr}}},
               {"graphOptions", TemplateData::object()},
               {"list", TemplateData::array()},
               {"rootless", true},
               {"runtime", "runc version 1.1.5\ncommit: x"}};
  v["store"] = {{"graphRoot", "/home/u/.local/share/containers/storage"}};
  EXPECT_EQ(to_yaml(v),
            "host:\n"
            "  arch: amd64\n"
            "  cgroupControllers:\n"
            "  - cpu\n"
            "  - memory\n"
            "  conmon:\n"
            "    version: 'conmon version 2.1.6, commit: unknown'\n"
            "  cpus: 2\n"
            "  distribution:\n"
            "    version: \"12\"\n"
            "  idMappings:\n"
            "    uidmap: null\n"
            "  graphOptions: {}\n"
            "  list: []\n"
            "  rootless: true\n"
            "  runtime: |-\n"
            "    runc version 1.1.5\n"
            "    commit: x\n"
            "store:\n"
            "  graphRoot: /home/u/.local/share/containers/storage\n");
}

TEST(YamlText, ListsOfMapsAndQuoting) {
  TemplateData v = {{"checks", {{{"name", "tun"}, {"status", "ok"}}, {{"name", "x"}}}},
                    {"empty", ""},
                    {"word", "yes"},
                    {"quote", "it's: here"},
                    {"dash", "-x"}};
  EXPECT_EQ(to_yaml(v),
            "checks:\n"
            "- name: tun\n"
            "  status: ok\n"
            "- name: x\n"
            "empty: \"\"\n"
            "word: \"yes\"\n"
            "quote: 'it''s: here'\n"
            "dash: '-x'\n");
}

}  // namespace
}  // namespace dabba::cli
