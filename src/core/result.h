#pragma once

#include <string>
#include <utility>
#include <variant>

namespace infinity_sync {

// The error half of Result: a message that already carries its context
// ("reading /x/y.json: No such file or directory").
struct Error {
  std::string message;
};

// A value or an Error, for internal calls that can fail (C++23's std::expected
// in miniature). Callers check ok() before value().
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  const std::string& error() const { return std::get<1>(v_).message; }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
struct Ok {};
using Status = Result<Ok>;

}  // namespace infinity_sync
