// Client side of RFC 6455 framing for the load generator: masked frame encoding (every
// client-to-server frame must be masked, RFC 6455 §5.3) and decoding of the server's
// unmasked frames. No sockets, no allocation beyond the caller's strings; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace asobi::bench {

/// WebSocket opcodes (RFC 6455 §5.2).
inline constexpr uint8_t kOpContinuation = 0x0;
inline constexpr uint8_t kOpText = 0x1;
inline constexpr uint8_t kOpBinary = 0x2;
inline constexpr uint8_t kOpClose = 0x8;
inline constexpr uint8_t kOpPing = 0x9;
inline constexpr uint8_t kOpPong = 0xA;

/// XORs `n` bytes at `p` with the 4-byte `mask_key` (its bytes in memory order are the
/// masking key octets, RFC 6455 §5.3). Applying it twice restores the input.
void MaskBytes(char* p, size_t n, uint32_t mask_key);

/// Appends one FIN client frame with `opcode` to `*out`: header, the 4 mask-key bytes, then
/// the concatenation of `parts[0..n_parts)` masked with `mask_key`. Parts let the caller
/// splice a per-message correlation id into pre-built request bytes without a temporary.
void AppendMaskedFrameParts(uint8_t opcode, const std::string_view* parts, size_t n_parts,
                            uint32_t mask_key, std::string* out);

/// Single-part convenience wrapper of AppendMaskedFrameParts.
inline void AppendMaskedFrame(uint8_t opcode, std::string_view payload, uint32_t mask_key,
                              std::string* out) {
  AppendMaskedFrameParts(opcode, &payload, 1, mask_key, out);
}

/// Appends a masked close frame carrying `code` (big-endian) and `reason` (at most 123 bytes
/// are used so the control-frame payload stays <= 125).
void AppendMaskedClose(uint16_t code, std::string_view reason, uint32_t mask_key, std::string* out);

/// One decoded server frame. `payload` points into the caller's input buffer.
struct ServerFrame {
  uint8_t opcode = 0;
  bool fin = true;
  std::string_view payload;
};

/// Outcome of ParseServerFrame.
enum class FrameParse {
  kFrame,     // one frame decoded; *frame_bytes says how much input it used
  kNeedMore,  // the input holds only part of a frame
  kBad,       // protocol violation: masked server frame, RSV bits, reserved opcode,
              // fragmented/oversized control frame, or payload over the caller's maximum
};

/// Decodes one server frame (RFC 6455 §5.2) at the start of `data`. A server frame must not
/// be masked. `payload_bytes_max` bounds a single frame's payload.
FrameParse ParseServerFrame(std::string_view data, uint64_t payload_bytes_max, ServerFrame* frame,
                            size_t* frame_bytes);

}  // namespace asobi::bench
