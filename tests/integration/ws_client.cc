#include "ws_client.h"

#include <algorithm>
#include <chrono>
#include <random>

namespace asobi::itest {
namespace {

using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return int(std::max<int64_t>(left.count(), 1));
}

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 300)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '.';
  }
  if (s.size() > 300) out += "...(" + std::to_string(s.size()) + " bytes)";
  return out;
}

std::string Describe(const WsFrame& f) {
  if (f.opcode == kWsClose) {
    return "close frame code=" + std::to_string(f.CloseCode()) + " reason='" +
           std::string(f.CloseReason()) + "'";
  }
  return "frame opcode=" + std::to_string(f.opcode) + " payload='" + Printable(f.payload) + "'";
}

const char* Describe(WsRecv r) {
  switch (r) {
    case WsRecv::kFrame:
      return "frame";
    case WsRecv::kTimeout:
      return "timeout";
    case WsRecv::kEof:
      return "EOF";
    case WsRecv::kError:
      return "connection error";
  }
  return "?";
}

}  // namespace

uint16_t WsFrame::CloseCode() const {
  if (payload.size() < 2) return 1005;
  return uint16_t((uint8_t(payload[0]) << 8) | uint8_t(payload[1]));
}

std::string_view WsFrame::CloseReason() const {
  if (payload.size() <= 2) return {};
  return std::string_view(payload).substr(2);
}

void EncodeClientFrame(uint8_t opcode, std::string_view payload, bool fin, std::string* out) {
  static std::mt19937 rng(12345);
  out->push_back(char((fin ? 0x80 : 0) | (opcode & 0x0f)));
  size_t n = payload.size();
  if (n < 126) {
    out->push_back(char(0x80 | n));
  } else if (n <= 0xffff) {
    out->push_back(char(0x80 | 126));
    out->push_back(char(n >> 8));
    out->push_back(char(n & 0xff));
  } else {
    out->push_back(char(0x80 | 127));
    for (int i = 7; i >= 0; --i) out->push_back(char((uint64_t(n) >> (8 * i)) & 0xff));
  }
  uint8_t mask[4];
  uint32_t m = rng();
  for (int i = 0; i < 4; ++i) mask[i] = uint8_t(m >> (8 * i));
  out->append(reinterpret_cast<const char*>(mask), 4);
  size_t base = out->size();
  out->append(payload);
  for (size_t i = 0; i < n; ++i) (*out)[base + i] = char(uint8_t((*out)[base + i]) ^ mask[i & 3]);
}

std::optional<HttpResponse> WsClient::Upgrade(uint16_t port, const WsUpgradeOptions& o) {
  if (!http_.Connect(port, o.rcvbuf_bytes)) return std::nullopt;
  std::string req = "GET " + o.path +
                    " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                    "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n";
  if (!o.key.empty()) req += "Sec-WebSocket-Key: " + o.key + "\r\n";
  if (!o.origin.empty()) req += "Origin: " + o.origin + "\r\n";
  if (!o.subprotocols.empty()) req += "Sec-WebSocket-Protocol: " + o.subprotocols + "\r\n";
  req += o.extra_headers + "\r\n";
  if (!http_.SendRaw(req)) return std::nullopt;
  std::optional<HttpResponse> resp = http_.ReadResponse();
  buf_ = http_.TakeBuffered();
  return resp;
}

::testing::AssertionResult WsClient::Open(uint16_t port, const WsUpgradeOptions& options) {
  std::optional<HttpResponse> resp = Upgrade(port, options);
  if (!resp)
    return ::testing::AssertionFailure() << "upgrade: no response (" << http_.error() << ")";
  if (resp->status != 101) {
    return ::testing::AssertionFailure()
           << "upgrade answered " << resp->status << " " << resp->body;
  }
  return ::testing::AssertionSuccess();
}

bool WsClient::SendFrame(uint8_t opcode, std::string_view payload, bool fin) {
  std::string frame;
  EncodeClientFrame(opcode, payload, fin, &frame);
  return socket().SendAll(frame);
}

