// Store metadata at scale: 10,000 images (each its own manifest and config blob, sharing a few
// layers) -- name and id lookups, listing, and gc with nothing and with everything to free.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>

#include "common/fs.h"
#include "store/store.h"

namespace dabba {
namespace {

constexpr int kImages = 10000;

class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string d) : d_(std::move(d)) {}
  size_t read(void* buf, size_t n) override {
    n = std::min(n, d_.size() - pos_);
    std::memcpy(buf, d_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string d_;
  size_t pos_ = 0;
};

// A tiny valid tar holding one file (512-byte header + 512 data + 1024 end blocks).
std::string tiny_tar(const std::string& name) {
  std::string h(512, '\0');
  std::memcpy(h.data(), name.data(), std::min<size_t>(name.size(), 99));
  std::memcpy(h.data() + 100, "0000644", 7);
  std::memcpy(h.data() + 108, "0000000", 7);
  std::memcpy(h.data() + 116, "0000000", 7);
  std::memcpy(h.data() + 124, "00000000002", 11);
  std::memcpy(h.data() + 136, "14000000000", 11);
  h[156] = '0';
  std::memcpy(h.data() + 257, "ustar\00000", 8);
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  char chk[8];
  std::snprintf(chk, sizeof chk, "%06o", sum);
  std::memcpy(h.data() + 148, chk, 7);
  std::string data(512, '\0');
  data[0] = 'h';
  data[1] = 'i';
  return h + data + std::string(1024, '\0');
}

struct Fixture {
  std::unique_ptr<TempDir> dir;
  std::unique_ptr<Store> store;
  std::vector<std::string> names;
  std::vector<ImageRecord> images;
  double setup_seconds = 0;
};

Fixture& fixture() {
  static Fixture f = [] {
    Fixture f;
    f.dir = std::make_unique<TempDir>("/var/tmp", "dabba-meta-bench-");
    StoreOptions o;
    o.sync = false;  // the setup writes 20,000 blobs; the benchmarks below only read or gc
    f.store = std::make_unique<Store>(Store::open(f.dir->path() + "/store", o));
    Store& s = *f.store;
    Lease lease = s.lease();
    std::vector<ImageLayer> layers;
    for (int i = 0; i < 8; ++i) {
      std::string tar = tiny_tar("layer" + std::to_string(i));
      LayerIngest in =
          s.begin_layer({Digest::of(tar), int64_t(tar.size()), Digest::of(tar)}, lease);
      StringSource src(tar);
      in.run(src);
      layers.push_back(
          {Digest::of(tar), Digest::of(tar), tar.size(), "application/vnd.oci.image.layer.v1.tar"});
    }
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kImages; ++i) {
      std::string n = std::to_string(i);
      std::string config = "{\"image\":" + n + "}";
      std::string manifest = "{\"config\":\"" + Digest::of(config).str() + "\",\"n\":" + n + "}";
      s.put_blob(Digest::of(config), config, lease);
      s.put_blob(Digest::of(manifest), manifest, lease);
      ImageRecord img;
      img.manifest = Digest::of(manifest);
      img.config = Digest::of(config);
      img.media_type = "application/vnd.oci.image.manifest.v1+json";
      img.layers = {layers[i % 8], layers[(i + 3) % 8]};
      img.created = 1700000000 + i;
      img.platform = "linux/amd64";
      std::string name = "registry.example/team/app" + std::to_string(i % 100) + ":v" + n;
      f.images.push_back(s.add_image(img, {name}));
      f.names.push_back(name);
    }
    f.setup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return f;
  }();
  return f;
}

void BM_AddImage(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
  }
  state.counters["s_per_10k_images"] = f.setup_seconds;
  state.counters["us_per_image"] = f.setup_seconds * 1e6 / kImages;
}
BENCHMARK(BM_AddImage)->Iterations(1);

void BM_ResolveName(benchmark::State& state) {
  Fixture& f = fixture();
  std::mt19937 rng(1);
  for (auto _ : state) {
    const std::string& name = f.names[rng() % f.names.size()];
    benchmark::DoNotOptimize(f.store->resolve_image(name));
  }
}
BENCHMARK(BM_ResolveName);

void BM_ResolveShortId(benchmark::State& state) {
  Fixture& f = fixture();
  std::mt19937 rng(2);
  for (auto _ : state) {
    const ImageRecord& img = f.images[rng() % f.images.size()];
    benchmark::DoNotOptimize(f.store->resolve_image(img.short_id()));
  }
}
BENCHMARK(BM_ResolveShortId);

void BM_LayerLookup(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) benchmark::DoNotOptimize(f.store->layer(f.images[0].layers[0].diff_id));
}
BENCHMARK(BM_LayerLookup);

void BM_ListImages(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) benchmark::DoNotOptimize(f.store->list_images());
}
BENCHMARK(BM_ListImages)->Unit(benchmark::kMillisecond);

void BM_GcNothingToFree(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) benchmark::DoNotOptimize(f.store->gc());
}
BENCHMARK(BM_GcNothingToFree)->Unit(benchmark::kMillisecond);

void BM_CheckWithoutRehash(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) benchmark::DoNotOptimize(f.store->check({.verify_blobs = false}));
}
BENCHMARK(BM_CheckWithoutRehash)->Unit(benchmark::kMillisecond)->Iterations(3);

// Last (it empties the store): drop every name, then one gc frees 10,000 images.
void BM_GcFreeingEverything(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    state.PauseTiming();
    for (const auto& n : f.names) f.store->remove_name(n, false);
    state.ResumeTiming();
    GcReport r = f.store->gc();
    state.counters["blobs_freed"] = static_cast<double>(r.blobs);
    state.counters["layers_freed"] = static_cast<double>(r.layers);
  }
}
BENCHMARK(BM_GcFreeingEverything)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace dabba
