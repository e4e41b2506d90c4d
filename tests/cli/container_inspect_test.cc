#include "cli/container_inspect.h"

#include <gtest/gtest.h>

namespace dabba::cli {
namespace {

ContainerView exited_view() {
  ContainerView v;
  v.record.id = std::string(64, 'a');
  v.record.name = "web";
  v.record.created = 1700000000;
  v.info.image = "localhost/bb:1";
  v.info.image_id = "sha256:" + std::string(64, 'b');
  v.info.command = {"/entry", "serve", "--port", "80"};
  v.info.ports = {"127.0.0.1:8080->80/tcp", "9090->90/udp"};
  v.info.labels = {{"tier", "web"}};
  v.dir = "/store/containers/aaa";
  runner::ContainerState s;
  s.status = runner::ContainerStatus::kExited;
  s.exit_code = 3;
  s.started_at = 1700000001;
  s.finished_at = 1700000002;
  v.state = s;
  return v;
}

TEST(ContainerInspect, PodmanShapeOfAnExitedContainer) {
  TemplateData image = {{"config", {{"Entrypoint", {"/entry"}}, {"Labels", {{"vendor", "x"}}}}}};
  TemplateData j = inspect_container(exited_view(), image);
  EXPECT_EQ(j["Id"], std::string(64, 'a'));
  EXPECT_EQ(j["Name"], "web");
  EXPECT_EQ(j["Image"], std::string(64, 'b'));
  EXPECT_EQ(j["ImageName"], "localhost/bb:1");
  EXPECT_EQ(j["State"]["Status"], "exited");
  EXPECT_EQ(j["State"]["Running"], false);
  EXPECT_EQ(j["State"]["ExitCode"], 3);
  EXPECT_EQ(j["State"]["Pid"], 0);
  EXPECT_NE(j["State"]["FinishedAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(j["Config"]["Entrypoint"], TemplateData({"/entry"}));
  EXPECT_EQ(j["Config"]["Cmd"], TemplateData({"serve", "--port", "80"}));
  EXPECT_EQ(j["Config"]["Labels"]["vendor"], "x");
  EXPECT_EQ(j["Config"]["Labels"]["tier"], "web");
  EXPECT_EQ(j["Path"], "/entry");
  EXPECT_EQ(j["HostConfig"]["PortBindings"]["80/tcp"][0]["HostIp"], "127.0.0.1");
  EXPECT_EQ(j["HostConfig"]["PortBindings"]["80/tcp"][0]["HostPort"], "8080");
  EXPECT_EQ(j["NetworkSettings"]["Ports"]["90/udp"][0]["HostPort"], "9090");
}

TEST(ContainerInspect, CreatedContainerAndOverriddenEntrypoint) {
  ContainerView v = exited_view();
  v.state.reset();
  v.info.command = {"sh", "-c", "true"};
  TemplateData j = inspect_container(v, {{"config", {{"Entrypoint", {"/entry"}}}}});
  EXPECT_EQ(j["State"]["Status"], "created");
  EXPECT_EQ(j["State"]["StartedAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(j["Config"]["Entrypoint"], TemplateData::array());
  EXPECT_EQ(j["Config"]["Cmd"], TemplateData({"sh", "-c", "true"}));
  // Templates reach it as podman's users write them.
  EXPECT_EQ(GoTemplate("t", "{{.State.Status}} {{.ID}}").render(j), "created " + v.record.id);
}

}  // namespace
}  // namespace dabba::cli
