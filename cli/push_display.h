// The push's progress on stderr, in podman's words. On a terminal, one line per blob redrawn in
// place (LiveLines):
//   Copying blob 3de1c431e72c [=========>          ] 12.3 MB / 26.4 MB
//   Copying blob 2d7d163826ae skipped: already exists
//   Copying config c2cd5a2e27f8 done
//   Writing manifest to image destination
// Off a terminal: "Copying blob sha256:..." as each blob starts, and the manifest line. Quiet:
// nothing.
#pragma once

#include <string>
#include <vector>

#include "cli/item_lines.h"
#include "cli/live_lines.h"
#include "push/push_progress.h"

namespace dabba::cli {

class PushDisplay final : public PushProgress {
 public:
  PushDisplay(LiveLines::Mode mode, int fd);

  void note(const std::string& text) { live_.note(text); }
  void finish();

  void blobs(const std::vector<PushBlob>& blobs) override;
  void blob_compressing(size_t blob, uint64_t tar_bytes, uint64_t tar_size) override;
  void blob_started(size_t blob, const Digest& digest, uint64_t size) override;
  void blob_bytes(size_t blob, uint64_t sent) override;
  void blob_done(size_t blob, PushBlobOutcome how) override;
  void blob_failed(size_t blob, const std::string& why) override;
  void writing_manifest() override;

 private:
  enum class State { kWaiting, kCompressing, kSending, kDone, kExists, kMounted, kFailed };
  struct Line {
    PushBlob blob;
    State state = State::kWaiting;
    uint64_t done = 0;   // compressed tar bytes, or sent bytes
    uint64_t total = 0;
  };
  static ItemPhase phase(const Line& l);
  static std::string render(const Line& l);

  LiveLines live_;
  ItemLines<Line> lines_;
};

}  // namespace dabba::cli
