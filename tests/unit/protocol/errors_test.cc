#include "protocol/errors.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "protocol/envelope.h"

namespace asobi {
namespace {

TEST(ErrorsTest, ReasonsWithTheirOwnCode) {
  // websocket.md §4.2, every row, plus DECISIONS.md wire 2 (`unauthenticated`).
  const std::pair<std::string_view, std::string_view> table[] = {
      {"payload_too_large", "payload_too_large"},
      {"invalid_json", "invalid_json"},
      {"invalid_message", "invalid_message"},
      {"invalid_payload", "invalid_payload"},
      {"missing_field", "missing_field"},
      {"rate_limited", "rate_limited"},
      {"join_rate_limited", "join_rate_limited"},
      {"unknown_type", "unknown_type"},
      {"internal", "internal"},
      {"internal_error", "internal"},
      {"invalid_token", "unauthenticated"},
      {"unauthenticated", "unauthenticated"},
      {"not_authorized", "forbidden"},
      {"not_owner", "forbidden"},
      {"not_in_match", "match.not_in_match"},
      {"match_not_found", "match.not_found"},
      {"match_full", "match.full"},
      {"match_locked", "match.locked"},
      {"join_refused", "match.join_refused"},
      {"world_not_found", "world.not_found"},
      {"already_in_world", "world.already_joined"},
      {"invalid_channel_id", "chat.invalid_channel_id"},
      {"too_many_channels", "chat.too_many_channels"},
      {"unknown_mode", "matchmaker.unknown_mode"},
      {"queue_full", "matchmaker.queue_full"},
      {"blocked", "dm.blocked"},
      {"content_empty", "dm.content_empty"},
      {"content_too_large", "dm.content_too_large"},
  };
  for (const auto& [reason, code] : table) {
    EXPECT_EQ(CodeForReason(reason), code) << reason;
    EXPECT_FALSE(DefaultMessageForReason(reason).empty()) << reason;
  }
}

TEST(ErrorsTest, EveryOtherReasonIsRequestFailed) {
  // websocket.md §4.3 and arbitrary game-defined strings.
  for (std::string_view reason :
       {"binary_uplink_unsupported", "invalid_mode_filter", "invalid_join_ctx", "not_found",
        "quick_play_disabled", "match_capacity_reached", "world_full", "world_not_ready",
        "vote_not_found", "no_veto_tokens", "invalid_input", "session_revoked", "my_game_reason",
        "", "MATCH_FULL", "match_full ", "zzz", "a"}) {
    EXPECT_EQ(CodeForReason(reason), "ws.request_failed") << reason;
    EXPECT_FALSE(DefaultMessageForReason(reason).empty()) << reason;
  }
}

TEST(ErrorsTest, MatchesUpstreamFixtureByteForByte) {
  // fixtures/error.json
  EXPECT_EQ(BuildErrorFrame("invalid_message", nullptr),
            R"({"type":"error","payload":{"reason":"invalid_message","error":{)"
            R"("code":"invalid_message","message":"The message is missing a string `type` )"
            R"(field.","details":{}}}})");
}

TEST(ErrorsTest, OwnCodeWithCid) {
  const std::string cid = R"("7")";
  EXPECT_EQ(BuildErrorFrame("match_full", &cid),
            R"({"type":"error","cid":"7","payload":{"reason":"match_full","error":{)"
            R"("code":"match.full","message":"The match has no free slot.","details":{}}}})");
  EXPECT_EQ(BuildErrorFrame("invalid_token", &cid),
            R"({"type":"error","cid":"7","payload":{"reason":"invalid_token","error":{)"
            R"("code":"unauthenticated","message":"The session token is missing, invalid or )"
            R"(expired.","details":{}}}})");
}

TEST(ErrorsTest, UnknownReasonCarriesItInDetails) {
  const std::string cid = "12";  // a numeric cid echoes as a number
  EXPECT_EQ(BuildErrorFrame("quest_locked", &cid),
            R"({"type":"error","cid":12,"payload":{"reason":"quest_locked","error":{)"
            R"("code":"ws.request_failed","message":"The request failed; see details.reason.",)"
            R"("details":{"reason":"quest_locked"}}}})");
}

TEST(ErrorsTest, ExtraTypeSitsInsidePayloadNextToReason) {
  const std::string cid = R"("3")";
  EXPECT_EQ(BuildErrorFrame("queue_full", &cid, "matchmaker.add"),
            R"({"type":"error","cid":"3","payload":{"reason":"queue_full",)"
            R"("type":"matchmaker.add","error":{"code":"matchmaker.queue_full","message":)"
            R"("The matchmaking queue is full; try again later.","details":{}}}})");
  // The not-in-match hint of §5.6: no cid.
  EXPECT_EQ(BuildErrorFrame("not_in_match", nullptr, "match.input"),
            R"({"type":"error","payload":{"reason":"not_in_match","type":"match.input",)"
            R"("error":{"code":"match.not_in_match","message":"This connection is not in a )"
            R"(match.","details":{}}}})");
  EXPECT_EQ(BuildErrorFrame("not_found", &cid, "matchmaker.remove"),
            R"({"type":"error","cid":"3","payload":{"reason":"not_found",)"
            R"("type":"matchmaker.remove","error":{"code":"ws.request_failed","message":)"
            R"("Nothing with that id or name exists.","details":{"reason":"not_found"}}}})");
}

TEST(ErrorsTest, ExplicitDetailsAreUsedVerbatim) {
  const std::string cid = R"("4")";
  EXPECT_EQ(BuildErrorFrame("join_refused", &cid, {}, R"({"refused_reason":"team full"})"),
            R"({"type":"error","cid":"4","payload":{"reason":"join_refused","error":{)"
            R"("code":"match.join_refused","message":"The game refused this join.",)"
            R"("details":{"refused_reason":"team full"}}}})");
}

TEST(ErrorsTest, HostileReasonIsEscapedAndFrameParses) {
  const std::string reason = "bad\"reason\n\xFF";
  const std::string cid = R"({"nested":[1,"x"]})";
  const std::string frame = BuildErrorFrame(reason, &cid);
  EnvelopeParser parser;
  auto env = parser.Parse(frame);
  ASSERT_TRUE(env.ok()) << frame;
  EXPECT_EQ(env->type, "error");
  EXPECT_EQ(env->cid_json, cid);
  EXPECT_EQ(GetString(env->payload, "reason"), "bad\"reason\n\xEF\xBF\xBD");
  auto error = GetField(env->payload, "error");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(GetString(*error, "code"), "ws.request_failed");
  EXPECT_EQ(GetString(*GetField(*error, "details"), "reason"), "bad\"reason\n\xEF\xBF\xBD");
}

TEST(ErrorsTest, ErrorObjectForRpc) {
  JsonWriter w;
  w.BeginObject();
  w.Key("error");
  WriteErrorObject(&w, "rpc.unknown_method", "No such method.", {});
  w.EndObject();
  EXPECT_EQ(w.out(),
            R"({"error":{"code":"rpc.unknown_method","message":"No such method.","details":{}}})");
}

}  // namespace
}  // namespace asobi
