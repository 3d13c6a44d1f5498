// Test harness for the match runtime without sockets: several fake shards on one thread with
// a manual clock, timers and mailbox queues, each with its MatchService; fake clients that
// record the frames they receive; and temporary game directories.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "game/client.h"
#include "game/match/match_host.h"
#include "game/match/match_node.h"
#include "game/match/match_service.h"
#include "game/modes/mode_loader.h"
#include "protocol/json_value.h"
#include "script/budget.h"

namespace asobi::match::test {

/// A game directory under /tmp, removed at destruction.
class TempGameDir {
 public:
  TempGameDir() {
    char tmpl[] = "/tmp/asobi_match_test_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempGameDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }
  /// Writes `content` to `rel` (creating directories).
  void Write(const std::string& rel, const std::string& content) const {
    std::string full = path_ + "/" + rel;
    for (size_t i = path_.size() + 1; i < full.size(); ++i) {
      if (full[i] == '/') mkdir(full.substr(0, i).c_str(), 0755);
    }
    std::ofstream(full, std::ios::trunc) << content;
  }
  std::string Abs(const std::string& rel) const {
    char real[4096];
    std::string p = path_ + "/" + rel;
    return realpath(p.c_str(), real) ? std::string(real) : p;
  }

 private:
  std::string path_;
};

class FakeClient final : public Client {
 public:
  FakeClient(ClientRef ref, std::string player) : ref_(ref) { player_id_ = std::move(player); }
  void SendFrame(std::string_view json) override { frames.emplace_back(json); }
  void SendEncoded(const SharedBuffer& b) override {
    // Strip the WebSocket header (server frames are unmasked: 2, 4 or 10 bytes).
    std::string_view v = b.view();
    size_t len = uint8_t(v[1]) & 0x7F;
    size_t header = len == 126 ? 4 : len == 127 ? 10 : 2;
    frames.emplace_back(v.substr(header));
  }
  void SendError(std::string_view reason, const std::string*, std::string_view,
                 std::string_view) override {
    frames.push_back(std::string("error:").append(reason));
  }
  void Close(uint16_t, std::string_view) override {}
  ClientRef ref() const override { return ref_; }
  const std::string& peer_ip() const override { return ip_; }
  void BindPlayer(std::string player_id, bool) override { player_id_ = std::move(player_id); }

  /// Frames whose `type` is `type` (by prefix match on the JSON text).
  std::vector<std::string> OfType(std::string_view type) const {
    std::string needle = "{\"type\":\"" + std::string(type) + "\"";
    std::vector<std::string> out;
    for (const auto& f : frames) {
      if (f.rfind(needle, 0) == 0) out.push_back(f);
    }
    return out;
  }
  std::string Last(std::string_view type) const {
    auto v = OfType(type);
    return v.empty() ? std::string() : v.back();
  }

  std::vector<std::string> frames;

 private:
  ClientRef ref_;
  std::string ip_ = "127.0.0.1";
};

/// N shards on the test thread. Every task and timer runs with its shard's service as
/// MatchService::OnThisShard().
class FakeShards {
 public:
  FakeShards(int n, MatchOptions options, std::shared_ptr<const modes::ModeSet> set)
      : registry_(std::make_unique<modes::ModeRegistry>()) {
    registry_->Publish(std::move(set));
    node_ = std::make_unique<MatchNode>(options, registry_.get(), n);
    for (int i = 0; i < n; ++i) hosts_.push_back(std::make_unique<Host>(this, i));
    for (int i = 0; i < n; ++i) {
      services_.push_back(std::make_unique<MatchService>(*hosts_[size_t(i)], *node_));
    }
    Enter(0);
  }
  ~FakeShards() {
    for (int i = int(services_.size()) - 1; i >= 0; --i) {
      Enter(i);
      services_[size_t(i)].reset();
    }
    MatchService::SetOnThisShard(nullptr);
  }

  MatchService& service(int shard) { return *services_[size_t(shard)]; }
  MatchHost& host(int shard) { return *hosts_[size_t(shard)]; }
  MatchNode& node() { return *node_; }
  /// Consulted for refs that no FakeClient has (e.g. a BotRunner's bots).
  std::function<Client*(const ClientRef&)> find_other_client;
  modes::ModeRegistry& registry() { return *registry_; }
  int64_t now_ms() const { return now_ms_; }
  /// Makes `shard` the current one (OnThisShard) and returns its service.
  MatchService& Enter(int shard) {
    MatchService::SetOnThisShard(services_.empty() ? nullptr : services_[size_t(shard)].get());
    return *services_[size_t(shard)];
  }

  FakeClient& Connect(int shard, const std::string& player) {
    ClientRef ref{shard, next_index_++, 1};
    clients_[Key(ref)] = std::make_unique<FakeClient>(ref, player);
    return *clients_[Key(ref)];
  }
  void Disconnect(FakeClient& c) { clients_.erase(Key(c.ref())); }

