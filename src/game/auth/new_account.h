// The rows of a new account and of a new token pair, built as statement calls for one
// transaction (rest.md §2.2-§2.3): password registration, guest devices and OAuth identities
// create accounts the same way, differing only in the password hash and the identity row.
// Pure (no I/O); any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/pg_connection.h"
#include "game/auth/account_service.h"

namespace asobi {

/// Appends the access and refresh rows of a new token pair in `family_id` for `player_id`
/// (player_tokens stores only their hashes) and returns the plaintext pair.
IssuedTokens AppendTokenPair(std::vector<db::StatementCall>* calls, const std::string& player_id,
                             const std::string& username, const std::string& family_id);

/// Appends the rows of a new account, in this order: the players row (`password_hash` is the
/// stored hash, or Param::Null() for an account without a password), `identity` when given
/// (a player_identities insert for `player_id`), the player_stats row and a token pair in a new
/// family. Returns the tokens the client gets once the transaction commits.
IssuedTokens AppendNewAccount(std::vector<db::StatementCall>* calls, const std::string& player_id,
                              const std::string& username, const std::string& display_name,
                              db::Param password_hash,
                              std::optional<db::StatementCall> identity = std::nullopt);

}  // namespace asobi
