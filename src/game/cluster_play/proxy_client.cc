#include "game/cluster_play/proxy_client.h"

#include "cluster/node.h"
#include "game/bots/bot_client.h"
#include "game/cluster_play/play_wire.h"  // kTicketIdBytesMax

namespace asobi::cluster_play {

ProxyClient::ProxyClient(ClientRef ref, std::string player_id, std::string origin,
                         int64_t created_ms, Sink sink)
    : ref_(ref), origin_(std::move(origin)), created_ms_(created_ms), sink_(std::move(sink)) {
  player_id_ = std::move(player_id);
}

const std::string& ProxyClient::peer_ip() const {
  static const std::string kIp = "proxy";
  return kIp;
}

void ProxyClient::SendFrame(std::string_view json) {
  if (IsPush(json, "match.matched")) {
    match_id_ = std::string(FrameMatchId(json));
  } else if (IsPush(json, "match.finished")) {
    finished_ = true;
  }
  cluster::ClusterNode* n = cluster::ThisNode();
  if (n == nullptr || !n->membership->IsLive(origin_)) return;  // its sockets are gone
  ++frames_;
  if (sink_) sink_(origin_, player_id_, json);
}

void ProxyClient::SendEncoded(const SharedBuffer& ws_frame) {
  std::string_view json = bots::WsFramePayload(ws_frame.view());
  if (!json.empty()) SendFrame(json);
}

bool IsPush(std::string_view frame, std::string_view type) {
  constexpr std::string_view kHead = "{\"type\":\"";
  return frame.size() > kHead.size() + type.size() && frame.substr(0, kHead.size()) == kHead &&
         frame.substr(kHead.size(), type.size()) == type &&
         frame[kHead.size() + type.size()] == '"';
}

std::string_view FrameMatchId(std::string_view frame) {
  constexpr std::string_view kKey = "\"match_id\":\"";
  size_t at = frame.find(kKey);
  if (at == std::string_view::npos) return {};
  size_t start = at + kKey.size();
  size_t end = frame.find('"', start);
  if (end == std::string_view::npos || end - start > kTicketIdBytesMax) return {};
  return frame.substr(start, end - start);
}

}  // namespace asobi::cluster_play
