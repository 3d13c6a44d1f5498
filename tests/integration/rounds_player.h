// A WebSocket player for the rounds integration tests (bots API, phases, votes): keeps the
// pushes it skipped while waiting for a reply, so a later WaitFor still sees them.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <string>

#include "json_doc.h"
#include "ws_client.h"

namespace asobi::itest {

inline constexpr int kRoundsWaitMs = 8000;  // bounds a misbehaving server only

inline int64_t RoundsNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class RoundsPlayer {
 public:
  ::testing::AssertionResult Connect(uint16_t port, const std::string& token) {
    if (auto r = ws_.Open(port); !r) return r;
    JsonDoc reply = Call("session.connect", R"({"token":")" + token + "\"}");
    if (reply.Str({"type"}).value_or("") != "session.connected") {
      return ::testing::AssertionFailure() << "session.connect: " << reply.text();
    }
    return ::testing::AssertionSuccess();
  }
  /// Sends a request and returns the frame that echoes its cid.
  JsonDoc Call(const std::string& type, const std::string& payload_json) {
    std::string cid = std::to_string(++cid_);
    Send(R"({"type":")" + type + R"(","cid":")" + cid + R"(","payload":)" + payload_json + "}");
    int64_t deadline = RoundsNowMs() + kRoundsWaitMs;
    while (RoundsNowMs() < deadline) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, int(deadline - RoundsNowMs()))) break;
      if (d.Str({"cid"}).value_or("") == cid) return d;
      backlog_.push_back(std::move(d));
    }
    ADD_FAILURE() << "no reply to " << type;
    return JsonDoc();
  }
  void Send(const std::string& json) { ASSERT_TRUE(ws_.SendText(json)); }
  void Input(const std::string& payload_json) {
    Send(R"({"type":"match.input","payload":)" + payload_json + "}");
  }
  /// The next push of `type` for which `pred` holds (older frames of any type are dropped).
  template <typename Pred>
  bool WaitFor(const std::string& type, Pred pred, JsonDoc* out, int timeout_ms = kRoundsWaitMs) {
    int64_t deadline = RoundsNowMs() + timeout_ms;
    for (;;) {
      while (!backlog_.empty()) {
        JsonDoc d = std::move(backlog_.front());
        backlog_.pop_front();
        if (d.Str({"type"}).value_or("") == type && pred(d)) {
          *out = std::move(d);
          return true;
        }
      }
      int64_t left = deadline - RoundsNowMs();
      if (left <= 0) return false;
      JsonDoc d;
      if (!ws_.RecvJson(&d, int(left))) return false;
      backlog_.push_back(std::move(d));
    }
  }
  bool WaitFor(const std::string& type, JsonDoc* out, int timeout_ms = kRoundsWaitMs) {
    return WaitFor(
        type, [](const JsonDoc&) { return true; }, out, timeout_ms);
  }

 private:
  WsClient ws_;
  std::deque<JsonDoc> backlog_;
  int cid_ = 0;
};

}  // namespace asobi::itest
