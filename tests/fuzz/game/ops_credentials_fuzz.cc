// Fuzz target: the ops credential parsers on arbitrary bytes (rest.md §2.8 ops plane):
// ops::VerifyOpsToken (a `v1.` token) and ops::CookieValue (a Cookie header). A token that
// verifies carries known classes, a 1-64 byte label and a future expiry, and re-minting its
// claims gives the same token back; a cookie value lies inside the header. Never crashes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/check.h"
#include "game/ops/ops_auth.h"
#include "game/ops/ops_token.h"

namespace ops = asobi::ops;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string key(40, 'k');
  if (auto c = ops::VerifyOpsToken(key, text, 1000)) {
    CHECK(c->classes != 0 && (c->classes & ~ops::kAllClasses) == 0);
    CHECK(!c->label.empty() && c->label.size() <= ops::kOpsLabelBytesMax);
    CHECK(c->expires_at_s > 1000);
    CHECK(ops::MintOpsToken(key, *c) == text);
  }
  // Any token minted from fuzzed claims verifies with its key and no other.
  ops::OpsTokenClaims claims{std::string(text.substr(0, ops::kOpsLabelBytesMax)),
                             uint32_t(size % 15) + 1, int64_t(2000 + size)};
  if (!claims.label.empty()) {
    std::string t = ops::MintOpsToken(key, claims);
    auto back = ops::VerifyOpsToken(key, t, 1000);
    CHECK(back && back->label == claims.label && back->classes == claims.classes);
    CHECK(!ops::VerifyOpsToken(std::string(40, 'j'), t, 1000));
  }
  if (auto v = ops::CookieValue(text, "asobi_console")) {
    CHECK(v->empty() || (v->data() >= text.data() && v->data() + v->size() <= text.data() + size));
  }
  return 0;
}
