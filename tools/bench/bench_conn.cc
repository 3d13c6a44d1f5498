#include "bench_conn.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "base/clock.h"
#include "bench_worker.h"
#include "reply_scan.h"
#include "ws/handshake.h"

namespace asobi::bench {
namespace {

std::string Base64(const unsigned char* p, size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = uint32_t(p[i]) << 16;
    if (i + 1 < n) v |= uint32_t(p[i + 1]) << 8;
    if (i + 2 < n) v |= p[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < n ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < n ? kAlphabet[v & 63] : '=';
  }
  return out;
}

}  // namespace

BenchConn::BenchConn(Worker* worker, uint32_t index, const std::string* token)
    : worker_(worker),
      reactor_(worker->reactor()),
      index_(index),
      token_(token),
      mask_state_(uint32_t(index * 2654435761u) ^ uint32_t(MonoNs()) ^ 0x9E3779B9u) {
  if (mask_state_ == 0) mask_state_ = 1;
  slots_.resize(worker->plan().inflight_slots);
  mask_ = slots_.size() - 1;
}

BenchConn::~BenchConn() {
  if (fd_ >= 0) ::close(fd_);
}

uint32_t BenchConn::NextMask() {
  // xorshift32: masking keys need not be secret for a load generator.
  uint32_t x = mask_state_;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  mask_state_ = x;
  return x;
}

void BenchConn::Start() {
  const Plan& plan = worker_->plan();
  fd_ = ::socket(plan.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    Settle(false, Fail::kConnect);
    shut_down_ = true;
    MaybeRelease();
    return;
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  state_ = State::kConnecting;
  connect_inflight_ = true;
  io_uring_sqe* sqe = reactor_.GetSqe(&connect_c_);
  io_uring_prep_connect(sqe, fd_, reinterpret_cast<const sockaddr*>(&plan.addr), plan.addr_len);
}

void BenchConn::OnConnect(int32_t res, uint32_t) {
  connect_inflight_ = false;
  if (shut_down_) return MaybeRelease();
  if (res < 0) {
    Settle(false, Fail::kConnect);
    return Shutdown();
  }
  ArmRecv();
  unsigned char key[16];
  for (int i = 0; i < 16; i += 4) {
    uint32_t r = NextMask();
    std::memcpy(key + i, &r, 4);
  }
  ws_key_ = Base64(key, 16);
  const Plan& plan = worker_->plan();
  pending_.append(plan.upgrade_head).append(ws_key_).append("\r\n\r\n");
  state_ = State::kUpgrading;
  RequestFlush();
}

void BenchConn::ArmRecv() {
  if (shut_down_ || recv_armed_) return;
  io_uring_sqe* sqe = reactor_.GetSqe(&recv_c_);
  io_uring_prep_recv_multishot(sqe, fd_, nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = worker_->buffers().group_id();
  recv_armed_ = true;
}

void BenchConn::OnRecv(int32_t res, uint32_t flags) {
  bool more = (flags & IORING_CQE_F_MORE) != 0;
  if (!more) recv_armed_ = false;
  if (res > 0 && (flags & IORING_CQE_F_BUFFER)) {
    uint16_t bid = uint16_t(flags >> IORING_CQE_BUFFER_SHIFT);
    if (!shut_down_) OnBytes(worker_->buffers().Data(bid, uint32_t(res)), MonoNs());
    worker_->buffers().Recycle(bid);
    if (!more) ArmRecv();
  } else if (res == -ENOBUFS) {
    // The buffer ring ran dry: re-arm next turn, after buffers were recycled.
    if (!more) reactor_.Post([this] { ArmRecv(); });
  } else if (res <= 0) {
    OnPeerGone();
  }
  MaybeRelease();
}

void BenchConn::OnBytes(std::string_view data, int64_t now_ns) {
  if (state_ == State::kUpgrading) {
    std::string rest;
    if (!ConsumeUpgrade(data, &rest)) return;
    ParseInput(rest, now_ns);
    return;
  }
  ParseInput(data, now_ns);
}

bool BenchConn::ConsumeUpgrade(std::string_view data, std::string* rest) {
  hdr_.append(data);
  size_t end = hdr_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (hdr_.size() > kHeaderBytesMax) ProtocolFailure();
    return false;
  }
  std::string_view head(hdr_.data(), end + 2);
  if (head.substr(0, 12) != "HTTP/1.1 101" || !AcceptMatches(head)) {
    ProtocolFailure();
    return false;
  }
  rest->assign(hdr_, end + 4);
  std::string().swap(hdr_);
  AfterUpgrade();
  return true;
}

bool BenchConn::AcceptMatches(std::string_view head) const {
  std::string lower(head);
  for (char& ch : lower) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  static constexpr std::string_view kName = "\r\nsec-websocket-accept:";
  size_t pos = lower.find(kName);
  if (pos == std::string::npos) return false;
  std::string_view value = head.substr(pos + kName.size());
  value = value.substr(0, value.find("\r\n"));
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value == ComputeAcceptKey(ws_key_);
}

// Authenticated: session.connect with the token. Unauthenticated: one session.heartbeat, so
// that in both cases a connection counts as ready only after the server has answered it (a
// socket the server closes right after the 101, e.g. the connect-flood limit, is a failure).
void BenchConn::AfterUpgrade() {
  if (token_ == nullptr) {
    AppendMaskedFrame(kOpText, R"({"type":"session.heartbeat","cid":"a","payload":{}})", NextMask(),
                      &pending_);
  } else {
    std::string_view parts[3] = {R"({"type":"session.connect","cid":"a","payload":{"token":")",
                                 *token_, R"("}})"};
    AppendMaskedFrameParts(kOpText, parts, 3, NextMask(), &pending_);
  }
  state_ = State::kAuthenticating;
  RequestFlush();
}

