// HttpClient: a raw HTTP/1.1 client for integration tests. Sends exactly the bytes a test
// gives it (so malformed requests can be sent) and reads responses one at a time from a
// buffer, so keep-alive reuse and pipelined responses can be checked in order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "test_socket.h"

namespace asobi::itest {

/// One parsed response. Header names are lowercased; values are trimmed.
struct HttpResponse {
  std::string version;  ///< "HTTP/1.1"
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// Value of the first header `name` (lowercase); nullopt when absent.
  std::optional<std::string> Header(std::string_view name) const;
  /// How many times header `name` appears.
  int HeaderCount(std::string_view name) const;
};

/// One connection to the server under test. Test-thread only; move-only.
class HttpClient {
 public:
  /// Connects to 127.0.0.1:`port` (`rcvbuf_bytes` > 0: SO_RCVBUF); false on failure.
  bool Connect(uint16_t port, int rcvbuf_bytes = 0);

  /// Writes raw request bytes (any number of requests, or garbage).
  bool SendRaw(std::string_view bytes) { return socket_.SendAll(bytes); }

  /// Reads exactly one response (status line, headers, then a content-length body, no body
  /// for 1xx/204/304 or when `head_request`, or everything until EOF when there is no
  /// content-length). Bytes after it stay buffered for the next call. nullopt when the
  /// connection closed or timed out before a whole response arrived (see error()).
  std::optional<HttpResponse> ReadResponse(bool head_request = false,
                                           int timeout_ms = kIoTimeoutMs);

  /// Sends `GET <path> HTTP/1.1` with Host and `extra_headers` (raw "Name: v\r\n" lines), then
  /// reads the response.
  std::optional<HttpResponse> Get(std::string_view path, std::string_view extra_headers = "");

  /// True when the server closed the connection (EOF or reset) with no further response bytes
  /// within `timeout_ms`.
  bool WaitForClose(int timeout_ms = kIoTimeoutMs);

  /// Why the last ReadResponse failed ("timeout", "eof", "reset", "malformed: ...").
  const std::string& error() const { return error_; }
  /// Bytes received but not consumed yet.
  const std::string& buffered() const { return buf_; }
  /// Hands over the unconsumed bytes (e.g. WebSocket frames that followed a 101).
  std::string TakeBuffered() { return std::exchange(buf_, {}); }
  TestSocket& socket() { return socket_; }

 private:
  RecvStatus Fill(int timeout_ms);

  TestSocket socket_;
  std::string buf_;
  std::string error_;
};

/// Parses the status line and header lines of `head` (without the final empty line).
/// False when malformed.
bool ParseResponseHead(std::string_view head, HttpResponse* out);

}  // namespace asobi::itest
