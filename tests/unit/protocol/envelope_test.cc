#include "protocol/envelope.h"

#include <gtest/gtest.h>

#include <string>

namespace asobi {
namespace {

class EnvelopeTest : public ::testing::Test {
 protected:
  Envelope Ok(std::string_view text) {
    auto r = parser_.Parse(text);
    EXPECT_TRUE(r.ok()) << text << " -> " << (r.ok() ? "" : r.error().reason);
    return r.ok() ? std::move(r).value() : Envelope{};
  }
  std::string Reason(std::string_view text) {
    auto r = parser_.Parse(text);
    return r.ok() ? "ok" : r.error().reason;
  }
  std::string Cid(std::string_view cid_text) {
    Envelope env = Ok(R"({"type":"t","cid":)" + std::string(cid_text) + "}");
    EXPECT_TRUE(env.has_cid);
    return env.cid_json;
  }

  EnvelopeParser parser_;
};

TEST_F(EnvelopeTest, ParsesHeartbeat) {
  Envelope env = Ok(R"({"type":"session.heartbeat","cid":"42","payload":{}})");
  EXPECT_EQ(env.type, "session.heartbeat");
  EXPECT_TRUE(env.has_cid);
  EXPECT_EQ(env.cid_json, R"("42")");
  ASSERT_NE(env.cid(), nullptr);
  EXPECT_EQ(*env.cid(), R"("42")");
  EXPECT_TRUE(env.has_payload);
  EXPECT_TRUE(IsObject(env.payload));
  EXPECT_EQ(ToJson(env.payload), "{}");
  EXPECT_FALSE(env.seq.has_value());
}

TEST_F(EnvelopeTest, FieldOrderAndWhitespaceDoNotMatter) {
  Envelope env =
      Ok(" \n{ \"payload\" : { \"token\" : \"abc\" } ,\t\"cid\":\"1\", "
         "\"type\" : \"session.connect\" }\n");
  EXPECT_EQ(env.type, "session.connect");
  EXPECT_EQ(env.cid_json, R"("1")");
  EXPECT_EQ(GetString(env.payload, "token"), "abc");
}

TEST_F(EnvelopeTest, EveryCidKindEchoesAsTheSameJsonValue) {
  EXPECT_EQ(Cid(R"("7")"), R"("7")");
  EXPECT_EQ(Cid(R"("")"), R"("")");
  EXPECT_EQ(Cid(R"("a\"b\\c\n")"), R"("a\"b\\c\n")");
  EXPECT_EQ(Cid(R"("\u00e9\u0041")"),
            "\"\xC3\xA9"
            "A\"");  // same string value, raw UTF-8
  EXPECT_EQ(Cid("7"), "7");
  EXPECT_EQ(Cid("-3"), "-3");
  EXPECT_EQ(Cid("18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(Cid("1.5"), "1.5");
  EXPECT_EQ(Cid("1e2"), "100");
  EXPECT_EQ(Cid("true"), "true");
  EXPECT_EQ(Cid("null"), "null");
  EXPECT_EQ(Cid(R"( { "x" : [ 1 , "y" , { } ] , "z" : null } )"), R"({"x":[1,"y",{}],"z":null})");
  EXPECT_EQ(Cid("[]"), "[]");
}

TEST_F(EnvelopeTest, NoCid) {
  Envelope env = Ok(R"({"type":"session.heartbeat","payload":{}})");
  EXPECT_FALSE(env.has_cid);
  EXPECT_EQ(env.cid(), nullptr);
  EXPECT_TRUE(env.cid_json.empty());
}

TEST_F(EnvelopeTest, Seq) {
  EXPECT_EQ(Ok(R"({"type":"world.input","seq":17,"payload":{}})").seq, 17);
  EXPECT_EQ(Ok(R"({"type":"world.input","seq":-1})").seq, -1);
  EXPECT_FALSE(Ok(R"({"type":"world.input","seq":1.5})").seq.has_value());
  EXPECT_FALSE(Ok(R"({"type":"world.input","seq":"3"})").seq.has_value());
  EXPECT_FALSE(Ok(R"({"type":"world.input","seq":18446744073709551615})").seq.has_value());
  EXPECT_FALSE(Ok(R"({"type":"world.input","seq":null})").seq.has_value());
}

TEST_F(EnvelopeTest, NonObjectPayloadStillParses) {
  for (std::string_view p : {"[1,2]", "\"text\"", "3", "null", "true"}) {
    Envelope env = Ok(R"({"type":"match.input","payload":)" + std::string(p) + "}");
    EXPECT_TRUE(env.has_payload) << p;
    EXPECT_FALSE(IsObject(env.payload)) << p;
    EXPECT_EQ(ToJson(env.payload), p);
    EXPECT_FALSE(GetString(env.payload, "x").has_value());  // safe on non-objects
  }
}

TEST_F(EnvelopeTest, MissingPayloadIsAnEmptyObject) {
  Envelope env = Ok(R"({"type":"match.leave","cid":"9"})");
  EXPECT_FALSE(env.has_payload);
  EXPECT_TRUE(IsObject(env.payload));
  EXPECT_FALSE(GetString(env.payload, "match_id").has_value());
}

TEST_F(EnvelopeTest, NotJsonIsInvalidJson) {
  EXPECT_EQ(Reason(""), "invalid_json");
  EXPECT_EQ(Reason("   "), "invalid_json");
  EXPECT_EQ(Reason("not json"), "invalid_json");
  EXPECT_EQ(Reason(R"({"type":"x")"), "invalid_json");  // truncated
  EXPECT_EQ(Reason(R"({"type":"x","payload":{"a":)"), "invalid_json");
  EXPECT_EQ(Reason(R"({"type":"x"} {"type":"y"})"), "invalid_json");  // two documents
  EXPECT_EQ(Reason(R"({"type":"x"} garbage)"), "invalid_json");
  EXPECT_EQ(Reason(R"({'type':'x'})"), "invalid_json");
  EXPECT_EQ(Reason(R"({"type":"x",})"), "invalid_json");
  EXPECT_EQ(Reason("{\"type\":\"x\xFF\"}"), "invalid_json");  // invalid UTF-8
  EXPECT_EQ(Reason(R"({"type":"x","n":NaN})"), "invalid_json");
  EXPECT_EQ(Reason(std::string_view("{\"type\":\"x\"}\0", 13)), "invalid_json");
}

TEST_F(EnvelopeTest, NotAnObjectWithStringTypeIsInvalidMessage) {
  EXPECT_EQ(Reason("[1,2]"), "invalid_message");
  EXPECT_EQ(Reason(R"([{"type":"x"}])"), "invalid_message");
  EXPECT_EQ(Reason(R"("session.heartbeat")"), "invalid_message");
  EXPECT_EQ(Reason("42"), "invalid_message");
  EXPECT_EQ(Reason("null"), "invalid_message");
  EXPECT_EQ(Reason("{}"), "invalid_message");
  EXPECT_EQ(Reason(R"({"payload":{},"cid":"1"})"), "invalid_message");
  EXPECT_EQ(Reason(R"({"type":5})"), "invalid_message");
  EXPECT_EQ(Reason(R"({"type":null})"), "invalid_message");
  EXPECT_EQ(Reason(R"({"type":{"name":"x"}})"), "invalid_message");
  EXPECT_EQ(Reason(R"({"type":["x"]})"), "invalid_message");
  EXPECT_EQ(Reason(R"({"Type":"x"})"), "invalid_message");
}

TEST_F(EnvelopeTest, ErrorsCarryAMessage) {
  auto r = parser_.Parse("nope");
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.error().message.empty());
}

TEST_F(EnvelopeTest, EmptyStringTypeIsAString) { EXPECT_EQ(Ok(R"({"type":""})").type, ""); }

TEST_F(EnvelopeTest, TypeIsUnescaped) {
  EXPECT_EQ(Ok(R"({"type":"session.heart\u0062eat"})").type, "session.heartbeat");
}

TEST_F(EnvelopeTest, LastDuplicateKeyWins) {
  Envelope env = Ok(R"({"type":"a","type":"b","cid":1,"cid":"2"})");
  EXPECT_EQ(env.type, "b");
  EXPECT_EQ(env.cid_json, R"("2")");
  EXPECT_EQ(Reason(R"({"type":"a","type":3})"), "invalid_message");
}

TEST_F(EnvelopeTest, HugeNestingIsRejectedNotCrashing) {
  std::string deep = R"({"type":"x","payload":)";
  deep.append(100000, '[');
  EXPECT_EQ(Reason(deep), "invalid_json");
  deep.append(100000, ']');
  deep.push_back('}');
  EXPECT_EQ(Reason(deep), "invalid_json");  // well-formed but deeper than max_depth

  std::string ok = R"({"type":"x","payload":)";
  ok.append(100, '[');
  ok.append(100, ']');
  ok.push_back('}');
  Envelope env = Ok(ok);
  EXPECT_EQ(ToJson(env.payload), std::string(100, '[') + std::string(100, ']'));
}

TEST_F(EnvelopeTest, ParserIsReusableAndGrowsForLargeFrames) {
  EnvelopeParser small(/*initial_capacity_bytes=*/64);
  std::string big = R"({"type":"chat.send","payload":{"content":")" + std::string(20000, 'z') +
                    R"("},"cid":"5"})";
  auto r1 = small.Parse(big);
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(GetString(r1->payload, "content")->size(), 20000u);
  auto r2 = small.Parse(R"({"type":"session.heartbeat","cid":7})");
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->type, "session.heartbeat");
  EXPECT_EQ(r2->cid_json, "7");
  EXPECT_FALSE(r2->has_payload);
  EXPECT_EQ(small.Parse("[").error().reason, "invalid_json");
  auto r3 = small.Parse(R"({"type":"again"})");
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->type, "again");
}

