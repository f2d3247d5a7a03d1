// take (gather along an axis) and the Embedding layer's forward and backward.
#include <algorithm>
#include <cstring>

#include "bkt/indexing.h"
#include "bkt/plan.h"
#include "gather_common.h"

namespace bkt {
namespace {

using gather::dispatchBySize;

constexpr int64_t kCopyGrain = 1 << 14;  // elements copied per task before threads pay off

// out[o, m, :] = data[o, idx[m], :] with `outer` leading rows, n rows along the axis and `inner` trailing elements.
void gatherRows(const Tensor& data, const std::vector<int64_t>& idx, int64_t outer, int64_t n, int64_t inner,
                const Tensor& out) {
  const auto m = static_cast<int64_t>(idx.size());
  const int64_t* ip = idx.data();
  dispatchBySize(dtypeSize(data.dtype()), [&](auto tag) {
    using U = decltype(tag);
    const U* src = static_cast<const U*>(data.raw());
    U* dst = static_cast<U*>(out.raw());
    parallelFor(outer * m, std::max<int64_t>(1, kCopyGrain / std::max<int64_t>(1, inner)), [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        const int64_t o = r / m;
        const U* s = src + (o * n + ip[r - o * m]) * inner;
        U* d = dst + r * inner;
        if (inner == 1) {
          *d = *s;
        } else {
          std::memcpy(d, s, static_cast<size_t>(inner) * sizeof(U));
        }
      }
    });
  });
}

Tensor takeImpl(const Tensor& data, const Tensor& indices, int64_t axisArg, IndexMode mode, const char* op) {
  requireSameContext(data, indices, op);
  if (data.ndim() == 0)
    fail(ErrorKind::kShape, std::string(op) + ": data must have at least one dimension, got a 0-d array");
  const int axis = normalizeAxis(axisArg, data.ndim(), op);
  const int64_t n = data.dim(axis);
  Shape outShape(data.shape().begin(), data.shape().begin() + axis);
  outShape.insert(outShape.end(), indices.shape().begin(), indices.shape().end());
  outShape.insert(outShape.end(), data.shape().begin() + axis + 1, data.shape().end());
  if (indices.size() > 0 && n == 0) {
    fail(ErrorKind::kIndex, std::string(op) + ": cannot take from axis " + std::to_string(axis) +
                                " of size 0 in data " + shapeStr(data.shape()));
  }
  Tensor out = Tensor::empty(outShape, data.dtype(), data.ctx());
  gatherInto(data, indices, axis, mode, op, out);
  return out;
}

}  // namespace

void gatherInto(const Tensor& data, const Tensor& indices, int axis, IndexMode mode, const char* op,
                const Tensor& out) {
  requireSameContext(data, out, op);
  if (out.dtype() != data.dtype()) {
    fail(ErrorKind::kDType,
         std::string(op) + ": the output is " + dtypeName(out.dtype()) + " but the data is " + dtypeName(data.dtype()));
  }
  const int64_t n = data.dim(axis);
  requireSize(out, data.size() / std::max<int64_t>(1, n) * indices.size(), op, "output");
  if (out.size() == 0) return;
  std::vector<int64_t> idx = gather::readIndices(indices);
  gather::resolveIndices(idx, n, mode, op, axis);
  const Shape& ds = data.shape();
  gatherRows(data, idx, shapeSize(Shape(ds.begin(), ds.begin() + axis)), n,
             shapeSize(Shape(ds.begin() + axis + 1, ds.end())), out);
}

Tensor take(const Tensor& data, const Tensor& indices, int64_t axis, IndexMode mode) {
  return takeImpl(data, indices, axis, gather::checkMode(mode, true, "take"), "take");
}

Tensor embedding(const Tensor& indices, const Tensor& weight) {
  requireFloat(weight, "embedding", "weight");
  if (weight.ndim() != 2) {
    fail(ErrorKind::kShape,
         "embedding: weight must be 2-D (inputDim, outputDim), got shape " + shapeStr(weight.shape()));
  }
  return takeImpl(weight, indices, 0, IndexMode::kClip, "embedding");
}

void embeddingLookupInto(const Tensor& table, const Tensor& indices, const Tensor& out, const char* op) {
  requireFloat(table, op, "weight");
  if (table.ndim() != 2)
    fail(ErrorKind::kShape, std::string(op) + ": weight must be 2-D, got " + shapeStr(table.shape()));
  gatherInto(table, indices, 0, IndexMode::kClip, op, out);
}

Tensor embeddingBackward(const Tensor& indices, const Tensor& gradOut, int64_t inputDim) {
  const char* op = "embeddingBackward";
  requireSameContext(indices, gradOut, op);
  requireFloat(gradOut, op, "gradOut");
  if (inputDim <= 0)
    fail(ErrorKind::kValue, std::string(op) + ": inputDim must be positive, got " + std::to_string(inputDim));
  const Shape& is = indices.shape();
  const Shape& gs = gradOut.shape();
  if (gs.size() != is.size() + 1 || !std::equal(is.begin(), is.end(), gs.begin())) {
    fail(ErrorKind::kShape, std::string(op) + ": gradOut shape " + shapeStr(gs) + " must be the indices shape " +
                                shapeStr(is) + " plus a trailing outputDim");
  }
  Tensor grad = Tensor::empty({inputDim, gs.back()}, gradOut.dtype(), gradOut.ctx());
  embeddingBackwardInto(indices, gradOut, grad);
  return grad;
}