void BenchConn::ParseInput(std::string_view data, int64_t now_ns) {
  if (data.empty()) return;
  if (in_.empty()) {
    size_t used = ParseFrames(data, now_ns);
    if (used < data.size() && !shut_down_) in_.assign(data.substr(used));
  } else {
    in_.append(data);
    size_t used = ParseFrames(in_, now_ns);
    in_.erase(0, used);
  }
  if (in_.size() > kFrameBytesMax + 14) ProtocolFailure();
}

size_t BenchConn::ParseFrames(std::string_view data, int64_t now_ns) {
  size_t off = 0;
  while (off < data.size() && !shut_down_) {
    ServerFrame f;
    size_t n = 0;
    FrameParse p = ParseServerFrame(data.substr(off), kFrameBytesMax, &f, &n);
    if (p == FrameParse::kNeedMore) break;
    if (p == FrameParse::kBad) {
      ProtocolFailure();
      return data.size();
    }
    off += n;
    OnFrame(f, now_ns);
  }
  return shut_down_ ? data.size() : off;
}

void BenchConn::OnFrame(const ServerFrame& f, int64_t now_ns) {
  switch (f.opcode) {
    case kOpText:
    case kOpBinary:
      if (fragmenting_) return ProtocolFailure();
      if (!f.fin) {
        fragmenting_ = true;
        frag_opcode_ = f.opcode;
        frag_.assign(f.payload);
        return;
      }
      if (f.opcode == kOpText) OnText(f.payload, now_ns);
      return;
    case kOpContinuation:
      if (!fragmenting_ || frag_.size() + f.payload.size() > kFrameBytesMax) {
        return ProtocolFailure();
      }
      frag_.append(f.payload);
      if (!f.fin) return;
      fragmenting_ = false;
      if (frag_opcode_ == kOpText) OnText(frag_, now_ns);
      frag_.clear();
      return;
    case kOpPing:
      if (!close_sent_) AppendMaskedFrame(kOpPong, f.payload, NextMask(), &pending_);
      RequestFlush();
      return;
    case kOpClose:
      return OnServerClose(f.payload);
    default:
      return;  // pong
  }
}

