// Layer unpack throughput: the store's one-pass ingest of a real ~200 MB gzip layer (a debootstrap
// minbase, see benchmarks/unpack_vs_tar.sh), with the pipeline thread on and off, syncfs on and
// off, ISA-L and zlib.
//
//   DABBA_BENCH_LAYER=/var/tmp/dabba-bench/layer.tar.gz DABBA_BENCH_OUT=/mnt/fresh
//     build/benchmarks/unpack_bench
//   (the side-by-side with tar, on a fresh filesystem: benchmarks/unpack_vs_tar.sh)
//   build/benchmarks/unpack_bench --unpack LAYER ROOT [--digest D] [--no-sync] [--one-thread]
//   [--zlib]
//     one ingest into a fresh store at ROOT (for hyperfine, side by side with tar)
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "common/fs.h"
#include "store/store.h"

namespace dabba {
namespace {

class FileSource final : public ByteSource {
 public:
  explicit FileSource(const std::string& path) : fd_(open_file(path, O_RDONLY)) {}
  size_t read(void* buf, size_t size) override {
    return static_cast<size_t>(DABBA_SYSCALL(::read(fd_.get(), buf, size)));
  }

 private:
  UniqueFd fd_;
};

std::string layer_path() {
  const char* p = std::getenv("DABBA_BENCH_LAYER");
  return p != nullptr ? p : "/var/tmp/dabba-bench/layer.tar.gz";
}

LayerResult unpack_once(const std::string& layer, const std::string& root, const StoreOptions& o,
                        const std::string& digest = {}) {
  Store store = Store::open(root, o);
  Lease lease = store.lease();
  struct stat st;
  DABBA_SYSCALL(::stat(layer.c_str(), &st), layer);
  // The digest is not known up front: hash the file first (not timed by the benchmark loop,
  // cached here across iterations).
  static std::string cached_path;
  static Digest cached;
  if (!digest.empty()) {
    cached = Digest::parse(digest);
    cached_path = layer;
  }
  if (cached_path != layer) {
    Sha256 h;
    FileSource f(layer);
    std::vector<char> buf(1 << 20);
    while (size_t n = f.read(buf.data(), buf.size())) h.update(buf.data(), n);
    cached = h.finish();
    cached_path = layer;
  }
  LayerIngest in = store.begin_layer({cached, st.st_size, {}}, lease);
  FileSource src(layer);
  return in.run(src);
}

void BM_UnpackLayer(benchmark::State& state, bool pipeline, bool sync, GzipEngine gzip) {
  std::string layer = layer_path();
  if (!path_exists(layer)) {
    state.SkipWithError(("no layer at " + layer + ": run benchmarks/unpack_vs_tar.sh").c_str());
    return;
  }
  StoreOptions o;
  o.pipeline_thread = pipeline;
  o.sync = sync;
  o.gzip = gzip;
  uint64_t tar_bytes = 0;
  // Nothing is deleted before the process exits: ext4 avoids reusing inodes freed in the last
  // minutes (recently_deleted()), which would slow down whatever runs right after an rm -rf.
  static std::vector<std::unique_ptr<TempDir>> keep;
  const char* dir = std::getenv("DABBA_BENCH_OUT");  // e.g. a fresh filesystem's mount point
  keep.push_back(
      std::make_unique<TempDir>(dir != nullptr ? dir : "/var/tmp", "dabba-unpack-bench-"));
  int n = 0;
  for (auto _ : state) {
    LayerResult r = unpack_once(layer, keep.back()->path() + "/" + std::to_string(n++), o);
    tar_bytes = r.tar_size;
  }
  state.SetBytesProcessed(static_cast<int64_t>(tar_bytes * state.iterations()));
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  state.counters["maxrss_MiB"] = static_cast<double>(ru.ru_maxrss) / 1024.0;
}

// Every case: three runs (each unpacks the whole layer), wall time in milliseconds.
void three_timed_runs(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
}

BENCHMARK_CAPTURE(BM_UnpackLayer, isal_pipeline_nosync, true, false, GzipEngine::kAuto)
    ->Apply(three_timed_runs);
BENCHMARK_CAPTURE(BM_UnpackLayer, isal_pipeline_sync, true, true, GzipEngine::kAuto)
    ->Apply(three_timed_runs);
BENCHMARK_CAPTURE(BM_UnpackLayer, isal_onethread_nosync, false, false, GzipEngine::kAuto)
    ->Apply(three_timed_runs);
BENCHMARK_CAPTURE(BM_UnpackLayer, zlib_pipeline_nosync, true, false, GzipEngine::kZlib)
    ->Apply(three_timed_runs);

}  // namespace
}  // namespace dabba

int main(int argc, char** argv) {
  if (argc >= 4 && std::strcmp(argv[1], "--unpack") == 0) {
    dabba::StoreOptions o;
    std::string digest;
    for (int i = 4; i < argc; ++i) {
      if (std::strcmp(argv[i], "--digest") == 0 && i + 1 < argc) digest = argv[++i];
      if (std::strcmp(argv[i], "--no-sync") == 0) o.sync = false;
      if (std::strcmp(argv[i], "--one-thread") == 0) o.pipeline_thread = false;
      if (std::strcmp(argv[i], "--zlib") == 0) o.gzip = dabba::GzipEngine::kZlib;
    }
    try {
      // LAYER may be a comma-separated list: those layers are ingested in parallel threads (the
      // way a pull does), for the peak RSS with several layers in flight.
      std::vector<std::string> layers;
      std::string list = argv[2];
      for (size_t at = 0; at <= list.size();) {
        size_t comma = list.find(',', at);
        if (comma == std::string::npos) comma = list.size();
        layers.push_back(list.substr(at, comma - at));
        at = comma + 1;
      }
      if (layers.size() == 1) {
        dabba::LayerResult r = dabba::unpack_once(layers[0], argv[3], o, digest);
        std::fprintf(stderr, "diff_id %s, %llu tar bytes", r.diff_id.str().c_str(),
                     static_cast<unsigned long long>(r.tar_size));
      } else {
        dabba::Store store = dabba::Store::open(argv[3], o);
        dabba::Lease lease = store.lease();
        std::vector<std::thread> threads;
        std::atomic<int> failed{0};
        for (const auto& layer : layers)
          threads.emplace_back([&, layer] {
            try {
              dabba::Sha256 h;
              {
                dabba::FileSource f(layer);
                std::vector<char> buf(1 << 20);
                while (size_t n = f.read(buf.data(), buf.size())) h.update(buf.data(), n);
              }
              struct stat st;
              ::stat(layer.c_str(), &st);
              dabba::LayerIngest in = store.begin_layer({h.finish(), st.st_size, {}}, lease);
              dabba::FileSource src(layer);
              in.run(src);
            } catch (const std::exception& e) {
              std::fprintf(stderr, "%s: %s\n", layer.c_str(), e.what());
              ++failed;
            }
          });
        for (auto& t : threads) t.join();
        if (failed > 0) return 1;
        std::fprintf(stderr, "%zu layers in parallel", layers.size());
      }
      struct rusage ru;
      ::getrusage(RUSAGE_SELF, &ru);
      std::fprintf(stderr, ", max RSS %ld KiB\n", ru.ru_maxrss);
      return 0;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "unpack_bench: %s\n", e.what());
      return 1;
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
