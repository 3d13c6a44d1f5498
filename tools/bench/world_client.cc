#include "world_client.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>

#include "base/clock.h"
#include "reply_scan.h"
#include "world_tick_header.h"
#include "ws_epoll_client.h"

namespace asobi::bench {
namespace {

constexpr int64_t kMs = 1000000;
constexpr int64_t kCloseTimeoutNs = 3000 * kMs;
constexpr int64_t kConnectTimeoutNs = 30000 * kMs;
constexpr int64_t kJoinTimeoutNs = 30000 * kMs;

enum class St {
  kIdle,
  kConnecting,
  kUpgrading,
  kAuth,
  kReady,
  kJoining,
  kInWorld,
  kClosing,
  kDone
};

/// Per zone a player receives: the expected next frame_seq and the last sequenced frame's time.
struct ZoneSeen {
  int32_t x = 0, y = 0;
  uint64_t expected = 0;
  int64_t last_ns = 0;
};

struct Conn : WsConnBase {
  St st = St::kIdle;
  bool binary = false;
  int64_t join_sent_ns = 0, next_input_ns = 0;
  uint64_t bytes_at_start = 0, bytes_at_end = 0;
  bool window_started = false, window_ended = false;
  uint64_t ticks = 0;
  uint32_t walk = 0;  // random walk state
  int dx = 1, dy = 0;
  int inputs_left = 0;  // inputs before the next turn
  std::vector<ZoneSeen> zones;
};

std::string_view StrAfter(std::string_view json, std::string_view key) {
  size_t at = json.find(key);
  if (at == std::string_view::npos) return {};
  size_t start = at + key.size();
  size_t end = json.find('"', start);
  return end == std::string_view::npos ? std::string_view() : json.substr(start, end - start);
}

// Reads an optionally negative decimal integer at json[*i]; false when there is none.
bool ReadInt(std::string_view json, size_t* i, int64_t* out) {
  bool neg = *i < json.size() && json[*i] == '-';
  size_t j = *i + (neg ? 1 : 0), start = j;
  int64_t v = 0;
  for (; j < json.size() && json[j] >= '0' && json[j] <= '9' && j - start < 18; ++j) {
    v = v * 10 + (json[j] - '0');
  }
  if (j == start) return false;
  *out = neg ? -v : v;
  *i = j;
  return true;
}

uint64_t CountOf(std::string_view hay, std::string_view needle) {
  uint64_t n = 0;
  for (size_t at = hay.find(needle); at != std::string_view::npos;
       at = hay.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

class Loop : public WsEpollClient<Loop, Conn> {
 public:
  Loop(const WorldOptions& o, const std::vector<std::string>& tokens, int first, int count,
       WorldControl* ctl, WorldStats* st)
      : WsEpollClient(o.host, o.port, first, count), o_(o), tokens_(tokens), ctl_(ctl), st_(st) {
    for (Conn& c : conns_) {
      c.binary = o.wire == WireChoice::kBinary || (o.wire == WireChoice::kMixed && c.index % 2);
      if (c.binary) c.connect_extra = R"(,"wire":"binary")";
      c.walk = 0x2545f491u ^ (uint32_t(c.index) * 2654435761u);
    }
  }

  void Run() {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    size_t next = 0;
    int64_t last_wave = 0;
    epoll_event evs[256];
    while (live_ > 0 || next < conns_.size()) {
      int64_t now = MonoNs();
      if (ctl_->stop.load(std::memory_order_relaxed)) break;
      if (next < conns_.size() && now - last_wave >= 50 * kMs) {
        for (int k = 0; k < o_.wave && next < conns_.size(); ++k) {
          Conn& c = conns_[next++];
          StartConnect(c, now);
        }
        last_wave = now;
      }
      int n = epoll_wait(ep_, evs, 256, 2);
      now = MonoNs();
      for (int i = 0; i < n; ++i) OnEvent(*static_cast<Conn*>(evs[i].data.ptr), evs[i].events, now);
      if (now - last_scan_ >= 5 * kMs) {
        last_scan_ = now;
        for (Conn& c : conns_) Timers(c, now);
      }
    }
    for (Conn& c : conns_) Account(c);
    for (Conn& c : conns_) {
      if (c.fd >= 0) close(c.fd);
    }
    close(ep_);
  }

 private:
  friend class WsEpollClient<Loop, Conn>;

  WireStats& W(const Conn& c) { return c.binary ? st_->binary : st_->json; }

  bool InWindow(int64_t now) const {
    int64_t s = ctl_->window_start_ns.load(std::memory_order_acquire);
    return s != 0 && now >= s && now < ctl_->window_end_ns.load(std::memory_order_acquire);
  }

  void Settle(bool ok) {
    ok ? ++st_->authenticated : ++st_->connect_failed;
    if (ok) ctl_->authed.fetch_add(1, std::memory_order_relaxed);
    ctl_->settled.fetch_add(1, std::memory_order_relaxed);
  }

  void JoinSettled(bool ok) {
    ok ? ++st_->joined : ++st_->join_failed;
    ctl_->joined.fetch_add(1, std::memory_order_relaxed);
  }

  // Per-player window figures, once, when the player's part of the run is over.
  void Account(Conn& c) {
    if (!c.window_started) return;
    if (!c.window_ended) c.bytes_at_end = c.bytes_in;
    c.window_started = false;
    WireStats& w = W(c);
    ++w.players;
    w.bytes_in += c.bytes_at_end - c.bytes_at_start;
    w.min_ticks_per_player = std::min(w.min_ticks_per_player, c.ticks);
  }

  void Done(Conn& c) {
    if (c.fd < 0) return;
    if (c.st < St::kReady) Settle(false);
    if (c.st == St::kJoining) JoinSettled(false);
    if (c.st == St::kInWorld && c.window_started && !c.window_ended) {
      c.bytes_at_end = c.bytes_in;
      c.window_ended = true;
    }
    Release(c);
  }

  void ConnectFailed(Conn&, int /*err*/) { Settle(false); }

  const std::string& TokenOf(const Conn& c) const {
    return tokens_[size_t(c.index) % tokens_.size()];
  }

  void OnServerClosed(Conn& c, bool close_frame) {
    if (!close_frame && c.st != St::kClosing) ++st_->closed_by_server;
  }

  ZoneSeen& Zone(Conn& c, int32_t x, int32_t y) {
    for (ZoneSeen& z : c.zones) {
      if (z.x == x && z.y == y) return z;
    }
    c.zones.push_back(ZoneSeen{x, y, 0, 0});
    return c.zones.back();
  }

  // One world.tick of either wire (websocket.md §10.5 client contract).
  void OnTick(Conn& c, int32_t zx, int32_t zy, bool sequenced, uint64_t seq, bool kf,
              uint64_t records, size_t bytes, int64_t now) {
    if (c.st != St::kInWorld) return;
    bool in_window = InWindow(now);
    WireStats& w = W(c);
    if (in_window) {
      ++w.ticks;
      ++c.ticks;
      w.tick_bytes += bytes;
      w.records += records;
    }
    if (!sequenced) {  // ungated leave frame: this zone left the ring
      if (in_window) ++w.ungated;
      c.zones.erase(std::remove_if(c.zones.begin(), c.zones.end(),
                                   [&](const ZoneSeen& z) { return z.x == zx && z.y == zy; }),
                    c.zones.end());
      return;
    }
    ZoneSeen& z = Zone(c, zx, zy);
    if (kf) {
      if (in_window) ++w.keyframes;
      z.expected = seq + 1;
      z.last_ns = now;
      return;
    }
    if (z.expected != 0 && seq < z.expected) {
      if (in_window) ++w.stale;
      return;
    }
    if (z.expected != 0 && seq > z.expected && in_window) ++w.gaps;
    if (in_window && z.last_ns != 0) w.interval_us.Record(uint64_t(now - z.last_ns) / 1000);
    z.expected = seq + 1;
    z.last_ns = now;
  }

  void OnBinary(Conn& c, std::string_view payload, int64_t now) {
    BinaryTickHeader h;
    if (!ParseBinaryTickHeader(payload, &h)) {
      ++st_->bad_frames;
      return;
    }
    OnTick(c, h.zx, h.zy, h.kind == 1, h.frame_seq, h.kf, h.records, payload.size(), now);
  }

  void OnText(Conn& c, std::string_view json, int64_t now) {
    ReplyScan r = ScanReply(json);
    std::string_view t = r.type;
    if (t == "world.tick") {
      size_t i = json.find("\"zone\":[");
      int64_t x = 0, y = 0, seq = 0;
      if (i == std::string_view::npos) {
        ++st_->bad_frames;
        return;
      }
      i += 8;
      if (!ReadInt(json, &i, &x) || i >= json.size() || json[i] != ',' ||
          !ReadInt(json, &++i, &y)) {
        ++st_->bad_frames;
        return;
      }
      size_t s = json.find("\"frame_seq\":");
      bool sequenced = s != std::string_view::npos;
      if (sequenced) {
        s += 12;
        if (!ReadInt(json, &s, &seq) || seq < 0) {
          ++st_->bad_frames;
          return;
        }
      }
      bool kf = json.find("\"kf\":true") != std::string_view::npos;
      OnTick(c, int32_t(x), int32_t(y), sequenced, uint64_t(seq), kf, CountOf(json, "\"op\":"),
             json.size(), now);
    } else if (t == "world.joined" && c.st == St::kJoining) {
      st_->join_us.Record(uint64_t(now - c.join_sent_ns) / 1000);
      if (!ctl_->have_world.load(std::memory_order_acquire)) {
        std::lock_guard<std::mutex> lock(ctl_->mu);
        ctl_->world_id = std::string(StrAfter(json, "\"world_id\":\""));
        ctl_->have_world.store(true, std::memory_order_release);
      }
      c.st = St::kInWorld;
      c.since_ns = now;
      c.next_input_ns =
          o_.input_rate > 0 ? now + int64_t((c.index % 97) * 1e9 / 97 / o_.input_rate) : INT64_MAX;
      JoinSettled(true);
    } else if (t == "session.connected" && c.st == St::kAuth) {
      c.st = St::kReady;
      if (StrAfter(json, "\"wire\":\"") == (c.binary ? "binary" : "json")) ++W(c).granted;
      Settle(true);
    } else if (t.empty()) {
      ++st_->bad_frames;
    } else if (r.is_error) {
      ++st_->errors[std::string(StrAfter(json, "\"reason\":\""))];
      if (c.st == St::kAuth) return Done(c);
      if (c.st == St::kJoining) {
        JoinSettled(false);
        c.st = St::kReady;  // counted; CloseConn moves it on
        CloseConn(c, now);
      }
    }
  }

  void CloseConn(Conn& c, int64_t now) {
    if (c.fd < 0 || c.st == St::kClosing) return;
    SendClose(c, now);
  }

  void SendJoin(Conn& c, int64_t now) {
    c.st = St::kJoining;
    c.join_sent_ns = now;
    c.since_ns = now;
    if (o_.world_id.empty() && c.index == 0) {
      SendText(c, R"({"type":"world.create","cid":"j","payload":{"mode":")" + o_.mode + "\"}}");
      return;
    }
    std::string id;
    {
      std::lock_guard<std::mutex> lock(ctl_->mu);
      id = o_.world_id.empty() ? ctl_->world_id : o_.world_id;
    }
    SendText(c, R"({"type":"world.join","cid":"j","payload":{"world_id":")" + id + "\"}}");
  }

  // A random walk: a new direction (8 neighbours) every 1..4 s of inputs.
  void SendInput(Conn& c) {
    if (c.inputs_left-- <= 0) {
      c.walk ^= c.walk << 13;
      c.walk ^= c.walk >> 17;
      c.walk ^= c.walk << 5;
      static constexpr int kDirs[8][2] = {{1, 0},  {1, 1},   {0, 1},  {-1, 1},
                                          {-1, 0}, {-1, -1}, {0, -1}, {1, -1}};
      c.dx = kDirs[c.walk % 8][0];
      c.dy = kDirs[c.walk % 8][1];
      c.inputs_left = int(o_.input_rate * (1 + (c.walk >> 8) % 4));
    }
    ++st_->inputs;
    SendText(c, R"({"type":"world.input","payload":{"dx":)" + std::to_string(c.dx) +
                    ",\"dy\":" + std::to_string(c.dy) + "}}");
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
      case St::kReady: {
        if (go == 0 || now < go) break;
        bool creator = o_.world_id.empty() && c.index == 0;
        if (!creator && o_.world_id.empty() && !ctl_->have_world.load(std::memory_order_acquire))
          break;
        int64_t due = go + (o_.join_rate > 0 ? int64_t(c.index * 1e9 / o_.join_rate) : 0);
        if (creator || now >= due) SendJoin(c, now);
        break;
      }
      case St::kJoining:
        if (now - c.join_sent_ns > kJoinTimeoutNs) {
          ++st_->errors["join_timeout"];
          JoinSettled(false);
          c.st = St::kReady;
          CloseConn(c, now);
        }
        break;
      case St::kInWorld: {
        int64_t ws = ctl_->window_start_ns.load(std::memory_order_acquire);
        if (ws != 0 && now >= ws && !c.window_started) {
          c.window_started = true;
          c.bytes_at_start = c.bytes_in;
        }
        int64_t we = ctl_->window_end_ns.load(std::memory_order_acquire);
        if (ws != 0 && now >= we && c.window_started && !c.window_ended) {
          c.window_ended = true;
          c.bytes_at_end = c.bytes_in;
          return CloseConn(c, now);
        }
        while (now >= c.next_input_ns) {
          c.next_input_ns += int64_t(1e9 / o_.input_rate);
          SendInput(c);
          if (c.fd < 0) return;
        }
        break;
      }
      case St::kClosing:
        if (now - c.since_ns > kCloseTimeoutNs) Done(c);
        break;
      default:
        break;
    }
  }

