// Test-side WebSocket peer: builds client frames (masked unless asked otherwise) and decodes
// the server's unmasked frames. Deliberately independent of the code under test.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace asobi::ws_test {

constexpr uint8_t kCont = 0x0, kText = 0x1, kBinary = 0x2, kClose = 0x8, kPing = 0x9, kPong = 0xa;

/// One client frame with the shortest length encoding; `mask_key` is applied when `masked`.
inline std::string ClientFrame(uint8_t opcode, std::string_view payload, bool fin = true,
                               bool masked = true, uint32_t mask_key = 0x37fa213d) {
  std::string f;
  f.push_back(char((fin ? 0x80 : 0) | opcode));
  uint8_t mask_bit = masked ? 0x80 : 0;
  uint64_t n = payload.size();
  if (n < 126) {
    f.push_back(char(mask_bit | n));
  } else if (n <= 0xffff) {
    f.push_back(char(mask_bit | 126));
    f.push_back(char(n >> 8));
    f.push_back(char(n));
  } else {
    f.push_back(char(mask_bit | 127));
    for (int i = 7; i >= 0; --i) f.push_back(char(n >> (8 * i)));
  }
  uint8_t key[4] = {uint8_t(mask_key >> 24), uint8_t(mask_key >> 16), uint8_t(mask_key >> 8),
                    uint8_t(mask_key)};
  if (masked) f.append(reinterpret_cast<const char*>(key), 4);
  for (size_t i = 0; i < payload.size(); ++i) {
    f.push_back(masked ? char(uint8_t(payload[i]) ^ key[i % 4]) : payload[i]);
  }
  return f;
}

/// Close frame payload: 2-byte big-endian code then reason.
inline std::string ClosePayload(uint16_t code, std::string_view reason = {}) {
  std::string p;
  p.push_back(char(code >> 8));
  p.push_back(char(code & 0xff));
  p.append(reason);
  return p;
}

struct Frame {
  bool fin = false;
  uint8_t rsv = 0;
  uint8_t opcode = 0;
  bool masked = false;
  size_t header_bytes = 0;
  std::string payload;
};

/// Decodes a sequence of complete frames. Returns false if `bytes` does not end on a frame
/// boundary or a length is malformed.
inline bool DecodeFrames(std::string_view bytes, std::vector<Frame>* out) {
  while (!bytes.empty()) {
    if (bytes.size() < 2) return false;
    Frame f;
    uint8_t b0 = uint8_t(bytes[0]), b1 = uint8_t(bytes[1]);
    f.fin = b0 & 0x80;
    f.rsv = (b0 >> 4) & 7;
    f.opcode = b0 & 0x0f;
    f.masked = b1 & 0x80;
    uint64_t n = b1 & 0x7f;
    size_t pos = 2;
    if (n == 126 || n == 127) {
      size_t ext = n == 126 ? 2 : 8;
      if (bytes.size() < pos + ext) return false;
      n = 0;
      for (size_t i = 0; i < ext; ++i) n = (n << 8) | uint8_t(bytes[pos + i]);
      pos += ext;
    }
    uint8_t key[4] = {0, 0, 0, 0};
    if (f.masked) {
      if (bytes.size() < pos + 4) return false;
      for (int i = 0; i < 4; ++i) key[i] = uint8_t(bytes[pos + i]);
      pos += 4;
    }
    if (bytes.size() - pos < n) return false;
    f.header_bytes = pos;
    f.payload.assign(bytes.substr(pos, n));
    for (size_t i = 0; i < f.payload.size(); ++i) f.payload[i] = char(f.payload[i] ^ key[i % 4]);
    out->push_back(std::move(f));
    bytes.remove_prefix(pos + n);
  }
  return true;
}

}  // namespace asobi::ws_test
