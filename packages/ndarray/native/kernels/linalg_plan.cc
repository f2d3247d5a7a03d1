// Plan kernels of dot, its gradient, and batch_dot (whose gradient is two more batch_dot nodes).
// Attributes: DotAttrs (kernel_attrs.gen.h). _backward_dot's inputs are (out_grad, lhs, rhs), its outputs
// (d_lhs, d_rhs). Forward runs gemm.cc's dotInto / batchDotInto.
#include <algorithm>
#include <cstring>
#include <string>

#include "bkt/error.h"
#include "bkt/gemm.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/plan.h"

namespace bkt {
namespace {

void dotForward(const KernelContext& c) {
  c.requireArity("dot", 2, 1);
  const DotAttrs f = DotAttrs::read(c, "dot");
  dotInto(c.in(0), c.in(1), f.transposeA, f.transposeB, c.out(0));
}

void batchDotForward(const KernelContext& c) {
  c.requireArity("batch_dot", 2, 1);
  const DotAttrs f = DotAttrs::read(c, "batch_dot");
  batchDotInto(c.in(0), c.in(1), f.transposeA, f.transposeB, c.out(0));
}

int64_t product(const Shape& s, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) p *= s[i];
  return p;
}

// C (rows, cols) = op(A) op(B) with `inner` contracted, zeros when inner is 0 (BLAS rejects the
// leading dimensions of empty operands).
template <typename T>
void product(bool ta, bool tb, int64_t rows, int64_t cols, int64_t inner, const T* a, int64_t lda, const T* b,
             int64_t ldb, T* out) {
  if (rows == 0 || cols == 0) return;
  if (inner == 0) {
    std::memset(out, 0, static_cast<size_t>(rows * cols) * sizeof(T));
    return;
  }
  gemm(ta, tb, rows, cols, inner, T(1), a, lda, b, ldb, T(0), out, cols);
}

// dot is C (m, n) = op(A) op(B), A stored (m, k) or with transposeA (k, m), B stored (k, n) or with
// transposeB (n, k); its gradients are G B^T and A^T G in the stored layouts.
void dotBackward(const KernelContext& c) {
  const char* op = "_backward_dot";
  c.requireArity(op, 3, 2);
  const DotAttrs f = DotAttrs::read(c, op);
  const Tensor& g = c.in(0);
  const Tensor& lhs = c.in(1);
  const Tensor& rhs = c.in(2);
  requireFloat(lhs, op, "lhs");
  requireDType(g, lhs.dtype(), op, "out_grad");
  requireDType(rhs, lhs.dtype(), op, "rhs");
  requireDType(c.out(0), lhs.dtype(), op, "lhs gradient");
  requireDType(c.out(1), lhs.dtype(), op, "rhs gradient");
  if (lhs.ndim() == 0 || rhs.ndim() == 0) fail(ErrorKind::kShape, std::string(op) + ": 0-d operands are not supported");
  const Shape& ls = lhs.shape();
  const Shape& rs = rhs.shape();
  const int64_t k = f.transposeA ? ls.front() : ls.back();
  const int64_t kr = f.transposeB ? rs.back() : rs.front();
  if (k != kr) {
    fail(ErrorKind::kShape, std::string(op) + ": the inner dimensions of lhs " + shapeStr(ls) + " and rhs " +
                                shapeStr(rs) + " differ (" + std::to_string(k) + " vs " + std::to_string(kr) + ")");
  }
  const int64_t m = f.transposeA ? product(ls, 1, ls.size()) : product(ls, 0, ls.size() - 1);
  const int64_t n = f.transposeB ? product(rs, 0, rs.size() - 1) : product(rs, 1, rs.size());
  requireSize(g, m * n, op, "out_grad");
  requireSize(c.out(0), lhs.size(), op, "lhs gradient");
  requireSize(c.out(1), rhs.size(), op, "rhs gradient");
  dispatchFloat(lhs.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* G = g.data<T>();
    const T* A = lhs.data<T>();
    const T* B = rhs.data<T>();
    T* dA = c.out(0).data<T>();
    T* dB = c.out(1).data<T>();
    if (!f.transposeA) {
      product<T>(false, !f.transposeB, m, k, n, G, n, B, f.transposeB ? k : n, dA);  // dA (m, k) = G op(B)^T
    } else {
      product<T>(f.transposeB, true, k, m, n, B, f.transposeB ? k : n, G, n, dA);  // dA^T (k, m) = op(B) G^T
    }
    if (!f.transposeB) {
      product<T>(!f.transposeA, false, k, n, m, A, f.transposeA ? m : k, G, n, dB);  // dB (k, n) = op(A)^T G
    } else {
      product<T>(true, f.transposeA, n, k, m, G, n, A, f.transposeA ? m : k, dB);  // dB^T (n, k) = G^T op(A)
    }
  });
}

}  // namespace

BKT_PLAN_KERNEL(kDot, dotForward);
BKT_PLAN_KERNEL(kDotBackward, dotBackward);
BKT_PLAN_KERNEL(kBatchDot, batchDotForward);

}  // namespace bkt
