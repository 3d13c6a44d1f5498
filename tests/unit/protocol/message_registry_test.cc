#include "protocol/message_registry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace asobi {
namespace {

struct TestCtx {
  std::vector<std::string> calls;
};

void OnHeartbeat(TestCtx& ctx, const Envelope& env) {
  ctx.calls.push_back("heartbeat:" + std::string(env.type));
}
void OnJoin(TestCtx& ctx, const Envelope& env) {
  ctx.calls.push_back("join:" + std::string(GetString(env.payload, "match_id").value_or("?")));
}
void OnConnect(TestCtx& ctx, const Envelope&) { ctx.calls.push_back("connect"); }

class MessageRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.Register("session.heartbeat", &OnHeartbeat, kNoFlags);
    registry_.Register("session.connect", &OnConnect, kNeedsPayload);
    registry_.Register("match.join", &OnJoin, kNeedsAuth | kNeedsPayloadObject);
  }
  Envelope Parse(std::string_view text) {
    auto r = parser_.Parse(text);
    EXPECT_TRUE(r.ok()) << text;
    return std::move(r).value();
  }
  std::string ResolveReason(std::string_view text, bool authenticated) {
    Envelope env = Parse(text);
    std::string_view reason;
    const auto* entry = registry_.Resolve(env, authenticated, &reason);
    return entry != nullptr ? "ok" : std::string(reason);
  }

  EnvelopeParser parser_;
  MessageRegistry<TestCtx> registry_;
};

TEST_F(MessageRegistryTest, FindHitAndMiss) {
  EXPECT_EQ(registry_.size(), 3u);
  const auto* e = registry_.Find("match.join");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->type, "match.join");
  EXPECT_EQ(e->flags, kNeedsAuth | kNeedsPayloadObject);
  EXPECT_EQ(registry_.Find("match.jo"), nullptr);
  EXPECT_EQ(registry_.Find("match.join "), nullptr);
  EXPECT_EQ(registry_.Find("MATCH.JOIN"), nullptr);
  EXPECT_EQ(registry_.Find(""), nullptr);
}

TEST_F(MessageRegistryTest, DispatchRunsTheHandler) {
  TestCtx ctx;
  Envelope env = Parse(R"({"type":"match.join","cid":"1","payload":{"match_id":"m1"}})");
  std::string_view reason;
  const auto* entry = registry_.Resolve(env, /*authenticated=*/true, &reason);
  ASSERT_NE(entry, nullptr);
  EXPECT_TRUE(reason.empty());
  entry->handler(ctx, env);
  ASSERT_EQ(ctx.calls.size(), 1u);
  EXPECT_EQ(ctx.calls[0], "join:m1");
}

TEST_F(MessageRegistryTest, PreconditionReasons) {
  EXPECT_EQ(ResolveReason(R"({"type":"nope.nope","payload":{}})", true), "unknown_type");
  EXPECT_EQ(ResolveReason(R"({"type":"nope.nope","payload":{}})", false), "unknown_type");
  // DECISIONS.md wire 2: an unauthenticated socket gets `unauthenticated`.
  EXPECT_EQ(ResolveReason(R"({"type":"match.join","payload":{"match_id":"m"}})", false),
            "unauthenticated");
  EXPECT_EQ(ResolveReason(R"({"type":"match.join"})", true), "missing_field");
  EXPECT_EQ(ResolveReason(R"({"type":"match.join","payload":[1]})", true), "invalid_payload");
  EXPECT_EQ(ResolveReason(R"({"type":"match.join","payload":"x"})", true), "invalid_payload");
  EXPECT_EQ(ResolveReason(R"({"type":"match.join","payload":{}})", true), "ok");
  // Works unauthenticated; payload not needed.
  EXPECT_EQ(ResolveReason(R"({"type":"session.heartbeat"})", false), "ok");
  // Needs a payload of any JSON type.
  EXPECT_EQ(ResolveReason(R"({"type":"session.connect"})", false), "missing_field");
  EXPECT_EQ(ResolveReason(R"({"type":"session.connect","payload":"tok"})", false), "ok");
}

TEST_F(MessageRegistryTest, DuplicateRegistrationIsABug) {
  EXPECT_DEATH(registry_.Register("match.join", &OnJoin, kNoFlags), "CHECK failed");
}

}  // namespace
}  // namespace asobi
