#include "cluster/bus.h"

#include <nats/nats.h>

#include <utility>

#include "base/log.h"
#include "reactor/shard.h"

namespace asobi::cluster {

namespace {

// One subscription as the delivery side sees it; `active` is cleared by Unsubscribe so that
// messages already queued for the shard are skipped.
struct SubState {
  int shard = 0;
  Bus::Handler handler;
  std::atomic<bool> active{true};
};

struct Incoming {
  std::shared_ptr<SubState> sub;
  std::string subject;
  std::string payload;
};

// A shard's bounded inbox of messages from cnats's delivery threads; the first message into an
// empty inbox posts one drain task (batching).
struct Inbox {
  std::mutex mu;
  std::vector<Incoming> items;
};

}  // namespace

struct Bus::Impl {
  Bus* bus = nullptr;
  ShardSet* shards = nullptr;
  natsOptions* opts = nullptr;
  natsConnection* nc = nullptr;
  std::vector<std::unique_ptr<Inbox>> inboxes;
  // Subscription id -> state (delivery threads look up per message; the bus thread edits).
  std::mutex subs_mu;
  std::unordered_map<uint64_t, std::shared_ptr<SubState>> subs;
  // Bus thread only: the cnats handle of each live subscription.
  std::unordered_map<uint64_t, natsSubscription*> handles;

