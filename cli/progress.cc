#include "cli/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "common/fs.h"
#include "common/human.h"

namespace dabba::cli {
namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(100);
constexpr size_t kBarWidth = 24;

struct TerminalSize {
  size_t rows = 24;
  size_t cols = 80;
};

TerminalSize terminal_size(int fd) {
  TerminalSize out;
  struct winsize ws {};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0) {
    if (ws.ws_col > 20) out.cols = ws.ws_col;
    if (ws.ws_row > 4) out.rows = ws.ws_row;
  }
  return out;
}

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string rate_text(uint64_t bytes, double secs) {
  if (secs <= 0.05) return "";
  return human_size(static_cast<uint64_t>(static_cast<double>(bytes) / secs)) + "/s";
}

std::string bar(uint64_t held, int64_t total) {
  std::string out = "[";
  size_t fill = 0;
  if (total > 0)
    fill = static_cast<size_t>(static_cast<double>(held) / static_cast<double>(total) * kBarWidth);
  fill = std::min(fill, kBarWidth);
  out += std::string(fill, '=');
  if (fill < kBarWidth) out += '>' + std::string(kBarWidth - fill - 1, ' ');
  return out + "]";
}

}  // namespace

ProgressDisplay::Mode ProgressDisplay::mode_for(int fd) {
  const char* term = std::getenv("TERM");
  if (::isatty(fd) && !(term != nullptr && std::strcmp(term, "dumb") == 0)) return Mode::kTerminal;
  return Mode::kPlain;
}

ProgressDisplay::ProgressDisplay(Mode mode, int fd, std::string action)
    : mode_(mode), fd_(fd), action_(std::move(action)) {}

void ProgressDisplay::write_out(const std::string& text) {
  try {
    write_all(fd_, text);
  } catch (...) {
    // Progress is best effort: a closed stderr must not fail the pull.
  }
}

void ProgressDisplay::note(const std::string& text) {
  std::lock_guard lock(mu_);
  if (mode_ == Mode::kQuiet) return;
  if (mode_ == Mode::kTerminal && drawn_ > 0) {
    // Above the layer lines: clear them, print, draw them again below.
    std::string out = "\x1b[" + std::to_string(drawn_) + "A\r\x1b[J" + text + "\n";
    drawn_ = 0;
    write_out(out);
    redraw(true);
    return;
  }
  write_out(text + "\n");
}

void ProgressDisplay::plain(const std::string& text) {
  if (mode_ == Mode::kPlain) write_out(text + "\n");
}

std::string ProgressDisplay::render(const Line& l, size_t width) const {
  std::string out = l.layer.blob.short_hex() + "  ";
  const std::string total = l.layer.size >= 0 ? human_size(l.layer.size) : "?";
  switch (l.state) {
    case State::kWaiting:
      out += "waiting";
      break;
    case State::kExists:
      out += "already exists";
      break;
    case State::kDownloading:
    case State::kUnpacking: {
      std::string verb = l.state == State::kDownloading ? action_ : "unpacking";
      out += verb + std::string(verb.size() < 12 ? 12 - verb.size() : 1, ' ');
      out += bar(l.held, l.layer.size) + " " + human_size(l.held) + " / " + total;
      std::string rate = rate_text(l.held - l.resumed, seconds(Clock::now() - l.started));
      if (!rate.empty()) out += "  " + rate;
      break;
    }
    case State::kDone: {
      out += "done " + total;
      double secs = seconds(l.ended - l.started);
      char buf[32];
      std::snprintf(buf, sizeof buf, " in %.1fs", secs);
      out += buf;
      if (l.resumed > 0) out += " (resumed at " + human_size(l.resumed) + ")";
      break;
    }
    case State::kFailed:
      out += "failed: " + l.error;
      break;
  }
  if (out.size() > width - 1) out.resize(width - 1);
  return out;
}

