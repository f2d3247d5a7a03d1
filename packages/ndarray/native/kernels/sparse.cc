// Storage casts, csr dot products and the lazy SGD update of sparse.h. Loops are serial: these
// arrays are small next to the dense GEMMs around them, and the checks dominate tiny calls anyway.
#include "bkt/sparse.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "bkt/error.h"

namespace bkt {
namespace {

std::string at(const char* op) { return std::string(op) + ": "; }

int64_t rowWidth(const Shape& shape) {
  int64_t w = 1;
  for (size_t i = 1; i < shape.size(); ++i) w *= shape[i];
  return w;
}

Tensor vector64(int64_t n, Context ctx) { return Tensor::empty({n}, DType::kInt64, ctx); }

}  // namespace

void checkCsr(const Tensor& data, const Tensor& indices, const Tensor& indptr, const Shape& shape, const char* op) {
  if (shape.size() != 2) fail(ErrorKind::kShape, at(op) + "a csr array must be 2-d, got shape " + shapeStr(shape));
  checkShape(shape, op, "shape");
  requireFloat(data, op, "data");
  requireDType(indices, DType::kInt64, op, "indices");
  requireDType(indptr, DType::kInt64, op, "indptr");
  const int64_t rows = shape[0], cols = shape[1], nnz = data.size();
  if (data.ndim() != 1 || indices.ndim() != 1 || indices.size() != nnz) {
    fail(ErrorKind::kShape, at(op) + "csr data " + shapeStr(data.shape()) + " and indices " +
                                shapeStr(indices.shape()) + " must be 1-d of one length");
  }
  if (indptr.ndim() != 1 || indptr.size() != rows + 1) {
    fail(ErrorKind::kShape, at(op) + "csr indptr has shape " + shapeStr(indptr.shape()) + ", expected (" +
                                std::to_string(rows + 1) + ",) for shape " + shapeStr(shape));
  }
  const int64_t* ptr = indptr.data<int64_t>();
  const int64_t* idx = indices.data<int64_t>();
  if (ptr[0] != 0 || ptr[rows] != nnz) {
    fail(ErrorKind::kIndex, at(op) + "csr indptr must start at 0 and end at nnz " + std::to_string(nnz));
  }
  for (int64_t r = 0; r < rows; ++r) {
    if (ptr[r + 1] < ptr[r]) fail(ErrorKind::kIndex, at(op) + "csr indptr decreases at row " + std::to_string(r));
    for (int64_t j = ptr[r]; j < ptr[r + 1]; ++j) {
      if (idx[j] < 0 || idx[j] >= cols) {
        fail(ErrorKind::kIndex, at(op) + "csr column index " + std::to_string(idx[j]) + " in row " + std::to_string(r) +
                                    " is out of bounds for shape " + shapeStr(shape));
      }
      if (j > ptr[r] && idx[j] <= idx[j - 1]) {
        fail(ErrorKind::kIndex,
             at(op) + "csr column indices of row " + std::to_string(r) + " are not strictly ascending");
      }
    }
  }
}

void checkRsp(const Tensor& data, const Tensor& indices, const Shape& shape, const char* op) {
  if (shape.empty()) fail(ErrorKind::kShape, at(op) + "a row_sparse array needs at least one axis");
  checkShape(shape, op, "shape");
  requireFloat(data, op, "data");
  requireDType(indices, DType::kInt64, op, "indices");
  const int64_t k = indices.size();
  Shape want = shape;
  want[0] = k;
  if (indices.ndim() != 1 || data.shape() != want) {
    fail(ErrorKind::kShape, at(op) + "row_sparse data " + shapeStr(data.shape()) + " and indices " +
                                shapeStr(indices.shape()) + " do not fit shape " + shapeStr(shape) + " (data must be " +
                                shapeStr(want) + ")");
  }
  const int64_t* idx = indices.data<int64_t>();
  for (int64_t i = 0; i < k; ++i) {
    if (idx[i] < 0 || idx[i] >= shape[0]) {
      fail(ErrorKind::kIndex,
           at(op) + "row index " + std::to_string(idx[i]) + " is out of bounds for shape " + shapeStr(shape));
    }
    if (i > 0 && idx[i] <= idx[i - 1]) fail(ErrorKind::kIndex, at(op) + "row indices are not strictly ascending");
  }
}

void csrToDenseInto(const Tensor& data, const Tensor& indices, const Tensor& indptr, const Tensor& out) {
  const char* op = "csrToDense";
  checkCsr(data, indices, indptr, out.shape(), op);
  requireDType(out, data.dtype(), op, "out");
  const int64_t rows = out.dim(0), cols = out.dim(1);
  const int64_t* ptr = indptr.data<int64_t>();
  const int64_t* idx = indices.data<int64_t>();
  dispatchFloat(data.dtype(), [&](auto c) {
    using C = decltype(c);
    const C* v = data.data<C>();
    C* o = out.data<C>();
    std::fill(o, o + rows * cols, C(0));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = ptr[r]; j < ptr[r + 1]; ++j) o[r * cols + idx[j]] = v[j];
  });
}

