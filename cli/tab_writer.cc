#include "cli/tab_writer.h"

#include <algorithm>
#include <vector>

#include "common/text.h"

namespace dabba::cli {
namespace {

size_t runes(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Go's tabwriter.format: a column block is a run of consecutive lines that have a tab-terminated
// cell in that column; its width is the widest of those cells plus the padding (at least
// minwidth). Nested columns are sized per block, recursively.
class Aligner {
 public:
  Aligner(std::vector<std::vector<std::string>> lines, size_t minwidth, size_t padding)
      : lines_(std::move(lines)), minwidth_(minwidth), padding_(padding) {}

  std::string run(bool final_newline) {
    format(0, lines_.size());
    if (!final_newline && !out_.empty()) out_.pop_back();
    return std::move(out_);
  }

 private:
  void format(size_t line0, size_t line1) {
    const size_t column = widths_.size();
    for (size_t cur = line0; cur < line1; ++cur) {
      if (column + 1 >= lines_[cur].size()) continue;
      write_lines(line0, cur);
      line0 = cur;
      size_t width = minwidth_;
      for (; cur < line1; ++cur) {
        const auto& line = lines_[cur];
        if (column + 1 >= line.size()) break;
        width = std::max(width, runes(line[column]) + padding_);
      }
      widths_.push_back(width);
      format(line0, cur);
      widths_.pop_back();
      line0 = cur;
      if (cur >= line1) return;
    }
    write_lines(line0, line1);
  }

  void write_lines(size_t line0, size_t line1) {
    for (size_t i = line0; i < line1; ++i) {
      const auto& line = lines_[i];
      for (size_t j = 0; j < line.size(); ++j) {
        out_ += line[j];
        if (j < widths_.size()) out_.append(widths_[j] - std::min(widths_[j], runes(line[j])), ' ');
      }
      out_ += '\n';
    }
  }

  std::vector<std::vector<std::string>> lines_;
  size_t minwidth_, padding_;
  std::vector<size_t> widths_;
  std::string out_;
};

}  // namespace

std::string tab_align(std::string_view text, size_t minwidth, size_t padding) {
  std::vector<std::vector<std::string>> lines;
  bool final_newline = !text.empty() && text.back() == '\n';
  std::string_view body = final_newline ? text.substr(0, text.size() - 1) : text;
  if (text.empty()) return "";
  for (const std::string& line : split(body, '\n')) lines.push_back(split(line, '\t'));
  return Aligner(std::move(lines), minwidth, padding).run(final_newline);
}

}  // namespace dabba::cli
