// Private to the plan kernels of the reduce, linalg, shape, softmax and regression families: checks
// of an instruction's input/output counts, and a reader of its packed attributes that raises on a
// short, long or malformed list instead of reading past it (a plan can be built by hand from JS).
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "bkt/error.h"
#include "bkt/plan.h"

namespace bkt::plan_args {

inline void requireArity(const KernelContext& c, int numIn, int numOut, const char* op) {
  if (c.numInputs != numIn || c.numOutputs != numOut) {
    fail(ErrorKind::kValue, std::string(op) + ": expected " + std::to_string(numIn) + " inputs and " +
                                std::to_string(numOut) + " outputs, got " + std::to_string(c.numInputs) + " and " +
                                std::to_string(c.numOutputs));
  }
}

class AttrReader {
 public:
  AttrReader(const KernelContext& c, const char* op) : c_(c), op_(op) {}

  double real() {
    if (next_ >= c_.numAttrs) {
      fail(ErrorKind::kValue, std::string(op_) + ": expected more than " + std::to_string(c_.numAttrs) + " attributes");
    }
    return c_.attr(next_++);
  }

  int64_t integer() {
    const double v = real();
    if (!(std::fabs(v) <= 9007199254740992.0) || v != std::trunc(v)) {
      fail(ErrorKind::kValue, std::string(op_) + ": attribute " + std::to_string(next_ - 1) + " must be an integer, got " +
                                  std::to_string(v));
    }
    return static_cast<int64_t>(v);
  }

  bool flag() { return real() != 0; }

  // A list packed as its length followed by its values.
  std::vector<int64_t> list() {
    const int64_t n = integer();
    if (n < 0 || n > c_.numAttrs - next_) {
      fail(ErrorKind::kValue, std::string(op_) + ": attribute list of length " + std::to_string(n) + " does not fit the " +
                                  std::to_string(c_.numAttrs) + " attributes");
    }
    std::vector<int64_t> out(static_cast<size_t>(n));
    for (int64_t& v : out) v = integer();
    return out;
  }

  // Every attribute was read: a longer list means the plan was packed for another layout.
  void done() const {
    if (next_ != c_.numAttrs) {
      fail(ErrorKind::kValue, std::string(op_) + ": expected " + std::to_string(next_) + " attributes, got " +
                                  std::to_string(c_.numAttrs));
    }
  }

 private:
  const KernelContext& c_;
  const char* op_;
  int next_ = 0;
};

}  // namespace bkt::plan_args
