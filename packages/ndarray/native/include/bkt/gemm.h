// Matrix products on OpenBLAS or oneDNN (float32, see gemm_backend.h): MXNet's dot and batch_dot, in
// float32, float64 or bfloat16 (oneDNN's bfloat16 product with float32 accumulation, rounded on store).
#pragma once
#include <vector>

#include "bkt/gemm_backend.h"
#include "bkt/tensor.h"

namespace bkt {

// MXNet's dot. 1-D x 1-D is the inner product, shape (1,). Otherwise lhs is viewed as a matrix
// (prod(shape[:-1]), shape[-1]) — or, with transposeA, (shape[0], prod(shape[1:])) transposed — and
// rhs as (shape[0], prod(shape[1:])) — or, with transposeB, (prod(shape[:-1]), shape[-1]) transposed;
// the output keeps the free axes of both in order (a 1-D side contributes none).
Tensor dot(const Tensor& lhs, const Tensor& rhs, bool transposeA, bool transposeB);

// MXNet's batch_dot: (B..., M, K) x (B..., K, N) -> (B..., M, N) for N-D inputs (N >= 3) whose
// leading batch axes are equal; the flags transpose the last two axes of an input.
Tensor batchDot(const Tensor& lhs, const Tensor& rhs, bool transposeA, bool transposeB);

// The write-into forms for the executor's plan kernels: `out` has the operands' dtype and the
// result's element count.
void dotInto(const Tensor& lhs, const Tensor& rhs, bool transposeA, bool transposeB, const Tensor& out);
void batchDotInto(const Tensor& lhs, const Tensor& rhs, bool transposeA, bool transposeB, const Tensor& out);

// C = s.alpha op(A) op(B) + s.beta C on row-major buffers (float32 through the backend dispatch), for fused
// kernels that call GEMM on parts of their tensors (FullyConnected, RNN, Convolution). A plan kernel builds
// each GemmShape in one helper that both this call and its bind-time declaration (BKT_PLAN_GEMM_SHAPES)
// use. `bWeight`: the tensor B lies in when B is a weight, so a copy in oneDNN's layout is kept between
// writes (sgemmDispatch); float64 has no such copy.
void gemm(const GemmShape& s, const float* a, const float* b, float* c, const Tensor* bWeight = nullptr);
void gemm(const GemmShape& s, const double* a, const double* b, double* c, const Tensor* bWeight = nullptr);

// C = op(A) op(B) (s: alpha 1, beta 0, ldc = n) for bfloat16 arrays A, B and C, `batch` times (item i
// of each array at i times its item count), in bfloat16 with float32 accumulation whatever the precision
// in force: on oneDNN the product reads A and B and writes C as they are (bfloat16Dispatch), rounding C
// once (nearest even); a forced OpenBLAS multiplies float32 copies (buffers the calling thread keeps,
// grown to the largest arrays met) and rounds C once. An empty contraction gives zeros.
void gemmBFloat16(const GemmShape& s, int64_t batch, const Tensor& a, const Tensor& b, const Tensor& c);
// The product gemmBFloat16 runs for `s` (none when it is empty), appended to `out` for bind-time declaration.
void bfloat16GemmShapes(const GemmShape& s, std::vector<GemmShape>& out);

// C = op(A) op(B) + bias, the bias row (s.n values) added to every row of C (s: alpha 1, beta 0, bias true).
// On oneDNN the bias is added inside the product's kernel; elsewhere C's rows are seeded with it before a
// beta = 1 product.
void gemmBias(const GemmShape& s, const float* a, const float* b, const float* bias, float* c,
              const Tensor* bWeight = nullptr);
void gemmBias(const GemmShape& s, const double* a, const double* b, const double* bias, double* c,
              const Tensor* bWeight = nullptr);

// The float32 GEMMs dotInto / batchDotInto issue for these operands (marked bf16 for bfloat16 operands;
// none for float64 or for float32 products that take the vector paths), appended to `out`; the operands
// are checked as those functions check them.
void dotGemmShapes(const Tensor& lhs, const Tensor& rhs, bool transposeA, bool transposeB, std::vector<GemmShape>& out);
void batchDotGemmShapes(const Tensor& lhs, const Tensor& rhs, bool transposeA, bool transposeB,
                        std::vector<GemmShape>& out);

// sums[j] = Σ_i a[i, j] over a row-major (rows, cols) array, as a transposed GEMV with a ones vector:
// it streams the rows once, faster than a plain or column-blocked loop (FullyConnected's bias gradient).
void columnSums(const float* a, int64_t rows, int64_t cols, float* sums);
void columnSums(const double* a, int64_t rows, int64_t cols, double* sums);

// The number of threads OpenBLAS will use for the next large GEMM.
int blasNumThreads();

}  // namespace bkt
