// WorldPlayer: one authenticated WebSocket player for the world integration tests
// (world_test.cc, world_persist_test.cc). Keeps the pushes it skipped while waiting for a
// reply, so a later WaitFor still sees them. Every wait is bounded (5 s) and fails the test
// when it runs out.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "itest_clock.h"
#include "json_doc.h"
#include "ws_client.h"

namespace asobi::itest {

class WorldPlayer {
 public:
  /// Opens the socket and sends session.connect with `token` (and `"wire":"binary"` when
  /// `binary`, websocket.md §11).
  ::testing::AssertionResult Connect(uint16_t port, const std::string& token, bool binary = false) {
    if (auto r = ws_.Open(port); !r) return r;
    JsonDoc c = Call("session.connect",
                     R"({"token":")" + token + "\"" + (binary ? R"(,"wire":"binary"})" : "}"));
    if (c.Str({"type"}).value_or("") != "session.connected") {
      return ::testing::AssertionFailure() << "session.connect: " << c.text();
    }
    return ::testing::AssertionSuccess();
  }

  /// Sends `type` with `payload` and a fresh cid; returns the frame answering that cid (frames
  /// without it, world.tick pushes included, are kept in `pushes`).
  JsonDoc Call(const std::string& type, const std::string& payload) {
    std::string cid("c");  // not "c" + ...: g++ 12 -O3 -Wrestrict false positive
    cid.append(std::to_string(++n_));
    EXPECT_TRUE(ws_.SendText(R"({"type":")" + type + R"(","cid":")" + cid + R"(","payload":)" +
                             payload + "}"));
    const int64_t deadline = NowMs() + 5000;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, int(deadline - NowMs()))) break;
      if (d.Str({"cid"}).value_or("") == cid) return d;
      pushes.push_back(std::move(d));
    }
    ADD_FAILURE() << "no reply to " << type;
    return JsonDoc();
  }
  /// Sends `type` with `payload`, no cid.
  void Send(const std::string& type, const std::string& payload) {
    EXPECT_TRUE(ws_.SendText(R"({"type":")" + type + R"(","payload":)" + payload + "}"));
  }

  /// Reads frames (the kept pushes first) until `pred` accepts one, which it returns; a test
  /// failure after 5 s.
  template <class Pred>
  JsonDoc WaitFor(Pred pred, const std::string& what) {
    while (!pushes.empty()) {
      JsonDoc d = std::move(pushes.front());
      pushes.erase(pushes.begin());
      if (observer) observer(d);
      if (pred(d)) return d;
    }
    const int64_t deadline = NowMs() + 5000;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, int(deadline - NowMs()))) break;
      if (observer) observer(d);
      if (pred(d)) return d;
    }
    ADD_FAILURE() << "timed out waiting for " << what;
    return JsonDoc();
  }

  /// Reads frames until each of `preds` accepted one (in any order); returns the first frame
  /// each accepted. A test failure after 5 s.
  std::vector<JsonDoc> WaitForAll(std::vector<std::function<bool(const JsonDoc&)>> preds,
                                  const std::string& what) {
    std::vector<JsonDoc> got(preds.size());
    std::vector<bool> done(preds.size(), false);
    size_t left = preds.size();
    WaitFor(
        [&](const JsonDoc& d) {
          for (size_t i = 0; i < preds.size(); ++i) {
            if (!done[i] && preds[i](d)) {
              done[i] = true;
              got[i].Parse(d.text());
              --left;
            }
          }
          return left == 0;
        },
        what);
    return got;
  }

  /// The cid of the last Call, as minified JSON.
  std::string last_cid() const {
    std::string cid("\"c");
    cid.append(std::to_string(n_));
    cid.push_back('"');
    return cid;
  }
  WsClient& ws() { return ws_; }
  /// Frames read while waiting for something else, oldest first.
  std::vector<JsonDoc> pushes;
  /// Sees every frame WaitFor reads (before its predicate).
  std::function<void(const JsonDoc&)> observer;

 private:
  WsClient ws_;
  int n_ = 0;
};

}  // namespace asobi::itest
