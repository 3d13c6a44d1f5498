// A single-threaded stand-in for a set of shards, for matchmaker unit tests: each fake shard
// has a MatchHost with a manual clock, timers and a mailbox queue, and fake clients that
// record the frames they are sent.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "game/client.h"
#include "game/match/match_host.h"

namespace asobi::testing {

class FakeClient final : public Client {
 public:
  explicit FakeClient(ClientRef ref, std::string player) : ref_(ref) {
    player_id_ = std::move(player);
  }
  void SendFrame(std::string_view json) override { frames.emplace_back(json); }
  void SendEncoded(const SharedBuffer& b) override { frames.emplace_back(b.view()); }
  void SendError(std::string_view reason, const std::string*, std::string_view,
                 std::string_view) override {
    frames.push_back(std::string("error:").append(reason));
  }
  void Close(uint16_t, std::string_view) override {}
  ClientRef ref() const override { return ref_; }
  const std::string& peer_ip() const override { return ip_; }
  void BindPlayer(std::string player_id, bool) override { player_id_ = std::move(player_id); }

  /// Frames whose text contains `needle`.
  std::vector<std::string> With(std::string_view needle) const {
    std::vector<std::string> out;
    for (const auto& f : frames) {
      if (f.find(needle) != std::string::npos) out.push_back(f);
    }
    return out;
  }

  std::vector<std::string> frames;

 private:
  ClientRef ref_;
  std::string ip_ = "127.0.0.1";
};

class FakeCluster {
 public:
  explicit FakeCluster(int shards) {
    for (int i = 0; i < shards; ++i) hosts_.push_back(std::make_unique<Host>(this, i));
  }

  match::MatchHost& host(int shard) { return *hosts_[size_t(shard)]; }
  int size() const { return int(hosts_.size()); }
  int64_t now_ms() const { return now_ms_; }

  /// A new open client of `player` on `shard`.
  FakeClient& Connect(int shard, const std::string& player) {
    ClientRef ref{shard, next_index_++, 1};
    auto c = std::make_unique<FakeClient>(ref, player);
    FakeClient& out = *c;
    clients_[Key(ref)] = std::move(c);
    return out;
  }
  /// Closes a client (FindClient stops finding it); returns its ref.
  ClientRef Disconnect(FakeClient& c) {
    ClientRef ref = c.ref();
    closed_.push_back(std::move(clients_[Key(ref)]));
    clients_.erase(Key(ref));
    return ref;
  }

  /// Runs queued mailbox tasks (and the tasks they queue) until none is left.
  void Drain() {
    while (!tasks_.empty()) {
      Task t = std::move(tasks_.front().second);
      tasks_.pop_front();
      t();
    }
  }
  /// Moves the clock forward by `ms`, firing due timers in order, draining tasks after each.
  void Advance(int64_t ms) {
    int64_t end = now_ms_ + ms;
    Drain();
    while (!timers_.empty() && timers_.begin()->first.first <= end) {
      auto it = timers_.begin();
      now_ms_ = it->first.first;
      Task fn = std::move(it->second);
      timers_.erase(it);
      fn();
      Drain();
    }
    now_ms_ = end;
  }
  /// Fails the next `n` SubmitTo calls (a full mailbox).
  void FailSubmits(int n) { fail_submits_ = n; }

 private:
  static uint64_t Key(const ClientRef& r) { return (uint64_t(r.shard) << 40) ^ r.index; }

  struct Host final : match::MatchHost {
    Host(FakeCluster* c, int id) : cluster(c), shard(id) {}
    int shard_id() const override { return shard; }
    int shard_count() const override { return cluster->size(); }
    int64_t NowMs() override { return cluster->now_ms_; }
    TimerId AddTimer(int64_t delay_ms, Task fn) override {
      TimerId id = ++cluster->next_timer_;
      cluster->timers_.emplace(std::make_pair(cluster->now_ms_ + delay_ms, id), std::move(fn));
      return id;
    }
    void CancelTimer(TimerId id) override {
      for (auto it = cluster->timers_.begin(); it != cluster->timers_.end(); ++it) {
        if (it->first.second == id) {
          cluster->timers_.erase(it);
          return;
        }
      }
    }
    bool SubmitTo(int, Task fn) override {
      if (cluster->fail_submits_ > 0) {
        --cluster->fail_submits_;
        return false;
      }
      cluster->tasks_.emplace_back(0, std::move(fn));
      return true;
    }
    Client* FindClient(const ClientRef& ref) override {
      if (ref.shard != shard) return nullptr;
      auto it = cluster->clients_.find(Key(ref));
      return it == cluster->clients_.end() ? nullptr : it->second.get();
    }
    db::PgConnection* db() override { return nullptr; }
    FakeCluster* cluster;
    int shard;
  };

  std::vector<std::unique_ptr<Host>> hosts_;
  std::map<uint64_t, std::unique_ptr<FakeClient>> clients_;
  std::vector<std::unique_ptr<FakeClient>> closed_;
  std::deque<std::pair<int, Task>> tasks_;
  std::map<std::pair<int64_t, uint64_t>, Task> timers_;
  int64_t now_ms_ = 1000;
  uint64_t next_timer_ = 0;
  uint32_t next_index_ = 1;
  int fail_submits_ = 0;
};

}  // namespace asobi::testing