namespace {

// grad (outer, n, inner) = 0, then grad[o, idx[r], :] += gradOut[o, r, :] for the m resolved indices.
void scatterAdd(const Tensor& gradOut, const std::vector<int64_t>& idx, int64_t outer, int64_t n, int64_t inner,
                const Tensor& grad) {
  const auto m = static_cast<int64_t>(idx.size());
  dispatchFloat(grad.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* g = grad.data<T>();
    const T* go = gradOut.data<T>();
    const int64_t rows = outer * n;
    parallelFor(rows, std::max<int64_t>(1, kCopyGrain / std::max<int64_t>(1, inner)), [&](int64_t b, int64_t e) {
      std::memset(g + b * inner, 0, static_cast<size_t>((e - b) * inner) * sizeof(T));
    });
    // Threads own disjoint (outer row, column block) pairs, so duplicate indices never race and every
    // element sums its contributions in index order, exactly as a serial loop would.
    constexpr int64_t kBlock = 64 / sizeof(T);
    const int64_t blocks = (inner + kBlock - 1) / kBlock;
    const int64_t* ip = idx.data();
    parallelFor(outer * blocks, std::max<int64_t>(1, kCopyGrain / std::max<int64_t>(1, m * kBlock)),
                [&](int64_t b, int64_t e) {
                  for (int64_t t = b; t < e; ++t) {
                    const int64_t o = t / blocks;
                    const int64_t c0 = t % blocks * kBlock;
                    const int64_t c1 = std::min(inner, c0 + kBlock);
                    for (int64_t r = 0; r < m; ++r) {
                      T* dst = g + (o * n + ip[r]) * inner;
                      const T* src = go + (o * m + r) * inner;
                      for (int64_t c = c0; c < c1; ++c) dst[c] += src[c];
                    }
                  }
                });
  });
}

}  // namespace

void embeddingBackwardInto(const Tensor& indices, const Tensor& gradOut, const Tensor& grad) {
  const char* op = "embeddingBackward";
  requireFloat(grad, op, "weight gradient");
  const int64_t inputDim = grad.ndim() == 2 ? grad.dim(0) : 0;
  const int64_t dim = gradOut.ndim() > 0 ? gradOut.shape().back() : 0;
  const int64_t m = indices.size();
  requireSize(gradOut, m * dim, op, "gradOut");
  if (grad.ndim() != 2 || grad.dim(1) != dim) {
    fail(ErrorKind::kShape, std::string(op) + ": weight gradient " + shapeStr(grad.shape()) +
                                " does not match gradOut " + shapeStr(gradOut.shape()));
  }
  if (gradOut.dtype() != grad.dtype()) {
    fail(ErrorKind::kDType, std::string(op) + ": gradOut is " + dtypeName(gradOut.dtype()) +
                                " but the weight gradient is " + dtypeName(grad.dtype()));
  }
  if (inputDim == 0 && gradOut.size() > 0) {
    fail(ErrorKind::kShape,
         std::string(op) + ": no weight rows to scatter gradOut " + shapeStr(gradOut.shape()) + " into");
  }
  std::vector<int64_t> idx = gather::readIndices(indices);
  gather::resolveIndices(idx, inputDim, IndexMode::kClip, op, 0);
  scatterAdd(gradOut, idx, 1, inputDim, dim, grad);
}

void takeBackwardInto(const Tensor& gradOut, const Tensor& indices, int axis, IndexMode mode, const char* op,
                      const Tensor& grad) {
  requireFloat(grad, op, "gradient");
  requireSameContext(gradOut, grad, op);
  if (gradOut.dtype() != grad.dtype()) {
    fail(ErrorKind::kDType, std::string(op) + ": the output gradient is " + dtypeName(gradOut.dtype()) +
                                " but the data gradient is " + dtypeName(grad.dtype()));
  }
  if (grad.ndim() == 0)
    fail(ErrorKind::kShape, std::string(op) + ": the data gradient must have at least one dimension");
  axis = normalizeAxis(axis, grad.ndim(), op);
  const Shape& s = grad.shape();
  const int64_t outer = shapeSize(Shape(s.begin(), s.begin() + axis));
  const int64_t n = s[static_cast<size_t>(axis)];
  const int64_t inner = shapeSize(Shape(s.begin() + axis + 1, s.end()));
  requireSize(gradOut, outer * indices.size() * inner, op, "output gradient");
  std::vector<int64_t> idx = gather::readIndices(indices);
  if (n == 0) {
    if (gradOut.size() > 0) {
      fail(ErrorKind::kIndex,
           std::string(op) + ": cannot scatter into axis " + std::to_string(axis) + " of size 0 in " + shapeStr(s));
    }
    return;
  }
  gather::resolveIndices(idx, n, mode, op, axis);
  scatterAdd(gradOut, idx, outer, n, inner, grad);
}

namespace {

// Plan kernels. Embedding: inputs data (indices), weight; attributes [inputDim, outputDim].
void embeddingKernel(const KernelContext& c) { embeddingLookupInto(c.in(1), c.in(0), c.out(0), "Embedding"); }

// _backward_Embedding: inputs out_grad, data; outputs d_data (zeros: indices get no gradient), d_weight.
void embeddingBackwardKernel(const KernelContext& c) {
  std::memset(c.out(0).raw(), 0, c.out(0).nbytes());
  embeddingBackwardInto(c.in(1), c.in(0), c.out(1));
}

}  // namespace

BKT_PLAN_KERNEL(kEmbedding, embeddingKernel);
BKT_PLAN_KERNEL(kEmbeddingBackward, embeddingBackwardKernel);

}  // namespace bkt
