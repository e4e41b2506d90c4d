#include "cli/progress.h"

#include <cstdio>

#include "common/fs.h"
#include "common/human.h"

namespace dabba::cli {
namespace {

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string rate_text(uint64_t bytes, double secs) {
  if (secs <= 0.05) return "";
  return human_size(static_cast<uint64_t>(static_cast<double>(bytes) / secs)) + "/s";
}

}  // namespace

ProgressDisplay::ProgressDisplay(Mode mode, int fd, std::string action, Words words)
    : live_(mode, fd),
      action_(std::move(action)),
      words_(words),
      lines_(live_, {phase, [this](const Line& l) { return render(l); }, "layers"}) {}

void ProgressDisplay::note(const std::string& text) { live_.note(text); }

ItemPhase ProgressDisplay::phase(const Line& l) {
  return l.state == State::kDone || l.state == State::kExists ? ItemPhase::kOver
         : l.state == State::kWaiting                         ? ItemPhase::kWaiting
                                                              : ItemPhase::kBusy;
}

std::string ProgressDisplay::render(const Line& l) const {
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
      out += progress_bar(l.held, l.layer.size) + " " + human_size(l.held) + " / " + total;
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
  return out;
}

void ProgressDisplay::finish() { lines_.finish(); }

void ProgressDisplay::resolved(const std::string& reference, const Digest& digest, bool cached) {
  note(cached ? reference + ": image is up to date (" + digest.str() + ")"
              : "Pulling " + reference + " (" + digest.str() + ")");
}

void ProgressDisplay::layers(const std::vector<PullLayer>& layers) {
  std::vector<Line> lines;
  for (const PullLayer& l : layers) lines.push_back({l});
  lines_.reset(std::move(lines));
}

void ProgressDisplay::layer_reused(size_t i) {
  lines_.change(i, true, [&](Line& l) {
    l.state = State::kExists;
    live_.plain(words_ == Words::kPodmanCopy
                    ? "Copying blob " + l.layer.blob.str() + " skipped: already exists"
                    : "Layer " + l.layer.blob.str() + ": already exists");
  });
}

void ProgressDisplay::layer_started(size_t i, uint64_t resumed) {
  lines_.change(i, true, [&](Line& l) {
    l.state = State::kDownloading;
    l.held = l.resumed = resumed;
    l.started = Clock::now();
    if (words_ == Words::kPodmanCopy) return live_.plain("Copying blob " + l.layer.blob.str());
    std::string size = l.layer.size >= 0 ? human_size(l.layer.size) : "unknown size";
    live_.plain("Layer " + l.layer.blob.str() + ": " + action_ + " (" + size +
                (resumed > 0 ? ", resuming at " + human_size(resumed) : "") + ")");
  });
}

void ProgressDisplay::layer_bytes(size_t i, uint64_t held) {
  lines_.change(i, false, [&](Line& l) { l.held = held; });
}

void ProgressDisplay::layer_downloaded(size_t i) {
  lines_.change(i, false, [](Line& l) {
    if (l.state == State::kDownloading) l.state = State::kUnpacking;
  });
}

void ProgressDisplay::layer_done(size_t i, const LayerResult& result) {
  lines_.change(i, true, [&](Line& l) {
    if (l.state == State::kWaiting) l.started = Clock::now();  // unpacked from a stored blob
    l.state = State::kDone;
    l.ended = Clock::now();
    l.held = result.blob_size;
    if (words_ == Words::kPodmanCopy) return;  // podman says nothing more of a copied blob
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1f", seconds(l.ended - l.started));
    live_.plain("Layer " + l.layer.blob.str() + ": done (" + human_size(result.blob_size) + " in " +
                secs + " s, " + human_size(result.tar_size) + " unpacked" +
                (l.resumed > 0 ? ", resumed at " + human_size(l.resumed) : "") + ")");
  });
}

void ProgressDisplay::layer_failed(size_t i, const std::string& why) {
  lines_.change(i, true, [&](Line& l) {
    l.state = State::kFailed;
    l.error = why;
    live_.plain("Layer " + l.layer.blob.str() + ": failed");
  });
}

}  // namespace dabba::cli
