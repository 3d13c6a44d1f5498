// SocketTokens: which socket relies on which access token (revocation bookkeeping).
#include "game/auth/socket_tokens.h"

#include <gtest/gtest.h>

namespace asobi {
namespace {

ClientRef Ref(uint32_t index, uint32_t gen = 1) { return ClientRef{0, index, gen}; }

TEST(SocketTokensTest, BindFindForgetAndRebind) {
  SocketTokens t;
  t.Bind(Ref(1), "a");
  t.Bind(Ref(2), "a");
  t.Bind(Ref(3), "b");
  EXPECT_EQ(t.Find("a").size(), 2u);
  EXPECT_EQ(t.Find("b").size(), 1u);
  EXPECT_TRUE(t.Find("c").empty());
  // A second session.connect on socket 2 moves it to the new token.
  t.Bind(Ref(2), "b");
  EXPECT_EQ(t.Find("a").size(), 1u);
  EXPECT_EQ(t.Find("b").size(), 2u);
  t.Forget(Ref(1));
  t.Forget(Ref(1));  // twice: no-op
  EXPECT_TRUE(t.Find("a").empty());
  EXPECT_EQ(t.size(), 2u);
  // Same slot, new generation: a different socket.
  t.Forget(Ref(3, 2));
  EXPECT_EQ(t.Find("b").size(), 2u);
}

}  // namespace
}  // namespace asobi