  void Drain() {
    while (!tasks_.empty()) {
      auto [shard, t] = std::move(tasks_.front());
      tasks_.pop_front();
      Enter(shard);
      t();
    }
  }
  void Advance(int64_t ms) {
    const int64_t end = now_ms_ + ms;
    Drain();
    while (!timers_.empty() && timers_.begin()->first.first <= end) {
      auto it = timers_.begin();
      now_ms_ = it->first.first;
      int shard = it->second.first;
      Task fn = std::move(it->second.second);
      timers_.erase(it);
      Enter(shard);
      fn();
      Drain();
    }
    now_ms_ = end;
  }
  size_t pending_timers() const { return timers_.size(); }

 private:
  static uint64_t Key(const ClientRef& r) { return (uint64_t(r.shard) << 40) ^ r.index; }

  struct Host final : MatchHost {
    Host(FakeShards* s, int id) : self(s), shard(id) {}
    int shard_id() const override { return shard; }
    int shard_count() const override { return int(self->hosts_.size()); }
    int64_t NowMs() override { return self->now_ms_; }
    TimerId AddTimer(int64_t delay_ms, Task fn) override {
      TimerId id = ++self->next_timer_;
      self->timers_.emplace(std::make_pair(self->now_ms_ + std::max<int64_t>(0, delay_ms), id),
                            std::make_pair(shard, std::move(fn)));
      return id;
    }
    void CancelTimer(TimerId id) override {
      for (auto it = self->timers_.begin(); it != self->timers_.end(); ++it) {
        if (it->first.second == id) {
          self->timers_.erase(it);
          return;
        }
      }
    }
    bool SubmitTo(int to, Task fn) override {
      self->tasks_.emplace_back(to, std::move(fn));
      return true;
    }
    Client* FindClient(const ClientRef& ref) override {
      auto it = self->clients_.find(Key(ref));
      if (it != self->clients_.end()) return it->second.get();
      return self->find_other_client ? self->find_other_client(ref) : nullptr;
    }
    db::PgConnection* db() override { return nullptr; }
    FakeShards* self;
    int shard;
  };

  std::unique_ptr<modes::ModeRegistry> registry_;
  std::unique_ptr<MatchNode> node_;
  std::vector<std::unique_ptr<Host>> hosts_;
  std::vector<std::unique_ptr<MatchService>> services_;
  std::map<uint64_t, std::unique_ptr<FakeClient>> clients_;
  std::deque<std::pair<int, Task>> tasks_;
  std::map<std::pair<int64_t, uint64_t>, std::pair<int, Task>> timers_;
  int64_t now_ms_ = 1000000;
  uint64_t next_timer_ = 0;
  uint32_t next_index_ = 1;
};

/// Loads the modes of `dir` (the test fails on error).
inline std::shared_ptr<const modes::ModeSet> LoadOrDie(const TempGameDir& dir) {
  auto set = modes::LoadModes(dir.path());
  EXPECT_TRUE(set.ok()) << (set.ok() ? "" : set.error().message);
  if (!set.ok()) return std::make_shared<const modes::ModeSet>();
  return std::make_shared<const modes::ModeSet>(std::move(set.value()));
}

/// Options with test functions on.
inline MatchOptions TestOptions() {
  MatchOptions o;
  o.test_api = true;
  // Debian's LuaJIT (-Dluajit=system) cannot stop a JIT-compiled loop: interpret there.
  o.lua_jit = script::BudgetStopsCompiledLoops();
  o.spread_tick_phases = false;  // first tick exactly one period after the start
  return o;
}

/// Joins `client`'s player into `match_id` on the current shard; returns the outcome.
inline JoinOutcome JoinNow(FakeShards& shards, const std::string& match_id, FakeClient& client,
                           std::string ctx_json = "{}") {
  JoinRequest req;
  req.match_id = match_id;
  req.player_id = client.player_id();
  req.clients = {client.ref()};
  req.ctx_json = std::move(ctx_json);
  JoinOutcome out;
  out.reason = "no_reply";
  shards.Enter(0).Join(std::move(req), [&out](JoinOutcome o) { out = std::move(o); });
  shards.Drain();
  return out;
}

/// Parses a frame's JSON text.
class Frame {
 public:
  explicit Frame(const std::string& text) : text_(text) {
    ok_ = parser_.parse(text_).get(root_) == simdjson::SUCCESS;
  }
  bool ok() const { return ok_; }
  std::optional<JsonValue> At(std::initializer_list<std::string_view> path) const {
    JsonValue v = root_;
    for (std::string_view k : path) {
      auto f = GetField(v, k);
      if (!f) return std::nullopt;
      v = *f;
    }
    return v;
  }
  std::string Str(std::initializer_list<std::string_view> path) const {
    auto v = At(path);
    std::string_view s;
    return v && v->get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
  }
  double Num(std::initializer_list<std::string_view> path) const {
    auto v = At(path);
    double d = 0;
    if (v && v->is_number()) d = v->get_double().value();
    return d;
  }

 private:
  std::string text_;
  simdjson::dom::parser parser_;
  JsonValue root_;
  bool ok_ = false;
};

}  // namespace asobi::match::test
