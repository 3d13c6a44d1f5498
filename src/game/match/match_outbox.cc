#include "game/match/match_outbox.h"

#include <algorithm>

#include "protocol/frame.h"
#include "ws/ws_codec.h"

namespace asobi::match {
namespace {

ShardBatch& BatchFor(std::vector<ShardBatch>& batches, int shard, const std::string& match_id) {
  for (ShardBatch& b : batches) {
    if (b.shard == shard) return b;
  }
  batches.push_back(ShardBatch{shard, match_id, {}, {}});
  return batches.back();
}

}  // namespace

void MatchOutbox::Add(const SharedBuffer& frame, const std::vector<ClientRef>& to) {
  if (to.empty()) return;
  items_.push_back(Item{frame, to});
}

std::vector<ShardBatch> MatchOutbox::TakeByShard(const std::string& match_id) {
  std::vector<ShardBatch> batches;
  for (Item& item : items_) {
    for (const ClientRef& ref : item.to) {
      ShardBatch& b = BatchFor(batches, ref.shard, match_id);
      if (b.deliveries.empty() || b.deliveries.back().frame.data() != item.frame.data()) {
        b.deliveries.push_back(Delivery{item.frame, {}});
      }
      b.deliveries.back().to.push_back(ref);
    }
  }
  for (const ClientRef& ref : detach_) BatchFor(batches, ref.shard, match_id).detach.push_back(ref);
  items_.clear();
  detach_.clear();
  return batches;
}

SharedBuffer EncodePush(std::string_view type, std::string_view payload_json) {
  std::string json = BuildFrame(type, payload_json, nullptr);
  return WsCodec::EncodeTextFrameShared(json);
}

}  // namespace asobi::match
