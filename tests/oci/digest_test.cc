#include "oci/digest.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace dabba {
namespace {

TEST(Digest, ParsesCanonicalSha256) {
  auto d = Digest::parse("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(d.algorithm(), "sha256");
  EXPECT_EQ(d.short_hex(), "e3b0c44298fc");
  EXPECT_EQ(d, Digest::of(""));
}

TEST(Digest, RefusesAnythingElseWithAClearError) {
  for (const char* bad :
       {"", "sha256:", "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
        "sha256:../../c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}) {
    try {
      Digest::parse(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::kInvalidArgument);
      EXPECT_NE(std::string(e.what()).find("invalid digest"), std::string::npos);
      EXPECT_FALSE(e.hint().empty());
    }
  }
}

TEST(Sha256, StreamingEqualsOneShot) {
  std::string data(1 << 20, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31 + 7);
  Sha256 h;
  for (size_t off = 0; off < data.size(); off += 4097)
    h.update(data.data() + off, std::min<size_t>(4097, data.size() - off));
  EXPECT_EQ(h.bytes(), data.size());
  EXPECT_EQ(h.finish(), Digest::of(data));
  EXPECT_EQ(Digest::of("abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace dabba
