// Server-side frame encoding (RFC 6455 §5.2), independent of any wslay context: frames
// encoded once and written to many connections (fan-out) or to a socket without a codec.
#include <cstring>

#include "base/utf8.h"
#include "ws/ws_codec.h"

namespace asobi {
namespace {

constexpr uint8_t kOpText = 0x1;
constexpr uint8_t kOpBinary = 0x2;
constexpr uint8_t kOpClose = 0x8;
constexpr size_t kMaxCloseReasonBytes = 123;  // 125-byte control payload minus the code

}  // namespace

size_t WsCodec::ServerFrameHeaderSize(size_t payload_bytes) {
  if (payload_bytes < 126) return 2;
  if (payload_bytes <= 0xffff) return 4;
  return 10;
}

size_t WsCodec::EncodeServerFrameHeader(uint8_t opcode, size_t payload_bytes, char out[10]) {
  out[0] = char(0x80 | (opcode & 0x0f));  // FIN, no RSV bits
  if (payload_bytes < 126) {
    out[1] = char(payload_bytes);  // MASK bit clear: server frames are never masked
    return 2;
  }
  if (payload_bytes <= 0xffff) {
    out[1] = char(126);
    out[2] = char(payload_bytes >> 8);
    out[3] = char(payload_bytes);
    return 4;
  }
  out[1] = char(127);
  uint64_t len = payload_bytes;
  for (int i = 0; i < 8; ++i) out[2 + i] = char(len >> (56 - 8 * i));  // network byte order
  return 10;
}

void WsCodec::EncodeServerTextFrame(std::string_view payload, std::string* out) {
  char header[10];
  size_t n = EncodeServerFrameHeader(kOpText, payload.size(), header);
  out->reserve(out->size() + n + payload.size());
  out->append(header, n).append(payload);
}

void WsCodec::EncodeServerBinaryFrame(std::string_view payload, std::string* out) {
  char header[10];
  size_t n = EncodeServerFrameHeader(kOpBinary, payload.size(), header);
  out->reserve(out->size() + n + payload.size());
  out->append(header, n).append(payload);
}

SharedBuffer WsCodec::EncodeFrameShared(uint8_t opcode, std::string_view payload) {
  char header[10];
  size_t n = EncodeServerFrameHeader(opcode, payload.size(), header);
  SharedBuffer buf = SharedBuffer::Allocate(n + payload.size());
  std::memcpy(buf.mutable_data(), header, n);
  if (!payload.empty()) std::memcpy(buf.mutable_data() + n, payload.data(), payload.size());
  return buf;
}

SharedBuffer WsCodec::EncodeTextFrameShared(std::string_view payload) {
  return EncodeFrameShared(kOpText, payload);
}

SharedBuffer WsCodec::EncodeBinaryFrameShared(std::string_view payload) {
  return EncodeFrameShared(kOpBinary, payload);
}

std::string_view WsCodec::CutCloseReason(std::string_view reason) {
  return Utf8Prefix(reason, kMaxCloseReasonBytes);
}

void WsCodec::EncodeCloseFrame(uint16_t code, std::string_view reason, std::string* out) {
  reason = CutCloseReason(reason);
  size_t payload_bytes = code == 0 ? 0 : 2 + reason.size();
  char header[10];
  size_t n = EncodeServerFrameHeader(kOpClose, payload_bytes, header);
  out->append(header, n);
  if (code == 0) return;
  out->push_back(char(code >> 8));
  out->push_back(char(code & 0xff));
  out->append(reason);
}

}  // namespace asobi
