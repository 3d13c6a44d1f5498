#include "ws/ws_codec.h"

#include <cstring>

#include "base/check.h"

namespace asobi {
namespace {

constexpr uint8_t kOpContinuation = 0x0;
constexpr uint8_t kOpText = 0x1;
constexpr uint8_t kOpBinary = 0x2;
constexpr uint8_t kOpClose = 0x8;
constexpr uint8_t kOpPing = 0x9;
constexpr uint8_t kOpPong = 0xa;

constexpr uint16_t kCloseNoStatus = 1005;
constexpr uint16_t kCloseAbnormal = 1006;
constexpr uint16_t kCloseProtocolError = 1002;
constexpr uint16_t kCloseInvalidPayload = 1007;
constexpr uint16_t kCloseMessageTooBig = 1009;
constexpr size_t kMaxControlPayloadBytes = 125;
// A reassembly buffer that grew beyond this is released after its message.
constexpr size_t kKeepTextCapacityBytes = 4096;

bool IsControl(uint8_t opcode) { return (opcode & 0x8) != 0; }

// Status codes a peer may send (RFC 6455 §7.4): the defined ones except those reserved for
// local use (1004, 1005, 1006), and the registered/private ranges 3000-4999.
bool IsValidPeerCloseCode(uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;
  return code >= 1000 && code <= 1011 && code != 1004 && code != kCloseNoStatus &&
         code != kCloseAbnormal;
}

}  // namespace

WsCodec::WsCodec(Listener* listener) : listener_(listener) { CHECK(listener_ != nullptr); }

WsCodec::~WsCodec() = default;

void WsCodec::Feed(std::string_view bytes) {
  CHECK(!in_feed_);
  if (bytes.empty() || failed_ || close_received_) return;
  in_feed_ = true;
  FrameReader::Chunk chunk;
  while (!failed_ && !close_received_) {
    FrameReader::Result r = reader_.Next(&bytes, &chunk);
    if (r == FrameReader::Result::kNeedMore) break;
    if (r == FrameReader::Result::kMalformed) {
      // Non-minimal length, a control frame over 125 bytes or without FIN, a 64-bit length
      // with the top bit set.
      Fail(kCloseProtocolError);
      break;
    }
    OnChunk(chunk);
  }
  in_feed_ = false;
  if (failed_ || close_received_) {
    // Nothing more is read: drop the frame context and any partial message.
    reader_.Discard();
    ResetText();
    std::string().swap(control_);
  } else {
    reader_.Park();
  }
  if (failed_) listener_->OnProtocolError();  // last: the owner may destroy the codec
}

void WsCodec::OnChunk(const FrameReader::Chunk& chunk) {
  if (chunk.first && !StartFrame(chunk)) return;
  if (IsControl(chunk.opcode)) {
    OnControlChunk(chunk);
  } else {
    OnDataChunk(chunk);
  }
}

bool WsCodec::StartFrame(const FrameReader::Chunk& chunk) {
  // No extension is negotiated, so every RSV bit must be clear; clients must mask.
  if (chunk.rsv != 0 || !chunk.masked) {
    Fail(kCloseProtocolError);
    return false;
  }
  switch (chunk.opcode) {
    case kOpClose:
    case kOpPing:
    case kOpPong:
      // wslay already refused control frames over 125 bytes or without FIN; they may arrive
      // between the fragments of a data message.
      control_.clear();
      return true;
    case kOpText:
    case kOpBinary:
      if (msg_opcode_ != 0) {  // a fragmented message is still open
        Fail(kCloseProtocolError);
        return false;
      }
      msg_opcode_ = chunk.opcode;
      msg_bytes_ = 0;
      oversize_ = false;
      utf8_.Reset();
      ResetText();
      break;
    case kOpContinuation:
      if (msg_opcode_ == 0) {  // nothing to continue
        Fail(kCloseProtocolError);
        return false;
      }
      break;
    default:  // reserved opcodes
      Fail(kCloseProtocolError);
      return false;
  }
  if (chunk.payload_bytes > kMaxMessageBytes - msg_bytes_) {
    Fail(kCloseMessageTooBig);
    return false;
  }
  msg_bytes_ += uint32_t(chunk.payload_bytes);
  if (msg_opcode_ == kOpText && msg_bytes_ > kMaxTextBytes && !oversize_) {
    oversize_ = true;  // from here on only count (and validate); OnTooLarge at the end
    ResetText();
  }
  return true;
}

void WsCodec::OnDataChunk(const FrameReader::Chunk& chunk) {
  bool message_done = chunk.last && chunk.fin;
  if (msg_opcode_ != kOpText) {
    if (message_done) DeliverDataMessage({});
    return;
  }
  // Every text message is validated, also one too large to deliver or one arriving after
  // our close, and fails at the first invalid byte.
  if (!utf8_.Feed(chunk.data) || (message_done && !utf8_.complete())) {
    Fail(kCloseInvalidPayload);
    return;
  }
  if (oversize_) {
    if (message_done) DeliverDataMessage({});
    return;
  }
  if (message_done && text_.empty() && chunk.data.size() == msg_bytes_) {
    // The whole message is this one piece, unmasked in wslay's input buffer, which stays
    // untouched during the call: deliver it without copying.
    DeliverDataMessage(chunk.data);
    return;
  }
  text_.append(chunk.data);
  if (message_done) DeliverDataMessage(text_);
}

void WsCodec::DeliverDataMessage(std::string_view text) {
  uint8_t opcode = msg_opcode_;
  size_t size_bytes = msg_bytes_;
  bool oversize = oversize_;
  msg_opcode_ = 0;
  msg_bytes_ = 0;
  oversize_ = false;
  // Nothing is delivered once we sent a close: the peer's data in flight is discarded.
  if (can_send()) {
    if (opcode == kOpBinary) {
      listener_->OnBinary(size_bytes);
    } else if (oversize) {
      listener_->OnTooLarge(size_bytes);
    } else {
      listener_->OnText(text);
    }
  }
  ResetText();
}

void WsCodec::OnControlChunk(const FrameReader::Chunk& chunk) {
  if (chunk.first && chunk.last) {  // the usual case: no copy
    OnControlFrame(chunk.opcode, chunk.data);
    return;
  }
  control_.append(chunk.data);
  if (!chunk.last) return;
  OnControlFrame(chunk.opcode, control_);
  std::string().swap(control_);  // rare; keep idle connections without a heap block
}

void WsCodec::OnControlFrame(uint8_t opcode, std::string_view payload) {
  switch (opcode) {
    case kOpPing: {
      if (!can_send()) return;  // no pong after our close
      char frame[2 + kMaxControlPayloadBytes];
      size_t n = EncodeServerFrameHeader(kOpPong, payload.size(), frame);
      std::memcpy(frame + n, payload.data(), payload.size());
      listener_->OnOutput(std::string_view(frame, n + payload.size()));
      return;
    }
    case kOpClose:
      OnPeerClose(payload);
      return;
    default:  // pong: unsolicited or not, nothing to do
      return;
  }
}

void WsCodec::OnPeerClose(std::string_view payload) {
  // A close body is empty or a 2-byte status code followed by a UTF-8 reason (RFC 6455 §5.5.1).
  if (payload.size() == 1) {
    Fail(kCloseProtocolError);
    return;
  }
  uint16_t code = 0;
  std::string_view reason;
  if (payload.size() >= 2) {
    reason = payload.substr(2);
    if (!Utf8Validator::IsValid(reason)) {
      Fail(kCloseInvalidPayload);
      return;
    }
    code = uint16_t((uint8_t(payload[0]) << 8) | uint8_t(payload[1]));
    if (!IsValidPeerCloseCode(code)) {
      Fail(kCloseProtocolError);
      return;
    }
  }
  close_received_ = true;
  // Echo the peer's code and reason, or an empty close for an empty one, unless we closed
  // first; the reply goes out before the owner hears of the close.
  if (!close_sent()) WriteClose(code, reason);
  listener_->OnClose(code == 0 ? kCloseNoStatus : code, reason);
}

void WsCodec::Fail(uint16_t code) {
  failed_ = true;
  if (!close_sent()) WriteClose(code, {});
}

void WsCodec::WriteClose(uint16_t code, std::string_view reason) {
  std::string frame;
  EncodeCloseFrame(code, reason, &frame);
  close_code_sent_ = code == 0 ? kCloseNoStatus : code;
  listener_->OnOutput(frame);
}

void WsCodec::ResetText() {
  if (text_.capacity() > kKeepTextCapacityBytes) {
    std::string().swap(text_);
  } else {
    text_.clear();
  }
}

bool WsCodec::SendData(uint8_t opcode, std::string_view payload) {
  if (!can_send()) return false;
  char header[10];
  size_t n = EncodeServerFrameHeader(opcode, payload.size(), header);
  listener_->OnOutput(std::string_view(header, n));
  if (!payload.empty()) listener_->OnOutput(payload);
  return true;
}

bool WsCodec::SendText(std::string_view payload) { return SendData(kOpText, payload); }

bool WsCodec::SendBinary(std::string_view payload) { return SendData(kOpBinary, payload); }

void WsCodec::SendClose(uint16_t code, std::string_view reason) {
  if (!can_send()) return;
  WriteClose(code, CutCloseReason(reason));
}

}  // namespace asobi
