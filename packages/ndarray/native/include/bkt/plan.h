// A compiled executor plan: a flat list of kernel calls over numbered tensor slots, run natively in
// one call per segment (forward, backward, update), so JS is crossed per step and not per op.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bkt/error.h"
#include "bkt/gemm_backend.h"
#include "bkt/op_ids.gen.h"
#include "bkt/profiler.h"
#include "bkt/tensor.h"

namespace bkt {

// What a plan kernel sees: its input and output tensors (outputs are preallocated with their final
// shapes; an output may alias an input when the planner allowed it in place), its attributes as
// numbers in the layout src/kernel-attrs.json declares (read them through the generated
// `<Set>Attrs::read`, kernel_attrs.gen.h), and whether this is a training pass.
struct KernelContext {
  const Tensor* const* inputs;
  int numInputs;
  const Tensor* const* outputs;
  int numOutputs;
  const double* attrs;
  int numAttrs;
  bool isTrain;

  const Tensor& in(int i) const { return *inputs[i]; }
  const Tensor& out(int i) const { return *outputs[i]; }

  // A plan can be built by hand from JS with other counts than a kernel reads. These raise a
  // BindError naming the op instead of letting the kernel read past its instruction.
  void requireArity(const char* op, int numIn, int numOut) const;
  void requireAtLeast(const char* op, int numIn, int numOut, int numAttrs = 0) const;
  void requireAttrs(const char* op, int count) const;
  double attrAt(int i, const char* op) const;
};

// Reads a kernel's packed attributes in order, raising a BindError on a short, long or malformed
// list instead of reading past it.
class AttrReader {
 public:
  AttrReader(const KernelContext& c, const char* op) : c_(c), op_(op) {}

  double real() { return c_.attrAt(next_++, op_); }
  int64_t integer();
  bool flag() { return real() != 0; }
  // A list packed as its length followed by its values.
  std::vector<int64_t> list();
  // Every attribute was read: a longer list means the plan was packed for another layout.
  void done() const;

 protected:
  const KernelContext& c_;
  const char* op_;
  int next_ = 0;
};

using KernelFn = void (*)(const KernelContext&);

// Each kernel file registers its plan kernels at load time with BKT_PLAN_KERNEL.
struct PlanKernelRegistrar {
  PlanKernelRegistrar(Kernel id, KernelFn fn);
};
KernelFn planKernel(Kernel id);

// The float32 GEMM products a plan kernel will issue for its bound inputs, outputs and attributes, appended
// to `out` (none for other dtypes), so Plan::prepare can choose each one's library and build its oneDNN
// primitive at bind instead of in the first step. Each kernel builds a product's GemmShape in one helper
// that both its GEMM call and this declaration use; a test runs every such kernel after prepare and
// checks that no undeclared shape appears.
using GemmShapesFn = void (*)(const KernelContext&, std::vector<GemmShape>& out);
struct PlanGemmShapesRegistrar {
  PlanGemmShapesRegistrar(Kernel id, GemmShapesFn fn);
};
GemmShapesFn planGemmShapes(Kernel id);

#define BKT_PLAN_KERNEL_CAT2(a, b) a##b
#define BKT_PLAN_KERNEL_CAT(a, b) BKT_PLAN_KERNEL_CAT2(a, b)
#define BKT_PLAN_KERNEL(id, fn) \
  static const ::bkt::PlanKernelRegistrar BKT_PLAN_KERNEL_CAT(planKernelRegistrar_, __LINE__)(::bkt::Kernel::id, fn)
// Beside BKT_PLAN_KERNEL, for kernels that run GEMMs.
#define BKT_PLAN_GEMM_SHAPES(id, fn)                                                                   \
  static const ::bkt::PlanGemmShapesRegistrar BKT_PLAN_KERNEL_CAT(planGemmShapesRegistrar_, __LINE__)( \
      ::bkt::Kernel::id, fn)

struct Instruction {
  Kernel kernel;
  int32_t inBegin, numIn;    // into Plan::refs
  int32_t outBegin, numOut;  // into Plan::refs
  int32_t attrBegin, numAttr;
  int32_t node;  // index into Plan::nodeNames (error messages) and Plan::opNames (the profiler)
};

// A slot whose array is a view into an arena (the executor's intermediates): where in the arena of
// its context it lives and what it holds.
struct ArenaSlot {
  int32_t slot;
  Context ctx;
  uint64_t byteOffset;
  Shape shape;
  DType dtype;
};

class Plan {
 public:
  // opNames[i] is the operator node i runs (MXNet's name, e.g. _backward_FullyConnected), one per node name.
  Plan(std::vector<Instruction> code, std::vector<int32_t> refs, std::vector<double> attrs,
       std::vector<std::string> nodeNames, std::vector<std::string> opNames, int32_t numSlots);

  void setSlot(int32_t slot, Tensor t);
  // The slots that live in arenas, given once at bind; bindArena then points them at an arena.
  void setArenaSlots(std::vector<ArenaSlot> slots);
  // Points every arena slot of `arena`'s context at its bytes of `arena` (at bind, and again when a
  // shared arena grows). All slots are checked to fit before any is re-pointed.
  void bindArena(const Tensor& arena);
  // The array a slot holds; a StateError when nothing is bound to it.
  const Tensor& slot(int32_t slot) const;
  // Runs instructions [begin, end). A failing kernel's error is re-raised naming the node. With a
  // profiler (one that records symbolic operators), each instruction that completes is recorded.
  void run(int32_t begin, int32_t end, bool isTrain, Profiler* profiler = nullptr);
  // Chooses the library of every GEMM shape the instructions declare (GemmShapesFn) and builds its
  // primitive, in the GEMM precision in force: once at bind, after every slot is bound, so no step pays
  // for it. A failing declaration's error is re-raised naming the node.
  void prepare();
  int32_t size() const { return static_cast<int32_t>(code_.size()); }

 private:
  std::vector<Instruction> code_;
  std::vector<int32_t> refs_;
  std::vector<double> attrs_;
  std::vector<std::string> nodeNames_;
  std::vector<std::string> opNames_;
  std::vector<Tensor> slots_;
  std::vector<ArenaSlot> arenaSlots_;
  std::vector<const Tensor*> ptrs_;  // refs_ resolved to slot addresses, so a run allocates nothing
  bool checked_ = false;             // every referenced slot holds an array
  // Per node: the profiler's ids of its operator and node names, interned on the first profiled run.
  const Profiler* internedFor_ = nullptr;
  std::vector<int32_t> opIds_, nodeIds_;

  void checkBound();
  void internNames(Profiler& profiler);
  void checkSlot(int32_t slot) const;
  KernelContext contextOf(const Instruction& ins, bool isTrain) const;
  // `e` re-raised naming the instruction's node.
  Error atNode(const Instruction& ins, const Error& e) const;
};

}  // namespace bkt