void BenchConn::OnText(std::string_view json, int64_t now_ns) {
  ReplyScan r = ScanReply(json);
  if (r.is_error && worker_->stats().first_error.empty()) {
    worker_->mutable_stats().first_error.assign(json.substr(0, 300));
  }
  if (state_ == State::kAuthenticating) {
    if (!r.has_cid || r.cid != "a") return;  // a push before the reply
    if (r.type != (token_ != nullptr ? "session.connected" : "session.heartbeat")) {
      Settle(false, Fail::kAuth);
      return Shutdown();
    }
    state_ = State::kReady;
    Settle(true, Fail::kConnect);
    return;
  }
  if (state_ != State::kReady && state_ != State::kClosing) return;
  if (!r.has_cid) {
    if (r.is_error) {
      RetireOldest(now_ns);  // errors raised before parsing carry no cid (§1.1)
    } else {
      ++worker_->mutable_stats().c.pushes;
    }
    return;
  }
  if (!r.cid_numeric) return;  // e.g. a late auth reply
  Retire(r.cid_value, now_ns, r.is_error);
  Pump(now_ns);
}

void BenchConn::OnServerClose(std::string_view payload) {
  uint16_t code = 1005;
  if (payload.size() >= 2) {
    code = uint16_t((static_cast<unsigned char>(payload[0]) << 8) |
                    static_cast<unsigned char>(payload[1]));
  }
  worker_->mutable_stats().c.last_close_code = code;
  if (!close_sent_) {
    // Echo the close (RFC 6455 §5.5.1), then shut down once it is written.
    if (code == 1005) {
      AppendMaskedFrame(kOpClose, {}, NextMask(), &pending_);
    } else {
      AppendMaskedClose(code, {}, NextMask(), &pending_);
    }
    close_sent_ = true;
  }
  if (!settled_) Settle(false, Fail::kClosed);
  if (state_ == State::kReady) ++worker_->mutable_stats().c.disconnected;
  state_ = State::kDone;
  shutdown_after_flush_ = true;
  RequestFlush();
}

void BenchConn::OnPeerGone() {
  if (shut_down_) return;
  if (!settled_) Settle(false, state_ == State::kConnecting ? Fail::kConnect : Fail::kClosed);
  if (state_ == State::kReady) ++worker_->mutable_stats().c.disconnected;
  state_ = State::kDone;
  Shutdown();
}

void BenchConn::ProtocolFailure() {
  if (!settled_) Settle(false, Fail::kUpgrade);
  if (state_ == State::kReady) ++worker_->mutable_stats().c.disconnected;
  state_ = State::kDone;
  Shutdown();
}

void BenchConn::Settle(bool ok, Fail why) {
  if (settled_) return;
  settled_ = true;
  if (!ok) {
    FailCounts& f = worker_->mutable_stats().c.failed;
    switch (why) {
      case Fail::kConnect:
        ++f.connect;
        break;
      case Fail::kUpgrade:
        ++f.upgrade;
        break;
      case Fail::kAuth:
        ++f.auth;
        break;
      case Fail::kClosed:
        ++f.closed;
        break;
      case Fail::kTimeout:
        ++f.timeout;
        break;
    }
    state_ = State::kDone;
  }
  worker_->OnSettled(this, ok);
}

bool BenchConn::Idle() const {
  if (state_ != State::kReady && state_ != State::kClosing) return true;
  return inflight_ == 0 && next_k_ >= due_ && blast_left_ == 0;
}

bool BenchConn::CanQueue() const {
  return next_cid_ - oldest_cid_ < slots_.size() && pending_.size() < kPendingBytesMax;
}

void BenchConn::Pump(int64_t now_ns) {
  if (state_ != State::kReady) return;
  Worker::Phase phase = worker_->phase();
  const Options& o = worker_->plan().opts;
  switch (o.mode) {
    case Mode::kRtt:
      if (phase != Worker::Phase::kLoad) return;
      while (inflight_ < uint32_t(o.depth) && CanQueue()) Queue(now_ns, now_ns);
      return;
    case Mode::kBlast:
      if (phase != Worker::Phase::kLoad) return;
      for (; blast_left_ > 0 && CanQueue(); --blast_left_) Queue(now_ns, now_ns);
      return;
    case Mode::kOpen:
      if (phase != Worker::Phase::kLoad && phase != Worker::Phase::kDrain) return;
      for (; next_k_ < due_ && CanQueue(); ++next_k_) {
        Queue(worker_->SchedNs(sched_slot_, next_k_), now_ns);
      }
      return;
  }
}

