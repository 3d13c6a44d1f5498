// WsCodec: the server side of one WebSocket connection after the upgrade, without sockets.
// Frames are read with wslay's frame API (FrameReader); the codec adds the message layer of
// RFC 6455: masking and RSV rules, opcodes, fragmentation, size limits, UTF-8 validation of
// text (Utf8Validator), ping → pong and the close handshake. The owner feeds received bytes
// and gets messages and output bytes back through a Listener. websocket.md §1.2 step 1, §2.4,
// §3.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/shared_buffer.h"
#include "base/utf8.h"
#include "ws/frame_reader.h"

namespace asobi {

/// One per accepted WebSocket connection; lives on the connection's owner shard and is used
/// only there (not thread-safe). Memory: this object is ~112 bytes; a wslay frame context
/// (~4.2 KiB) is held only while a frame is partly received (FrameReader); at most
/// kMaxTextBytes for reassembling a fragmented text message (released again after a message
/// larger than 4 KiB); at most 125 bytes for a control frame split across Feed() calls.
///
/// Invariant: the codec queues no output; everything is written through OnOutput before
/// control returns to the owner, so the owner may interleave its own pre-encoded frames
/// (EncodeTextFrameShared, fan-out) with SendText() output and ordering is preserved. Before
/// appending a pre-encoded frame the owner checks can_send().
///
/// Inbound size rules: a text message of more than kMaxTextBytes (65536) bytes is not
/// buffered; when it completes the Listener gets OnTooLarge(size) and the connection stays
/// usable (websocket.md §1.2 step 1). A message (text or binary, summed over its fragments)
/// of more than kMaxMessageBytes (1 MiB) fails the connection with close 1009.
class WsCodec {
 public:
  /// Largest text message delivered through OnText (websocket.md §3 "Inbound frame size").
  static constexpr size_t kMaxTextBytes = 65536;
  /// Largest message accepted at all; more → close 1009 and OnProtocolError.
  static constexpr uint64_t kMaxMessageBytes = uint64_t{1} << 20;

  /// Receives everything the codec produces. All calls happen synchronously inside Feed() or a
  /// Send*() call on the owner shard. A callback may call Send*() but must not call Feed() and
  /// must not destroy the codec (defer that until Feed() returns).
  class Listener {
   public:
    virtual ~Listener() = default;
    /// A complete text message of at most kMaxTextBytes bytes, valid UTF-8.
    /// `msg` is valid only during the call.
    virtual void OnText(std::string_view msg) = 0;
    /// A complete binary message of `size_bytes` (content is discarded: the uplink is
    /// text-only, websocket.md §1.2 step 3).
    virtual void OnBinary(size_t size_bytes) = 0;
    /// A complete text message larger than kMaxTextBytes (content discarded). The caller
    /// answers `payload_too_large`; the connection stays open.
    virtual void OnTooLarge(size_t size_bytes) = 0;
    /// The peer sent a close frame. The codec has already written the close reply (echoing
    /// the code) unless it had sent a close first. `code` is 1005 when the frame carried no
    /// status code. After this closed() is true; the owner closes the socket once its output
    /// is flushed.
    virtual void OnClose(uint16_t code, std::string_view reason) = 0;
    /// The connection failed (protocol violation, invalid UTF-8, message over
    /// kMaxMessageBytes). A close frame (1002, 1007 or 1009; see close_code_sent()) has been
    /// written; the owner flushes its output and closes the socket. Called at most once, as
    /// the last thing Feed() does, so the owner may destroy the codec from here.
    virtual void OnProtocolError() = 0;
    /// Bytes to write to the socket, in order. The owner must take all of them (copy or
    /// queue); `bytes` is valid only during the call.
    virtual void OnOutput(std::string_view bytes) = 0;
  };

  /// `listener` must outlive the codec. Feed() aborts if wslay cannot allocate a frame
  /// context.
  explicit WsCodec(Listener* listener);
  ~WsCodec();
  WsCodec(const WsCodec&) = delete;
  WsCodec& operator=(const WsCodec&) = delete;

  /// Parses `bytes` received from the socket (any split, any size) and calls the Listener for
  /// every completed message, close or failure. Consumes all of `bytes`; nothing is retained.
  /// Bytes after a received close or a failure are ignored. Must not be called re-entrantly.
  void Feed(std::string_view bytes);

