// What the pull's and the push's progress displays (cli/progress.h, cli/push_display.h) share:
// one line per item (a layer, a blob), changed under a lock as the workers report and redrawn in
// place on a terminal, fitted to the screen (fit_to_screen). Thread-safe.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "cli/live_lines.h"

namespace dabba::cli {

template <class Line>
class ItemLines {
 public:
  // How a display shows its lines: where each is (phase), its text (render), and what the items
  // are called in the count of those done ("layers").
  struct Look {
    std::function<ItemPhase(const Line&)> phase;
    std::function<std::string(const Line&)> render;
    std::string what;
  };

  ItemLines(LiveLines& live, Look look) : live_(live), look_(std::move(look)) {}

  // The items, all new; drawn at once.
  void reset(std::vector<Line> lines) {
    std::lock_guard lock(mu_);
    lines_ = std::move(lines);
    redraw(true);
  }
  // change(line) for item i (nothing for an index out of range), then a redraw: at once when
  // force, else at most ten times a second.
  void change(size_t i, bool force, const std::function<void(Line&)>& change) {
    std::lock_guard lock(mu_);
    if (i >= lines_.size()) return;
    change(lines_[i]);
    redraw(force);
  }
  // A last redraw; with forget, the lines are then dropped (what follows goes below them).
  void finish(bool forget = false) {
    std::lock_guard lock(mu_);
    redraw(true);
    if (forget) lines_.clear();
  }

 private:
  void redraw(bool force) {  // caller holds mu_
    if (live_.mode() != LiveLines::Mode::kTerminal || lines_.empty()) return;
    live_.show(
        fit_to_screen(
            live_.size().second, lines_.size(), [this](size_t i) { return look_.phase(lines_[i]); },
            [this](size_t i) { return look_.render(lines_[i]); }, look_.what),
        force);
  }

  LiveLines& live_;
  const Look look_;
  std::mutex mu_;
  std::vector<Line> lines_;
};

}  // namespace dabba::cli
