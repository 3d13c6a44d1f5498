// StaticTokenVerifier: accepts a fixed token → player_id table loaded from a file. For
// benchmarks and tests that run without accounts (`--dev-tokens`).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "game/session/token_verifier.h"

namespace asobi {

/// One per shard (GameShard::verifier), all sharing one immutable table; shard-affine.
class StaticTokenVerifier final : public TokenVerifier {
 public:
  using Table = std::unordered_map<std::string, std::string>;
  /// Shares one immutable table between the shards' verifiers.
  explicit StaticTokenVerifier(std::shared_ptr<const Table> table) : table_(std::move(table)) {}

  /// Loads "token player_id" lines (blank lines and lines starting with # ignored).
  /// Errors: reason "bad_file" when unreadable or malformed.
  static Result<std::shared_ptr<const Table>> LoadFile(const std::string& path);

  /// TokenVerifier: answers at once from the table; unknown tokens are `invalid_token`.
  void Verify(std::string_view token, Callback done) override;

 private:
  std::shared_ptr<const Table> table_;
};

}  // namespace asobi
