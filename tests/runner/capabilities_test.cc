#include "runner/capabilities.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <utility>

#include "common/error.h"

namespace dabba::runner {
namespace {

TEST(Capabilities, NamesInEverySpelling) {
  const std::pair<const char*, int> spellings[] = {{"NET_RAW", 13},
                                                   {"CAP_NET_RAW", 13},
                                                   {"net_raw", 13},
                                                   {"cap_sys_admin", 21},
                                                   {"CHECKPOINT_RESTORE", 40}};
  for (const auto& [name, number] : spellings) EXPECT_EQ(parse_capability(name), number) << name;
  EXPECT_EQ(capability_name(13), "CAP_NET_RAW");
}

TEST(Capabilities, AnUnknownNameIsNamed) {
  try {
    parse_capability("NET_RAWR");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kInvalidArgument);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("'NET_RAWR'"));
  }
  EXPECT_THROW(capability_set({"bogus"}, {}), Error);
}

TEST(Capabilities, DefaultIsPodmansSet) {
  EXPECT_EQ(capability_set({}, {}), 0x800405fbULL);
  EXPECT_EQ(describe_capabilities(kDefaultCapabilities),
            "CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,CAP_KILL,CAP_SETGID,CAP_SETUID,"
            "CAP_SETPCAP,CAP_NET_BIND_SERVICE,CAP_SYS_CHROOT,CAP_SETFCAP");
}

TEST(Capabilities, AddAndDrop) {
  EXPECT_EQ(capability_set({"NET_RAW"}, {}), 0x800405fbULL | (1ULL << 13));
  EXPECT_EQ(capability_set({}, {"CHOWN", "cap_kill"}), 0x800405fbULL & ~1ULL & ~(1ULL << 5));
  EXPECT_EQ(capability_set({}, {"ALL"}), 0u);
  // Docker's and podman's idiom: drop everything, add back what is needed.
  EXPECT_EQ(capability_set({"NET_RAW"}, {"all"}), 1ULL << 13);
  EXPECT_EQ(capability_set({"ALL"}, {}), (1ULL << 41) - 1);
  EXPECT_EQ(capability_set({"ALL"}, {"NET_RAW"}), ((1ULL << 41) - 1) & ~(1ULL << 13));
  EXPECT_THROW(capability_set({"ALL"}, {"all"}), Error);
}

}  // namespace
}  // namespace dabba::runner
