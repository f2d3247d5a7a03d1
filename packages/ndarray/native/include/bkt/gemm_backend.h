// Which library runs a float32 GEMM: OpenBLAS or oneDNN's matmul. The choice is made once per
// product shape — at bind, when Plan::prepare declares a plan's shapes (prepareGemm), else the first
// time a shape is met — and kept with the oneDNN primitive built for it, so a step only looks it up.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bkt/tensor.h"

namespace bkt {

enum class GemmBackend { kOpenBlas, kOneDnn };

// kAuto picks per shape from the table in gemm_backend.cc (measured by `pnpm bench:gemm`);
// the others force one library for every float32 product (float64 always runs on OpenBLAS: oneDNN
// has no double-precision matmul). The environment variable BKT_GEMM_BACKEND (auto, openblas,
// onednn) sets the policy when the addon loads.
enum class GemmPolicy { kAuto, kOpenBlas, kOneDnn };

void setGemmPolicy(GemmPolicy policy);
GemmPolicy gemmPolicy();
GemmPolicy parseGemmPolicy(const std::string& name, const char* op);
const char* gemmPolicyName(GemmPolicy policy);

// The arithmetic of float32 products that run on oneDNN: float32, or bfloat16 operands with float32
// accumulation and a float32 result (MXNet's AMP with target_dtype bfloat16 does the same for its
// GEMM-heavy ops). In bfloat16 the `auto` policy runs every product on oneDNN; a forced OpenBLAS
// stays float32. BKT_GEMM_PRECISION sets it when the addon loads.
enum class GemmPrecision { kFloat32, kBFloat16 };
// Cheap to switch (an executor bound with `amp` sets it around its runs): choices and primitives are
// kept per precision.
void setGemmPrecision(GemmPrecision precision);
GemmPrecision gemmPrecision();
GemmPrecision parseGemmPrecision(const std::string& name, const char* op);
const char* gemmPrecisionName(GemmPrecision precision);

// Sizes the GEMM libraries' threads with bkt's pool (setNumThreads): oneDNN's OpenMP team gets n;
// OpenBLAS gets n only when it is forced, else 1 (see applyThreads in gemm_backend.cc).
void setGemmThreads(int n);

// One row-major product C(m, n) = alpha op(A) op(B) + beta C as the backends see it.
struct GemmShape {
  bool ta, tb;
  int64_t m, n, k, lda, ldb, ldc;
  float alpha, beta;
  // Set by the dispatch from the precision in force, or by a caller whose operands are bfloat16 values
  // (dot and batch_dot of bfloat16 arrays) to run this product in bfloat16 whatever the precision: each
  // precision has its own choice and primitive.
  bool bf16 = false;
  // Filled in by the dispatch (and set by a declaration for prepareGemm): a bias row (n floats) is added
  // to every row of C, inside oneDNN's kernel rather than in a pass of its own; beta is then 0.
  bool bias = false;
  // Filled in by the dispatch (and set by a declaration for prepareGemm): B is a weight (the caller
  // passed the tensor it lies in), which oneDNN reads from a copy kept in the layout it prefers
  // (dnnl_matmul.cc, weight_layouts.cc).
  bool weight = false;
  // Set by a caller whose product's m or k changes from call to call (FullyConnected's backward runs on
  // the rows of out_grad that are not all zero): one choice, and one oneDNN primitive with that dimension
  // given at run time, serve every size, so the shape can be declared at bind. The choice table keys it
  // with that dimension as 0. In bfloat16 precision such a product converts its float32 A (and a B that
  // is no weight) to bfloat16 itself at each call, since oneDNN's conversions have no runtime size.
  bool runtimeM = false, runtimeK = false;
  // Set by a caller whose A, B and C are bfloat16 arrays (dot and batch_dot of bfloat16 NDArrays), with
  // bf16: oneDNN reads and writes them as they are (bfloat16Dispatch), or a forced OpenBLAS multiplies
  // float32 copies of them (sgemmDispatch).
  bool bf16Arrays = false;
  bool operator==(const GemmShape& o) const;
};

// Chooses the library of the product `s` (its bias and weight flags as the call will give them) in the
// precision in force and builds its oneDNN primitive, unless the shape has its choice already: what
// sgemmDispatch would do on meeting the shape, done ahead (Plan::prepare, at bind).
void prepareGemm(const GemmShape& s);

// The float32 GEMM every kernel calls: routes to the backend chosen for this shape. `bWeight`, when
// given, is the tensor whose storage holds B's bytes and says B is a weight: on oneDNN, B is then read
// from a copy in the primitive's preferred layout (bfloat16 in that precision), made at its second use
// since the storage was last written (its first in bfloat16) and reused until the next write
// (dnnl_matmul.cc, weight_layouts.cc). `bias`, when given (with beta 0), is a row of n floats added
// to every row of C.
void sgemmDispatch(const GemmShape& s, const float* a, const float* b, float* c, const Tensor* bWeight = nullptr,
                   const float* bias = nullptr);
// sgemmDispatch for one thread of an OpenMP team that splits a kernel's work (the fused RNN's steps,
// rnn.cc): the product runs on the calling thread alone, at the same time as the other threads' —
// `slot` (the thread's number in the team) has a oneDNN primitive and stream of its own, used
// without the lock that orders other products. Not for a forced OpenBLAS, whose threads would nest.
// gemmChoices() counts every thread's calls but times only slot 0's, which run while the others' do.
void sgemmOnThisThread(const GemmShape& s, int slot, const float* a, const float* b, float* c,
                       const Tensor* bWeight = nullptr);

// The library the product `s` runs on in the precision in force, choosing it (as prepareGemm) if new.
GemmBackend gemmBackendOf(const GemmShape& s);

// C = op(A) op(B) on bfloat16 arrays for a product marked bf16Arrays whose choice is oneDNN (see
// gemmBackendOf): oneDNN's bfloat16 product reads A and B as they are, accumulates in float32 and
// rounds C to nearest even as it stores it — no float32 copy of any of the three.
void bfloat16Dispatch(const GemmShape& s, const BFloat16* a, const BFloat16* b, BFloat16* c);

// Reorders of a weight into a kept layout made so far (weight_layouts.cc), so tests can tell once per
// write from once per product.
uint64_t weightLayoutReorders();

// oneDNN's matmul primitive for one shape, built once and run many times (dnnl_matmul.cc).
struct OneDnnMatmul;
// ownStream: for a team thread's product (runOneDnnMatmulOnThisThread).
std::shared_ptr<OneDnnMatmul> makeOneDnnMatmul(const GemmShape& s, bool ownStream = false);
// s: the call's shape (its m and k are the sizes of this call for a primitive with a runtime dimension).
// bWeight: the tensor B lies in, required by a primitive made for a shape with `weight`.
// bias: the row of n floats a primitive made for a shape with `bias` adds (null otherwise).
void runOneDnnMatmul(OneDnnMatmul& p, const GemmShape& s, const float* a, const float* b, const Tensor* bWeight,
                     float* c, const float* bias = nullptr);
void runOneDnnMatmulOnThisThread(OneDnnMatmul& p, const GemmShape& s, const float* a, const float* b,
                                 const Tensor* bWeight, float* c);
// For a primitive made for a bf16Arrays shape only.
void runOneDnnMatmulBFloat16(OneDnnMatmul& p, const BFloat16* a, const BFloat16* b, BFloat16* c);
void setOneDnnThreads(int n);

// The shapes met so far, the backend each one chose, and how often and how long it ran (wall time
// of the library call, conversions to bfloat16 included), for the benchmarks' reports.
struct GemmChoice {
  GemmShape shape;  // shape.bf16: the bfloat16 precision's entry
  GemmBackend backend;
  int64_t calls;
  double seconds;
  int64_t flops;  // 2·m·n·k over the calls, each with its own sizes
};
std::vector<GemmChoice> gemmChoices();

}  // namespace bkt
