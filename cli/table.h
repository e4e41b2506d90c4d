// Plain text tables for listing verbs, aligned as podman aligns them (Go's tabwriter: each column
// as wide as its widest cell plus two spaces, at least 12; tab_writer.h).
#pragma once

#include <string>
#include <vector>

namespace dabba::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string str() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace dabba::cli
