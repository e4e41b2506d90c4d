#include "oci/manifest.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "tests/support/error_of.h"

namespace dabba {
namespace {

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');
const std::string kC = "sha256:" + std::string(64, 'c');

std::string oci_manifest(
    const std::string& layer_type, const std::string& extra_layer_fields = "",
    const std::string& config_type = "application/vnd.oci.image.config.v1+json") {
  return R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": ")" +
         config_type + R"(", "digest": ")" + kA + R"(", "size": 7},
    "layers": [{"mediaType": ")" +
         layer_type + R"(", "digest": ")" + kB + R"(", "size": 100)" + extra_layer_fields + R"(}],
    "annotations": {"org.opencontainers.image.title": "t"}})";
}

using testing_support::error_of;

TEST(Manifest, OciImage) {
  std::string text = oci_manifest("application/vnd.oci.image.layer.v1.tar+gzip");
  EXPECT_EQ(manifest_kind(text), ManifestKind::kImage);
  ImageManifest m = parse_image_manifest(text);
  EXPECT_EQ(m.media_type, media_type::kOciManifest);
  EXPECT_EQ(m.config.digest.str(), kA);
  EXPECT_EQ(m.config.size, 7);
  ASSERT_EQ(m.layers.size(), 1u);
  EXPECT_EQ(m.layers[0].blob.digest.str(), kB);
  EXPECT_EQ(m.layers[0].blob.size, 100);
  EXPECT_EQ(m.layers[0].compression, Compression::kGzip);
  EXPECT_EQ(m.annotations.at("org.opencontainers.image.title"), "t");
}

TEST(Manifest, LayerCompressions) {
  EXPECT_EQ(layer_compression("application/vnd.oci.image.layer.v1.tar"), Compression::kNone);
  EXPECT_EQ(layer_compression("application/vnd.oci.image.layer.v1.tar+gzip"), Compression::kGzip);
  EXPECT_EQ(layer_compression("application/vnd.oci.image.layer.v1.tar+zstd"), Compression::kZstd);
  EXPECT_EQ(layer_compression("application/vnd.docker.image.rootfs.diff.tar.gzip"),
            Compression::kGzip);
  EXPECT_EQ(parse_image_manifest(oci_manifest("application/vnd.oci.image.layer.v1.tar+zstd"))
                .layers[0]
                .compression,
            Compression::kZstd);
  EXPECT_STREQ(compression_name(Compression::kZstd), "zstd");
}

TEST(Manifest, DockerSchema2) {
  std::string text = R"({"schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": ")" +
                     kA + R"(", "size": 1469},
    "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "digest": ")" +
                     kB + R"(", "size": 2}, {"mediaType":
                "application/vnd.docker.image.rootfs.diff.tar.gzip", "digest": ")" +
                     kC + R"(", "size": 3}]})";
  ImageManifest m = parse_image_manifest(text);
  EXPECT_EQ(m.media_type, media_type::kDockerManifest);
  ASSERT_EQ(m.layers.size(), 2u);
  EXPECT_EQ(m.layers[1].blob.digest.str(), kC);
}

