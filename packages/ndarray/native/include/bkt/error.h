// Errors raised by pure C++ code. napi/ maps each kind to the TS BktError subclass of the same name.
#pragma once
#include <stdexcept>
#include <string>

namespace bkt {

enum class ErrorKind { kShape, kDType, kBind, kFormat, kState, kIndex, kContext, kValue, kNative };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& msg) : std::runtime_error(msg), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

[[noreturn]] inline void fail(ErrorKind kind, const std::string& msg) { throw Error(kind, msg); }

}  // namespace bkt
