#include "cli/image_changes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/error.h"

namespace dabba::cli {
namespace {

using nlohmann::json;

json applied(const std::vector<std::string>& changes, json config = json::object()) {
  apply_changes(config, changes);
  return config;
}

TEST(ImageChanges, CmdAndEntrypointInBothForms) {
  EXPECT_EQ(applied({"CMD [\"/bin/sh\", \"-c\", \"x\"]"})["Cmd"],
            json({"/bin/sh", "-c", "x"}));
  EXPECT_EQ(applied({"CMD echo hi"})["Cmd"], json({"/bin/sh", "-c", "echo hi"}));
  EXPECT_EQ(applied({"ENTRYPOINT [\"/bin/echo\"]"})["Entrypoint"], json({"/bin/echo"}));
  EXPECT_EQ(applied({"cmd=[\"a\"]"})["Cmd"], json({"a"}));  // podman also takes INSTR=VALUE
}

TEST(ImageChanges, EnvReplacesAndAppends) {
  json c = applied({"ENV A=1 B=\"two words\"", "ENV A=3", "ENV C 4 5"},
                   json{{"Env", {"PATH=/bin", "A=0"}}});
  EXPECT_EQ(c["Env"], json({"PATH=/bin", "A=3", "B=two words", "C=4 5"}));
}

TEST(ImageChanges, LabelsPortsVolumesAndScalars) {
  json c = applied({"LABEL a=b \"c d\"=e", "EXPOSE 80 53/udp", "VOLUME /data /cache",
                    "VOLUME [\"/x\"]", "USER app:app", "WORKDIR /srv", "WORKDIR sub",
                    "STOPSIGNAL SIGINT", "ONBUILD RUN true"});
  EXPECT_EQ(c["Labels"], json({{"a", "b"}, {"c d", "e"}}));
  EXPECT_EQ(c["ExposedPorts"], json({{"80/tcp", json::object()}, {"53/udp", json::object()}}));
  EXPECT_EQ(c["Volumes"].size(), 3u);
  EXPECT_TRUE(c["Volumes"].contains("/x"));
  EXPECT_EQ(c["User"], "app:app");
  EXPECT_EQ(c["WorkingDir"], "/srv/sub");
  EXPECT_EQ(c["StopSignal"], "SIGINT");
  EXPECT_EQ(c["OnBuild"], json({"RUN true"}));
}

TEST(ImageChanges, BadChangesAreNamed) {
  for (const char* bad : {"RUN true", "EXPOSE eighty", "VOLUME relative", "ENV", "LABEL x",
                          "USER"}) {
    try {
      applied({bad});
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::kInvalidArgument);
      EXPECT_THAT(e.what(), ::testing::HasSubstr("invalid change"));
    }
  }
}

}  // namespace
}  // namespace dabba::cli