  /// Writes one unfragmented text frame (through OnOutput). Returns false, writing nothing,
  /// once a close has been sent or the connection failed. `payload` must be valid UTF-8.
  bool SendText(std::string_view payload);
  /// Same as SendText for a binary frame (binary world.tick, websocket.md §11).
  bool SendBinary(std::string_view payload);
  /// Starts the close handshake: writes a close frame with `code` (0 → no status code) and
  /// `reason` (cut to 123 bytes at a UTF-8 boundary). No-op if a close was already sent.
  /// Further data messages from the peer are discarded; its close reply arrives as OnClose.
  void SendClose(uint16_t code, std::string_view reason);

  /// True while data frames may still be written (no close sent, not failed).
  bool can_send() const { return !failed_ && !close_sent(); }
  /// Whether we wrote a close frame / received the peer's close frame.
  bool close_sent() const { return close_code_sent_ != 0; }
  bool close_received() const { return close_received_; }
  /// True when the connection failed (OnProtocolError was called).
  bool failed() const { return failed_; }
  /// True when nothing more will happen: close sent and received, or failed.
  bool closed() const { return failed_ || (close_sent() && close_received()); }
  /// Status code of the close frame we sent (1005 for none), or 1006 if none was sent.
  uint16_t close_code_sent() const { return close_sent() ? close_code_sent_ : 1006; }

  /// Writes the header of an unmasked FIN server frame with `opcode` (1 text, 2 binary) and a
  /// payload of `payload_bytes` into `out`; returns its size (2, 4 or 10). For writev-style
  /// output of header + shared payload. Any thread.
  static size_t EncodeServerFrameHeader(uint8_t opcode, size_t payload_bytes, char out[10]);
  /// Size of the header of an unmasked server frame with a payload of `payload_bytes`
  /// (RFC 6455 §5.2): 2, 4 or 10.
  static size_t ServerFrameHeaderSize(size_t payload_bytes);
  /// Appends one unmasked FIN text frame holding `payload` to `*out`. For frames encoded once
  /// and written to many connections (fan-out), bypassing any codec. Any thread.
  static void EncodeServerTextFrame(std::string_view payload, std::string* out);
  /// Same for a binary frame.
  static void EncodeServerBinaryFrame(std::string_view payload, std::string* out);
  /// One unmasked FIN text frame in a refcounted buffer (one allocation), for fan-out across
  /// connections and shards (ARCHITECTURE.md "Shards"). Any thread.
  static SharedBuffer EncodeTextFrameShared(std::string_view payload);
  /// Same for a binary frame.
  static SharedBuffer EncodeBinaryFrameShared(std::string_view payload);
  /// Appends an unmasked close frame: 2-byte `code` then `reason` cut to 123 bytes at a UTF-8
  /// boundary; `code` 0 → empty payload. For closing a socket that has no codec (websocket.md
  /// §2.4). Any thread.
  static void EncodeCloseFrame(uint16_t code, std::string_view reason, std::string* out);

 private:
  // `reason` cut to the 123 bytes a close frame allows, at a UTF-8 character boundary.
  static std::string_view CutCloseReason(std::string_view reason);
  static SharedBuffer EncodeFrameShared(uint8_t opcode, std::string_view payload);

  void OnChunk(const FrameReader::Chunk& chunk);
  bool StartFrame(const FrameReader::Chunk& chunk);
  void OnDataChunk(const FrameReader::Chunk& chunk);
  void OnControlChunk(const FrameReader::Chunk& chunk);
  void OnControlFrame(uint8_t opcode, std::string_view payload);
  void OnPeerClose(std::string_view payload);
  void DeliverDataMessage(std::string_view text);
  void Fail(uint16_t code);
  void WriteClose(uint16_t code, std::string_view reason);
  bool SendData(uint8_t opcode, std::string_view payload);
  void ResetText();

  FrameReader reader_;
  Listener* listener_;
  std::string text_;              // reassembly of a fragmented text message (<= kMaxTextBytes)
  std::string control_;           // a control frame's payload received in several pieces
  Utf8Validator utf8_;            // the current text message, across its fragments
  uint32_t msg_bytes_ = 0;        // payload bytes announced so far by the current data message
  uint16_t close_code_sent_ = 0;  // 0 none sent; 1005 sent without status code
  uint8_t msg_opcode_ = 0;        // 1 text, 2 binary, 0 none
  bool oversize_ = false;         // current text message exceeded kMaxTextBytes
  bool close_received_ = false;
  bool failed_ = false;  // a failure close was decided (OnProtocolError pending/done)
  bool in_feed_ = false;
};

}  // namespace asobi
