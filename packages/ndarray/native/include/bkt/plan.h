// A compiled executor plan: a flat list of kernel calls over numbered tensor slots, run natively in
// one call per segment (forward, backward, update), so JS is crossed per step and not per op.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bkt/op_ids.gen.h"
#include "bkt/tensor.h"

namespace bkt {

// What a plan kernel sees: its input and output tensors (outputs are preallocated with their final
// shapes; an output may alias an input when the planner allowed it in place), its attributes as
// numbers in the layout the executor's kernel table packs, and whether this is a training pass.
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
  double attr(int i) const { return attrs[i]; }
};

using KernelFn = void (*)(const KernelContext&);

// Each kernel file registers its plan kernels at load time with BKT_PLAN_KERNEL.
struct PlanKernelRegistrar {
  PlanKernelRegistrar(Kernel id, KernelFn fn);
};
KernelFn planKernel(Kernel id);

#define BKT_PLAN_KERNEL_CAT2(a, b) a##b
#define BKT_PLAN_KERNEL_CAT(a, b) BKT_PLAN_KERNEL_CAT2(a, b)
#define BKT_PLAN_KERNEL(id, fn) \
  static const ::bkt::PlanKernelRegistrar BKT_PLAN_KERNEL_CAT(planKernelRegistrar_, __LINE__)(::bkt::Kernel::id, fn)

struct Instruction {
  Kernel kernel;
  int32_t inBegin, numIn;    // into Plan::refs
  int32_t outBegin, numOut;  // into Plan::refs
  int32_t attrBegin, numAttr;
  int32_t node;  // index into Plan::nodeNames, for error messages
};

class Plan {
 public:
  Plan(std::vector<Instruction> code, std::vector<int32_t> refs, std::vector<double> attrs,
       std::vector<std::string> nodeNames, int32_t numSlots);

  void setSlot(int32_t slot, Tensor t);
  // Runs instructions [begin, end). A failing kernel's error is re-raised naming the node.
  void run(int32_t begin, int32_t end, bool isTrain);
  int32_t size() const { return static_cast<int32_t>(code_.size()); }

 private:
  std::vector<Instruction> code_;
  std::vector<int32_t> refs_;
  std::vector<double> attrs_;
  std::vector<std::string> nodeNames_;
  std::vector<Tensor> slots_;
  std::vector<const Tensor*> ptrs_;  // refs_ resolved to slot addresses, so a run allocates nothing
  bool checked_ = false;              // every referenced slot holds an array

  void checkBound();
};

}  // namespace bkt
