#include "cli/push_display.h"

#include "common/human.h"

namespace dabba::cli {

std::string PushDisplay::render(const Line& l) const {
  const Digest& d = l.blob.digest.empty() ? l.blob.diff_id : l.blob.digest;
  std::string out = std::string("Copying ") + (l.blob.config ? "config " : "blob ") + d.short_hex();
  switch (l.state) {
    case State::kWaiting:
      break;
    case State::kCompressing:
      out += " compressing " + progress_bar(l.done, static_cast<int64_t>(l.total)) + " " +
             human_size(l.done) + " / " + human_size(l.total);
      break;
    case State::kSending:
      out += " " + progress_bar(l.done, static_cast<int64_t>(l.total)) + " " +
             human_size(l.done) + " / " + human_size(l.total);
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

void PushDisplay::redraw(bool force) {
  if (live_.mode() != LiveLines::Mode::kTerminal) return;
  const size_t rows = live_.size().second;
  std::vector<std::string> out;
  size_t finished = 0;
  for (const Line& l : lines_) {
    bool over = l.state == State::kDone || l.state == State::kExists || l.state == State::kMounted;
    if (lines_.size() < rows - 1) {
      out.push_back(render(l));
    } else if (over) {
      ++finished;
    } else if (l.state != State::kWaiting && out.size() + 2 < rows) {
      out.push_back(render(l));
    }
  }
  if (lines_.size() >= rows - 1)
    out.push_back(std::to_string(finished) + " of " + std::to_string(lines_.size()) +
                  " blobs done");
  live_.show(std::move(out), force);
}

void PushDisplay::finish() {
  std::lock_guard lock(mu_);
  redraw(true);
}

void PushDisplay::blobs(const std::vector<PushBlob>& blobs) {
  std::lock_guard lock(mu_);
  lines_.clear();
  for (const PushBlob& b : blobs) lines_.push_back({b});
  redraw(true);
}

void PushDisplay::blob_compressing(size_t i, uint64_t tar_bytes, uint64_t tar_size) {
  std::lock_guard lock(mu_);
  if (i >= lines_.size()) return;
  lines_[i].state = State::kCompressing;
  lines_[i].done = tar_bytes;
  lines_[i].total = tar_size;
  redraw(false);
}

void PushDisplay::blob_started(size_t i, const Digest& digest, uint64_t size) {
  std::lock_guard lock(mu_);
  if (i >= lines_.size()) return;
  Line& l = lines_[i];
  l.blob.digest = digest;
  l.blob.size = static_cast<int64_t>(size);
  l.state = State::kSending;
  l.done = 0;
  l.total = size;
  live_.plain(std::string("Copying ") + (l.blob.config ? "config " : "blob ") + digest.str());
  redraw(true);
}

void PushDisplay::blob_bytes(size_t i, uint64_t sent) {
  std::lock_guard lock(mu_);
  if (i >= lines_.size()) return;
  lines_[i].done = sent;
  redraw(false);
}

void PushDisplay::blob_done(size_t i, PushBlobOutcome how) {
  std::lock_guard lock(mu_);
  if (i >= lines_.size()) return;
  lines_[i].state = how == PushBlobOutcome::kExists    ? State::kExists
                    : how == PushBlobOutcome::kMounted ? State::kMounted
                                                       : State::kDone;
  redraw(true);
}

void PushDisplay::blob_failed(size_t i, const std::string&) {
  std::lock_guard lock(mu_);
  if (i >= lines_.size()) return;
  lines_[i].state = State::kFailed;
  redraw(true);
}

void PushDisplay::writing_manifest() {
  {
    std::lock_guard lock(mu_);
    redraw(true);
    lines_.clear();
  }
  live_.release();
  live_.note("Writing manifest to image destination");
}

}  // namespace dabba::cli
