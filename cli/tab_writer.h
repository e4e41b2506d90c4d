// Go's text/tabwriter as podman sets it up for tables (minimum cell width 12, padding 2, spaces):
// a cell is the text before a tab; the cells of one column, over the consecutive lines that have
// that column, are padded to the widest one plus the padding. A line's last cell (not ended by a
// tab) is never padded. So `podman images` and `dabba images` line up the same way.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dabba::cli {

// Aligns text (lines of tab-separated cells) as Go's tabwriter.NewWriter(w, minwidth, 2, padding,
// ' ', 0) would.
std::string tab_align(std::string_view text, size_t minwidth = 12, size_t padding = 2);

}  // namespace dabba::cli
