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

std::array<GemmShapesFn, static_cast<size_t>(Kernel::kCount)>& gemmShapesTable() {
  static std::array<GemmShapesFn, static_cast<size_t>(Kernel::kCount)> table{};
  return table;
}

}  // namespace

namespace {
std::string counts(int in, int out) { return std::to_string(in) + " inputs and " + std::to_string(out) + " outputs"; }
}  // namespace

void KernelContext::requireArity(const char* op, int numIn, int numOut) const {
  if (numInputs != numIn || numOutputs != numOut) {
    fail(ErrorKind::kBind, std::string(op) + ": the plan gives " + counts(numInputs, numOutputs) +
                               ", the kernel takes " + counts(numIn, numOut));
  }
}

void KernelContext::requireAtLeast(const char* op, int numIn, int numOut, int numAttrs) const {
  if (numInputs < numIn || numOutputs < numOut || this->numAttrs < numAttrs) {
    fail(ErrorKind::kBind, std::string(op) + ": the plan gives " + counts(numInputs, numOutputs) + " and " +
                               std::to_string(this->numAttrs) + " attributes, the kernel needs at least " +
                               counts(numIn, numOut) + " and " + std::to_string(numAttrs) + " attributes");
  }
}

void KernelContext::requireAttrs(const char* op, int count) const {
  if (numAttrs != count) {
    fail(ErrorKind::kBind, std::string(op) + ": the plan gives " + std::to_string(numAttrs) +
                               " attributes, the kernel takes " + std::to_string(count));
  }
}

double KernelContext::attrAt(int i, const char* op) const {
  if (i >= numAttrs) {
    fail(ErrorKind::kBind,
         std::string(op) + ": the plan gives " + std::to_string(numAttrs) + " attributes, the kernel reads more");
  }
  return attrs[i];
}

int64_t AttrReader::integer() {
  const double v = real();
  if (!(std::fabs(v) <= 9007199254740992.0) || v != std::trunc(v)) {
    fail(ErrorKind::kBind, std::string(op_) + ": attribute " + std::to_string(next_ - 1) + " must be an integer, got " +
                               std::to_string(v));
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
    fail(ErrorKind::kBind, std::string(op_) + ": the plan gives " + std::to_string(c_.numAttrs) +
                               " attributes, the kernel takes " + std::to_string(next_));
  }
}

PlanKernelRegistrar::PlanKernelRegistrar(Kernel id, KernelFn fn) { kernelTable()[static_cast<size_t>(id)] = fn; }

KernelFn planKernel(Kernel id) {
  const auto i = static_cast<size_t>(id);
  return i < kernelTable().size() ? kernelTable()[i] : nullptr;
}

PlanGemmShapesRegistrar::PlanGemmShapesRegistrar(Kernel id, GemmShapesFn fn) {
  gemmShapesTable()[static_cast<size_t>(id)] = fn;
}

GemmShapesFn planGemmShapes(Kernel id) {
  const auto i = static_cast<size_t>(id);
  return i < gemmShapesTable().size() ? gemmShapesTable()[i] : nullptr;
}

