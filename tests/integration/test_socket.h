// TestSocket: a blocking IPv4 TCP client socket for integration tests, with per-call timeouts
// (SO_RCVTIMEO / SO_SNDTIMEO) so a misbehaving server fails a test instead of hanging it.
// Test-thread only; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace asobi::itest {

/// Default bound for one blocking read or write, in ms. Generous: it only matters when the
/// server misbehaves, never as an assertion about speed.
inline constexpr int kIoTimeoutMs = 5000;

/// Outcome of one receive call.
enum class RecvStatus {
  kData,     ///< at least one byte was appended
  kTimeout,  ///< nothing arrived within the timeout
  kEof,      ///< the peer closed its side (recv returned 0)
  kError,    ///< the connection failed (ECONNRESET and similar; see last_errno())
};

/// Owns one socket fd (close-on-exec, so server processes started later never inherit it).
/// Move-only.
class TestSocket {
 public:
  TestSocket() = default;
  ~TestSocket();
  TestSocket(TestSocket&& other) noexcept;
  TestSocket& operator=(TestSocket&& other) noexcept;
  TestSocket(const TestSocket&) = delete;
  TestSocket& operator=(const TestSocket&) = delete;

  /// Connects to 127.0.0.1:`port` (blocking). `rcvbuf_bytes` > 0 sets SO_RCVBUF before the
  /// connect (a small value makes a "slow reader" whose kernel buffer fills quickly).
  /// Returns false (errno in last_errno()) on failure.
  bool Connect(uint16_t port, int rcvbuf_bytes = 0);

  /// Writes all of `bytes` (MSG_NOSIGNAL). False when the peer reset/closed the connection
  /// or no progress was possible for `timeout_ms`.
  bool SendAll(std::string_view bytes, int timeout_ms = kIoTimeoutMs);

  /// One recv() of up to 64 KiB appended to `*out`, waiting at most `timeout_ms`.
  RecvStatus RecvSome(std::string* out, int timeout_ms);

  /// Half-closes the write side (shutdown SHUT_WR).
  void ShutdownWrite();
  /// Closes the fd (idempotent).
  void Close();

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  /// errno of the last failed call.
  int last_errno() const { return last_errno_; }

 private:
  int fd_ = -1;
  int last_errno_ = 0;
};

}  // namespace asobi::itest
