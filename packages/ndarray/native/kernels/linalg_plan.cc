// Plan kernels of dot, its gradient, and batch_dot (whose gradient is two more batch_dot nodes), in
// float32, float64 and bfloat16 (gemm.h).
// Attributes: DotAttrs (kernel_attrs.gen.h). _backward_dot's inputs are (out_grad, lhs, rhs), its outputs
// (d_lhs, d_rhs). Forward runs gemm.cc's dotInto / batchDotInto.
#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "bkt/error.h"
#include "bkt/gemm.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/plan.h"
#include "half_compute.h"

namespace bkt {
namespace {

void dotForward(const KernelContext& c) {
  c.requireArity("dot", 2, 1);
  const DotAttrs f = DotAttrs::read(c, "dot");
  dotInto(c.in(0), c.in(1), f.transposeA, f.transposeB, c.out(0));
}

void dotGemms(const KernelContext& c, std::vector<GemmShape>& out) {
  c.requireArity("dot", 2, 1);
  const DotAttrs f = DotAttrs::read(c, "dot");
  dotGemmShapes(c.in(0), c.in(1), f.transposeA, f.transposeB, out);
}

void batchDotForward(const KernelContext& c) {
  c.requireArity("batch_dot", 2, 1);
  const DotAttrs f = DotAttrs::read(c, "batch_dot");
  batchDotInto(c.in(0), c.in(1), f.transposeA, f.transposeB, c.out(0));
}

void batchDotGemms(const KernelContext& c, std::vector<GemmShape>& out) {
  c.requireArity("batch_dot", 2, 1);
  const DotAttrs f = DotAttrs::read(c, "batch_dot");
  batchDotGemmShapes(c.in(0), c.in(1), f.transposeA, f.transposeB, out);
}

int64_t product(const Shape& s, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) p *= s[i];
  return p;
}

// One product of dot's gradient: C = op(A) op(B) in the stored layouts, A and B two of the kernel's inputs
// (0 out_grad, 1 lhs, 2 rhs), C its output `out`.
struct GradProduct {
  int a, b, out;
  GemmShape shape;
};

// dot is C (m, n) = op(A) op(B), A stored (m, k) or with transposeA (k, m), B stored (k, n) or with
// transposeB (n, k); its gradients are G B^T and A^T G in the stored layouts.
std::array<GradProduct, 2> dotGradProducts(const KernelContext& c) {
  const char* op = "_backward_dot";
  c.requireArity(op, 3, 2);
  const DotAttrs f = DotAttrs::read(c, op);
  const Tensor& g = c.in(0);
  const Tensor& lhs = c.in(1);
  const Tensor& rhs = c.in(2);
  half::requireFloatOrBFloat16(lhs, op, "lhs");
  requireDType(g, lhs.dtype(), op, "out_grad");
  requireDType(rhs, lhs.dtype(), op, "rhs");
  requireDType(c.out(0), lhs.dtype(), op, "lhs gradient");
  requireDType(c.out(1), lhs.dtype(), op, "rhs gradient");
  if (lhs.ndim() == 0 || rhs.ndim() == 0) fail(ErrorKind::kShape, std::string(op) + ": 0-d operands are not supported");
  const Shape& ls = lhs.shape();
  const Shape& rs = rhs.shape();
  const bool ta = f.transposeA, tb = f.transposeB;
  const int64_t k = ta ? ls.front() : ls.back();
  const int64_t kr = tb ? rs.back() : rs.front();
  if (k != kr) {
    fail(ErrorKind::kShape, std::string(op) + ": the inner dimensions of lhs " + shapeStr(ls) + " and rhs " +
                                shapeStr(rs) + " differ (" + std::to_string(k) + " vs " + std::to_string(kr) + ")");
  }
  const int64_t m = ta ? product(ls, 1, ls.size()) : product(ls, 0, ls.size() - 1);
  const int64_t n = tb ? product(rs, 0, rs.size() - 1) : product(rs, 1, rs.size());
  requireSize(g, m * n, op, "out_grad");
  requireSize(c.out(0), lhs.size(), op, "lhs gradient");
  requireSize(c.out(1), rhs.size(), op, "rhs gradient");
  const int64_t ldA = ta ? m : k, ldB = tb ? k : n;
  // C (rows, cols) = op(X) op(Y) with `inner` contracted, X and Y stored with leading dimensions ldX, ldY.
  const auto shape = [](bool tx, bool ty, int64_t rows, int64_t cols, int64_t inner, int64_t ldX, int64_t ldY) {
    return GemmShape{tx, ty, rows, cols, inner, ldX, ldY, cols, 1.0f, 0.0f};
  };
  return {ta ? GradProduct{2, 0, 0, shape(tb, true, k, m, n, ldB, n)}      // dA^T (k, m) = op(B) G^T
             : GradProduct{0, 2, 0, shape(false, !tb, m, k, n, n, ldB)},   // dA (m, k) = G op(B)^T
          tb ? GradProduct{0, 1, 1, shape(true, ta, n, k, m, n, ldA)}      // dB^T (n, k) = G^T op(A)
             : GradProduct{1, 0, 1, shape(!ta, false, k, n, m, ldA, n)}};  // dB (k, n) = op(A)^T G
}

void dotBackward(const KernelContext& c) {
  const std::array<GradProduct, 2> products = dotGradProducts(c);
  if (c.in(1).dtype() == DType::kBFloat16) {
    for (const GradProduct& p : products) gemmBFloat16(p.shape, 1, c.in(p.a), c.in(p.b), c.out(p.out));
    return;
  }
  dispatchFloat(c.in(1).dtype(), [&](auto tag) {
    using T = decltype(tag);
    for (const GradProduct& p : products) {
      const GemmShape& s = p.shape;
      T* out = c.out(p.out).data<T>();
      if (s.m == 0 || s.n == 0) continue;
      // BLAS rejects the leading dimensions of empty operands: an empty contraction is zeros.
      if (s.k == 0) {
        std::memset(out, 0, static_cast<size_t>(s.m * s.n) * sizeof(T));
        continue;
      }
      gemm(s, c.in(p.a).data<T>(), c.in(p.b).data<T>(), out);
    }
  });
}

void dotGradGemms(const KernelContext& c, std::vector<GemmShape>& out) {
  const std::array<GradProduct, 2> products = dotGradProducts(c);
  if (c.in(1).dtype() == DType::kBFloat16) {
    for (const GradProduct& p : products) bfloat16GemmShapes(p.shape, out);
    return;
  }
  if (c.in(1).dtype() != DType::kFloat32) return;
  for (const GradProduct& p : products) {
    if (p.shape.k > 0) out.push_back(p.shape);
  }
}

}  // namespace

BKT_PLAN_KERNEL(kDot, dotForward);
BKT_PLAN_GEMM_SHAPES(kDot, dotGemms);
BKT_PLAN_KERNEL(kDotBackward, dotBackward);
BKT_PLAN_GEMM_SHAPES(kDotBackward, dotGradGemms);
BKT_PLAN_KERNEL(kBatchDot, batchDotForward);
BKT_PLAN_GEMM_SHAPES(kBatchDot, batchDotGemms);

}  // namespace bkt
