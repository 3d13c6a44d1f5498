// Task: a move-only, type-erased `void()` callable (std::function needs copyable captures).
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace asobi {

/// Move-only callable run once. Empty Tasks must not be called.
class Task {
 public:
  Task() = default;
  /// Wraps any callable taking no argument (moved or copied in; one heap allocation).
  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Task>>>
  Task(F&& f)  // NOLINT(google-explicit-constructor)
      : impl_(std::make_unique<Impl<std::decay_t<F>>>(std::forward<F>(f))) {}
  Task(Task&&) noexcept = default;
  Task& operator=(Task&&) noexcept = default;

  /// True when holding a callable. Calling runs it (may be called again; callers run it once).
  explicit operator bool() const { return impl_ != nullptr; }
  void operator()() { impl_->Call(); }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual void Call() = 0;
  };
  template <typename F>
  struct Impl final : Base {
    explicit Impl(F&& f) : fn(std::move(f)) {}
    explicit Impl(const F& f) : fn(f) {}
    void Call() override { fn(); }
    F fn;
  };
  std::unique_ptr<Base> impl_;
};

}  // namespace asobi