void ProgressDisplay::redraw(bool force) {
  if (mode_ != Mode::kTerminal || lines_.empty()) return;
  auto now = Clock::now();
  if (!force && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  TerminalSize term = terminal_size(fd_);
  // Back to the first layer line, clear to the end of the screen, draw again. When the lines
  // would not fit the screen (cursor-up stops at its top), only the busy ones and a count.
  std::string out = drawn_ > 0 ? "\x1b[" + std::to_string(drawn_) + "A\r\x1b[J" : "\r\x1b[J";
  size_t drawn = 0;
  if (lines_.size() < term.rows - 1) {
    for (const Line& l : lines_) out += render(l, term.cols) + "\n";
    drawn = lines_.size();
  } else {
    size_t finished = 0;
    for (const Line& l : lines_) {
      if (l.state == State::kDone || l.state == State::kExists) {
        ++finished;
      } else if (l.state != State::kWaiting && drawn + 2 < term.rows) {
        out += render(l, term.cols) + "\n";
        ++drawn;
      }
    }
    out += std::to_string(finished) + " of " + std::to_string(lines_.size()) + " layers done\n";
    ++drawn;
  }
  drawn_ = drawn;
  write_out(out);
}

void ProgressDisplay::finish() {
  std::lock_guard lock(mu_);
  redraw(true);
}

void ProgressDisplay::resolved(const std::string& reference, const Digest& digest, bool cached) {
  if (mode_ == Mode::kQuiet) return;
  note(cached ? reference + ": image is up to date (" + digest.str() + ")"
              : "Pulling " + reference + " (" + digest.str() + ")");
}

void ProgressDisplay::layers(const std::vector<PullLayer>& layers) {
  std::lock_guard lock(mu_);
  lines_.clear();
  for (const PullLayer& l : layers) lines_.push_back({l});
  redraw(true);
}

void ProgressDisplay::layer_reused(size_t i) {
  std::lock_guard lock(mu_);
  if (i >= lines_.size()) return;
  lines_[i].state = State::kExists;
  plain("Layer " + lines_[i].layer.blob.str() + ": already exists");
  redraw(true);
}

void ProgressDisplay::layer_started(size_t i, uint64_t resumed) {
  std::lock_guard lock(mu_);
  if (i >= lines_.size()) return;
  Line& l = lines_[i];
  l.state = State::kDownloading;
  l.held = l.resumed = resumed;
  l.started = Clock::now();
  std::string size = l.layer.size >= 0 ? human_size(l.layer.size) : "unknown size";
  plain("Layer " + l.layer.blob.str() + ": " + action_ + " (" + size +
        (resumed > 0 ? ", resuming at " + human_size(resumed) : "") + ")");
  redraw(true);
}

void ProgressDisplay::layer_bytes(size_t i, uint64_t held) {
  std::lock_guard lock(mu_);
  if (i >= lines_.size()) return;
  lines_[i].held = held;
  redraw(false);
}

void ProgressDisplay::layer_downloaded(size_t i) {
  std::lock_guard lock(mu_);
  if (i >= lines_.size()) return;
  if (lines_[i].state == State::kDownloading) lines_[i].state = State::kUnpacking;
  redraw(false);
}

void ProgressDisplay::layer_done(size_t i, const LayerResult& result) {
  std::lock_guard lock(mu_);
  if (i >= lines_.size()) return;
  Line& l = lines_[i];
  if (l.state == State::kWaiting) l.started = Clock::now();  // unpacked from a stored blob
  l.state = State::kDone;
  l.ended = Clock::now();
  l.held = result.blob_size;
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.1f", seconds(l.ended - l.started));
  plain("Layer " + l.layer.blob.str() + ": done (" + human_size(result.blob_size) + " in " + secs +
        " s, " + human_size(result.tar_size) + " unpacked" +
        (l.resumed > 0 ? ", resumed at " + human_size(l.resumed) : "") + ")");
  redraw(true);
}

void ProgressDisplay::layer_failed(size_t i, const std::string& why) {
  std::lock_guard lock(mu_);
  if (i >= lines_.size()) return;
  lines_[i].state = State::kFailed;
  lines_[i].error = why;
  plain("Layer " + lines_[i].layer.blob.str() + ": failed");
  redraw(true);
}

}  // namespace dabba::cli
