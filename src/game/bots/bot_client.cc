#include "game/bots/bot_client.h"

#include "protocol/json_value.h"

namespace asobi::bots {
namespace {

constexpr std::string_view kStatePrefix = R"({"type":"match.state","payload":)";
constexpr std::string_view kFinishedPrefix = R"({"type":"match.finished")";
constexpr std::string_view kVoteStartPrefix = R"({"type":"match.vote_start")";

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

BotClient::BotClient(ClientRef ref, std::string bot_id) : ref_(ref) {
  player_id_ = std::move(bot_id);
}

const std::string& BotClient::peer_ip() const {
  static const std::string kIp = "bot";
  return kIp;
}

std::string_view WsFramePayload(std::string_view f) {
  if (f.size() < 2 || (uint8_t(f[0]) & 0x0f) != 0x1 || (uint8_t(f[1]) & 0x80) != 0) return {};
  size_t len = uint8_t(f[1]) & 0x7f, off = 2;
  if (len == 126) {
    if (f.size() < 4) return {};
    len = (size_t(uint8_t(f[2])) << 8) | uint8_t(f[3]);
    off = 4;
  } else if (len == 127) {
    if (f.size() < 10) return {};
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8) | uint8_t(f[size_t(2 + i)]);
    off = 10;
  }
  if (f.size() - off != len) return {};
  return f.substr(off);
}

void BotClient::SendEncoded(const SharedBuffer& ws_frame) {
  std::string_view json = WsFramePayload(ws_frame.view());
  if (!json.empty()) OnFrame(json);
}

void BotClient::OnFrame(std::string_view json) {
  // Pushes are written as {"type":..,"payload":..} (protocol/frame.h), so the type is a prefix
  // and a state's payload is everything between the prefix and the closing brace.
  if (StartsWith(json, kStatePrefix) && json.size() > kStatePrefix.size() && json.back() == '}') {
    view_.assign(json.substr(kStatePrefix.size(), json.size() - kStatePrefix.size() - 1));
    fresh_ = true;
    vote_pending_ = false;
  } else if (StartsWith(json, kFinishedPrefix)) {
    finished_ = true;
  } else if (StartsWith(json, kVoteStartPrefix)) {
    vote_pending_ = true;
    NoteVoteStart(json);
  }
}

void BotClient::NoteVoteStart(std::string_view json) {
  static thread_local simdjson::dom::parser parser;
  simdjson::dom::element frame;
  if (parser.parse(json.data(), json.size()).get(frame) != simdjson::SUCCESS) return;
  std::optional<JsonValue> payload = GetField(frame, "payload");
  if (!payload || !payload->is_object() || ballots_.size() >= kBallotsMax) return;
  PendingBallot b;
  std::optional<std::string_view> id = GetString(*payload, "vote_id");
  std::optional<JsonValue> options = GetField(*payload, "options");
  if (!id || !options || !options->is_array()) return;
  b.vote_id = std::string(*id);
  const std::string_view method = GetString(*payload, "method").value_or("");
  b.approval = method == "approval" || method == "ranked";
  for (JsonValue o : options->get_array()) {
    if (!o.is_object()) continue;
    if (std::optional<std::string_view> oid = GetString(o, "id")) b.option_ids.emplace_back(*oid);
  }
  if (!b.option_ids.empty()) ballots_.push_back(std::move(b));
}

}  // namespace asobi::bots
