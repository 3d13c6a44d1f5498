#include "chat_client.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/clock.h"
#include "reply_scan.h"
#include "ws_epoll_client.h"

namespace asobi::bench {
namespace {

constexpr int64_t kMs = 1000000;
constexpr int64_t kCloseTimeoutNs = 3000 * kMs;
constexpr int64_t kConnectTimeoutNs = 30000 * kMs;

enum class St { kIdle, kConnecting, kUpgrading, kAuth, kJoining, kReady, kClosing, kDone };

struct Conn : WsConnBase {
  St st = St::kIdle;
  uint32_t seq = 0;
};

// Parses `"content":"b<socket>.<seq>.<scheduled ns>` (the bench's own content).
bool ParseContent(std::string_view json, uint64_t* key, int64_t* sched_ns) {
  static constexpr std::string_view kTag = "\"content\":\"b";
  size_t at = json.find(kTag);
  if (at == std::string_view::npos) return false;
  const char* p = json.data() + at + kTag.size();
  char* end = nullptr;
  unsigned long socket = std::strtoul(p, &end, 10);
  if (*end != '.') return false;
  unsigned long seq = std::strtoul(end + 1, &end, 10);
  if (*end != '.') return false;
  *sched_ns = std::strtoll(end + 1, &end, 10);
  *key = (uint64_t(socket) << 32) | uint32_t(seq);
  return true;
}

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  out.append(s);
  out.push_back('"');
  return out;
}

class Loop : public WsEpollClient<Loop, Conn> {
 public:
  Loop(const ChatOptions& o, int first, int count, ChatControl* ctl, ChatStats* st)
      : WsEpollClient(EndpointsOf(o), first, count), o_(o), ctl_(ctl), st_(st) {
    if (o.pattern == ChatPattern::kChannel) {
      senders_ = std::max(0, std::min(count, o.senders - first));
      rate_ = senders_ > 0 ? o.rate * senders_ / std::max(1, o.senders) : 0;
    } else if (o.pattern == ChatPattern::kChurn) {
      rate_ = o.rate * count / std::max(1, o.sockets);
    } else {
      senders_ = count;
      rate_ = o.rate * count / std::max(1, o.sockets);
    }
  }

  void Run() {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    const bool churn = o_.pattern == ChatPattern::kChurn;
    size_t next = 0;
    int64_t last_wave = 0;
    epoll_event evs[512];
    for (;;) {
      int64_t now = MonoNs();
      if (ctl_->abort.load(std::memory_order_relaxed)) break;
      const int64_t go = ctl_->go_ns.load(std::memory_order_acquire);
      if (!churn && next < conns_.size() && now - last_wave >= 50 * kMs) {
        for (int k = 0; k < o_.wave && next < conns_.size(); ++k) StartConnect(conns_[next++], now);
        last_wave = now;
      }
      if (churn && go != 0) {
        // Scheduled connects wait while this thread has max_live sockets open (a starved
        // server must not push the client past its descriptor limit): the achieved rate is
        // then lower than --rate, and the report's wall time shows it.
        const size_t cap = size_t(std::max(1, o_.max_live / std::max(1, o_.threads)));
        while (next < conns_.size() && live_ < cap &&
               go + int64_t(double(next) * 1e9 / rate_) <= now) {
          StartConnect(conns_[next++], now);
        }
        if (next == conns_.size() && live_ == 0) break;
      }
      int n = epoll_wait(ep_, evs, 512, 1);
      now = MonoNs();
      for (int i = 0; i < n; ++i) OnEvent(*static_cast<Conn*>(evs[i].data.ptr), evs[i].events, now);
      if (!churn && go != 0) {
        const int64_t window_start = go + int64_t(o_.warmup_s * 1e9);
        const int64_t window_end = window_start + int64_t(o_.duration_s * 1e9);
        SendDue(now, window_start, window_end);
        if (now >= window_end + int64_t(o_.drain_s * 1e9)) {
          if (!closing_) {
            closing_ = true;
            for (Conn& c : conns_) CloseConn(c, now);
          }
          if (live_ == 0) break;
        }
      }
      if (now - last_scan_ >= 10 * kMs) {
        last_scan_ = now;
        for (Conn& c : conns_) Timers(c, now);
      }
      if (!churn && closing_ && live_ == 0) break;
    }
    for (Conn& c : conns_) {
      if (c.fd >= 0) close(c.fd);
    }
    close(ep_);
  }

