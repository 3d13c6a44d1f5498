// Method names, error codes, script paths and check 1 of websocket.md §9.1 on the cid.
#include <gtest/gtest.h>

#include <string>

#include "game/rpc/rpc_names.h"

namespace asobi::rpc {
namespace {

TEST(RpcNames, MethodNames) {
  EXPECT_TRUE(IsMethodName("quests.claim"));
  EXPECT_TRUE(IsMethodName("a.b.c-d_e"));
  EXPECT_TRUE(IsMethodName("x." + std::string(126, 'y')));
  EXPECT_FALSE(IsMethodName("x." + std::string(127, 'y')));
  for (const char* bad :
       {"", "claim", ".claim", "quests.", "a..b", "a b.c", "asobi.datagram.open", "a.b\n", "é.x"}) {
    EXPECT_FALSE(IsMethodName(bad)) << bad;
  }
  EXPECT_TRUE(IsMethodName("asobix.a"));
}

TEST(RpcNames, ErrorCodesBelongToTheNamespace) {
  EXPECT_TRUE(IsErrorCodeOf("quests.already_claimed", "quests"));
  EXPECT_FALSE(IsErrorCodeOf("quests.", "quests"));
  EXPECT_FALSE(IsErrorCodeOf("quest.x", "quests"));
  EXPECT_FALSE(IsErrorCodeOf("questsx.y", "quests"));
  EXPECT_FALSE(IsErrorCodeOf("internal", "quests"));
}

TEST(RpcNames, ScriptPaths) {
  EXPECT_TRUE(IsRelativeScriptPath("rpc.lua"));
  EXPECT_TRUE(IsRelativeScriptPath("rpc/methods.lua"));
  for (const char* bad :
       {"", "/etc/x.lua", "../x.lua", "a/../x.lua", "a//x.lua", "x.txt", ".lua"}) {
    EXPECT_FALSE(IsRelativeScriptPath(bad)) << bad;
  }
}

TEST(RpcNames, CidCheck) {
  EXPECT_TRUE(IsValidRpcCid("\"a\""));
  EXPECT_TRUE(IsValidRpcCid("\"" + std::string(64, '~') + "\""));
  EXPECT_TRUE(IsValidRpcCid("\"\\\"\\\\ \""));
  EXPECT_FALSE(IsValidRpcCid("\"" + std::string(65, 'a') + "\""));
  EXPECT_FALSE(IsValidRpcCid("\"\\\"" + std::string(64, 'a') + "\""));
  for (const char* bad : {"", "\"\"", "7", "{\"a\":1}", "\"a\\n\"", "\"a\\u0001\"", "\"\xc3\xa9\"",
                          "\"\x7f\"", "\"a", "\"\\\""}) {
    EXPECT_FALSE(IsValidRpcCid(bad)) << bad;
  }
}

}  // namespace
}  // namespace asobi::rpc
