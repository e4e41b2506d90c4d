#include "runner/detach_keys.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "common/error.h"

namespace dabba::runner {
namespace {

TEST(DetachKeys, ParsesPodmansForms) {
  EXPECT_EQ(parse_detach_keys("ctrl-p,ctrl-q"), "\x10\x11");
  EXPECT_EQ(parse_detach_keys(kDefaultDetachKeys), "\x10\x11");
  EXPECT_EQ(parse_detach_keys("a,ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_"),
            std::string("a\0\x1b\x1c\x1d\x1e\x1f", 7));
  EXPECT_EQ(parse_detach_keys(""), "");
}

TEST(DetachKeys, RefusesWhatPodmanRefuses) {
  for (const char* bad : {"bogus", "ctrl-P", "ctrl-1", "ctrl-", "a,,b"}) {
    try {
      parse_detach_keys(bad);
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("invalid detach keys: Unknown character: '"),
                std::string::npos)
          << e.what();
    }
  }
}

// What one read through a matcher gives: the bytes passed on, and whether it detached.
struct Fed {
  std::string passed;
  bool detached = false;
  bool operator==(const Fed&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Fed& f) {
  return os << testing::PrintToString(f.passed) << (f.detached ? " detached" : "");
}
Fed feed(DetachKeyMatcher& m, const std::string& bytes) {
  Fed f;
  f.passed = m.feed(bytes, f.detached);
  return f;
}

TEST(DetachKeys, CompletedSequenceDetachesAndIsNotPassedOn) {
  DetachKeyMatcher m(parse_detach_keys("ctrl-p,ctrl-q"));
  EXPECT_EQ(feed(m, "ls\r"), (Fed{"ls\r", false}));
  EXPECT_EQ(feed(m, "x\x10\x11tail"), (Fed{"x", true}));
}

TEST(DetachKeys, SequenceAcrossReads) {
  DetachKeyMatcher m(parse_detach_keys("ctrl-p,ctrl-q"));
  EXPECT_EQ(feed(m, "\x10"), (Fed{"", false}));
  EXPECT_EQ(feed(m, "\x11"), (Fed{"", true}));
}

TEST(DetachKeys, BrokenSequencePassesTheHeldKeysOn) {
  DetachKeyMatcher m(parse_detach_keys("ctrl-p,ctrl-q"));
  EXPECT_EQ(feed(m, "\x10"), (Fed{"", false}));
  EXPECT_EQ(feed(m, "a"), (Fed{"\x10"
                               "a",
                               false}));
  // ctrl-p ctrl-p ctrl-q: the first is passed on, the last two detach.
  EXPECT_EQ(feed(m, "\x10\x10\x11"), (Fed{"\x10", true}));
}

TEST(DetachKeys, EmptyKeysNeverDetach) {
  DetachKeyMatcher m("");
  bool detached = true;
  EXPECT_EQ(m.feed("\x10\x11", detached), "\x10\x11");
  EXPECT_FALSE(detached);
}

}  // namespace
}  // namespace dabba::runner
