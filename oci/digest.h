// Content digests ("sha256:<64 lowercase hex>") and the streaming SHA-256 hasher (OpenSSL EVP,
// which uses the CPU's SHA extensions where present).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace dabba {

class Digest {
 public:
  Digest() = default;
  // Parses "sha256:<64 lowercase hex>"; throws Error{kInvalidArgument} naming the bad text.
  static Digest parse(std::string_view text);
  // Returns false instead of throwing.
  static bool try_parse(std::string_view text, Digest& out);
  static Digest of(std::string_view data);  // sha256 of data

  const std::string& algorithm() const { return algorithm_; }
  const std::string& hex() const { return hex_; }
  std::string str() const { return algorithm_ + ":" + hex_; }
  std::string short_hex() const { return hex_.substr(0, 12); }
  bool empty() const { return hex_.empty(); }

  bool operator==(const Digest&) const = default;
  auto operator<=>(const Digest&) const = default;

 private:
  std::string algorithm_;
  std::string hex_;
};

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  uint64_t bytes() const { return bytes_; }
  // Finishes the hash; the hasher must not be updated afterwards.
  Digest finish();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
  uint64_t bytes_ = 0;
};

}  // namespace dabba

template <>
struct std::hash<dabba::Digest> {
  size_t operator()(const dabba::Digest& d) const noexcept {
    return std::hash<std::string>()(d.hex());
  }
};
