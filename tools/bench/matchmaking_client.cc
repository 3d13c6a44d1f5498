#include "matchmaking_client.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/clock.h"
#include "reply_scan.h"
#include "ws_epoll_client.h"

namespace asobi::bench {
namespace {

constexpr int64_t kMs = 1000000;
constexpr int64_t kLeaveTimeoutNs = 10000 * kMs;
constexpr int64_t kCloseTimeoutNs = 3000 * kMs;
constexpr int64_t kConnectTimeoutNs = 30000 * kMs;

enum class St {
  kIdle,
  kConnecting,
  kUpgrading,
  kAuth,
  kReady,
  kQueued,
  kPlaying,
  kLeaving,
  kClosing,
  kDone
};

struct Conn : WsConnBase {
  St st = St::kIdle;
  int64_t due_add_ns = 0, add_ns = 0, last_state_ns = 0, next_input_ns = 0, play_end_ns = 0;
  uint64_t states = 0;
  int64_t vote_end_ns = 0;  // match.vote_start received + its window_ms
  bool right = true;
};

std::string_view StrAfter(std::string_view json, std::string_view key) {
  size_t at = json.find(key);
  if (at == std::string_view::npos) return {};
  size_t start = at + key.size();
  size_t end = json.find('"', start);
  return end == std::string_view::npos ? std::string_view() : json.substr(start, end - start);
}

int64_t IntAfter(std::string_view json, std::string_view key) {
  size_t at = json.find(key);
  if (at == std::string_view::npos) return 0;
  int64_t v = 0;
  for (size_t i = at + key.size(); i < json.size() && json[i] >= '0' && json[i] <= '9'; ++i) {
    v = v * 10 + (json[i] - '0');
  }
  return v;
}

// Occurrences of `needle` in `hay`.
uint64_t CountOf(std::string_view hay, std::string_view needle) {
  uint64_t n = 0;
  for (size_t at = hay.find(needle); at != std::string_view::npos;
       at = hay.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

constexpr const char* kArenaOptions[] = {"rapid_fire", "heavy_rounds", "vampire"};

class Loop : public WsEpollClient<Loop, Conn> {
 public:
  Loop(const MmOptions& o, const std::vector<std::string>& tokens, int first, int count,
       MmControl* ctl, MmStats* st)
      : WsEpollClient(o.host, o.port, first, count), o_(o), tokens_(tokens), ctl_(ctl), st_(st) {}

  void Run() {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    size_t next = 0;
    int64_t last_wave = 0;
    epoll_event evs[256];
    while (live_ > 0 || next < conns_.size()) {
      int64_t now = MonoNs();
      if (ctl_->abort.load(std::memory_order_relaxed)) break;
      if (next < conns_.size() && now - last_wave >= 50 * kMs) {
        for (int k = 0; k < o_.wave && next < conns_.size(); ++k) StartConnect(conns_[next++], now);
        last_wave = now;
      }
      int n = epoll_wait(ep_, evs, 256, 2);
      now = MonoNs();
      for (int i = 0; i < n; ++i) OnEvent(*static_cast<Conn*>(evs[i].data.ptr), evs[i].events, now);
      // Timers need ~10 ms resolution (inputs at <= 100/s); the go burst is sent from here too.
      bool go_now = !went_ && ctl_->go_ns.load(std::memory_order_acquire) != 0 &&
                    now >= ctl_->go_ns.load(std::memory_order_acquire);
      if (go_now || now - last_scan_ >= 10 * kMs) {
        went_ = went_ || go_now;
        last_scan_ = now;
        for (Conn& c : conns_) Timers(c, now);
      }
    }
    for (Conn& c : conns_) {
      if (c.fd >= 0) close(c.fd);
      if (c.st == St::kQueued) ++st_->unmatched;
    }
    close(ep_);
  }

 private:
  friend class WsEpollClient<Loop, Conn>;

  void Settle(bool ok) {
    ok ? ++st_->authenticated : ++st_->connect_failed;
    ctl_->settled.fetch_add(1, std::memory_order_relaxed);
  }

  void Done(Conn& c) {
    if (c.fd < 0) return;
    if (c.st < St::kReady) Settle(false);
    if (c.st == St::kQueued) ++st_->unmatched;
    Release(c);
    if (c.states > 0 || c.add_ns > 0) {
      st_->min_states_per_player = std::min(st_->min_states_per_player, c.states);
    }
  }

  void ConnectFailed(Conn&, int /*err*/) { Settle(false); }

  const std::string& TokenOf(const Conn& c) const {
    return tokens_[size_t(c.index) % tokens_.size()];
  }

  // A close frame is not counted as closed by the server (only EOF or a reset is).
  void OnServerClosed(Conn& c, bool close_frame) {
    if (!close_frame && c.st != St::kClosing) ++st_->closed_by_server;
  }

  void OnText(Conn& c, std::string_view json, int64_t now) {
    ReplyScan r = ScanReply(json);
    std::string_view t = r.type;
    if (t == "match.state") {
      if (c.st == St::kPlaying || c.st == St::kLeaving) {
        ++c.states;
        ++st_->states;
        if (c.last_state_ns != 0)
          st_->state_interval_us.Record(uint64_t(now - c.last_state_ns) / 1000);
        c.last_state_ns = now;
      }
    } else if (t == "session.connected" && c.st == St::kAuth) {
      c.st = St::kReady;
      Settle(true);
    } else if (t == "matchmaker.queued") {
      ++st_->queued;
      st_->queued_us.Record(uint64_t(now - c.add_ns) / 1000);
    } else if (t == "match.matched" && c.st == St::kQueued) {
      ++st_->matched;
      st_->ttm_us.Record(uint64_t(now - c.add_ns) / 1000);
      st_->match_ids.insert(std::string(StrAfter(json, "\"match_id\":\"")));
      st_->bots_matched += CountOf(json, "\"bot_");
      c.st = St::kPlaying;
      c.since_ns = now;
      c.play_end_ns = now + int64_t(o_.play_s * 1e9);
      c.next_input_ns = o_.input_rate > 0 ? now + int64_t(1e9 / o_.input_rate) : INT64_MAX;
    } else if (t == "match.vote_start") {
      ++st_->votes_started;
      c.vote_end_ns = now + IntAfter(json, "\"window_ms\":") * kMs;
      if (o_.arena) {
        SendText(c, R"({"type":"vote.cast","cid":"v","payload":{"vote_id":")" +
                        std::string(StrAfter(json, "\"vote_id\":\"")) + R"(","option_id":")" +
                        kArenaOptions[c.index % 3] + "\"}}");
      }
    } else if (t == "vote.cast_ok") {
      ++st_->votes_cast;
    } else if (t == "match.vote_result") {
      ++st_->vote_results;
      if (c.vote_end_ns != 0) {
        st_->vote_result_us.Record(uint64_t(std::max<int64_t>(0, now - c.vote_end_ns)) / 1000);
        c.vote_end_ns = 0;
      }
    } else if (t == "match.finished") {
      ++st_->finished;
      if (c.st == St::kPlaying) Leave(c, now);
    } else if (t == "match.left") {
      ++st_->left;
      CloseConn(c, now);
    } else if (t == "match.matchmaker_expired" || t == "match.matchmaker_failed") {
      t == "match.matchmaker_expired" ? ++st_->expired : ++st_->mm_failed;
      CloseConn(c, now);
    } else if (r.is_error) {
      ++st_->errors[std::string(StrAfter(json, "\"reason\":\""))];
      if (c.st == St::kAuth) return Done(c);
      if (c.st == St::kQueued && r.cid == "q") CloseConn(c, now);
    }
  }

  void Leave(Conn& c, int64_t now) {
    c.st = St::kLeaving;
    c.since_ns = now;
    SendText(c, R"({"type":"match.leave","cid":"l","payload":{}})");
  }

  void CloseConn(Conn& c, int64_t now) {
    if (c.fd < 0 || c.st == St::kClosing) return;
    if (c.st == St::kQueued) ++st_->unmatched;
    SendClose(c, now);
  }

  void Timers(Conn& c, int64_t now) {
    if (c.fd < 0) return;
    int64_t go = ctl_->go_ns.load(std::memory_order_acquire);
    switch (c.st) {
      case St::kConnecting:
      case St::kUpgrading:
      case St::kAuth:
        if (now - c.since_ns > kConnectTimeoutNs) Done(c);
        break;
      case St::kReady:
        if (go == 0) break;
        if (c.due_add_ns == 0) {
          c.due_add_ns = go + (o_.arrival_rate > 0 ? int64_t(c.index * 1e9 / o_.arrival_rate) : 0);
        }
        if (now >= c.due_add_ns) {
          c.st = St::kQueued;
          c.add_ns = now;
          SendText(c,
                   R"({"type":"matchmaker.add","cid":"q","payload":{"mode":")" + o_.mode + "\"}}");
        }
        break;
      case St::kQueued:
        if (now - c.add_ns > int64_t(o_.match_timeout_s * 1e9)) CloseConn(c, now);
        break;
      case St::kPlaying:
        if (now >= c.play_end_ns) return Leave(c, now);
        if (now >= c.next_input_ns) {
          c.next_input_ns += int64_t(1e9 / o_.input_rate);
          ++st_->inputs;
          c.right = !c.right;
          if (o_.arena) {  // strafe, aim at the centre and keep the trigger down
            SendText(c, c.right ? R"({"type":"match.input","payload":{"move_x":1,"move_y":0,)"
                                  R"("aim_x":800,"aim_y":500,"shoot":true}})"
                                : R"({"type":"match.input","payload":{"move_x":-1,"move_y":0,)"
                                  R"("aim_x":800,"aim_y":500,"shoot":true}})");
          } else {
            SendText(c, c.right ? R"({"type":"match.input","payload":{"move_x":1,"move_y":0}})"
                                : R"({"type":"match.input","payload":{"move_x":-1,"move_y":0}})");
          }
        }
        break;
      case St::kLeaving:
        if (now - c.since_ns > kLeaveTimeoutNs) CloseConn(c, now);
        break;
      case St::kClosing:
        if (now - c.since_ns > kCloseTimeoutNs) Done(c);
        break;
      default:
        break;
    }
  }

  const MmOptions& o_;
  const std::vector<std::string>& tokens_;
  MmControl* ctl_;
  MmStats* st_;
  int64_t last_scan_ = 0;
  bool went_ = false;
};

}  // namespace

void MmStats::Merge(const MmStats& o) {
  authenticated += o.authenticated;
  connect_failed += o.connect_failed;
  queued += o.queued;
  matched += o.matched;
  unmatched += o.unmatched;
  left += o.left;
  states += o.states;
  inputs += o.inputs;
  finished += o.finished;
  expired += o.expired;
  mm_failed += o.mm_failed;
  closed_by_server += o.closed_by_server;
  bots_matched += o.bots_matched;
  votes_started += o.votes_started;
  votes_cast += o.votes_cast;
  vote_results += o.vote_results;
  vote_result_us.Merge(o.vote_result_us);
  for (const auto& [k, v] : o.errors) errors[k] += v;
  match_ids.insert(o.match_ids.begin(), o.match_ids.end());
  ttm_us.Merge(o.ttm_us);
  queued_us.Merge(o.queued_us);
  state_interval_us.Merge(o.state_interval_us);
  min_states_per_player = std::min(min_states_per_player, o.min_states_per_player);
}

void RunMmThread(const MmOptions& o, const std::vector<std::string>& tokens, int first, int count,
                 MmControl* ctl, MmStats* out) {
  Loop loop(o, tokens, first, count, ctl, out);
  loop.Run();
}

}  // namespace asobi::bench