  const WorldOptions& o_;
  const std::vector<std::string>& tokens_;
  WorldControl* ctl_;
  WorldStats* st_;
  int64_t last_scan_ = 0;
};

}  // namespace

void WireStats::Merge(const WireStats& o) {
  players += o.players;
  granted += o.granted;
  ticks += o.ticks;
  tick_bytes += o.tick_bytes;
  records += o.records;
  bytes_in += o.bytes_in;
  keyframes += o.keyframes;
  ungated += o.ungated;
  gaps += o.gaps;
  stale += o.stale;
  min_ticks_per_player = std::min(min_ticks_per_player, o.min_ticks_per_player);
  interval_us.Merge(o.interval_us);
}

void WorldStats::Merge(const WorldStats& o) {
  authenticated += o.authenticated;
  connect_failed += o.connect_failed;
  joined += o.joined;
  join_failed += o.join_failed;
  inputs += o.inputs;
  closed_by_server += o.closed_by_server;
  bad_frames += o.bad_frames;
  for (const auto& [k, v] : o.errors) errors[k] += v;
  json.Merge(o.json);
  binary.Merge(o.binary);
  join_us.Merge(o.join_us);
}

void RunWorldThread(const WorldOptions& o, const std::vector<std::string>& tokens, int first,
                    int count, WorldControl* ctl, WorldStats* out) {
  Loop loop(o, tokens, first, count, ctl, out);
  loop.Run();
}

}  // namespace asobi::bench
