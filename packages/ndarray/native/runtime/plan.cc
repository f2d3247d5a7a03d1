#include "bkt/plan.h"

#include <array>
#include <cmath>

#include "bkt/error.h"

namespace bkt {
namespace {

std::array<KernelFn, static_cast<size_t>(Kernel::kCount)>& kernelTable() {
  static std::array<KernelFn, static_cast<size_t>(Kernel::kCount)> table{};
  return table;
}

}  // namespace

namespace {
std::string counts(int in, int out) { return std::to_string(in) + " inputs and " + std::to_string(out) + " outputs"; }
}  // namespace

void KernelContext::requireArity(const char* op, int numIn, int numOut) const {
  if (numInputs != numIn || numOutputs != numOut) {
    fail(ErrorKind::kBind, std::string(op) + ": the plan gives " + counts(numInputs, numOutputs) + ", the kernel takes " +
                               counts(numIn, numOut));
  }
}

void KernelContext::requireAtLeast(const char* op, int numIn, int numOut, int numAttrs) const {
  if (numInputs < numIn || numOutputs < numOut || this->numAttrs < numAttrs) {
    fail(ErrorKind::kBind, std::string(op) + ": the plan gives " + counts(numInputs, numOutputs) + " and " +
                               std::to_string(this->numAttrs) + " attributes, the kernel needs at least " + counts(numIn, numOut) +
                               " and " + std::to_string(numAttrs) + " attributes");
  }
}

void KernelContext::requireAttrs(const char* op, int count) const {
  if (numAttrs != count) {
    fail(ErrorKind::kBind, std::string(op) + ": the plan gives " + std::to_string(numAttrs) + " attributes, the kernel takes " +
                               std::to_string(count));
  }
}

double KernelContext::attrAt(int i, const char* op) const {
  if (i >= numAttrs) {
    fail(ErrorKind::kBind, std::string(op) + ": the plan gives " + std::to_string(numAttrs) + " attributes, the kernel reads more");
  }
  return attrs[i];
}

int64_t AttrReader::integer() {
  const double v = real();
  if (!(std::fabs(v) <= 9007199254740992.0) || v != std::trunc(v)) {
    fail(ErrorKind::kBind, std::string(op_) + ": attribute " + std::to_string(next_ - 1) + " must be an integer, got " + std::to_string(v));
  }
  return static_cast<int64_t>(v);
}

std::vector<int64_t> AttrReader::list() {
  const int64_t n = integer();
  if (n < 0 || n > c_.numAttrs - next_) {
    fail(ErrorKind::kBind, std::string(op_) + ": attribute list of length " + std::to_string(n) + " does not fit the " +
                               std::to_string(c_.numAttrs) + " attributes");
  }
  std::vector<int64_t> out(static_cast<size_t>(n));
  for (int64_t& v : out) v = integer();
  return out;
}

void AttrReader::done() const {
  if (next_ != c_.numAttrs) {
    fail(ErrorKind::kBind, std::string(op_) + ": the plan gives " + std::to_string(c_.numAttrs) + " attributes, the kernel takes " +
                               std::to_string(next_));
  }
}

PlanKernelRegistrar::PlanKernelRegistrar(Kernel id, KernelFn fn) { kernelTable()[static_cast<size_t>(id)] = fn; }

KernelFn planKernel(Kernel id) {
  const auto i = static_cast<size_t>(id);
  return i < kernelTable().size() ? kernelTable()[i] : nullptr;
}

Plan::Plan(std::vector<Instruction> code, std::vector<int32_t> refs, std::vector<double> attrs,
           std::vector<std::string> nodeNames, int32_t numSlots)
    : code_(std::move(code)), refs_(std::move(refs)), attrs_(std::move(attrs)), nodeNames_(std::move(nodeNames)) {
  if (numSlots < 0) fail(ErrorKind::kBind, "plan: negative slot count");
  slots_.resize(static_cast<size_t>(numSlots));
  for (int32_t r : refs_) {
    if (r < 0 || r >= numSlots) fail(ErrorKind::kBind, "plan: slot reference " + std::to_string(r) + " out of range");
  }
  for (const Instruction& ins : code_) {
    const auto inRange = [](int64_t b, int64_t n, size_t size) { return b >= 0 && n >= 0 && b + n <= static_cast<int64_t>(size); };
    if (!planKernel(ins.kernel)) {
      fail(ErrorKind::kBind, "plan: kernel id " + std::to_string(static_cast<int>(ins.kernel)) + " has no native implementation");
    }
    if (!inRange(ins.inBegin, ins.numIn, refs_.size()) || !inRange(ins.outBegin, ins.numOut, refs_.size()) ||
        !inRange(ins.attrBegin, ins.numAttr, attrs_.size()) || ins.node < 0 ||
        ins.node >= static_cast<int32_t>(nodeNames_.size())) {
      fail(ErrorKind::kBind, "plan: malformed instruction");
    }
  }
  ptrs_.resize(refs_.size());
  for (size_t i = 0; i < refs_.size(); ++i) ptrs_[i] = &slots_[static_cast<size_t>(refs_[i])];
}

void Plan::setSlot(int32_t slot, Tensor t) {
  if (slot < 0 || slot >= static_cast<int32_t>(slots_.size())) {
    fail(ErrorKind::kBind, "plan: slot " + std::to_string(slot) + " out of range");
  }
  slots_[static_cast<size_t>(slot)] = std::move(t);
  checked_ = false;
}

void Plan::checkBound() {
  for (const Instruction& ins : code_) {
    for (int32_t i = 0; i < ins.numIn + ins.numOut; ++i) {
      const int32_t ref = i < ins.numIn ? ins.inBegin + i : ins.outBegin + (i - ins.numIn);
      if (!ptrs_[static_cast<size_t>(ref)]->defined()) {
        fail(ErrorKind::kState, nodeNames_[static_cast<size_t>(ins.node)] + ": slot " +
                                    std::to_string(refs_[static_cast<size_t>(ref)]) + " has no array bound");
      }
    }
  }
  checked_ = true;
}

void Plan::run(int32_t begin, int32_t end, bool isTrain) {
  if (begin < 0 || end > size() || begin > end) fail(ErrorKind::kValue, "plan: segment out of range");
  if (!checked_) checkBound();
  for (int32_t pc = begin; pc < end; ++pc) {
    const Instruction& ins = code_[static_cast<size_t>(pc)];
    const KernelContext ctx{ptrs_.data() + ins.inBegin, ins.numIn, ptrs_.data() + ins.outBegin, ins.numOut,
                            attrs_.data() + ins.attrBegin, ins.numAttr, isTrain};
    try {
      planKernel(ins.kernel)(ctx);
      for (int32_t i = 0; i < ins.numOut; ++i) ctx.out(i).storage().markWritten();
    } catch (const Error& e) {
      throw Error(e.kind(), nodeNames_[static_cast<size_t>(ins.node)] + ": " + e.what());
    }
  }
}

}  // namespace bkt
