// MatchOutbox: the frames a match produced since its last flush, in order, and their grouping
// by destination shard (docs/match_design.md: each distinct payload is encoded once into a
// SharedBuffer; one mailbox task per destination shard carries every frame for it).
#pragma once

#include <string>
#include <vector>

#include "base/shared_buffer.h"
#include "game/client.h"

namespace asobi::match {

/// One encoded WebSocket frame and the local clients (all on one shard) it goes to.
struct Delivery {
  SharedBuffer frame;
  std::vector<ClientRef> to;
};

/// Everything one shard must do for one match after a flush: deliver the frames in order, then
/// forget `detach` clients' membership of `match_id` (they left or the match ended).
struct ShardBatch {
  int shard = 0;
  std::string match_id;
  std::vector<Delivery> deliveries;
  std::vector<ClientRef> detach;
};

/// Owned by a Match; shard-affine.
class MatchOutbox {
 public:
  /// Queues `frame` (a complete WebSocket frame) for `to` (any shards).
  void Add(const SharedBuffer& frame, const std::vector<ClientRef>& to);
  /// Queues a membership removal for `ref` (delivered after the frames).
  void Detach(const ClientRef& ref) { detach_.push_back(ref); }
  bool empty() const { return items_.empty() && detach_.empty(); }
  /// Groups everything queued by destination shard, preserving order per shard, and empties
  /// the outbox.
  std::vector<ShardBatch> TakeByShard(const std::string& match_id);

 private:
  struct Item {
    SharedBuffer frame;
    std::vector<ClientRef> to;
  };
  std::vector<Item> items_;
  std::vector<ClientRef> detach_;
};

/// `{"type":<type>,"payload":<payload_json>}` as one WebSocket text frame (no cid: a push).
SharedBuffer EncodePush(std::string_view type, std::string_view payload_json);

/// For a `frame` made by EncodePush(type, p): true when `p` equals `payload_json` (compared in
/// place; the type is not re-checked).
bool PushCarriesPayload(const SharedBuffer& frame, std::string_view type,
                        std::string_view payload_json);

}  // namespace asobi::match
