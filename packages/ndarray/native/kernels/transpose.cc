// transpose: a contiguous copy with permuted axes. The permutation is first reduced (size-1 axes
// dropped, axes that stay adjacent merged), then either whole inner rows are copied (the innermost
// axis stays innermost) or a batch of 2-D transposes runs in cache-sized tiles.
#include <algorithm>
#include <cstring>

#include "bkt/indexing.h"
#include "gather_common.h"

namespace bkt {
namespace {

constexpr int64_t kGrain = 1 << 14;
constexpr int64_t kTile = 32;

std::vector<int> checkedPermutation(const Tensor& a, const std::vector<int64_t>& axes) {
  const int nd = a.ndim();
  std::vector<int> perm(static_cast<size_t>(nd));
  if (axes.empty()) {
    for (int i = 0; i < nd; ++i) perm[static_cast<size_t>(i)] = nd - 1 - i;
    return perm;
  }
  auto bad = [&](const std::string& why) {
    std::string list = "(";
    for (size_t i = 0; i < axes.size(); ++i) list += (i ? ", " : "") + std::to_string(axes[i]);
    fail(ErrorKind::kShape, "transpose: axes " + list + ") are not a permutation of the " + std::to_string(nd) +
                                " axes of shape " + shapeStr(a.shape()) + ": " + why);
  };
  if (static_cast<int64_t>(axes.size()) != nd) bad("expected " + std::to_string(nd) + " axes");
  std::vector<bool> seen(static_cast<size_t>(nd), false);
  for (int i = 0; i < nd; ++i) {
    const int64_t ax = axes[static_cast<size_t>(i)];
    if (ax < -nd || ax >= nd) bad("axis " + std::to_string(ax) + " is out of range");
    const int p = static_cast<int>(ax < 0 ? ax + nd : ax);
    if (seen[static_cast<size_t>(p)]) bad("axis " + std::to_string(p) + " appears twice");
    seen[static_cast<size_t>(p)] = true;
    perm[static_cast<size_t>(i)] = p;
  }
  return perm;
}

// The same data movement on fewer axes: output axis i reads input axis perm[i] of size dims[perm[i]].
struct Reduced {
  std::vector<int64_t> dims;
  std::vector<int> perm;
};

Reduced reduce(const Shape& shape, const std::vector<int>& perm) {
  // Size-1 axes move no data; numbering the others densely lets axes on either side of one merge.
  std::vector<int> dense(shape.size(), -1);
  int kept = 0;
  for (size_t ax = 0; ax < shape.size(); ++ax) {
    if (shape[ax] != 1) dense[ax] = kept++;
  }
  // Runs of input axes that appear consecutively in the output, in output order: (first axis, size).
  std::vector<std::pair<int, int64_t>> groups;
  int last = -2;
  for (int axis : perm) {
    const int p = dense[static_cast<size_t>(axis)];
    if (p < 0) continue;
    const int64_t d = shape[static_cast<size_t>(axis)];
    if (p == last + 1) {
      groups.back().second *= d;
    } else {
      groups.emplace_back(p, d);
    }
    last = p;
  }
  std::vector<int> order(groups.size());
  for (size_t g = 0; g < order.size(); ++g) order[g] = static_cast<int>(g);
  std::sort(order.begin(), order.end(), [&](int x, int y) { return groups[x].first < groups[y].first; });
  Reduced r;
  r.dims.resize(groups.size());
  r.perm.resize(groups.size());
  for (size_t rank = 0; rank < order.size(); ++rank) {
    r.dims[rank] = groups[static_cast<size_t>(order[rank])].second;
    r.perm[static_cast<size_t>(order[rank])] = static_cast<int>(rank);
  }
  return r;
}

template <typename U>
void permute(const U* src, U* dst, const Reduced& r) {
  const int rank = static_cast<int>(r.dims.size());
  std::vector<int64_t> inStride(static_cast<size_t>(rank), 1);
  for (int i = rank - 2; i >= 0; --i) inStride[i] = inStride[i + 1] * r.dims[i + 1];
  std::vector<int64_t> outDim(static_cast<size_t>(rank)), outStride(static_cast<size_t>(rank), 1),
      srcStride(static_cast<size_t>(rank));
  for (int i = 0; i < rank; ++i) {
    outDim[i] = r.dims[r.perm[i]];
    srcStride[i] = inStride[r.perm[i]];
  }
  for (int i = rank - 2; i >= 0; --i) outStride[i] = outStride[i + 1] * outDim[i + 1];

  // Output axes other than the two being swapped; each of their index tuples is one independent batch.
  const int q = static_cast<int>(std::find(r.perm.begin(), r.perm.end(), rank - 1) - r.perm.begin());
  std::vector<int> batchAxes;
  for (int i = 0; i < rank - 1; ++i) {
    if (i != q) batchAxes.push_back(i);
  }
  auto batchOffsets = [&](int64_t b, int64_t& s, int64_t& d) {
    s = 0;
    d = 0;
    for (auto it = batchAxes.rbegin(); it != batchAxes.rend(); ++it) {
      const int64_t n = outDim[*it];
      const int64_t i = b % n;
      b /= n;
      s += i * srcStride[*it];
      d += i * outStride[*it];
    }
  };
  int64_t batches = 1;
  for (int i : batchAxes) batches *= outDim[i];

  if (q == rank - 1) {  // the innermost axis stays innermost: copy whole rows
    const int64_t len = outDim[rank - 1];
    parallelFor(batches, std::max<int64_t>(1, kGrain / len), [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        int64_t s, d;
        batchOffsets(b, s, d);
        std::memcpy(dst + d, src + s, static_cast<size_t>(len) * sizeof(U));
      }
    });
    return;
  }
  // dst[i * rowStride + j] = src[i + j * colStride] over rows i of output axis q and columns j of the last output axis.
  const int64_t rows = outDim[q], cols = outDim[rank - 1];
  const int64_t rowStride = outStride[q], colStride = srcStride[rank - 1];
  const int64_t rowTiles = (rows + kTile - 1) / kTile, colTiles = (cols + kTile - 1) / kTile;
  const int64_t tiles = batches * rowTiles * colTiles;
  parallelFor(tiles, std::max<int64_t>(1, kGrain / (kTile * kTile)), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t ct = t % colTiles;
      const int64_t rt = (t / colTiles) % rowTiles;
      int64_t s, d;
      batchOffsets(t / (colTiles * rowTiles), s, d);
      const int64_t i0 = rt * kTile, ni = std::min(rows - i0, kTile);
      const int64_t j0 = ct * kTile, nj = std::min(cols - j0, kTile);
      // Staging the tile in a small buffer keeps both sides sequential: with power-of-two strides,
      // reading or writing 32 rows in place would map them all to one cache set and thrash it.
      U buf[kTile * kTile];
      for (int64_t j = 0; j < nj; ++j)
        std::memcpy(buf + j * kTile, src + s + (j0 + j) * colStride + i0, static_cast<size_t>(ni) * sizeof(U));
      for (int64_t i = 0; i < ni; ++i) {
        U* out = dst + d + (i0 + i) * rowStride + j0;
        for (int64_t j = 0; j < nj; ++j) out[j] = buf[j * kTile + i];
      }
    }
  });
}

}  // namespace

