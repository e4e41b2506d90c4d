#include "cli/push_display.h"

#include "common/human.h"

namespace dabba::cli {

PushDisplay::PushDisplay(LiveLines::Mode mode, int fd)
    : live_(mode, fd), lines_(live_, {phase, render, "blobs"}) {}

ItemPhase PushDisplay::phase(const Line& l) {
  return l.state == State::kDone || l.state == State::kExists || l.state == State::kMounted
             ? ItemPhase::kOver
         : l.state == State::kWaiting ? ItemPhase::kWaiting
                                      : ItemPhase::kBusy;
}

std::string PushDisplay::render(const Line& l) {
  const Digest& d = l.blob.digest.empty() ? l.blob.diff_id : l.blob.digest;
  std::string out = std::string("Copying ") + (l.blob.config ? "config " : "blob ") + d.short_hex();
  switch (l.state) {
    case State::kWaiting:
      break;
    case State::kCompressing:
    case State::kSending:
      out += (l.state == State::kCompressing ? " compressing " : " ") +
             progress_bar(l.done, static_cast<int64_t>(l.total)) + " " + human_size(l.done) +
             " / " + human_size(l.total);
      break;
    case State::kDone:
      out += " done";
      break;
    case State::kExists:
      out += " skipped: already exists";
      break;
    case State::kMounted:
      out += " skipped: mounted from another repository";
      break;
    case State::kFailed:
      out += " failed";
      break;
  }
  return out;
}

void PushDisplay::finish() { lines_.finish(); }

void PushDisplay::blobs(const std::vector<PushBlob>& blobs) {
  std::vector<Line> lines;
  for (const PushBlob& b : blobs) lines.push_back({b});
  lines_.reset(std::move(lines));
}

void PushDisplay::blob_compressing(size_t i, uint64_t tar_bytes, uint64_t tar_size) {
  lines_.change(i, false, [&](Line& l) {
    l.state = State::kCompressing;
    l.done = tar_bytes;
    l.total = tar_size;
  });
}

void PushDisplay::blob_started(size_t i, const Digest& digest, uint64_t size) {
  lines_.change(i, true, [&](Line& l) {
    l.blob.digest = digest;
    l.blob.size = static_cast<int64_t>(size);
    l.state = State::kSending;
    l.done = 0;
    l.total = size;
    live_.plain(std::string("Copying ") + (l.blob.config ? "config " : "blob ") + digest.str());
  });
}

void PushDisplay::blob_bytes(size_t i, uint64_t sent) {
  lines_.change(i, false, [&](Line& l) { l.done = sent; });
}

void PushDisplay::blob_done(size_t i, PushBlobOutcome how) {
  lines_.change(i, true, [&](Line& l) {
    l.state = how == PushBlobOutcome::kExists    ? State::kExists
              : how == PushBlobOutcome::kMounted ? State::kMounted
                                                 : State::kDone;
  });
}

void PushDisplay::blob_failed(size_t i, const std::string&) {
  lines_.change(i, true, [](Line& l) { l.state = State::kFailed; });
}

void PushDisplay::writing_manifest() {
  lines_.finish(/*forget=*/true);
  live_.release();
  live_.note("Writing manifest to image destination");
}

}  // namespace dabba::cli
