#include "oci/digest.h"

#include <openssl/evp.h>

#include "common/error.h"

namespace dabba {

bool Digest::try_parse(std::string_view text, Digest& out) {
  constexpr std::string_view kPrefix = "sha256:";
  if (text.size() != kPrefix.size() + 64 || text.substr(0, kPrefix.size()) != kPrefix) return false;
  for (char c : text.substr(kPrefix.size()))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  out.algorithm_ = "sha256";
  out.hex_ = std::string(text.substr(kPrefix.size()));
  return true;
}

Digest Digest::parse(std::string_view text) {
  Digest d;
  if (try_parse(text, d)) return d;
  std::string shown(text.substr(0, 80));
  if (text.size() > 80) shown += "...";
  throw Error(Errc::kInvalidArgument, "invalid digest '" + shown + "'", 0,
              "a digest is 'sha256:' followed by 64 lowercase hex digits");
}

Digest Digest::of(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

struct Sha256::Ctx {
  EVP_MD_CTX* md = nullptr;
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  ctx_->md = EVP_MD_CTX_new();
  if (ctx_->md == nullptr || EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) != 1)
    throw Error(Errc::kFailed, "OpenSSL: cannot initialise SHA-256");
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, size_t size) {
  if (size == 0) return;
  if (EVP_DigestUpdate(ctx_->md, data, size) != 1)
    throw Error(Errc::kFailed, "OpenSSL: SHA-256 update failed");
  bytes_ += size;
}

Digest Sha256::finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_->md, out, &len) != 1 || len != 32)
    throw Error(Errc::kFailed, "OpenSSL: SHA-256 final failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "sha256:";
  for (unsigned i = 0; i < len; ++i) {
    text += kHex[out[i] >> 4];
    text += kHex[out[i] & 15];
  }
  return Digest::parse(text);
}

}  // namespace dabba
