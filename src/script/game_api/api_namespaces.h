// The namespace tables of `game.*`, one per file (core.cc, match.cc, test.cc). Adding a
// function is a one-line change in its namespace's table; a new namespace is a new file plus
// one line in api_table.cc.
#pragma once

#include "script/game_api/api_util.h"

namespace asobi::script::game_api {

extern const ApiNamespace kCoreNamespace;   // game.id/log/broadcast/send/object (core.cc)
extern const ApiNamespace kMatchNamespace;  // game.match.* (match.cc)
extern const ApiNamespace kTestNamespace;   // game.test.* (test.cc), tests only
// game.economy.* (economy.cc)
extern const ApiNamespace kEconomyNamespace;
// game.leaderboard.* (leaderboard.cc)
extern const ApiNamespace kLeaderboardNamespace;
// game.notify / game.notify_many (notify.cc)
extern const ApiNamespace kNotifyNamespace;
// game.bots.* (bots.cc)
extern const ApiNamespace kBotsNamespace;
// game.storage.* (storage.cc)
extern const ApiNamespace kStorageNamespace;
// game.chat.* (chat.cc)
extern const ApiNamespace kChatNamespace;
// game.kv.* (kv.cc)
extern const ApiNamespace kKvNamespace;
// game.season.* (season.cc)
extern const ApiNamespace kSeasonNamespace;
// game.spatial.* (spatial.cc)
extern const ApiNamespace kSpatialNamespace;
// game.zone.* (zone.cc)
extern const ApiNamespace kZoneNamespace;

}  // namespace asobi::script::game_api