  void Deliver(uint64_t id, natsMsg* msg);
  void Drain(int shard);
};

void Bus::Impl::Deliver(uint64_t id, natsMsg* msg) {
  std::shared_ptr<SubState> sub;
  {
    std::lock_guard<std::mutex> lock(subs_mu);
    auto it = subs.find(id);
    if (it != subs.end()) sub = it->second;
  }
  if (sub == nullptr || !sub->active.load(std::memory_order_acquire)) return;
  Incoming in{sub, natsMsg_GetSubject(msg),
              std::string(natsMsg_GetData(msg), size_t(natsMsg_GetDataLength(msg)))};
  Inbox& box = *inboxes[size_t(sub->shard)];
  bool post = false;
  {
    std::lock_guard<std::mutex> lock(box.mu);
    if (box.items.size() >= bus->options_.inbox_max) {
      bus->metrics_.inbox_full.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    post = box.items.empty();
    box.items.push_back(std::move(in));
  }
  if (post) {
    int shard = sub->shard;
    shards->shard(shard).PostFromAnyThread([this, shard] { Drain(shard); });
  }
}

void Bus::Impl::Drain(int shard) {
  std::vector<Incoming> batch;
  {
    Inbox& box = *inboxes[size_t(shard)];
    std::lock_guard<std::mutex> lock(box.mu);
    batch.swap(box.items);
  }
  for (Incoming& in : batch) {
    if (!in.sub->active.load(std::memory_order_acquire)) continue;
    bus->metrics_.received.fetch_add(1, std::memory_order_relaxed);
    in.sub->handler(in.subject, in.payload);
  }
}

namespace {

struct Trampoline {
  Bus::Impl* impl;
  uint64_t id;
};

void OnMessageFor(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* t = static_cast<Trampoline*>(closure);
  t->impl->Deliver(t->id, msg);
  natsMsg_Destroy(msg);
}

// cnats calls this once the subscription is closed and its handler returned for the last time.
void OnSubscriptionComplete(void* closure) { delete static_cast<Trampoline*>(closure); }

}  // namespace

bool Bus::ValidToken(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Bus::Bus(BusOptions options) : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  impl_->bus = this;
}

Bus::~Bus() { Stop(); }

Status Bus::Start(ShardSet* shards) {
  if (options_.url.empty() || !ValidToken(options_.node_id) || !ValidToken(options_.prefix)) {
    return MakeError("bad_flag", "cluster: NATS URL, node id and prefix are required");
  }
  impl_->shards = shards;
  for (int i = 0; i < shards->size(); ++i) impl_->inboxes.push_back(std::make_unique<Inbox>());
  natsOptions* o = nullptr;
  natsStatus s = natsOptions_Create(&o);
  if (s == NATS_OK) s = natsOptions_SetURL(o, options_.url.c_str());
  if (s == NATS_OK && !options_.user.empty()) {
    s = natsOptions_SetUserInfo(o, options_.user.c_str(), options_.password.c_str());
  }
  if (s == NATS_OK && !options_.token.empty()) s = natsOptions_SetToken(o, options_.token.c_str());
  if (s == NATS_OK) s = natsOptions_SetName(o, ("asobi-" + options_.node_id).c_str());
  if (s == NATS_OK) s = natsOptions_SetNoEcho(o, true);
  // cnats buffers publishes for a flusher thread that waits 1 ms "to accumulate more
  // requests" before it writes: 1 ms on every cross-node hop (a proxied input, its state
  // frame, a DM). This thread already takes every queued publish in one batch, so each one
  // goes to the socket at once (docs/decisions.md "Cluster bus: publishes sent at once").
  if (s == NATS_OK) s = natsOptions_SetSendAsap(o, true);
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(o, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(o, options_.reconnect_wait_ms);
  if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(o, options_.reconnect_buffer_bytes);
  if (s == NATS_OK) s = natsOptions_SetTimeout(o, 2000);
  if (s == NATS_OK) s = natsOptions_SetPingInterval(o, 1000);
  if (s == NATS_OK) s = natsOptions_SetMaxPingsOut(o, 2);
  if (s == NATS_OK) {
    s = natsOptions_SetDisconnectedCB(
        o,
        [](natsConnection*, void* closure) {
          auto* bus = static_cast<Bus*>(closure);
          bus->connected_.store(false, std::memory_order_release);
          bus->metrics_.disconnects.fetch_add(1, std::memory_order_relaxed);
          LOG_WARN("cluster bus disconnected from NATS").KV("node", bus->node_id());
        },
        this);
  }
  if (s == NATS_OK) {
    s = natsOptions_SetReconnectedCB(
        o,
        [](natsConnection* nc, void* closure) {
          auto* bus = static_cast<Bus*>(closure);
          bus->max_payload_.store(natsConnection_GetMaxPayload(nc), std::memory_order_relaxed);
          bus->connected_.store(true, std::memory_order_release);
          bus->metrics_.reconnects.fetch_add(1, std::memory_order_relaxed);
          LOG_INFO("cluster bus reconnected to NATS").KV("node", bus->node_id());
        },
        this);
  }
  if (s == NATS_OK) {
    s = natsOptions_SetRetryOnFailedConnect(
        o, true,
        [](natsConnection* nc, void* closure) {
          auto* bus = static_cast<Bus*>(closure);
          bus->max_payload_.store(natsConnection_GetMaxPayload(nc), std::memory_order_relaxed);
          bus->connected_.store(true, std::memory_order_release);
          LOG_INFO("cluster bus connected to NATS").KV("node", bus->node_id());
        },
        this);
  }
  if (s != NATS_OK) {
    natsOptions_Destroy(o);
    return MakeError("bad_flag", std::string("cluster: NATS options: ") + natsStatus_GetText(s));
  }
  impl_->opts = o;
  s = natsConnection_Connect(&impl_->nc, o);
  if (s == NATS_OK) {
    max_payload_.store(natsConnection_GetMaxPayload(impl_->nc), std::memory_order_relaxed);
    connected_.store(true, std::memory_order_release);
  } else if (s == NATS_NOT_YET_CONNECTED) {
    LOG_WARN("cluster bus: NATS unreachable, retrying in the background").KV("url", options_.url);
  } else {
    natsOptions_Destroy(o);
    impl_->opts = nullptr;
    impl_->nc = nullptr;
    return MakeError("bad_flag", std::string("cluster: NATS connect: ") + natsStatus_GetText(s));
  }
  started_ = true;
  thread_ = std::thread([this] { RunThread(); });
  return Ok{};
}

void Bus::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || !started_) {
      stopping_ = true;
      return;
    }
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  connected_.store(false, std::memory_order_release);
  if (impl_->opts != nullptr) natsOptions_Destroy(impl_->opts);
  impl_->opts = nullptr;
}

Bus::PublishResult Bus::Publish(std::string_view subject, std::string_view payload) {
  int64_t max = max_payload_.load(std::memory_order_relaxed);
  if (max > 0 && int64_t(payload.size()) > max) {
    metrics_.publish_too_large.fetch_add(1, std::memory_order_relaxed);
    LOG_WARN("cluster bus: message over NATS max_payload refused")
        .KV("subject", subject)
        .KV("bytes", int64_t(payload.size()))
        .KV("max_payload", max);
    return PublishResult::kTooLarge;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || !started_) return PublishResult::kStopped;
    if (ops_.size() >= options_.publish_queue_max ||
        queued_bytes_ + payload.size() > options_.publish_bytes_max) {
      metrics_.publish_queue_full.fetch_add(1, std::memory_order_relaxed);
      return PublishResult::kQueueFull;
    }
    queued_bytes_ += payload.size();
    ops_.push_back(Op{Op::kPublish, 0, std::string(subject), std::string(payload)});
  }
  cv_.notify_one();
  return PublishResult::kQueued;
}