TEST_F(EnvelopeTest, ParseIntoResetsPreviousFields) {
  Envelope env;
  ASSERT_TRUE(parser_.ParseInto(R"({"type":"a","cid":"1","payload":[1],"seq":3})", &env).ok());
  ASSERT_TRUE(parser_.ParseInto(R"({"type":"b"})", &env).ok());
  EXPECT_EQ(env.type, "b");
  EXPECT_FALSE(env.has_cid);
  EXPECT_TRUE(env.cid_json.empty());
  EXPECT_FALSE(env.has_payload);
  EXPECT_FALSE(env.seq.has_value());
}

TEST_F(EnvelopeTest, TypedAccessors) {
  Envelope env = Ok(R"({"type":"t","payload":{"s":"str","i":-5,"u":18446744073709551615,"f":2.0,)"
                    R"("b":true,"n":null,"o":{"k":1},"a":[1]}})");
  const JsonValue p = env.payload;
  EXPECT_EQ(GetString(p, "s"), "str");
  EXPECT_FALSE(GetString(p, "i").has_value());
  EXPECT_FALSE(GetString(p, "missing").has_value());
  EXPECT_EQ(GetInt(p, "i"), -5);
  EXPECT_FALSE(GetInt(p, "u").has_value());  // beyond int64
  EXPECT_FALSE(GetInt(p, "f").has_value());  // float, even if integral
  EXPECT_FALSE(GetInt(p, "s").has_value());
  EXPECT_EQ(GetNumber(p, "f"), 2.0);
  EXPECT_EQ(GetNumber(p, "i"), -5.0);
  EXPECT_FALSE(GetNumber(p, "b").has_value());
  EXPECT_EQ(GetBool(p, "b"), true);
  EXPECT_FALSE(GetBool(p, "n").has_value());
  ASSERT_TRUE(GetField(p, "o").has_value());
  EXPECT_TRUE(IsObject(*GetField(p, "o")));
  EXPECT_EQ(GetInt(*GetField(p, "o"), "k"), 1);
  EXPECT_FALSE(IsObject(*GetField(p, "a")));
  EXPECT_FALSE(GetField(*GetField(p, "a"), "k").has_value());
  EXPECT_EQ(ToJson(p), R"({"s":"str","i":-5,"u":18446744073709551615,"f":2,"b":true,"n":null,)"
                       R"("o":{"k":1},"a":[1]})");
}

TEST_F(EnvelopeTest, ToJsonReescapesStrings) {
  Envelope env = Ok(R"({"type":"t","payload":{"k\"":"line\nbreak\u0001\/"}})");
  EXPECT_EQ(ToJson(env.payload), R"({"k\"":"line\nbreak\u0001/"})");
}

}  // namespace
}  // namespace asobi