CsrParts denseToCsr(const Tensor& dense) {
  const char* op = "denseToCsr";
  requireFloat(dense, op, "data");
  if (dense.ndim() != 2)
    fail(ErrorKind::kShape, at(op) + "only 2-d arrays convert to csr, got shape " + shapeStr(dense.shape()));
  const int64_t rows = dense.dim(0), cols = dense.dim(1);
  return dispatchFloat(dense.dtype(), [&](auto c) {
    using C = decltype(c);
    const C* d = dense.data<C>();
    int64_t nnz = 0;
    for (int64_t i = 0; i < rows * cols; ++i) nnz += d[i] != C(0);
    CsrParts p{Tensor::empty({nnz}, dense.dtype(), dense.ctx()), vector64(nnz, dense.ctx()),
               vector64(rows + 1, dense.ctx())};
    C* v = p.data.data<C>();
    int64_t* idx = p.indices.data<int64_t>();
    int64_t* ptr = p.indptr.data<int64_t>();
    int64_t n = 0;
    ptr[0] = 0;
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t j = 0; j < cols; ++j) {
        const C x = d[r * cols + j];
        if (x == C(0)) continue;
        v[n] = x;
        idx[n++] = j;
      }
      ptr[r + 1] = n;
    }
    return p;
  });
}

void rspToDenseInto(const Tensor& data, const Tensor& indices, const Tensor& out) {
  const char* op = "rspToDense";
  checkRsp(data, indices, out.shape(), op);
  requireDType(out, data.dtype(), op, "out");
  const int64_t w = rowWidth(out.shape());
  const int64_t* idx = indices.data<int64_t>();
  dispatchFloat(data.dtype(), [&](auto c) {
    using C = decltype(c);
    C* o = out.data<C>();
    std::fill(o, o + out.size(), C(0));
    const C* v = data.data<C>();
    for (int64_t i = 0; i < indices.size(); ++i) std::copy(v + i * w, v + (i + 1) * w, o + idx[i] * w);
  });
}

RspParts denseToRsp(const Tensor& dense, bool allRows) {
  const char* op = "denseToRsp";
  requireFloat(dense, op, "data");
  if (dense.ndim() == 0) fail(ErrorKind::kShape, at(op) + "a 0-d array cannot be row_sparse");
  const int64_t rows = dense.dim(0), w = rowWidth(dense.shape());
  return dispatchFloat(dense.dtype(), [&](auto c) {
    using C = decltype(c);
    const C* d = dense.data<C>();
    std::vector<int64_t> keep;
    for (int64_t r = 0; r < rows; ++r) {
      if (allRows || std::any_of(d + r * w, d + (r + 1) * w, [](C x) { return x != C(0); })) keep.push_back(r);
    }
    const int64_t k = static_cast<int64_t>(keep.size());
    Shape shape = dense.shape();
    shape[0] = k;
    RspParts p{Tensor::empty(shape, dense.dtype(), dense.ctx()), vector64(k, dense.ctx())};
    C* v = p.data.data<C>();
    int64_t* idx = p.indices.data<int64_t>();
    for (int64_t i = 0; i < k; ++i) {
      idx[i] = keep[static_cast<size_t>(i)];
      std::copy(d + idx[i] * w, d + (idx[i] + 1) * w, v + i * w);
    }
    return p;
  });
}

namespace {
void checkDotRhs(const Tensor& data, const Tensor& rhs, int64_t k, const Shape& shape, const char* op,
                 const char* lhs) {
  requireDType(rhs, data.dtype(), op, "rhs");
  if (rhs.ndim() != 2 || rhs.dim(0) != k) {
    fail(ErrorKind::kShape,
         at(op) + "dot shape error: " + lhs + " " + shapeStr(shape) + " X rhs " + shapeStr(rhs.shape()));
  }
}
}  // namespace

