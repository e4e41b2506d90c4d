#include "cli/live_lines.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "common/fs.h"
#include "common/log.h"

namespace dabba::cli {
namespace {
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);
}  // namespace

LiveLines::Mode LiveLines::for_stderr(bool quiet) {
  return quiet ? Mode::kQuiet : mode_for(STDERR_FILENO);
}

LiveLines::Mode LiveLines::mode_for(int fd) {
  const char* term = std::getenv("TERM");
  if (::isatty(fd) && !(term != nullptr && std::strcmp(term, "dumb") == 0)) return Mode::kTerminal;
  return Mode::kPlain;
}

LiveLines::LiveLines(Mode mode, int fd) : mode_(mode), fd_(fd) {
  if (mode_ == Mode::kTerminal) set_log_sink(&LiveLines::log_sink, this);
}

LiveLines::~LiveLines() {
  if (mode_ == Mode::kTerminal) set_log_sink(nullptr, nullptr);
}

std::pair<size_t, size_t> LiveLines::size() const {
  size_t cols = 80, rows = 24;
  struct winsize ws {};
  if (::ioctl(fd_, TIOCGWINSZ, &ws) == 0) {
    if (ws.ws_col > 20) cols = ws.ws_col;
    if (ws.ws_row > 4) rows = ws.ws_row;
  }
  return {cols, rows};
}

void LiveLines::write_out(const std::string& text) {
  try {
    write_all(fd_, text);
  } catch (...) {
    // Progress is best effort: a closed stderr must not fail the work.
  }
}

std::string LiveLines::draw_locked() {
  // Back to the first live line, clear to the end of the screen, draw again.
  std::string out = drawn_ > 0 ? "\x1b[" + std::to_string(drawn_) + "A\r\x1b[J" : "\r\x1b[J";
  // A line as wide as the screen would wrap (two rows for one): keep each one shorter.
  const size_t width = size().first - 1;
  for (const std::string& l : lines_) out += (l.size() > width ? l.substr(0, width) : l) + "\n";
  drawn_ = lines_.size();
  last_draw_ = Clock::now();
  return out;
}

void LiveLines::note(const std::string& text) {
  if (mode_ == Mode::kQuiet) return;
  std::lock_guard lock(mu_);
  if (mode_ == Mode::kTerminal && drawn_ > 0) {
    // Above the live lines: clear them, print, draw them again below.
    std::string out = "\x1b[" + std::to_string(drawn_) + "A\r\x1b[J" + text + "\n";
    drawn_ = 0;
    write_out(out + draw_locked());
    return;
  }
  write_out(text + "\n");
}

void LiveLines::plain(const std::string& text) {
  if (mode_ == Mode::kPlain) write_out(text + "\n");
}

void LiveLines::show(std::vector<std::string> lines, bool force) {
  if (mode_ != Mode::kTerminal) return;
  std::lock_guard lock(mu_);
  lines_ = std::move(lines);
  if (!force && Clock::now() - last_draw_ < kRedrawInterval) return;
  write_out(draw_locked());
}

void LiveLines::release() {
  if (mode_ != Mode::kTerminal) return;
  std::lock_guard lock(mu_);
  write_out(draw_locked());
  lines_.clear();
  drawn_ = 0;
}

void LiveLines::log_sink(void* self, std::string_view line) {
  auto* me = static_cast<LiveLines*>(self);
  std::string text(line);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  me->note(text);
}

std::string progress_bar(uint64_t held, int64_t total, size_t width) {
  std::string out = "[";
  size_t fill = 0;
  if (total > 0)
    fill = static_cast<size_t>(static_cast<double>(held) / static_cast<double>(total) *
                               static_cast<double>(width));
  fill = std::min(fill, width);
  out += std::string(fill, '=');
  if (fill < width) out += '>' + std::string(width - fill - 1, ' ');
  return out + "]";
}

std::vector<std::string> fit_to_screen(size_t rows, size_t count,
                                       const std::function<ItemPhase(size_t)>& phase,
                                       const std::function<std::string(size_t)>& render,
                                       const std::string& what) {
  std::vector<std::string> out;
  if (count < rows - 1) {
    for (size_t i = 0; i < count; ++i) out.push_back(render(i));
    return out;
  }
  size_t finished = 0;
  for (size_t i = 0; i < count; ++i) {
    const ItemPhase p = phase(i);
    if (p == ItemPhase::kOver)
      ++finished;
    else if (p == ItemPhase::kBusy && out.size() + 2 < rows)
      out.push_back(render(i));
  }
  out.push_back(std::to_string(finished) + " of " + std::to_string(count) + " " + what + " done");
  return out;
}

}  // namespace dabba::cli
