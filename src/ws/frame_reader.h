// FrameReader: reads WebSocket frames with wslay's frame API (wslay_frame_recv) from bytes
// handed in per call, and lends its wslay frame context back to the thread when idle.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

struct wslay_frame_context;

namespace asobi {

/// One per connection, used on one thread. wslay parses the frame header (length forms,
/// non-minimal lengths, control frames over 125 bytes or without FIN) and unmasks the payload
/// in place in the context's 4 KiB input buffer; everything above single frames is the
/// caller's.
///
/// Memory: 24 bytes, plus a wslay frame context (~4.2 KiB) only while a frame is partly
/// received or input is buffered. When the input of a Feed is used up at a frame boundary,
/// Park() hands the context to a one-slot per-thread spare, so an idle connection holds none.
class FrameReader {
 public:
  /// A piece of one frame's payload as wslay returns it (unmasked; valid until the next
  /// Next() or Park()). A frame's pieces arrive in order; an empty frame is one empty piece.
  struct Chunk {
    uint8_t opcode = 0;
    uint8_t rsv = 0;  // (RSV1 << 2) | (RSV2 << 1) | RSV3
    bool fin = false;
    bool masked = false;
    bool first = false;          // first piece of this frame: the header fields are new
    bool last = false;           // the frame's payload is complete with this piece
    uint64_t payload_bytes = 0;  // the frame's announced payload length
    std::string_view data;
  };

  /// Outcome of one Next() call.
  enum class Result {
    kChunk,      // *chunk is filled
    kNeedMore,   // `*in` is used up; call again with the next received bytes
    kMalformed,  // wslay refused the frame header (WSLAY_ERR_PROTO); discard the reader
  };

  FrameReader() = default;
  ~FrameReader();
  FrameReader(const FrameReader&) = delete;
  FrameReader& operator=(const FrameReader&) = delete;

  /// Returns the next payload piece, taking bytes from the front of `*in` as wslay asks for
  /// them (at most 4 KiB at a time). Aborts if no wslay context can be allocated.
  Result Next(std::string_view* in, Chunk* chunk);
  /// Call when the input of one Feed is used up: returns the context to the thread's spare
  /// if it holds no state (frame boundary, nothing buffered).
  void Park();
  /// Drops the context and any partial frame (after a failure or a close).
  void Discard();

  /// True while this reader holds a wslay frame context.
  bool holds_context() const { return ctx_ != nullptr; }
  /// sizeof(wslay_frame_context) is private to wslay; this is what one allocation holds.
  static constexpr size_t kApproxContextBytes = 4096 + 150;

 private:
  wslay_frame_context* ctx_ = nullptr;
  uint64_t frame_left_ = 0;  // payload bytes of the current frame not yet returned
  uint32_t buffered_ = 0;    // bytes handed to wslay and not yet returned as header/payload
  bool in_frame_ = false;    // a frame's first piece was returned, its last one not yet
};

}  // namespace asobi
