#include "server/server_shard.h"

#include "base/clock.h"
#include "http/response.h"

namespace asobi {

namespace {
constexpr uint32_t kRecvBuffers = 4096;
constexpr uint32_t kRecvBufferBytes = 4096;
}  // namespace

ServerShard::ServerShard(Shard& s, ServerShared& sh)
    : shard(s),
      shared(sh),
      buffers(s.reactor(), 0, kRecvBuffers, kRecvBufferBytes),
      connections(s, buffers) {
  game.shard = &s;
  TcpConnection::Limits limits;
  limits.send_queue_bytes_max = sh.config.send_queue_bytes_max;
  connections.SetLimits(limits);
}

ServerShard::~ServerShard() = default;

const std::string& ServerShard::HttpDate() {
  int64_t sec = UnixMs() / 1000;
  if (sec != http_date_sec) {
    http_date_sec = sec;
    http_date.clear();
    http::FormatHttpDate(sec, &http_date);
  }
  return http_date;
}

bool ServerShared::AllowUpgrade(const std::string& ip, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(upgrade_mu_);
  if (!upgrade_limiter_) {
    SlidingWindowLimiter::Config c;
    c.limit = config.ws_connects_per_second;
    c.window_ms = 1000;
    upgrade_limiter_ = std::make_unique<SlidingWindowLimiter>(c);
  }
  return upgrade_limiter_->Allow(ip, now_ms);
}

}  // namespace asobi
