// Lines redrawn in place on a terminal (one per layer of a pull or push), with permanent lines
// printed above them. While it is alive on a terminal, dabba's log lines (warnings from any
// thread) are printed above the live lines too: printed straight to stderr, they would push the
// live lines down and the next redraw, moving up only over its own lines, would leave a stale
// copy of the first one on the screen.
//
// Off a terminal nothing is redrawn: plain() lines only. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace dabba::cli {

class LiveLines {
 public:
  enum class Mode { kTerminal, kPlain, kQuiet };
  // kTerminal when fd is a terminal (and TERM is not "dumb"), else kPlain.
  static Mode mode_for(int fd);
  // A verb's progress on stderr: nothing with -q, else as mode_for(stderr).
  static Mode for_stderr(bool quiet);

  LiveLines(Mode mode, int fd);
  ~LiveLines();
  LiveLines(const LiveLines&) = delete;
  LiveLines& operator=(const LiveLines&) = delete;

  Mode mode() const { return mode_; }
  // Columns and rows of the terminal (80x24 when unknown).
  std::pair<size_t, size_t> size() const;

  // A permanent line (above the live lines on a terminal); nothing when quiet.
  void note(const std::string& text);
  // A permanent line only off a terminal (where nothing is redrawn).
  void plain(const std::string& text);
  // The live lines on a terminal, each shorter than the width; redrawn at most ten times a
  // second unless force.
  void show(std::vector<std::string> lines, bool force);
  // Leaves the live lines on the screen as they are now, as permanent lines: what comes next is
  // printed below them.
  void release();

 private:
  using Clock = std::chrono::steady_clock;
  static void log_sink(void* self, std::string_view line);
  void write_out(const std::string& text);
  std::string draw_locked();  // escape codes + the live lines, from the top of the old ones

  const Mode mode_;
  const int fd_;
  std::mutex mu_;
  std::vector<std::string> lines_;
  size_t drawn_ = 0;  // live lines on the screen now
  Clock::time_point last_draw_;
};

// Where an item of a pull or push (a layer, a blob) is, for fit_to_screen.
enum class ItemPhase { kWaiting, kBusy, kOver };

// The live lines of count items on a screen of rows rows: every item's line (render(i)) when they
// all fit; else, as cursor-up stops at the screen's top, only the busy items' lines that fit and
// a count "N of M <what> done".
std::vector<std::string> fit_to_screen(size_t rows, size_t count,
                                       const std::function<ItemPhase(size_t)>& phase,
                                       const std::function<std::string(size_t)>& render,
                                       const std::string& what);

// "[=====>            ]": held of total (unknown total: empty).
std::string progress_bar(uint64_t held, int64_t total, size_t width = 24);

}  // namespace dabba::cli
