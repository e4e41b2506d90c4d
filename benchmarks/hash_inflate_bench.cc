// The CPU stages of a layer ingest in isolation: SHA-256 (OpenSSL EVP; compare with
// `openssl dgst -sha256`, see docs/benchmarks.md) and gzip inflate with ISA-L vs zlib, plus zstd,
// on the benchmark layer (DABBA_BENCH_LAYER, default /var/tmp/dabba-bench/layer.tar.gz) held in
// memory.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "common/fs.h"
#include "store/unpack/decompress.h"
#include "oci/digest.h"

namespace dabba {
namespace {

void BM_Sha256(benchmark::State& state) {
  std::vector<char> buf(static_cast<size_t>(state.range(0)), 'x');
  Sha256 h;
  for (auto _ : state) h.update(buf.data(), buf.size());
  benchmark::DoNotOptimize(h.finish());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(16 << 10)->Arg(256 << 10)->Arg(1 << 20);

const std::string* compressed_layer(const char* suffix) {
  static std::map<std::string, std::string> cache;
  const char* env = std::getenv("DABBA_BENCH_LAYER");
  std::string path = std::string(env ? env : "/var/tmp/dabba-bench/layer.tar.gz");
  if (std::string(suffix) == ".zst") path = path.substr(0, path.size() - 3) + ".zst";
  auto it = cache.find(path);
  if (it != cache.end()) return &it->second;
  std::string data;
  if (!read_file_if_exists(path, data)) return nullptr;
  return &cache.emplace(path, std::move(data)).first->second;
}

void inflate(benchmark::State& state, Compression c, GzipEngine engine, const char* suffix) {
  const std::string* in = compressed_layer(suffix);
  if (in == nullptr) {
    state.SkipWithError(
        "no benchmark layer: run benchmarks/unpack_vs_tar.sh (zstd: zstd -3 layer.tar)");
    return;
  }
  std::vector<uint8_t> out(256 * 1024);
  uint64_t produced = 0;
  for (auto _ : state) {
    auto dec = make_decompressor(c, engine);
    const auto* p = reinterpret_cast<const uint8_t*>(in->data());
    size_t left = in->size();
    produced = 0;
    for (;;) {
      size_t chunk = std::min<size_t>(left, 128 * 1024);
      auto s = dec->run(p, chunk, out.data(), out.size());
      p += s.consumed;
      left -= s.consumed;
      produced += s.produced;
      if (left == 0 && s.produced == 0) break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(produced * state.iterations()));
  state.counters["compressed_MB"] = static_cast<double>(in->size()) / 1e6;
}

BENCHMARK_CAPTURE(inflate, gzip_isal, Compression::kGzip, GzipEngine::kIsal, ".gz")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(inflate, gzip_zlib, Compression::kGzip, GzipEngine::kZlib, ".gz")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(inflate, zstd, Compression::kZstd, GzipEngine::kAuto, ".zst")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace dabba
