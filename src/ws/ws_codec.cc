#include "ws/ws_codec.h"

#include <wslay/wslay.h>

#include <algorithm>
#include <cstring>

#include "base/check.h"

namespace asobi {
namespace {

constexpr uint16_t kCloseNoStatus = 1005;
constexpr uint16_t kCloseProtocolError = 1002;
constexpr uint16_t kCloseMessageTooBig = 1009;
constexpr uint16_t kCloseInternalError = 1011;
// A reassembly buffer that grew beyond this is released after its message.
constexpr size_t kKeepTextCapacityBytes = 4096;

bool IsControl(uint8_t opcode) { return (opcode & 0x8) != 0; }

}  // namespace

// C trampolines from wslay into the codec (user_data is the WsCodec).
struct WsCodecCallbacks {
  static WsCodec* Self(void* user_data) { return static_cast<WsCodec*>(user_data); }

  static ssize_t Recv(wslay_event_context_ptr, uint8_t* buf, size_t len, int, void* user_data) {
    return Self(user_data)->OnRecv(buf, len);
  }
  static ssize_t Send(wslay_event_context_ptr, const uint8_t* data, size_t len, int,
                      void* user_data) {
    Self(user_data)->listener_->OnOutput({reinterpret_cast<const char*>(data), len});
    return ssize_t(len);
  }
  static void FrameStart(wslay_event_context_ptr, const wslay_event_on_frame_recv_start_arg* arg,
                         void* user_data) {
    Self(user_data)->OnFrameStart(arg->fin, arg->opcode, arg->payload_length);
  }
  static void FrameChunk(wslay_event_context_ptr, const wslay_event_on_frame_recv_chunk_arg* arg,
                         void* user_data) {
    Self(user_data)->OnFrameChunk(arg->data, arg->data_length);
  }
  static void MsgRecv(wslay_event_context_ptr, const wslay_event_on_msg_recv_arg* arg,
                      void* user_data) {
    Self(user_data)->OnMessage(arg->opcode, arg->msg, arg->msg_length, arg->status_code);
  }
};

WsCodec::WsCodec(Listener* listener) : listener_(listener) {
  CHECK(listener_ != nullptr);
  wslay_event_callbacks callbacks{};
  callbacks.recv_callback = &WsCodecCallbacks::Recv;
  callbacks.send_callback = &WsCodecCallbacks::Send;
  callbacks.genmask_callback = nullptr;  // only clients mask
  callbacks.on_frame_recv_start_callback = &WsCodecCallbacks::FrameStart;
  callbacks.on_frame_recv_chunk_callback = &WsCodecCallbacks::FrameChunk;
  callbacks.on_frame_recv_end_callback = nullptr;
  callbacks.on_msg_recv_callback = &WsCodecCallbacks::MsgRecv;
  CHECK(wslay_event_context_server_init(&ctx_, &callbacks, this) == 0);
  // Data messages are not buffered by wslay (it would allocate each frame's announced length
  // up front); the codec keeps at most kMaxTextBytes of text itself and only counts the rest.
  // wslay then checks max_recv_msg_length per frame; OnFrameStart checks the message total.
  wslay_event_config_set_no_buffering(ctx_, 1);
  wslay_event_config_set_max_recv_msg_length(ctx_, kMaxMessageBytes);
}

WsCodec::~WsCodec() { wslay_event_context_free(ctx_); }

bool WsCodec::close_sent() const {
  return own_close_code_ != 0 || wslay_event_get_close_sent(ctx_) != 0;
}

bool WsCodec::close_received() const { return wslay_event_get_close_received(ctx_) != 0; }

uint16_t WsCodec::close_code_sent() const {
  return own_close_code_ != 0 ? own_close_code_ : wslay_event_get_status_code_sent(ctx_);
}

void WsCodec::Feed(std::string_view bytes) {
  CHECK(!in_feed_);
  if (bytes.empty() || failed_ || !wslay_event_get_read_enabled(ctx_)) return;
  in_feed_ = true;
  in_ = bytes;
  int rv = 0;
  // wslay_event_recv reads until the recv callback reports WOULDBLOCK; loop only as a guard
  // in case it returns early with input left while still making progress.
  while (rv == 0 && !in_.empty() && wslay_event_get_read_enabled(ctx_)) {
    size_t before = in_.size();
    rv = wslay_event_recv(ctx_);
    if (in_.size() == before) break;
  }
  in_ = {};
  if (rv != 0) ReplaceFailureClose(rv);
  Flush();
  in_feed_ = false;
  // wslay disables reading when it fails the connection (queueing 1002/1007/1009) and when a
  // close arrives; only the former is a failure.
  if (!wslay_event_get_read_enabled(ctx_) && !close_received()) {
    failed_ = true;
    listener_->OnProtocolError();
  }
}

ssize_t WsCodec::OnRecv(uint8_t* buf, size_t len) {
  if (in_.empty()) {
    wslay_event_set_error(ctx_, WSLAY_ERR_WOULDBLOCK);
    return -1;
  }
  size_t n = std::min(len, in_.size());
  std::memcpy(buf, in_.data(), n);
  in_.remove_prefix(n);
  return ssize_t(n);
}

void WsCodec::OnFrameStart(uint8_t fin, uint8_t opcode, uint64_t payload_bytes) {
  frame_opcode_ = opcode;
  if (IsControl(opcode)) return;  // wslay buffers control frames (<= 125 bytes) itself
  if (opcode != WSLAY_CONTINUATION_FRAME) {
    msg_opcode_ = opcode;
    msg_bytes_ = 0;
    oversize_ = false;
    ResetText();
  }
  frame_whole_msg_ = fin && opcode != WSLAY_CONTINUATION_FRAME;
  frame_bytes_ = payload_bytes;
  msg_bytes_ += payload_bytes;  // no overflow: wslay rejects frames > kMaxMessageBytes
  if (msg_bytes_ > kMaxMessageBytes) {
    FailTooBig();
    return;
  }
  if (msg_opcode_ == WSLAY_TEXT_FRAME && msg_bytes_ > kMaxTextBytes && !oversize_) {
    oversize_ = true;  // from here on only count; OnTooLarge when the message completes
    ResetText();
  }
}

void WsCodec::OnFrameChunk(const uint8_t* data, size_t len) {
  if (IsControl(frame_opcode_) || msg_opcode_ != WSLAY_TEXT_FRAME || oversize_) return;
  if (!wslay_event_get_read_enabled(ctx_)) return;  // failed inside this frame
  const char* chars = reinterpret_cast<const char*>(data);
  if (frame_whole_msg_ && text_.empty() && len == frame_bytes_) {
    // The whole message is in wslay's input buffer, which stays untouched until OnMessage
    // runs in the same step: deliver it without copying.
    whole_ = std::string_view(chars, len);
    return;
  }
  text_.append(chars, len);
}

void WsCodec::OnMessage(uint8_t opcode, const uint8_t* msg, size_t len, uint16_t status_code) {
  switch (opcode) {
    case WSLAY_TEXT_FRAME:
    case WSLAY_BINARY_FRAME:
      DeliverDataMessage();
      return;
    case WSLAY_CONNECTION_CLOSE: {
      Flush();  // the close reply wslay queued goes out before the owner hears of it
      std::string_view reason;
      if (len > 2) reason = std::string_view(reinterpret_cast<const char*>(msg) + 2, len - 2);
      listener_->OnClose(status_code == 0 ? kCloseNoStatus : status_code, reason);
      return;
    }
    default:  // ping (wslay queued the pong) or pong
      Flush();
      return;
  }
}

void WsCodec::DeliverDataMessage() {
  uint8_t opcode = msg_opcode_;
  size_t size_bytes = size_t(msg_bytes_);
  msg_opcode_ = 0;
  msg_bytes_ = 0;
  // Nothing is delivered once we failed the connection inside this frame or sent a close.
  if (wslay_event_get_read_enabled(ctx_) && can_send()) {
    if (opcode == WSLAY_BINARY_FRAME) {
      listener_->OnBinary(size_bytes);
    } else if (oversize_) {
      listener_->OnTooLarge(size_bytes);
    } else {
      listener_->OnText(whole_.data() != nullptr ? whole_ : std::string_view(text_));
    }
  }
  oversize_ = false;
  ResetText();
}

void WsCodec::ResetText() {
  whole_ = {};
  if (text_.capacity() > kKeepTextCapacityBytes) {
    std::string().swap(text_);
  } else {
    text_.clear();
  }
}

void WsCodec::FailTooBig() {
  // Same as wslay's own reaction to an oversized frame: queue 1009 and stop reading. Feed()
  // flushes the close and reports OnProtocolError.
  wslay_event_queue_close(ctx_, kCloseMessageTooBig, nullptr, 0);
  wslay_event_shutdown_read(ctx_);
  ResetText();
}

void WsCodec::ReplaceFailureClose(int wslay_rv) {
  // wslay_event_recv returns an error for frame-level violations (non-minimal length, a
  // fragmented or > 125-byte control frame, a 64-bit length with the top bit set) after
  // queueing a close frame *without* a status code, and for out-of-memory without queueing
  // anything. Drop that (the queue holds nothing else: every callback flushes) and write a
  // close with a real code.
  bool already_sent = close_sent();
  wslay_event_shutdown_write(ctx_);
  if (already_sent) return;
  own_close_code_ = wslay_rv == WSLAY_ERR_NOMEM ? kCloseInternalError : kCloseProtocolError;
  std::string frame;
  EncodeCloseFrame(own_close_code_, {}, &frame);
  listener_->OnOutput(frame);
}

bool WsCodec::SendData(uint8_t opcode, std::string_view payload) {
  if (!can_send()) return false;
  // Written directly rather than through wslay's queue (which would copy the payload): the
  // queue is always empty here, so ordering is the same.
  char header[10];
  size_t n = EncodeServerFrameHeader(opcode, payload.size(), header);
  listener_->OnOutput(std::string_view(header, n));
  if (!payload.empty()) listener_->OnOutput(payload);
  return true;
}

bool WsCodec::SendText(std::string_view payload) { return SendData(WSLAY_TEXT_FRAME, payload); }

bool WsCodec::SendBinary(std::string_view payload) { return SendData(WSLAY_BINARY_FRAME, payload); }

void WsCodec::SendClose(uint16_t code, std::string_view reason) {
  if (!can_send()) return;
  reason = CutCloseReason(reason);
  if (wslay_event_queue_close(ctx_, code, reinterpret_cast<const uint8_t*>(reason.data()),
                              reason.size()) == 0) {
    Flush();
  }
}

void WsCodec::Flush() {
  if (wslay_event_want_write(ctx_)) {
    // Only fails when the send callback fails, and ours always takes every byte.
    CHECK(wslay_event_send(ctx_) == 0);
  }
}

}  // namespace asobi