Plan::Plan(std::vector<Instruction> code, std::vector<int32_t> refs, std::vector<double> attrs,
           std::vector<std::string> nodeNames, std::vector<std::string> opNames, int32_t numSlots)
    : code_(std::move(code)),
      refs_(std::move(refs)),
      attrs_(std::move(attrs)),
      nodeNames_(std::move(nodeNames)),
      opNames_(std::move(opNames)) {
  if (numSlots < 0) fail(ErrorKind::kBind, "plan: negative slot count");
  if (opNames_.size() != nodeNames_.size()) {
    fail(ErrorKind::kBind, "plan: " + std::to_string(opNames_.size()) + " operator names for " +
                               std::to_string(nodeNames_.size()) + " node names");
  }
  slots_.resize(static_cast<size_t>(numSlots));
  for (int32_t r : refs_) {
    if (r < 0 || r >= numSlots) fail(ErrorKind::kBind, "plan: slot reference " + std::to_string(r) + " out of range");
  }
  for (const Instruction& ins : code_) {
    const auto inRange = [](int64_t b, int64_t n, size_t size) {
      return b >= 0 && n >= 0 && b + n <= static_cast<int64_t>(size);
    };
    if (!planKernel(ins.kernel)) {
      fail(ErrorKind::kBind,
           "plan: kernel id " + std::to_string(static_cast<int>(ins.kernel)) + " has no native implementation");
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

void Plan::checkSlot(int32_t slot) const {
  if (slot < 0 || slot >= static_cast<int32_t>(slots_.size())) {
    fail(ErrorKind::kBind, "plan: slot " + std::to_string(slot) + " out of range");
  }
}

void Plan::setSlot(int32_t slot, Tensor t) {
  checkSlot(slot);
  slots_[static_cast<size_t>(slot)] = std::move(t);
  checked_ = false;
}

void Plan::setArenaSlots(std::vector<ArenaSlot> slots) {
  std::vector<bool> seen(slots_.size(), false);
  for (const ArenaSlot& a : slots) {
    checkSlot(a.slot);
    if (seen[static_cast<size_t>(a.slot)]) {
      fail(ErrorKind::kBind, "plan: arena slot " + std::to_string(a.slot) + " given twice");
    }
    seen[static_cast<size_t>(a.slot)] = true;
    const uint64_t bytes = checkShapeBytes(a.shape, dtypeSize(a.dtype), "plan", "arena slot shape");
    if (a.byteOffset > kMaxBytes - bytes) {
      fail(ErrorKind::kBind, "plan: arena slot " + std::to_string(a.slot) + " ends past 2^53 bytes");
    }
  }
  arenaSlots_ = std::move(slots);
}

void Plan::bindArena(const Tensor& arena) {
  for (const ArenaSlot& a : arenaSlots_) {
    if (a.ctx != arena.ctx()) continue;
    const uint64_t end = a.byteOffset + static_cast<uint64_t>(shapeSize(a.shape)) * dtypeSize(a.dtype);
    if (end > arena.nbytes()) {
      fail(ErrorKind::kBind, "plan: arena slot " + std::to_string(a.slot) + " needs bytes [" +
                                 std::to_string(a.byteOffset) + ", " + std::to_string(end) + ") of an arena of " +
                                 std::to_string(arena.nbytes()) + " bytes on " + arena.ctx().str());
    }
  }
  for (const ArenaSlot& a : arenaSlots_) {
    if (a.ctx == arena.ctx()) slots_[static_cast<size_t>(a.slot)] = arena.viewBytes(a.byteOffset, a.shape, a.dtype);
  }
  checked_ = false;
}

const Tensor& Plan::slot(int32_t slot) const {
  checkSlot(slot);
  const Tensor& t = slots_[static_cast<size_t>(slot)];
  if (!t.defined()) fail(ErrorKind::kState, "plan: slot " + std::to_string(slot) + " has no array bound");
  return t;
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

KernelContext Plan::contextOf(const Instruction& ins, bool isTrain) const {
  return {ptrs_.data() + ins.inBegin,
          ins.numIn,
          ptrs_.data() + ins.outBegin,
          ins.numOut,
          attrs_.data() + ins.attrBegin,
          ins.numAttr,
          isTrain};
}

Error Plan::atNode(const Instruction& ins, const Error& e) const {
  return Error(e.kind(), nodeNames_[static_cast<size_t>(ins.node)] + ": " + e.what());
}

void Plan::internNames(Profiler& profiler) {
  opIds_.clear();
  nodeIds_.clear();
  for (size_t i = 0; i < nodeNames_.size(); ++i) {
    opIds_.push_back(profiler.intern(opNames_[i]));
    nodeIds_.push_back(profiler.intern(nodeNames_[i]));
  }
  internedFor_ = &profiler;
}

void Plan::run(int32_t begin, int32_t end, bool isTrain, Profiler* profiler) {
  if (begin < 0 || end > size() || begin > end) fail(ErrorKind::kValue, "plan: segment out of range");
  if (!checked_) checkBound();
  if (profiler && internedFor_ != profiler) internNames(*profiler);
  for (int32_t pc = begin; pc < end; ++pc) {
    const Instruction& ins = code_[static_cast<size_t>(pc)];
    const KernelContext ctx = contextOf(ins, isTrain);
    const int64_t beginNs = profiler ? Profiler::now() : 0;
    try {
      planKernel(ins.kernel)(ctx);
      for (int32_t i = 0; i < ins.numOut; ++i) ctx.out(i).storage().markWritten();
    } catch (const Error& e) {
      throw atNode(ins, e);
    }
    if (profiler) {
      const auto node = static_cast<size_t>(ins.node);
      profiler->record(opIds_[node], nodeIds_[node], beginNs, Profiler::now());
    }
  }
}

void Plan::prepare() {
  if (!checked_) checkBound();
  std::vector<GemmShape> shapes;
  for (const Instruction& ins : code_) {
    const GemmShapesFn declare = planGemmShapes(ins.kernel);
    if (!declare) continue;
    shapes.clear();
    try {
      // The products do not depend on isTrain (a forward declares the same shapes either way).
      declare(contextOf(ins, false), shapes);
      for (const GemmShape& s : shapes) prepareGemm(s);
    } catch (const Error& e) {
      throw atNode(ins, e);
    }
  }
}

}  // namespace bkt
