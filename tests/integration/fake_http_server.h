// FakeHttpServer: a tiny HTTP/1.1 server in the test process on 127.0.0.1 (port chosen by the
// kernel), standing in for an outside provider (the Google OAuth token endpoint and Android
// Publisher API in the IAP tests). One thread; each connection carries one request and is
// closed after the response.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <unordered_map>

namespace asobi::itest {

struct FakeRequest {
  std::string method;
  std::string target;                                    // path and query, as sent
  std::unordered_map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct FakeResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

class FakeHttpServer {
 public:
  using Handler = std::function<FakeResponse(const FakeRequest&)>;
  /// Listens at once; `handler` runs on the server's thread.
  explicit FakeHttpServer(Handler handler);
  ~FakeHttpServer();
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  uint16_t port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void Loop();
  void Serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace asobi::itest
