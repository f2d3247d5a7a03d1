// Concat, stack and split. All three move whole byte blocks: viewed as `outer` rows, a joined array's
// row is its parts' rows laid end to end, so one copy routine serves both directions.
#include <algorithm>
#include <cstring>
#include <string>

#include "bkt/error.h"
#include "bkt/indexing.h"
#include "bkt/parallel.h"

namespace bkt {
namespace {

constexpr int64_t kByteGrain = 1 << 16;

// Copies between `joined` (outer rows of sum(partBytes) bytes) and the parts (outer rows of
// partBytes(k) bytes each); part(k) is part k's first byte. Threads split the joined array's bytes
// evenly, whatever the block sizes. The accessors keep the plan kernels free of allocations.
template <typename PartFn, typename BytesFn>
void copyBlocks(char* joined, size_t nParts, PartFn part, BytesFn partBytes, int64_t outer, bool intoJoined) {
  int64_t rowBytes = 0;
  for (size_t k = 0; k < nParts; ++k) rowBytes += partBytes(k);
  const int64_t total = rowBytes * outer;
  parallelFor(total, kByteGrain, [&](int64_t x0, int64_t x1) {
    int64_t o = x0 / rowBytes;
    int64_t off = x0 - o * rowBytes;
    size_t k = 0;
    while (off >= partBytes(k)) off -= partBytes(k++);
    for (int64_t x = x0; x < x1;) {
      const int64_t len = std::min(partBytes(k) - off, x1 - x);
      char* p = part(k) + o * partBytes(k) + off;
      if (len > 0) {
        if (intoJoined) {
          std::memcpy(joined + x, p, static_cast<size_t>(len));
        } else {
          std::memcpy(p, joined + x, static_cast<size_t>(len));
        }
      }
      x += len;
      off = 0;
      if (++k == nParts) {
        k = 0;
        ++o;
      }
    }
  });
}

void copyBlocks(char* joined, const std::vector<char*>& parts, const std::vector<int64_t>& partBytes, int64_t outer,
                bool intoJoined) {
  copyBlocks(
      joined, parts.size(), [&](size_t k) { return parts[k]; }, [&](size_t k) { return partBytes[k]; }, outer,
      intoJoined);
}

// The plan form: parts are preallocated tensors whose bytes must add up to joined's.
void copyTensorBlocks(const Tensor& joined, const Tensor* const* parts, int numParts, int64_t outer, bool intoJoined,
                      const char* op) {
  if (numParts < 1) fail(ErrorKind::kValue, std::string(op) + ": needs at least one part");
  int64_t sum = 0;
  for (int k = 0; k < numParts; ++k) {
    const Tensor& t = *parts[k];
    requireSameContext(joined, t, op);
    if (t.dtype() != joined.dtype()) {
      fail(ErrorKind::kDType, std::string(op) + ": part " + std::to_string(k) + " is " + dtypeName(t.dtype()) +
                                  " but the joined array is " + dtypeName(joined.dtype()));
    }
    if (outer > 0 && t.size() % outer != 0) {
      fail(ErrorKind::kShape, std::string(op) + ": part " + std::to_string(k) + " " + shapeStr(t.shape()) +
                                  " does not split into " + std::to_string(outer) + " rows");
    }
    sum += t.size();
  }
  if (outer < 0 || sum != joined.size()) {
    fail(ErrorKind::kShape, std::string(op) + ": the parts hold " + std::to_string(sum) +
                                " elements but the joined array " + shapeStr(joined.shape()) + " holds " +
                                std::to_string(joined.size()));
  }
  if (joined.size() == 0) return;
  if (outer == 0) fail(ErrorKind::kShape, std::string(op) + ": no rows to split " + shapeStr(joined.shape()) + " into");
  const auto rowBytes = [&](size_t k) { return static_cast<int64_t>(parts[k]->nbytes()) / outer; };
  copyBlocks(
      static_cast<char*>(joined.raw()), static_cast<size_t>(numParts),
      [&](size_t k) { return static_cast<char*>(parts[k]->raw()); }, rowBytes, outer, intoJoined);
}

// Checks that the arrays share dtype and context and have `ndim` dims equal except along `axis`.
void checkJoinable(const std::vector<Tensor>& arrays, int axis, const char* op) {
  const Tensor& first = arrays[0];
  for (size_t k = 1; k < arrays.size(); ++k) {
    const Tensor& t = arrays[k];
    requireSameContext(first, t, op);
    if (t.dtype() != first.dtype()) {
      fail(ErrorKind::kDType, std::string(op) + ": arrays[" + std::to_string(k) + "] is " + dtypeName(t.dtype()) +
                                  " but arrays[0] is " + dtypeName(first.dtype()));
    }
    bool same = t.ndim() == first.ndim();
    for (int d = 0; same && d < t.ndim(); ++d) same = d == axis || t.dim(d) == first.dim(d);
    if (!same) {
      fail(ErrorKind::kShape, std::string(op) + ": arrays[" + std::to_string(k) + "] has shape " + shapeStr(t.shape()) +
                                  ", which does not match arrays[0] " + shapeStr(first.shape()) +
                                  (axis >= 0 ? " outside axis " + std::to_string(axis) : std::string()));
    }
  }
}

void requireNonEmpty(const std::vector<Tensor>& arrays, const char* op) {
  if (arrays.empty()) fail(ErrorKind::kValue, std::string(op) + ": needs at least one array");
}

// Joins arrays of equal rank along `axis` (already validated).
Tensor joinAlong(const std::vector<Tensor>& arrays, int axis, Shape outShape) {
  const Tensor& first = arrays[0];
  int64_t along = 0;
  for (const Tensor& t : arrays) along += t.dim(axis);
  outShape[static_cast<size_t>(axis)] = along;
  Tensor out = Tensor::empty(outShape, first.dtype(), first.ctx());
  const int64_t outer = shapeSize(Shape(outShape.begin(), outShape.begin() + axis));
  std::vector<char*> parts;
  std::vector<int64_t> partBytes;
  for (const Tensor& t : arrays) {
    parts.push_back(static_cast<char*>(t.raw()));
    partBytes.push_back(outer == 0 ? 0 : static_cast<int64_t>(t.nbytes()) / outer);
  }
  if (out.size() > 0) copyBlocks(static_cast<char*>(out.raw()), parts, partBytes, outer, true);
  return out;
}

}  // namespace

void concatInto(const Tensor* const* parts, int numParts, int64_t outer, const Tensor& joined, const char* op) {
  copyTensorBlocks(joined, parts, numParts, outer, true, op);
}

void splitInto(const Tensor& joined, int64_t outer, const Tensor* const* parts, int numParts, const char* op) {
  copyTensorBlocks(joined, parts, numParts, outer, false, op);
}

Tensor concat(const std::vector<Tensor>& arrays, int64_t dim) {
  requireNonEmpty(arrays, "concat");
  if (arrays[0].ndim() == 0) fail(ErrorKind::kShape, "concat: cannot concatenate 0-d arrays");
  const int axis = normalizeAxis(dim, arrays[0].ndim(), "concat");
  checkJoinable(arrays, axis, "concat");
  return joinAlong(arrays, axis, arrays[0].shape());
}

Tensor stack(const std::vector<Tensor>& arrays, int64_t axisArg) {
  requireNonEmpty(arrays, "stack");
  const int axis = normalizeAxis(axisArg, arrays[0].ndim() + 1, "stack");
  checkJoinable(arrays, -1, "stack");
  std::vector<Tensor> views;
  for (const Tensor& t : arrays) {
    Shape s = t.shape();
    s.insert(s.begin() + axis, 1);
    views.push_back(t.reshaped(s));
  }
  return joinAlong(views, axis, views[0].shape());
}

std::vector<Tensor> split(const Tensor& data, int64_t numOutputs, int64_t axisArg, bool squeezeAxis) {
  if (numOutputs < 1)
    fail(ErrorKind::kValue, "split: numOutputs must be at least 1, got " + std::to_string(numOutputs));
  if (data.ndim() == 0) fail(ErrorKind::kShape, "split: cannot split a 0-d array");
  const int axis = normalizeAxis(axisArg, data.ndim(), "split");
  const int64_t n = data.dim(axis);
  if (n % numOutputs != 0) {
    fail(ErrorKind::kShape, "split: axis " + std::to_string(axis) + " of shape " + shapeStr(data.shape()) +
                                " has size " + std::to_string(n) + ", which " + std::to_string(numOutputs) +
                                " outputs do not divide evenly");
  }
  if (squeezeAxis && n != numOutputs) {
    fail(ErrorKind::kShape, "split: squeezeAxis needs axis " + std::to_string(axis) + " of shape " +
                                shapeStr(data.shape()) + " to have size numOutputs (" + std::to_string(numOutputs) +
                                ")");
  }
  Shape piece = data.shape();
  piece[static_cast<size_t>(axis)] = n / numOutputs;
  std::vector<Tensor> outs;
  std::vector<char*> parts;
  std::vector<int64_t> partBytes;
  const int64_t outer = shapeSize(Shape(piece.begin(), piece.begin() + axis));
  for (int64_t k = 0; k < numOutputs; ++k) {
    Tensor t = Tensor::empty(piece, data.dtype(), data.ctx());
    parts.push_back(static_cast<char*>(t.raw()));
    partBytes.push_back(outer == 0 ? 0 : static_cast<int64_t>(t.nbytes()) / outer);
    outs.push_back(std::move(t));
  }
  if (data.size() > 0) copyBlocks(static_cast<char*>(data.raw()), parts, partBytes, outer, false);
  if (squeezeAxis) {
    Shape squeezed = piece;
    squeezed.erase(squeezed.begin() + axis);
    for (Tensor& t : outs) t = t.reshaped(squeezed);
  }
  return outs;
}

}  // namespace bkt
