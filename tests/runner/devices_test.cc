#include "runner/devices.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace dabba::runner {
namespace {

TEST(Device, ParsedAsPodman) {
  EXPECT_EQ(parse_device("/dev/fuse"), (DeviceSpec{"/dev/fuse", "/dev/fuse", "rwm"}));
  EXPECT_EQ(parse_device("/dev/zero:/dev/myzero"), (DeviceSpec{"/dev/zero", "/dev/myzero", "rwm"}));
  EXPECT_EQ(parse_device("/dev/zero:r"), (DeviceSpec{"/dev/zero", "/dev/zero", "r"}));
  EXPECT_EQ(parse_device("/dev/zero:/z:rw"), (DeviceSpec{"/dev/zero", "/z", "rw"}));
  for (const char* bad : {"/dev/zero:rel", "/dev/zero:/z:q", "/dev/zero:/z:r:x", "dev/zero", ""})
    EXPECT_THROW(parse_device(bad), Error) << bad;
  try {
    parse_device("/dev/zero:/z:q");
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "invalid device mode: q");
  }
}

TEST(Device, BindsOfNodesAndDirectories) {
  auto binds = device_binds({parse_device("/dev/zero:/dev/myzero"), parse_device("/dev/null")});
  using B = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(binds, (B{{"/dev/zero", "/dev/myzero"}, {"/dev/null", "/dev/null"}}));
  try {
    device_binds({parse_device("/dev/nosuch")});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("stat /dev/nosuch: ", 0), 0u) << e.what();
  }
  EXPECT_THROW(device_binds({parse_device("/etc/passwd")}), Error);
  // A directory brings its device nodes, under the container path.
  for (const auto& [host, container] : device_binds({parse_device("/dev:/hostdev")})) {
    EXPECT_EQ(host.rfind("/dev/", 0), 0u);
    EXPECT_EQ(container, "/hostdev" + host.substr(4));
  }
}

}  // namespace
}  // namespace dabba::runner
