// Result<T>: a value or an error, for functions that can fail without exceptions.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "base/check.h"

namespace asobi {

/// An error that can travel to a client. `reason` is the spec's reason string (websocket.md
/// §4, rest.md §1.3 code), `message` is human prose for logs and the error envelope.
struct Error {
  std::string reason;
  std::string message;
};

/// Holds either a T or an Error. Accessing the wrong alternative is a CHECK failure.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  /// True when a value is held.
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  /// The value; CHECK-fails when an error is held.
  T& value() & {
    CHECK(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    CHECK(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    CHECK(ok());
    return std::get<0>(std::move(v_));
  }
  /// The error; CHECK-fails when a value is held.
  const Error& error() const {
    CHECK(!ok());
    return std::get<1>(v_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }

 private:
  std::variant<T, Error> v_;
};

/// Result of an operation that yields no value.
struct Ok {};
using Status = Result<Ok>;

/// Builds an Error from a spec reason string and optional log/envelope prose.
inline Error MakeError(std::string reason, std::string message = {}) {
  return Error{std::move(reason), std::move(message)};
}

}  // namespace asobi
