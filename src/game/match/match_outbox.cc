#include "game/match/match_outbox.h"

#include <algorithm>
#include <cstring>

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

namespace {

constexpr std::string_view kPushHead = R"({"type":")";
constexpr std::string_view kPushMiddle = R"(","payload":)";
constexpr std::string_view kPushTail = "}";

// A type JsonWriter::String writes verbatim (no escapes needed).
bool IsPlainType(std::string_view type) {
  for (char c : type) {
    if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') return false;
  }
  return true;
}

size_t PushTextSize(std::string_view type, std::string_view payload_json) {
  return kPushHead.size() + type.size() + kPushMiddle.size() + payload_json.size() +
         kPushTail.size();
}

}  // namespace

SharedBuffer EncodePush(std::string_view type, std::string_view payload_json) {
  if (!IsPlainType(type)) {
    return WsCodec::EncodeTextFrameShared(BuildFrame(type, payload_json, nullptr));
  }
  // The bytes BuildFrame + EncodeTextFrameShared produce, written once into the shared buffer.
  const size_t text = PushTextSize(type, payload_json);
  char header[10];
  const size_t header_size = WsCodec::EncodeServerFrameHeader(1, text, header);
  SharedBuffer frame = SharedBuffer::Allocate(header_size + text);
  char* p = frame.mutable_data();
  for (std::string_view part : {std::string_view(header, header_size), kPushHead, type, kPushMiddle,
                                payload_json, kPushTail}) {
    if (!part.empty()) std::memcpy(p, part.data(), part.size());
    p += part.size();
  }
  return frame;
}

bool PushCarriesPayload(const SharedBuffer& frame, std::string_view type,
                        std::string_view payload_json) {
  if (!IsPlainType(type)) return false;
  const size_t text = PushTextSize(type, payload_json);
  if (frame.size() != WsCodec::ServerFrameHeaderSize(text) + text) return false;
  const char* payload = frame.data() + frame.size() - kPushTail.size() - payload_json.size();
  return payload_json.empty() ||
         std::memcmp(payload, payload_json.data(), payload_json.size()) == 0;
}

}  // namespace asobi::match
