// LoopThread: a Reactor running on its own thread, so that tests of asynchronous services
// (database round trips) read as straight-line code: Await() runs a function on the loop
// thread and blocks the test thread until the function's completion callback fires.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "db/pg_connection.h"
#include "reactor/reactor.h"

namespace asobi::testing {

class LoopThread {
 public:
  LoopThread() {
    std::promise<void> started;
    thread_ = std::thread([this, &started] {
      reactor_ = std::make_unique<Reactor>(Reactor::Options{});
      reactor_->AttachToThread();
      Poll();
      started.set_value();
      reactor_->Run();
      reactor_.reset();
    });
    started.get_future().wait();
  }
  ~LoopThread() { Stop(); }

  /// Runs `fn` on the loop thread and waits for it to return.
  void Sync(std::function<void()> fn) {
    std::promise<void> p;
    Submit([&] {
      fn();
      p.set_value();
    });
    p.get_future().wait();
  }

  /// Runs `start(done)` on the loop thread and waits (at most `timeout_ms`: a hang is a test
  /// failure, not a timing assertion) until `done(value)` was called there; returns the value.
  template <typename T>
  std::optional<T> Await(std::function<void(std::function<void(T)>)> start,
                         int timeout_ms = 60000) {
    auto p = std::make_shared<std::promise<T>>();
    std::future<T> f = p->get_future();
    Submit([start = std::move(start), p] { start([p](T v) { p->set_value(std::move(v)); }); });
    if (f.wait_for(std::chrono::milliseconds(timeout_ms)) != std::future_status::ready) {
      ADD_FAILURE() << "no answer within " << timeout_ms << " ms";
      return std::nullopt;
    }
    return f.get();
  }

  /// Stops the loop once the socket polls of destroyed connections are reclaimed (destroy
  /// connections with Sync() first); joins the thread. Idempotent.
  void Stop() {
    if (!thread_.joinable()) return;
    Submit([this] { StopWhenIdle(); });
    thread_.join();
  }

  Reactor& reactor() { return *reactor_; }

 private:
  void Submit(std::function<void()> fn) {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(fn));
  }
  void StopWhenIdle() {
    if (db::PgConnection::LiveSocketWatches() == 0) {
      stopping_ = true;
      reactor_->Stop();
      return;
    }
    reactor_->AddTimer(1, [this] { StopWhenIdle(); });
  }
  // Runs queued work every millisecond (the reactor has no thread-safe post of its own).
  void Poll() {
    std::deque<std::function<void()>> work;
    {
      std::lock_guard<std::mutex> lock(mu_);
      work.swap(queue_);
    }
    for (auto& fn : work) fn();
    if (!stopping_) reactor_->AddTimer(1, [this] { Poll(); });
  }

  std::unique_ptr<Reactor> reactor_;
  bool stopping_ = false;  // loop thread only
  std::thread thread_;
  std::mutex mu_;
  std::deque<std::function<void()>> queue_;
};

}  // namespace asobi::testing