void BenchConn::Queue(int64_t sched_ns, int64_t now_ns) {
  uint64_t cid = next_cid_++;
  bool in_window = worker_->InWindow(sched_ns);
  slots_[cid & mask_] = Slot{sched_ns, cid, true, in_window};
  ++inflight_;
  char digits[24];
  auto conv = std::to_chars(digits, digits + sizeof digits, cid);
  const Plan& plan = worker_->plan();
  std::string_view parts[3] = {plan.msg_prefix, std::string_view(digits, conv.ptr - digits),
                               plan.msg_suffix};
  AppendMaskedFrameParts(kOpText, parts, 3, NextMask(), &pending_);
  worker_->OnQueued(sched_ns, now_ns, in_window);
  RequestFlush();
}

void BenchConn::Retire(uint64_t cid, int64_t now_ns, bool is_error) {
  Slot& s = slots_[cid & mask_];
  if (!s.used || s.cid != cid) {
    ++worker_->mutable_stats().c.strays;
    return;
  }
  s.used = false;
  --inflight_;
  worker_->OnReply(s.sched_ns, s.in_window, now_ns, is_error);
  AdvanceOldest();
}

void BenchConn::RetireOldest(int64_t now_ns) {
  for (uint64_t c = oldest_cid_; c < next_cid_; ++c) {
    if (slots_[c & mask_].used) {
      Retire(c, now_ns, true);
      Pump(now_ns);
      return;
    }
  }
  worker_->OnUnmatchedError();
}

void BenchConn::AdvanceOldest() {
  while (oldest_cid_ < next_cid_ && !slots_[oldest_cid_ & mask_].used) ++oldest_cid_;
}

void BenchConn::BeginClose() {
  if (shut_down_ || released_) return;
  if (state_ == State::kReady && !close_sent_) {
    AppendMaskedClose(1000, {}, NextMask(), &pending_);
    close_sent_ = true;
    state_ = State::kClosing;
    RequestFlush();
    return;
  }
  if (state_ == State::kClosing) return;  // already waiting for the server's close
  if (!settled_) Settle(false, Fail::kTimeout);
  state_ = State::kDone;
  Shutdown();
}

void BenchConn::ForceShutdown() {
  if (!settled_) Settle(false, Fail::kTimeout);
  state_ = State::kDone;
  Shutdown();
}

void BenchConn::FlushTurn() {
  if (released_) return;
  if (!send_inflight_ && !pending_.empty() && !shut_down_) {
    out_.swap(pending_);
    pending_.clear();
    out_off_ = 0;
    SubmitSend();
  }
  if (shutdown_after_flush_ && !send_inflight_ && pending_.empty()) Shutdown();
  MaybeRelease();
}

void BenchConn::SubmitSend() {
  io_uring_sqe* sqe = reactor_.GetSqe(&send_c_);
  io_uring_prep_send(sqe, fd_, out_.data() + out_off_, out_.size() - out_off_, MSG_NOSIGNAL);
  send_inflight_ = true;
}

void BenchConn::OnSend(int32_t res, uint32_t) {
  send_inflight_ = false;
  if (res < 0 || shut_down_) {
    out_.clear();
    pending_.clear();
    if (res < 0) OnPeerGone();
    return MaybeRelease();
  }
  out_off_ += size_t(res);
  if (out_off_ < out_.size()) {
    SubmitSend();
    return;
  }
  out_.clear();
  if (!pending_.empty() || shutdown_after_flush_) RequestFlush();
}

void BenchConn::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (connect_inflight_) {
    // shutdown(2) does not end a pending connect: cancel it (its CQE then releases us).
    io_uring_sqe* sqe = reactor_.GetSqe(nullptr);
    io_uring_prep_cancel(sqe, &connect_c_, 0);
  }
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);  // ends the armed receive
  MaybeRelease();
}

void BenchConn::MaybeRelease() {
  if (released_ || !shut_down_ || recv_armed_ || send_inflight_ || connect_inflight_) return;
  released_ = true;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  state_ = State::kDone;
  worker_->OnReleased(this);
}

}  // namespace asobi::bench
