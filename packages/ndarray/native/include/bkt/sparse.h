// MXNet's sparse storage types as kernels see them: a CSR matrix is (data, indices, indptr) plus its
// dense shape, a row-sparse array (data, indices) plus its dense shape. Values are float32 or
// float64; indices and indptr are int64, as MXNet's. Every entry point checks the format first and
// raises ShapeError/IndexError/DTypeError naming the op, so a malformed array never reads out of
// bounds.
#pragma once
#include "bkt/tensor.h"

namespace bkt {

struct CsrParts {
  Tensor data;     // (nnz,)
  Tensor indices;  // (nnz,) column of each value, ascending within a row
  Tensor indptr;   // (rows + 1,) row i holds values [indptr[i], indptr[i + 1])
};

struct RspParts {
  Tensor data;     // (k, ...row shape)
  Tensor indices;  // (k,) ascending row ids
};

// Raises unless (data, indices, indptr) is a valid CSR matrix of `shape` (2-d).
void checkCsr(const Tensor& data, const Tensor& indices, const Tensor& indptr, const Shape& shape, const char* op);
// Raises unless (data, indices) is a valid row-sparse array of `shape`.
void checkRsp(const Tensor& data, const Tensor& indices, const Shape& shape, const char* op);

// cast_storage csr -> default, into `out` (dense, `shape`, the data's dtype).
void csrToDenseInto(const Tensor& data, const Tensor& indices, const Tensor& indptr, const Tensor& out);
// cast_storage default -> csr: keeps the non-zero elements.
CsrParts denseToCsr(const Tensor& dense);
// cast_storage row_sparse -> default, into `out`.
void rspToDenseInto(const Tensor& data, const Tensor& indices, const Tensor& out);
// cast_storage default -> row_sparse: keeps the rows with a non-zero element, or every row with
// `allRows` (what MXNet's sampling and initializers write into a row-sparse output).
RspParts denseToRsp(const Tensor& dense, bool allRows);

// dot(csr, rhs) with rhs dense (K, N): a dense (M, N).
Tensor csrDotDense(const Tensor& data, const Tensor& indices, const Tensor& indptr, const Shape& shape,
                   const Tensor& rhs);
// dot(csr.T, rhs) with rhs dense (M, N): row-sparse (K, N) whose rows are the columns the csr uses
// (MXNet's DotCsrDnsRspImpl).
RspParts csrTDotDense(const Tensor& data, const Tensor& indices, const Tensor& indptr, const Shape& shape,
                      const Tensor& rhs);

struct LazySgdParams {
  double lr = 0;
  double momentum = 0;  // ignored without a momentum array
  double wd = 0;
  double rescaleGrad = 1;
  double clipGradient = -1;  // < 0: no clipping
};
// MXNet's sgd_update / sgd_mom_update with a row-sparse gradient and lazy_update: only the rows the
// gradient holds change (weight, and mom when given), each by the dense kernel's rule:
//   mom = momentum·mom - wd·w - clip(rescale·g); w += lr·mom      (with mom)
//   w = (1 - lr·wd)·w - lr·clip(rescale·g)                         (without)
void lazySgdUpdate(const Tensor& weight, const Tensor& gradData, const Tensor& gradIndices, const Tensor* mom,
                   const LazySgdParams& p);

}  // namespace bkt
