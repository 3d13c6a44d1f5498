#include "game/auth/new_account.h"

#include <utility>

#include "base/uuid.h"
#include "game/auth/auth_statements.h"
#include "game/auth/tokens.h"

namespace asobi {

using db::Param;

IssuedTokens AppendTokenPair(std::vector<db::StatementCall>* calls, const std::string& player_id,
                             const std::string& username, const std::string& family_id) {
  IssuedTokens t{player_id, username, NewToken(), NewToken()};
  auto add = [&](const std::string& token, const char* context) {
    calls->push_back(
        {&kInsertToken,
         {Param::Uuid(NewUuidV7()), Param::Uuid(player_id), Param::Text(*TokenStorageHash(token)),
          Param::Text(context), Param::Text(family_id)}});
  };
  add(t.access_token, "access");
  add(t.refresh_token, "refresh");
  return t;
}

IssuedTokens AppendNewAccount(std::vector<db::StatementCall>* calls, const std::string& player_id,
                              const std::string& username, const std::string& display_name,
                              db::Param password_hash, std::optional<db::StatementCall> identity) {
  calls->push_back({&kInsertPlayer,
                    {Param::Uuid(player_id), Param::Text(username), Param::Text(display_name),
                     std::move(password_hash)}});
  if (identity) calls->push_back(std::move(*identity));
  calls->push_back({&kInsertStats, {Param::Uuid(player_id)}});
  return AppendTokenPair(calls, player_id, username, NewFamilyId());
}

}  // namespace asobi