void transposeInto(const Tensor& a, const std::vector<int64_t>& axes, const Tensor& out) {
  const std::vector<int> perm = checkedPermutation(a, axes);
  bool fits = out.ndim() == a.ndim() && out.dtype() == a.dtype();
  for (size_t i = 0; fits && i < perm.size(); ++i) fits = out.dim(static_cast<int>(i)) == a.dim(perm[i]);
  if (!fits) {
    Shape want(perm.size());
    for (size_t i = 0; i < perm.size(); ++i) want[i] = a.dim(perm[i]);
    fail(ErrorKind::kShape, "transpose: the output is " + std::string(dtypeName(out.dtype())) + " " +
                                shapeStr(out.shape()) + ", expected " + dtypeName(a.dtype()) + " " + shapeStr(want));
  }
  if (out.size() == 0) return;
  const Reduced r = reduce(a.shape(), perm);
  if (r.dims.size() <= 1) {
    if (out.raw() != a.raw()) std::memcpy(out.raw(), a.raw(), a.nbytes());
    return;
  }
  gather::dispatchBySize(dtypeSize(a.dtype()), [&](auto tag) {
    using U = decltype(tag);
    permute(static_cast<const U*>(a.raw()), static_cast<U*>(out.raw()), r);
  });
}

Tensor transpose(const Tensor& a, const std::vector<int64_t>& axes) {
  const std::vector<int> perm = checkedPermutation(a, axes);
  Shape outShape(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) outShape[i] = a.dim(perm[i]);
  Tensor out = Tensor::empty(outShape, a.dtype(), a.ctx());
  transposeInto(a, axes, out);
  return out;
}

}  // namespace bkt
