// chat::EncodeBusMessage / DecodeBusMessage / ChatSubjectOf: chat messages on the cluster bus
// (issue 16 item 3; chat_bus_codec.h).
#include "game/chat/chat_bus_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace asobi::chat {
namespace {

ChatMessage Sample() {
  ChatMessage m;
  m.channel_id = "global:lobby";
  m.sender_id = "0190a000-0000-7000-8000-000000000001";
  m.content = "hi \"there\"\n\xe3\x81\x82";
  m.sent_at_ms = 1764700000123;
  return m;
}

TEST(ChatBusCodec, RoundTrip) {
  auto d = DecodeBusMessage(EncodeBusMessage("node-1", Sample()));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->node, "node-1");
  EXPECT_EQ(d->msg.channel_id, "global:lobby");
  EXPECT_EQ(d->msg.sender_id, Sample().sender_id);
  EXPECT_EQ(d->msg.content, Sample().content);
  EXPECT_EQ(d->msg.sent_at_ms, 1764700000123);
}

TEST(ChatBusCodec, ContentBound) {
  ChatMessage m = Sample();
  m.content = std::string(kContentBytesMax, '"');  // longest content, all escaped
  auto d = DecodeBusMessage(EncodeBusMessage("n", m));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->msg.content.size(), kContentBytesMax);
  m.content += "x";
  EXPECT_FALSE(DecodeBusMessage(EncodeBusMessage("n", m)));
}

TEST(ChatBusCodec, RefusesOtherShapes) {
  EXPECT_FALSE(DecodeBusMessage(""));
  EXPECT_FALSE(DecodeBusMessage("not json"));
  EXPECT_FALSE(DecodeBusMessage("[]"));
  EXPECT_FALSE(DecodeBusMessage(R"({"v":1})"));
  const std::string ok =
      R"({"v":1,"node":"n","channel_id":"global:a","sender_id":"p","content":"c","sent_at":1})";
  EXPECT_TRUE(DecodeBusMessage(ok));
  EXPECT_FALSE(DecodeBusMessage(
      R"({"v":2,"node":"n","channel_id":"global:a","sender_id":"p","content":"c","sent_at":1})"));
  EXPECT_FALSE(DecodeBusMessage(
      R"({"v":1,"node":"","channel_id":"global:a","sender_id":"p","content":"c","sent_at":1})"));
  EXPECT_FALSE(DecodeBusMessage(
      R"({"v":1,"node":"n","channel_id":"nope:a","sender_id":"p","content":"c","sent_at":1})"));
  EXPECT_FALSE(DecodeBusMessage(
      R"({"v":1,"node":"n","channel_id":"global:a","sender_id":"p","content":5,"sent_at":1})"));
  EXPECT_FALSE(DecodeBusMessage(
      R"({"v":1,"node":"n","channel_id":"global:a","sender_id":"p","content":"c","sent_at":1.5})"));
  EXPECT_FALSE(DecodeBusMessage(std::string(kBusPayloadBytesMax + 1, ' ')));
}

TEST(ChatBusCodec, SubjectIsOneTokenPerChannel) {
  std::string s = ChatSubjectOf("asobi", "zone:w1:1,2");
  EXPECT_EQ(s.rfind("asobi.chat.", 0), 0u);
  EXPECT_EQ(s.size(), std::string("asobi.chat.").size() + 16);
  EXPECT_EQ(s.find_first_of(" *>", 0), std::string::npos);
  EXPECT_EQ(s, ChatSubjectOf("asobi", "zone:w1:1,2"));
  EXPECT_NE(s, ChatSubjectOf("asobi", "zone:w1:1,3"));
  EXPECT_EQ(ChatSubjectOf("other", "global:a").rfind("other.chat.", 0), 0u);
}

}  // namespace
}  // namespace asobi::chat
