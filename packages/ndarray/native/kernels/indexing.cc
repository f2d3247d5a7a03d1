// one_hot and pick: element-wise index lookups.
#include <algorithm>
#include <cstring>

#include "bkt/indexing.h"

#include "bkt/elemwise.h"
#include "gather_common.h"

namespace bkt {
namespace {

constexpr int64_t kGrain = 1 << 15;

}  // namespace

void oneHotInto(const Tensor& indices, int64_t depth, double onValue, double offValue, const Tensor& out) {
  if (depth < 0) fail(ErrorKind::kValue, "oneHot: depth must be non-negative, got " + std::to_string(depth));
  requireSameContext(indices, out, "oneHot");
  requireSize(out, indices.size() * depth, "oneHot", "output");
  if (out.size() == 0) return;
  const std::vector<int64_t> idx = gather::readIndices(indices);
  dispatchAll(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T on = gather::castValue<T>(onValue);
    const T off = gather::castValue<T>(offValue);
    T* o = out.data<T>();
    const int64_t* ip = idx.data();
    parallelFor(indices.size(), std::max<int64_t>(1, kGrain / depth), [&](int64_t b, int64_t e) {
      std::fill(o + b * depth, o + e * depth, off);
      for (int64_t i = b; i < e; ++i) {
        if (ip[i] >= 0 && ip[i] < depth) o[i * depth + ip[i]] = on;
      }
    });
  });
}

Tensor oneHot(const Tensor& indices, int64_t depth, double onValue, double offValue, DType dtype) {
  if (depth < 0) fail(ErrorKind::kValue, "oneHot: depth must be non-negative, got " + std::to_string(depth));
  if (!isKnownDType(static_cast<int32_t>(dtype))) fail(ErrorKind::kDType, "oneHot: unknown dtype");
  Shape shape = indices.shape();
  shape.push_back(depth);
  Tensor out = Tensor::empty(shape, dtype, indices.ctx());
  oneHotInto(indices, depth, onValue, offValue, out);
  return out;
}

void pickInto(const Tensor& data, const Tensor& index, int axis, IndexMode mode, const Tensor& out) {
  const char* op = "pick";
  gather::checkMode(mode, false, op);
  requireSameContext(data, index, op);
  requireSameContext(data, out, op);
  if (data.ndim() == 0) fail(ErrorKind::kShape, "pick: data must have at least one dimension, got a 0-d array");
  axis = normalizeAxis(axis, data.ndim(), op);
  if (out.dtype() != data.dtype()) {
    fail(ErrorKind::kDType,
         std::string("pick: the output is ") + dtypeName(out.dtype()) + " but the data is " + dtypeName(data.dtype()));
  }
  const Shape& ds = data.shape();
  const int64_t n = ds[static_cast<size_t>(axis)];
  const int64_t outer = shapeSize(Shape(ds.begin(), ds.begin() + axis));
  const int64_t inner = shapeSize(Shape(ds.begin() + axis + 1, ds.end()));
  requireSize(out, outer * inner, op, "output");
  requireSize(index, outer * inner, op, "index");
  if (out.size() == 0) return;
  if (n == 0) {
    fail(ErrorKind::kIndex,
         "pick: cannot pick from axis " + std::to_string(axis) + " of size 0 in data " + shapeStr(ds));
  }
  std::vector<int64_t> idx = gather::readIndices(index);
  gather::resolveIndices(idx, n, mode, op, axis);
  gather::dispatchBySize(dtypeSize(data.dtype()), [&](auto tag) {
    using U = decltype(tag);
    const U* src = static_cast<const U*>(data.raw());
    U* dst = static_cast<U*>(out.raw());
    const int64_t* ip = idx.data();
    parallelFor(out.size(), kGrain, [&](int64_t b, int64_t e) {
      for (int64_t k = b; k < e; ++k) {
        const int64_t o = k / inner;
        dst[k] = src[(o * n + ip[k]) * inner + (k - o * inner)];
      }
    });
  });
}

namespace {

// The shape pick() gives for data, index and axis (checking index's shape, MXNet's rule).
Shape pickShape(const Tensor& data, const Tensor& index, int axis, bool keepdims) {
  const Shape& ds = data.shape();
  Shape kept = ds;
  kept[static_cast<size_t>(axis)] = 1;
  Shape dropped = ds;
  dropped.erase(dropped.begin() + axis);
  if (index.shape() != kept && index.shape() != dropped) {
    fail(ErrorKind::kShape, "pick: index shape " + shapeStr(index.shape()) + " must be " + shapeStr(dropped) + " or " +
                                shapeStr(kept) + " for data " + shapeStr(ds) + " and axis " + std::to_string(axis));
  }
  return keepdims ? kept : dropped;
}

int pickAxis(const Tensor& data, const Tensor& index, int64_t axisArg, IndexMode mode) {
  const char* op = "pick";
  gather::checkMode(mode, false, op);
  requireSameContext(data, index, op);
  if (data.ndim() == 0) fail(ErrorKind::kShape, "pick: data must have at least one dimension, got a 0-d array");
  return normalizeAxis(axisArg, data.ndim(), op);
}

}  // namespace

Tensor pick(const Tensor& data, const Tensor& index, int64_t axisArg, bool keepdims, IndexMode mode) {
  const int axis = pickAxis(data, index, axisArg, mode);
  Tensor out = Tensor::empty(pickShape(data, index, axis, keepdims), data.dtype(), data.ctx());
  pickInto(data, index, axis, mode, out);
  return out;
}

void pickToOut(const Tensor& data, const Tensor& index, int64_t axisArg, bool keepdims, IndexMode mode,
               const Tensor& out) {
  const int axis = pickAxis(data, index, axisArg, mode);
  const Shape shape = pickShape(data, index, axis, keepdims);
  if (out.shape() != shape) {
    fail(ErrorKind::kShape, "pick: out has shape " + shapeStr(out.shape()) + " but the result is " + shapeStr(shape));
  }
  // the kernel reads data while it writes out (and index before), so neither may share out's bytes
  if (overlaps(out, data)) fail(ErrorKind::kValue, "pick: out overlaps data");
  if (overlaps(out, index)) fail(ErrorKind::kValue, "pick: out overlaps index");
  pickInto(data, index, axis, mode, out);
}

}  // namespace bkt