TEST(Manifest, MediaTypeFromContentTypeOrShape) {
  std::string text = oci_manifest("application/vnd.oci.image.layer.v1.tar");
  text.replace(text.find("\"mediaType\": \"application/vnd.oci.image.manifest.v1+json\","),
               std::string("\"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",").size(),
               "");
  EXPECT_EQ(manifest_media_type(text), media_type::kOciManifest);  // by shape
  EXPECT_EQ(manifest_media_type(text, "application/vnd.docker.distribution.manifest.v2+json; x=y"),
            media_type::kDockerManifest);
  EXPECT_EQ(manifest_media_type(R"({"schemaVersion": 2, "manifests": []})"), media_type::kOciIndex);
}

TEST(Manifest, Schema1IsRefusedClearly) {
  std::string v1 = R"({"schemaVersion": 1, "name": "x", "tag": "y", "fsLayers": []})";
  Error e = error_of([&] { manifest_kind(v1); });
  EXPECT_EQ(e.code(), Errc::kUnsupported);
  EXPECT_NE(std::string(e.what()).find("schema 1"), std::string::npos);
  EXPECT_FALSE(e.hint().empty());
  EXPECT_EQ(error_of([&] {
              manifest_kind(R"({"schemaVersion": 1})",
                            "application/vnd.docker.distribution.manifest.v1+prettyjws");
            }).code(),
            Errc::kUnsupported);
  EXPECT_EQ(error_of([&] { parse_image_manifest(v1); }).code(), Errc::kUnsupported);
}

TEST(Manifest, ForeignLayersAreRefusedClearly) {
  for (std::string type : {"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                           "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"}) {
    Error e = error_of([&] {
      parse_image_manifest(oci_manifest(type, R"(, "urls": ["https://go.microsoft.com/x"])"));
    });
    EXPECT_EQ(e.code(), Errc::kUnsupported);
    std::string what = e.what();
    EXPECT_NE(what.find("non-distributable"), std::string::npos) << what;
    EXPECT_NE(what.find(kB), std::string::npos) << what;  // names the layer
  }
  Error urls = error_of([&] {
    parse_image_manifest(oci_manifest("application/vnd.oci.image.layer.v1.tar+gzip",
                                      R"(, "urls": ["https://x/y"])"));
  });
  EXPECT_NE(std::string(urls.what()).find("external URLs"), std::string::npos);
  Error unknown = error_of([&] { parse_image_manifest(oci_manifest("application/x-tar-lz4")); });
  EXPECT_EQ(unknown.code(), Errc::kUnsupported);
  EXPECT_NE(std::string(unknown.what()).find("application/x-tar-lz4"), std::string::npos);
}

TEST(Manifest, ArtifactsAreNotImages) {
  Error e = error_of([&] {
    parse_image_manifest(oci_manifest("application/vnd.oci.image.layer.v1.tar", "",
                                      "application/vnd.cncf.helm.config.v1+json"));
  });
  EXPECT_EQ(e.code(), Errc::kUnsupported);
  EXPECT_NE(std::string(e.what()).find("not a container image"), std::string::npos);
}

TEST(Manifest, MalformedManifests) {
  EXPECT_EQ(error_of([] { manifest_kind("not json"); }).code(), Errc::kCorrupt);
  EXPECT_EQ(error_of([] { manifest_kind("[1]"); }).code(), Errc::kCorrupt);
  EXPECT_EQ(error_of([] { manifest_kind("{}"); }).code(), Errc::kUnsupported);
  std::string bad_digest = oci_manifest("application/vnd.oci.image.layer.v1.tar");
  bad_digest.replace(bad_digest.find(kB), kB.size(), "sha256:xyz");
  EXPECT_EQ(error_of([&] { parse_image_manifest(bad_digest); }).code(), Errc::kCorrupt);
  std::string sha512 = oci_manifest("application/vnd.oci.image.layer.v1.tar");
  sha512.replace(sha512.find(kB), kB.size(), "sha512:" + std::string(128, 'a'));
  EXPECT_EQ(error_of([&] { parse_image_manifest(sha512); }).code(), Errc::kUnsupported);
  std::string negative = oci_manifest("application/vnd.oci.image.layer.v1.tar");
  negative.replace(negative.find("\"size\": 100"), 11, "\"size\": -1");
  EXPECT_EQ(error_of([&] { parse_image_manifest(negative); }).code(), Errc::kCorrupt);
}

std::string index_json() {
  auto entry = [](const std::string& digest, const std::string& platform) {
    return R"({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": ")" + digest +
           R"(", "size": 500, "platform": )" + platform + "}";
  };
  return R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [)" +
         entry("sha256:" + std::string(64, '1'), R"({"os": "linux", "architecture": "amd64"})") +
         "," +
         entry("sha256:" + std::string(64, '2'),
               R"({"os": "linux", "architecture": "arm64", "variant": "v8"})") +
         "," +
         entry("sha256:" + std::string(64, '3'),
               R"({"os": "linux", "architecture": "arm", "variant": "v6"})") +
         "," +
         entry("sha256:" + std::string(64, '4'),
               R"({"os": "linux", "architecture": "arm", "variant": "v7"})") +
         "," +
         entry("sha256:" + std::string(64, '5'),
               R"({"os": "unknown", "architecture": "unknown"})") +
         "]}";
}

TEST(ImageIndex, ParsesAndSelectsPlatforms) {
  ImageIndex index = parse_image_index(index_json());
  EXPECT_EQ(index.media_type, media_type::kOciIndex);
  ASSERT_EQ(index.manifests.size(), 5u);
  auto pick = [&](const std::string& p) {
    return select_manifest(index, Platform::parse(p)).digest.hex().substr(0, 1);
  };
  EXPECT_EQ(pick("linux/amd64"), "1");
  EXPECT_EQ(pick("linux/arm64"), "2");
  EXPECT_EQ(pick("linux/arm64/v8"), "2");
  EXPECT_EQ(pick("linux/arm/v7"), "4");  // exact before the older v6 listed first
  EXPECT_EQ(pick("linux/arm"), "4");
  EXPECT_EQ(pick("linux/arm/v6"), "3");
  EXPECT_EQ(pick("linux/arm/v8"), "4");  // the closest older variant
  EXPECT_EQ(pick("linux/x86_64"), "1");
}

TEST(ImageIndex, NoMatchListsWhatThereIs) {
  ImageIndex index = parse_image_index(index_json());
  Error e = error_of([&] { select_manifest(index, Platform::parse("linux/s390x")); });
  EXPECT_EQ(e.code(), Errc::kNotFound);
  std::string what = e.what();
  EXPECT_NE(what.find("linux/s390x"), std::string::npos);
  EXPECT_NE(what.find("linux/amd64, linux/arm64/v8, linux/arm/v6, linux/arm/v7"), std::string::npos)
      << what;
  EXPECT_EQ(what.find("unknown"), std::string::npos) << what;  // attestations are not platforms
  EXPECT_NE(e.hint().find("--platform"), std::string::npos);
  Error v5 = error_of([&] { select_manifest(index, Platform::parse("linux/arm/v5")); });
  EXPECT_EQ(v5.code(), Errc::kNotFound);
}

TEST(ImageIndex, DockerManifestList) {
  std::string text = R"({"schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
    "manifests": [{"mediaType": "application/vnd.docker.distribution.manifest.v2+json",
      "digest": ")" + kA +
                     R"(", "size": 1, "platform": {"architecture": "amd64", "os": "linux"}}]})";
  EXPECT_EQ(manifest_kind(text), ManifestKind::kIndex);
  ImageIndex index = parse_image_index(text);
  EXPECT_EQ(index.media_type, media_type::kDockerManifestList);
  EXPECT_EQ(select_manifest(index, Platform::parse("linux/amd64")).digest.str(), kA);
  EXPECT_EQ(error_of([&] {
              parse_image_index(oci_manifest("application/vnd.oci.image.layer.v1.tar"));
            }).code(),
            Errc::kUnsupported);
}

TEST(Manifest, ANumberOutOfRangeIsInvalidJsonNotACrash) {
  // nlohmann throws out_of_range for 1e999, not parse_error (found by tests/fuzz).
  for (const char* bytes : {R"({"schemaVersion": 1e999})", R"({"manifests": [], "x": -1e999})"}) {
    EXPECT_THROW(parse_image_manifest(bytes), Error) << bytes;
    EXPECT_THROW(parse_image_index(bytes), Error) << bytes;
  }
}

}  // namespace
}  // namespace dabba
