#include "cli/table.h"

#include "cli/tab_writer.h"

namespace dabba::cli {

std::string Table::str() const {
  std::string text;
  for (const auto& row : rows_) {
    for (size_t c = 0; c < row.size(); ++c) text += (c > 0 ? "\t" : "") + row[c];
    text += "\n";
  }
  return tab_align(text);
}

}  // namespace dabba::cli