Tensor csrDotDense(const Tensor& data, const Tensor& indices, const Tensor& indptr, const Shape& shape,
                   const Tensor& rhs) {
  const char* op = "dot(csr, default)";
  checkCsr(data, indices, indptr, shape, op);
  checkDotRhs(data, rhs, shape[1], shape, op, "csr");
  const int64_t rows = shape[0], n = rhs.dim(1);
  Tensor out = Tensor::zeros({rows, n}, data.dtype(), data.ctx());
  const int64_t* ptr = indptr.data<int64_t>();
  const int64_t* idx = indices.data<int64_t>();
  dispatchFloat(data.dtype(), [&](auto c) {
    using C = decltype(c);
    const C* v = data.data<C>();
    const C* b = rhs.data<C>();
    C* o = out.data<C>();
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = ptr[r]; j < ptr[r + 1]; ++j) {
        const C x = v[j];
        const C* brow = b + idx[j] * n;
        for (int64_t q = 0; q < n; ++q) o[r * n + q] += x * brow[q];
      }
  });
  return out;
}

RspParts csrTDotDense(const Tensor& data, const Tensor& indices, const Tensor& indptr, const Shape& shape,
                      const Tensor& rhs) {
  const char* op = "dot(csr.T, default)";
  checkCsr(data, indices, indptr, shape, op);
  checkDotRhs(data, rhs, shape[0], shape, op, "csr.T of");
  const int64_t rows = shape[0], cols = shape[1], n = rhs.dim(1), nnz = data.size();
  const int64_t* ptr = indptr.data<int64_t>();
  const int64_t* idx = indices.data<int64_t>();
  // Output row of each used column, -1 for unused ones.
  std::vector<int64_t> slot(static_cast<size_t>(cols), -1);
  for (int64_t j = 0; j < nnz; ++j) slot[static_cast<size_t>(idx[j])] = 0;
  int64_t k = 0;
  for (auto& s : slot)
    if (s == 0) s = k++;
  RspParts p{Tensor::zeros({k, n}, data.dtype(), data.ctx()), vector64(k, data.ctx())};
  int64_t* outIdx = p.indices.data<int64_t>();
  for (int64_t col = 0; col < cols; ++col)
    if (slot[static_cast<size_t>(col)] >= 0) outIdx[slot[static_cast<size_t>(col)]] = col;
  dispatchFloat(data.dtype(), [&](auto c) {
    using C = decltype(c);
    const C* v = data.data<C>();
    const C* b = rhs.data<C>();
    C* o = p.data.data<C>();
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = ptr[r]; j < ptr[r + 1]; ++j) {
        const C x = v[j];
        C* orow = o + slot[static_cast<size_t>(idx[j])] * n;
        for (int64_t q = 0; q < n; ++q) orow[q] += x * b[r * n + q];
      }
  });
  return p;
}

void lazySgdUpdate(const Tensor& weight, const Tensor& gradData, const Tensor& gradIndices, const Tensor* mom,
                   const LazySgdParams& p) {
  const char* op = mom ? "sgdMomUpdate(row_sparse grad)" : "sgdUpdate(row_sparse grad)";
  requireFloat(weight, op, "weight");
  checkRsp(gradData, gradIndices, weight.shape(), op);
  requireDType(gradData, weight.dtype(), op, "grad");
  if (mom) {
    requireSameShape(weight, *mom, op);
    requireDType(*mom, weight.dtype(), op, "mom");
  }
  const int64_t w = rowWidth(weight.shape());
  const int64_t* idx = gradIndices.data<int64_t>();
  dispatchFloat(weight.dtype(), [&](auto c) {
    using C = decltype(c);
    const C lr = static_cast<C>(p.lr), momentum = static_cast<C>(p.momentum), wd = static_cast<C>(p.wd);
    const C rescale = static_cast<C>(p.rescaleGrad), clip = static_cast<C>(p.clipGradient);
    const bool clipping = p.clipGradient >= 0;
    C* wt = weight.data<C>();
    C* m = mom ? mom->data<C>() : nullptr;
    const C* g = gradData.data<C>();
    for (int64_t i = 0; i < gradIndices.size(); ++i) {
      const int64_t base = idx[i] * w;
      for (int64_t q = 0; q < w; ++q) {
        C r = rescale * g[i * w + q];
        if (clipping) r = std::min(std::max(r, -clip), clip);
        C& x = wt[base + q];
        if (m) {
          C& mm = m[base + q];
          mm = momentum * mm - wd * x - r;
          x = x + lr * mm;
        } else {
          x = (C(1) - lr * wd) * x - lr * r;
        }
      }
    }
  });
}

}  // namespace bkt
