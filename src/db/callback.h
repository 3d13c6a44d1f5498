// Callback<Arg>: a move-only, type-erased `void(Arg)` callable, so completion handlers can
// capture move-only state (std::function needs copyable captures).
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace asobi::db {

/// Move-only callable taking one argument by value. Empty callbacks must not be called.
template <typename Arg>
class Callback {
 public:
  Callback() = default;
  /// Wraps any callable invocable with `Arg` (moved or copied in; one heap allocation).
  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Callback> &&
                                                    std::is_invocable_v<std::decay_t<F>&, Arg>>>
  Callback(F&& f)  // NOLINT(google-explicit-constructor)
      : impl_(std::make_unique<Impl<std::decay_t<F>>>(std::forward<F>(f))) {}
  Callback(Callback&&) noexcept = default;
  Callback& operator=(Callback&&) noexcept = default;

  /// True when holding a callable. Calling passes `arg` by value (PgConnection calls each once).
  explicit operator bool() const { return impl_ != nullptr; }
  void operator()(Arg arg) { impl_->Call(std::move(arg)); }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual void Call(Arg arg) = 0;
  };
  template <typename F>
  struct Impl final : Base {
    template <typename G>
    explicit Impl(G&& g) : fn(std::forward<G>(g)) {}
    void Call(Arg arg) override { fn(std::move(arg)); }
    F fn;
  };
  std::unique_ptr<Base> impl_;
};

}  // namespace asobi::db