bool WsClient::SendClose(uint16_t code, std::string_view reason) {
  std::string payload;
  if (code != 0) {
    payload.push_back(char(code >> 8));
    payload.push_back(char(code & 0xff));
    payload.append(reason);
  }
  return SendFrame(kWsClose, payload);
}

bool WsClient::SendFragmentedText(const std::vector<std::string_view>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    EncodeClientFrame(i == 0 ? kWsText : kWsContinuation, parts[i], i + 1 == parts.size(), &out);
  }
  return socket().SendAll(out);
}

bool WsClient::DecodeBuffered(WsFrame* out) {
  if (buf_.size() < 2) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(buf_.data());
  uint64_t len = p[1] & 0x7f;
  size_t off = 2;
  if (len == 126) {
    if (buf_.size() < 4) return false;
    len = (uint64_t(p[2]) << 8) | p[3];
    off = 4;
  } else if (len == 127) {
    if (buf_.size() < 10) return false;
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
    off = 10;
  }
  bool masked = (p[1] & 0x80) != 0;
  uint8_t mask[4] = {0, 0, 0, 0};
  if (masked) {
    if (buf_.size() < off + 4) return false;
    std::copy(p + off, p + off + 4, mask);
    off += 4;
  }
  if (buf_.size() < off + len) return false;
  out->fin = (p[0] & 0x80) != 0;
  out->rsv = uint8_t((p[0] >> 4) & 0x7);
  out->opcode = p[0] & 0x0f;
  out->masked = masked;
  out->payload.assign(buf_, off, size_t(len));
  if (masked) {
    for (size_t i = 0; i < out->payload.size(); ++i) out->payload[i] ^= char(mask[i & 3]);
  }
  buf_.erase(0, off + size_t(len));
  return true;
}

WsRecv WsClient::Recv(WsFrame* out, int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!DecodeBuffered(out)) {
    switch (socket().RecvSome(&buf_, RemainingMs(deadline))) {
      case RecvStatus::kData:
        break;
      case RecvStatus::kTimeout:
        return WsRecv::kTimeout;
      case RecvStatus::kEof:
        return WsRecv::kEof;
      case RecvStatus::kError:
        return WsRecv::kError;
    }
  }
  return WsRecv::kFrame;
}

::testing::AssertionResult WsClient::RecvJson(JsonDoc* out, int timeout_ms) {
  WsFrame f;
  WsRecv r = Recv(&f, timeout_ms);
  if (r != WsRecv::kFrame) return ::testing::AssertionFailure() << "no frame: " << Describe(r);
  if (f.opcode != kWsText || !f.fin || f.masked) {
    return ::testing::AssertionFailure() << "expected an unmasked text frame, got " << Describe(f);
  }
  if (!out->Parse(f.payload)) {
    return ::testing::AssertionFailure() << "not JSON: " << Printable(f.payload);
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult WsClient::Request(std::string_view json, JsonDoc* out) {
  if (!SendText(json)) return ::testing::AssertionFailure() << "send failed";
  return RecvJson(out);
}

::testing::AssertionResult WsClient::ExpectClose(uint16_t code, std::string_view reason,
                                                 int timeout_ms) {
  WsFrame f;
  WsRecv r = Recv(&f, timeout_ms);
  if (r != WsRecv::kFrame) {
    return ::testing::AssertionFailure()
           << "expected close " << code << " '" << reason << "', got " << Describe(r);
  }
  if (f.opcode != kWsClose || f.CloseCode() != code || f.CloseReason() != reason) {
    return ::testing::AssertionFailure()
           << "expected close " << code << " '" << reason << "', got " << Describe(f);
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult WsClient::ExpectEof(int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    WsFrame f;
    WsRecv r = Recv(&f, RemainingMs(deadline));
    if (r == WsRecv::kEof || r == WsRecv::kError) return ::testing::AssertionSuccess();
    if (r == WsRecv::kTimeout) return ::testing::AssertionFailure() << "connection still open";
    if (f.opcode < kWsClose) {
      return ::testing::AssertionFailure() << "expected EOF, got " << Describe(f);
    }
  }
}

}  // namespace asobi::itest
