#include "ws/frame_reader.h"

#include <wslay/wslay.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "base/check.h"

namespace asobi {
namespace {

// The bytes of the Next() call in progress on this thread. wslay's recv callback reads from
// here; user_data cannot be used because a context moves between readers.
thread_local std::string_view* t_input = nullptr;

ssize_t RecvFromInput(uint8_t* buf, size_t len, int, void*) {
  std::string_view* in = t_input;
  size_t n = std::min(len, in->size());
  if (n == 0) return 0;  // wslay turns this into WSLAY_ERR_WANT_READ
  std::memcpy(buf, in->data(), n);
  in->remove_prefix(n);
  return ssize_t(n);
}

ssize_t SendNothing(const uint8_t*, size_t, int, void*) { return -1; }  // never sends

// A context left at a frame boundary with an empty buffer is in the same state as a fresh
// one, so one spare per thread serves every connection between frames.
struct SpareContext {
  wslay_frame_context* ctx = nullptr;
  ~SpareContext() {
    if (ctx != nullptr) wslay_frame_context_free(ctx);
  }
};
thread_local SpareContext t_spare;

wslay_frame_context* AcquireContext() {
  if (t_spare.ctx != nullptr) return std::exchange(t_spare.ctx, nullptr);
  wslay_frame_callbacks callbacks{};
  callbacks.send_callback = &SendNothing;
  callbacks.recv_callback = &RecvFromInput;
  callbacks.genmask_callback = nullptr;  // only clients mask
  wslay_frame_context* ctx = nullptr;
  CHECK(wslay_frame_context_init(&ctx, &callbacks, nullptr) == 0);
  return ctx;
}

void ReleaseContext(wslay_frame_context* ctx) {
  if (t_spare.ctx == nullptr) {
    t_spare.ctx = ctx;
  } else {
    wslay_frame_context_free(ctx);
  }
}

// Header bytes of a frame as wslay accepted it (it refuses non-minimal length encodings).
uint32_t HeaderBytes(uint64_t payload_bytes, bool masked) {
  uint32_t n = 2;
  if (payload_bytes > 0xffff) {
    n += 8;
  } else if (payload_bytes >= 126) {
    n += 2;
  }
  return masked ? n + 4 : n;
}

}  // namespace

FrameReader::~FrameReader() { Discard(); }

FrameReader::Result FrameReader::Next(std::string_view* in, Chunk* chunk) {
  if (ctx_ == nullptr) ctx_ = AcquireContext();
  wslay_frame_iocb iocb{};
  size_t before = in->size();
  t_input = in;
  ssize_t r = wslay_frame_recv(ctx_, &iocb);
  t_input = nullptr;
  buffered_ += uint32_t(before - in->size());  // at most the 4 KiB buffer per call
  if (r == WSLAY_ERR_WANT_READ) return Result::kNeedMore;
  if (r < 0) return Result::kMalformed;
  chunk->first = !in_frame_;
  if (!in_frame_) {
    in_frame_ = true;
    frame_left_ = iocb.payload_length;
    buffered_ -= HeaderBytes(iocb.payload_length, iocb.mask != 0);
  }
  frame_left_ -= iocb.data_length;
  buffered_ -= uint32_t(iocb.data_length);
  chunk->last = frame_left_ == 0;
  if (chunk->last) in_frame_ = false;
  chunk->opcode = iocb.opcode;
  chunk->rsv = iocb.rsv;
  chunk->fin = iocb.fin != 0;
  chunk->masked = iocb.mask != 0;
  chunk->payload_bytes = iocb.payload_length;
  chunk->data = std::string_view(reinterpret_cast<const char*>(iocb.data), iocb.data_length);
  return Result::kChunk;
}

void FrameReader::Park() {
  if (ctx_ == nullptr || in_frame_ || buffered_ != 0) return;
  ReleaseContext(std::exchange(ctx_, nullptr));
}

void FrameReader::Discard() {
  if (ctx_ != nullptr) wslay_frame_context_free(std::exchange(ctx_, nullptr));
  frame_left_ = 0;
  buffered_ = 0;
  in_frame_ = false;
}

}  // namespace asobi