 private:
  friend class WsEpollClient<Loop, Conn>;

  static std::vector<Endpoint> EndpointsOf(const ChatOptions& o) {
    std::vector<Endpoint> e;
    for (const auto& [host, port] : o.nodes) e.push_back({host, port});
    if (e.empty()) e.push_back({o.host, o.port});
    return e;
  }

  // Sends every message whose scheduled time has come (open loop: latency counts from the
  // scheduled time, so a late send still counts from when it was due).
  void SendDue(int64_t now, int64_t window_start, int64_t window_end) {
    if (rate_ <= 0 || senders_ == 0) return;
    const int64_t go = ctl_->go_ns.load(std::memory_order_acquire);
    for (;;) {
      int64_t sched = go + int64_t(double(k_) * 1e9 / rate_);
      if (sched > now || sched >= window_end) return;
      Conn& c = conns_[size_t(k_ % uint64_t(senders_))];
      ++k_;
      if (c.st != St::kReady) continue;
      const uint32_t seq = ++c.seq;
      char head[64];
      int len = std::snprintf(head, sizeof head, "b%d.%u.%lld", c.index, seq, (long long)sched);
      std::string content(head, size_t(len));
      if (int(content.size()) < o_.content_bytes) content.resize(size_t(o_.content_bytes), 'x');
      std::string frame;
      if (o_.pattern == ChatPattern::kDm) {
        const int n = o_.sockets;
        int to = (c.index + 1 + int(k_ % uint64_t(std::max(1, n - 1)))) % n;
        if (to == c.index) to = (to + 1) % n;
        // Several nodes: socket i is on node i % nodes, so skip to a socket of another node.
        const int nodes = int(o_.nodes.size());
        for (int step = 0; nodes > 1 && step < n && to % nodes == c.index % nodes; ++step) {
          to = (to + 1) % n;
        }
        frame = R"({"type":"dm.send","cid":"d","payload":{"recipient_id":)" +
                JsonQuote(o_.player_ids[size_t(to) % o_.player_ids.size()]) + R"(,"content":")" +
                content + "\"}}";
      } else {
        frame = R"({"type":"chat.send","payload":{"channel_id":)" + JsonQuote(ChannelOf(c)) +
                R"(,"content":")" + content + "\"}}";
      }
      if (sched >= window_start) {
        ++st_->sent;
        st_->messages[(uint64_t(c.index) << 32) | seq];  // known even if nobody receives it
      }
      SendText(c, frame);
    }
  }

  std::string ChannelOf(const Conn& c) const {
    if (o_.pattern != ChatPattern::kRooms) return o_.channel;
    return "room:" + o_.rooms[size_t(c.index / std::max(1, o_.members)) % o_.rooms.size()];
  }

  void Settle(bool ok) {
    ok ? ++st_->ready : ++st_->failed;
    ctl_->settled.fetch_add(1, std::memory_order_relaxed);
  }

  void Done(Conn& c) {
    if (c.fd < 0) return;
    if (c.st < St::kReady) {
      static constexpr const char* kWhere[] = {"idle", "connect", "upgrade",
                                               "auth", "join",    "ready"};
      ++st_->failed_in[kWhere[int(c.st)]];
      Settle(false);
    }
    Release(c);
  }

  void ConnectFailed(Conn&, int err) {
    ++st_->failed_in[std::string("connect: ") + std::strerror(err)];
    Settle(false);
  }

  const std::string& TokenOf(const Conn& c) const {
    return o_.tokens[size_t(c.index) % o_.tokens.size()];
  }

  void OnServerClosed(Conn& c, bool /*close_frame*/) {
    if (c.st == St::kClosing && o_.pattern == ChatPattern::kChurn) ++st_->churned;
    if (c.st != St::kClosing) ++st_->closed_by_server;
  }

  void OnText(Conn& c, std::string_view json, int64_t now) {
    ReplyScan r = ScanReply(json);
    std::string_view t = r.type;
    if (t == "chat.message" || t == "dm.message") {
      uint64_t key = 0;
      int64_t sched = 0;
      if (!ParseContent(json, &key, &sched)) return;
      auto it = st_->messages.find(key);
      const int64_t window_start =
          ctl_->go_ns.load(std::memory_order_acquire) + int64_t(o_.warmup_s * 1e9);
      if (sched < window_start) return;
      const uint64_t us = uint64_t(now > sched ? (now - sched) / 1000 : 0);
      ++st_->delivered;
      st_->copy_us.Record(us);
      ChatStats::PerMessage& m = it != st_->messages.end() ? it->second : st_->messages[key];
      ++m.copies;
      if (us > m.last_us) m.last_us = us;
    } else if (t == "session.connected" && c.st == St::kAuth) {
      if (o_.pattern == ChatPattern::kDm) {
        c.st = St::kReady;
        return Settle(true);
      }
      c.st = St::kJoining;
      SendText(c, R"({"type":"chat.join","cid":"j","payload":{"channel_id":)" +
                      JsonQuote(ChannelOf(c)) + "}}");
    } else if (t == "chat.joined" && c.st == St::kJoining) {
      if (o_.pattern == ChatPattern::kChurn) {
        ++st_->ready;
        return CloseConn(c, now);
      }
      c.st = St::kReady;
      Settle(true);
    } else if (r.is_error) {
      size_t at = json.find("\"reason\":\"");
      std::string reason = "?";
      if (at != std::string_view::npos) {
        size_t s = at + 10, e = json.find('"', s);
        reason = std::string(json.substr(s, e - s));
      }
      ++st_->errors[reason];
      if (c.st == St::kAuth || c.st == St::kJoining) Done(c);
    }
  }

  void CloseConn(Conn& c, int64_t now) {
    if (c.fd < 0 || c.st == St::kClosing) return;
    SendClose(c, now);
  }

  void Timers(Conn& c, int64_t now) {
    if (c.fd < 0) return;
    switch (c.st) {
      case St::kConnecting:
      case St::kUpgrading:
      case St::kAuth:
      case St::kJoining:
        if (now - c.since_ns > kConnectTimeoutNs) Done(c);
        break;
      case St::kClosing:
        if (now - c.since_ns > kCloseTimeoutNs) Done(c);
        break;
      default:
        break;
    }
  }

  const ChatOptions& o_;
  ChatControl* ctl_;
  ChatStats* st_;
  int64_t last_scan_ = 0;
  int senders_ = 0;
  double rate_ = 0;
  uint64_t k_ = 0;  // next scheduled message of this thread
  bool closing_ = false;
};

}  // namespace

void ChatStats::Merge(const ChatStats& o) {
  ready += o.ready;
  failed += o.failed;
  closed_by_server += o.closed_by_server;
  sent += o.sent;
  delivered += o.delivered;
  churned += o.churned;
  for (const auto& [k, v] : o.errors) errors[k] += v;
  for (const auto& [k, v] : o.failed_in) failed_in[k] += v;
  copy_us.Merge(o.copy_us);
  for (const auto& [k, m] : o.messages) {
    PerMessage& mine = messages[k];
    mine.copies += m.copies;
    if (m.last_us > mine.last_us) mine.last_us = m.last_us;
  }
}

void RunChatThread(const ChatOptions& o, int first, int count, ChatControl* ctl, ChatStats* out) {
  Loop loop(o, first, count, ctl, out);
  loop.Run();
}

}  // namespace asobi::bench