uint64_t Bus::Subscribe(std::string subject, int shard, Handler handler) {
  uint64_t id = next_sub_id_.fetch_add(1, std::memory_order_relaxed);
  auto state = std::make_shared<SubState>();
  state->shard = shard;
  state->handler = std::move(handler);
  {
    std::lock_guard<std::mutex> lock(impl_->subs_mu);
    impl_->subs.emplace(id, std::move(state));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return 0;
    ops_.push_back(Op{Op::kSubscribe, id, std::move(subject), {}});
  }
  cv_.notify_one();
  return id;
}

void Bus::Unsubscribe(uint64_t id) {
  {
    std::lock_guard<std::mutex> lock(impl_->subs_mu);
    auto it = impl_->subs.find(id);
    if (it == impl_->subs.end()) return;
    it->second->active.store(false, std::memory_order_release);
    impl_->subs.erase(it);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    ops_.push_back(Op{Op::kUnsubscribe, id, {}, {}});
  }
  cv_.notify_one();
}

void Bus::RunThread() {
  std::deque<Op> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !ops_.empty(); });
      if (stopping_) break;
      batch.swap(ops_);
      queued_bytes_ = 0;
    }
    for (Op& op : batch) {
      if (op.kind == Op::kPublish) {
        natsStatus s = natsConnection_Publish(impl_->nc, op.subject.c_str(), op.payload.data(),
                                              int(op.payload.size()));
        if (s == NATS_OK) {
          metrics_.published.fetch_add(1, std::memory_order_relaxed);
        } else if (s == NATS_MAX_PAYLOAD) {
          metrics_.publish_too_large.fetch_add(1, std::memory_order_relaxed);
          LOG_WARN("cluster bus: message over NATS max_payload refused").KV("subject", op.subject);
        } else {
          metrics_.publish_failed.fetch_add(1, std::memory_order_relaxed);
        }
      } else if (op.kind == Op::kSubscribe) {
        // The trampoline (the subscription's closure) is freed by OnSubscriptionComplete, after
        // the last callback returned: a callback may still run after Unsubscribe.
        auto t = std::make_unique<Trampoline>(Trampoline{impl_.get(), op.sub_id});
        natsSubscription* sub = nullptr;
        natsStatus s =
            natsConnection_Subscribe(&sub, impl_->nc, op.subject.c_str(), OnMessageFor, t.get());
        if (s == NATS_OK)
          s = natsSubscription_SetOnCompleteCB(sub, OnSubscriptionComplete, t.get());
        if (s == NATS_OK) t.release();
        if (s != NATS_OK) {
          LOG_ERROR("cluster bus: subscribe failed")
              .KV("subject", op.subject)
              .KV("error", natsStatus_GetText(s));
          continue;
        }
        impl_->handles[op.sub_id] = sub;
      } else {
        auto it = impl_->handles.find(op.sub_id);
        if (it == impl_->handles.end()) continue;
        natsSubscription_Unsubscribe(it->second);
        natsSubscription_Destroy(it->second);
        impl_->handles.erase(it);
      }
    }
    batch.clear();
  }
  for (auto& [id, h] : impl_->handles) {
    natsSubscription_Unsubscribe(h);
    natsSubscription_Destroy(h);
  }
  impl_->handles.clear();
  if (impl_->nc != nullptr) {
    natsConnection_Close(impl_->nc);
    natsConnection_Destroy(impl_->nc);
    impl_->nc = nullptr;
  }
}

}  // namespace asobi::cluster
