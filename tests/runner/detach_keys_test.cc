#include "runner/detach_keys.h"

#include <gtest/gtest.h>

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

TEST(DetachKeys, CompletedSequenceDetachesAndIsNotPassedOn) {
  DetachKeyMatcher m(parse_detach_keys("ctrl-p,ctrl-q"));
  bool detached = false;
  EXPECT_EQ(m.feed("ls\r", detached), "ls\r");
  EXPECT_FALSE(detached);
  EXPECT_EQ(m.feed("x\x10\x11tail", detached), "x");
  EXPECT_TRUE(detached);
}

TEST(DetachKeys, SequenceAcrossReads) {
  DetachKeyMatcher m(parse_detach_keys("ctrl-p,ctrl-q"));
  bool detached = false;
  EXPECT_EQ(m.feed("\x10", detached), "");
  EXPECT_FALSE(detached);
  EXPECT_EQ(m.feed("\x11", detached), "");
  EXPECT_TRUE(detached);
}

TEST(DetachKeys, BrokenSequencePassesTheHeldKeysOn) {
  DetachKeyMatcher m(parse_detach_keys("ctrl-p,ctrl-q"));
  bool detached = false;
  EXPECT_EQ(m.feed("\x10", detached), "");
  EXPECT_EQ(m.feed("a", detached),
            "\x10"
            "a");
  EXPECT_FALSE(detached);
  // ctrl-p ctrl-p ctrl-q: the first is passed on, the last two detach.
  EXPECT_EQ(m.feed("\x10\x10\x11", detached), "\x10");
  EXPECT_TRUE(detached);
}

TEST(DetachKeys, EmptyKeysNeverDetach) {
  DetachKeyMatcher m("");
  bool detached = true;
  EXPECT_EQ(m.feed("\x10\x11", detached), "\x10\x11");
  EXPECT_FALSE(detached);
}

}  // namespace
}  // namespace dabba::runner
