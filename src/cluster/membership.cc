#include "cluster/membership.h"

#include <utility>

#include "base/clock.h"
#include "base/log.h"
#include "protocol/json_value.h"
#include "protocol/json_writer.h"
#include "reactor/shard.h"

namespace asobi::cluster {

Membership::Membership(Bus& bus, MembershipOptions options)
    : bus_(bus), options_(std::move(options)) {}

Membership::~Membership() = default;

std::string Membership::EncodeAnnouncement(bool leaving) const {
  JsonWriter w;
  w.BeginObject();
  w.Key("node");
  w.String(bus_.node_id());
  w.Key("address");
  w.String(options_.address);
  w.Key("load");
  w.Int(options_.load ? options_.load() : 0);
  if (leaving) {
    w.Key("leaving");
    w.Bool(true);
  }
  if (options_.draining && options_.draining()) {
    w.Key("draining");
    w.Bool(true);
  }
  w.EndObject();
  return std::move(w.out());
}

bool Membership::ParseAnnouncement(std::string_view payload, NodeInfo* out, bool* leaving) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(payload.data(), payload.size()).get(doc) != simdjson::SUCCESS) return false;
  if (!IsObject(doc)) return false;
  std::optional<std::string_view> node = GetString(doc, "node");
  if (!node || !Bus::ValidToken(*node)) return false;
  std::optional<std::string_view> address = GetString(doc, "address");
  if (!address || address->size() > 256) return false;
  std::optional<int64_t> load = GetInt(doc, "load");
  if (!load || *load < 0) return false;
  *leaving = false;
  if (GetField(doc, "leaving")) {
    std::optional<bool> l = GetBool(doc, "leaving");
    if (!l) return false;
    *leaving = *l;
  }
  out->draining = false;
  if (GetField(doc, "draining")) {
    std::optional<bool> d = GetBool(doc, "draining");
    if (!d) return false;
    out->draining = *d;
  }
  out->node_id = std::string(*node);
  out->address = std::string(*address);
  out->load = *load;
  return true;
}

void Membership::Start(Shard& shard) {
  shard_ = &shard;
  alive_ = std::make_shared<bool>(true);
  sub_ = bus_.Subscribe(
      bus_.prefix() + ".nodes", shard.id(),
      [this](std::string_view, std::string_view payload) { OnAnnouncement(payload); });
  Tick();
}

void Membership::Stop() {
  if (shard_ == nullptr) return;
  *alive_ = false;
  shard_->reactor().CancelTimer(timer_);
  bus_.Publish(bus_.prefix() + ".nodes", EncodeAnnouncement(true));
  bus_.Unsubscribe(sub_);
  shard_ = nullptr;
}

void Membership::OnAnnouncement(std::string_view payload) {
  NodeInfo info;
  bool leaving = false;
  if (!ParseAnnouncement(payload, &info, &leaving) || info.node_id == bus_.node_id()) {
    bus_.metrics().refused.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  info.last_seen_ms = MonoMs();
  std::lock_guard<std::mutex> lock(mu_);
  if (leaving) {
    peers_.erase(info.node_id);
    return;
  }
  auto it = peers_.find(info.node_id);
  if (it == peers_.end()) {
    LOG_INFO("cluster node joined").KV("node", info.node_id).KV("address", info.address);
    peers_.emplace(info.node_id, std::move(info));
  } else {
    it->second = std::move(info);
  }
}

void Membership::Tick() {
  bus_.Publish(bus_.prefix() + ".nodes", EncodeAnnouncement(false));
  int64_t now = MonoMs();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = peers_.begin(); it != peers_.end();) {
      if (now - it->second.last_seen_ms > options_.expire_ms) {
        LOG_WARN("cluster node expired").KV("node", it->first);
        it = peers_.erase(it);
      } else {
        ++it;
      }
    }
  }
  std::shared_ptr<bool> alive = alive_;
  timer_ = shard_->reactor().AddTimer(options_.announce_interval_ms, [this, alive] {
    if (*alive) Tick();
  });
}

std::vector<NodeInfo> Membership::Peers() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<NodeInfo> out;
  out.reserve(peers_.size());
  for (const auto& [id, info] : peers_) out.push_back(info);
  return out;
}

bool Membership::IsLive(std::string_view node_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return peers_.find(node_id) != peers_.end();
}

size_t Membership::PeerCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peers_.size();
}

}  // namespace asobi::cluster
