// The pull's progress on stderr. On a terminal: one line per layer (short digest, state, a bar,
// bytes/total, rate), redrawn in place (LiveLines) at most ten times a second. Off a terminal:
// one plain line when a layer starts and one when it ends. Quiet: nothing.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "cli/item_lines.h"
#include "cli/live_lines.h"
#include "pull/pull_progress.h"

namespace dabba::cli {

class ProgressDisplay final : public PullProgress {
 public:
  using Mode = LiveLines::Mode;

  // The plain lines (off a terminal): dabba's ("Layer sha256:..: done (..)"), or podman's
  // "Copying blob sha256:.." as podman's load and archive pulls print them.
  enum class Words { kDabba, kPodmanCopy };
  // action names what happens to a layer's bytes: "downloading" (pull), "reading" (load).
  ProgressDisplay(Mode mode, int fd, std::string action = "downloading",
                  Words words = Words::kDabba);

  // A line of its own (above the layer lines on a terminal).
  void note(const std::string& text);
  // Final redraw of the layer lines.
  void finish();

  void resolved(const std::string& reference, const Digest& digest, bool cached) override;
  void message(const std::string& line) override { note(line); }
  void layers(const std::vector<PullLayer>& layers) override;
  void layer_reused(size_t layer) override;
  void layer_started(size_t layer, uint64_t resumed) override;
  void layer_bytes(size_t layer, uint64_t held) override;
  void layer_downloaded(size_t layer) override;
  void layer_done(size_t layer, const LayerResult& result) override;
  void layer_failed(size_t layer, const std::string& why) override;

 private:
  using Clock = std::chrono::steady_clock;
  enum class State { kWaiting, kDownloading, kUnpacking, kDone, kExists, kFailed };
  struct Line {
    PullLayer layer;
    State state = State::kWaiting;
    uint64_t held = 0;
    uint64_t resumed = 0;
    Clock::time_point started;
    Clock::time_point ended;
    std::string error;
  };

  static ItemPhase phase(const Line& line);
  std::string render(const Line& line) const;

  LiveLines live_;
  const std::string action_;
  const Words words_;
  ItemLines<Line> lines_;
};

}  // namespace dabba::cli
