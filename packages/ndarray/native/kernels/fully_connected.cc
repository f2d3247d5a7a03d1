// FullyConnected as one GEMM with its bias: out = data · weightᵀ + bias. Backward is two GEMMs and a
// column sum, run on the rows of out_grad that are not all zero (see liveRows). Attributes:
// FullyConnectedAttrs (kernel_attrs.gen.h).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "bkt/error.h"
#include "bkt/gemm.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/plan.h"

namespace bkt {
namespace {

struct FcDims {
  int64_t rows;    // batch rows after flattening
  int64_t inDim;   // K
  int64_t hidden;  // H
};

FcDims fcDims(const Tensor& data, const Tensor& weight, bool flatten) {
  const Shape& s = data.shape();
  if (s.empty()) fail(ErrorKind::kShape, "FullyConnected: data must have at least one dimension");
  FcDims d{};
  if (flatten) {
    d.rows = s[0];
    d.inDim = s[0] == 0 ? shapeSize(Shape(s.begin() + 1, s.end())) : data.size() / s[0];
  } else {
    d.inDim = s.back();
    d.rows = d.inDim == 0 ? shapeSize(Shape(s.begin(), s.end() - 1)) : data.size() / d.inDim;
  }
  d.hidden = weight.ndim() == 2 ? weight.dim(0) : -1;
  if (weight.ndim() != 2 || weight.dim(1) != d.inDim) {
    fail(ErrorKind::kShape, "FullyConnected: weight " + shapeStr(weight.shape()) + " does not fit data " + shapeStr(s));
  }
  return d;
}

// The products, built once here for both the kernels and their bind-time declarations. The weight is
// B of the forward product and the data gradient (`weight`: the kernel passes it as bWeight).
GemmShape forwardProduct(const FcDims& d, bool bias) {  // out = data · weightᵀ (+ bias)
  return {false, true, d.rows, d.hidden, d.inDim, d.inDim, d.inDim, d.hidden, 1.0f, 0.0f, false, bias, true};
}
GemmShape dataGradProduct(const FcDims& d) {  // d_data = out_grad · weight
  return {false, false, d.rows, d.inDim, d.hidden, d.hidden, d.inDim, d.inDim, 1.0f, 0.0f, false, false, true};
}
GemmShape weightGradProduct(const FcDims& d) {  // d_weight = out_gradᵀ · data
  return {true, false, d.hidden, d.inDim, d.rows, d.hidden, d.inDim, d.inDim, 1.0f, 0.0f};
}

// The same products over `count` of out_grad's rows, a count that changes from call to call: one runtime-m
// (d_data) and one runtime-k (d_weight) product serve every count, declared at bind like the others.
GemmShape liveDataGradProduct(const FcDims& d, int64_t count) {
  GemmShape s = dataGradProduct(d);
  s.m = count;
  s.runtimeM = true;
  return s;
}
GemmShape liveWeightGradProduct(const FcDims& d, int64_t count) {
  GemmShape s = weightGradProduct(d);
  s.k = count;
  s.runtimeK = true;
  return s;
}
// d_weight += out_gradᵀ · data over a second run of rows (the gathered ones after the rows in place).
GemmShape liveWeightGradAddProduct(const FcDims& d, int64_t count) {
  GemmShape s = liveWeightGradProduct(d, count);
  s.beta = 1.0f;
  return s;
}

// inputs: data, weight[, bias]; output: out.
FcDims forwardDims(const KernelContext& c) {
  const FullyConnectedAttrs attrs = FullyConnectedAttrs::read(c, "FullyConnected");
  c.requireArity("FullyConnected", attrs.noBias ? 2 : 3, 1);
  const Tensor& data = c.in(0);
  requireFloat(data, "FullyConnected", "data");
  const FcDims d = fcDims(data, c.in(1), attrs.flatten);
  requireSize(c.out(0), d.rows * d.hidden, "FullyConnected", "output");
  if (!attrs.noBias) requireSize(c.in(2), d.hidden, "FullyConnected", "bias");
  return d;
}

void fcForward(const KernelContext& c) {
  const FcDims d = forwardDims(c);
  const bool bias = c.numInputs > 2;
  const Tensor& data = c.in(0);
  const Tensor& weight = c.in(1);
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = c.out(0).data<T>();
    if (bias) {
      gemmBias(forwardProduct(d, true), data.data<T>(), weight.data<T>(), c.in(2).data<T>(), o, &weight);
    } else {
      gemm(forwardProduct(d, false), data.data<T>(), weight.data<T>(), o, &weight);
    }
  });
}

void fcForwardGemms(const KernelContext& c, std::vector<GemmShape>& out) {
  const FcDims d = forwardDims(c);
  if (c.in(0).dtype() == DType::kFloat32) out.push_back(forwardProduct(d, c.numInputs > 2));
}

// inputs: out_grad (rows, H), data, weight (H, K); outputs: d_data, d_weight, d_bias (unless noBias).
FcDims backwardDims(const KernelContext& c) {
  const bool flatten = FullyConnectedAttrs::read(c, "_backward_FullyConnected").flatten;
  c.requireAtLeast("_backward_FullyConnected", 3, 2);
  const Tensor& data = c.in(1);
  const Tensor& weight = c.in(2);
  const FcDims d = fcDims(data, weight, flatten);
  requireSize(c.in(0), d.rows * d.hidden, "_backward_FullyConnected", "out_grad");
  requireSize(c.out(0), data.size(), "_backward_FullyConnected", "data gradient");
  requireSize(c.out(1), weight.size(), "_backward_FullyConnected", "weight gradient");
  if (c.numOutputs > 2) requireSize(c.out(2), d.hidden, "_backward_FullyConnected", "bias gradient");
  return d;
}

// An all-zero row of out_grad (a padded position whose label SoftmaxOutput ignores) adds nothing to
// d_weight and d_bias and gives a zero row of d_data, so the backward's GEMMs skip such rows: it runs on
// the span from the first to the last nonzero row in place, or, when a tenth or more of that span is zero
// rows too, on the leading run of nonzero rows in place and the nonzero rows after it gathered together.
// Copying is what the skip costs: a gathered row costs about 7% of what its products cost (measured, see
// the ndarray README), so the leading run (on time-major sequence batches, the time steps before the
// shortest sentence ends: most of the rows) stays where it is. Exact: a skipped row would only have added zeros, unless
// data or weight held an infinity or NaN (0 · inf is NaN), in which case nothing is skipped. In bfloat16 precision the
// products see data and weight rounded to bfloat16, where a float32 value from kBFloat16Overflow up becomes infinite:
// such a value also keeps every row in.
constexpr int64_t kGatherMinZeroShare = 10;  // gather when zero rows >= span / this
// The midpoint between bfloat16's largest finite value 0x1.fep127 and infinity, which rounds (to even) up.
constexpr float kBFloat16Overflow = 0x1.ffp127f;
// Rows per pool task when gathering and scattering: on PTB's output layer a gathered row is 30 KB, and
// copying 23 MB on one thread cost about as much as a tenth of the rows' products.
constexpr int64_t kGatherGrain = 32;

template <typename T>
bool allZero(const T* p, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    if (p[i] != T(0)) return false;
  }
  return true;
}

// Whether 0 · x is 0 for every x of p as the products see it: |x| below `bound` (infinity, or
// kBFloat16Overflow in bfloat16 precision), which a NaN is not. Independent lanes so the loop vectorizes.
template <typename T>
bool allFinite(const T* p, int64_t n, T bound) {
  constexpr int64_t kLanes = 16;
  int32_t outside[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int64_t l = 0; l < kLanes; ++l) outside[l] |= static_cast<int32_t>(!(std::abs(p[i + l]) < bound));
  }
  for (; i < n; ++i) outside[0] |= static_cast<int32_t>(!(std::abs(p[i]) < bound));
  for (int64_t l = 0; l < kLanes; ++l) {
    if (outside[l] != 0) return false;
  }
  return true;
}

// The indices of out_grad's rows that are not all zero. A nonzero row almost always has a nonzero first
// element, so only rows starting with 0 are scanned.
template <typename T>
void liveRows(const T* g, const FcDims& d, std::vector<int64_t>& live) {
  live.clear();
  for (int64_t r = 0; r < d.rows; ++r) {
    const T* row = g + r * d.hidden;
    if (row[0] != T(0) || !allZero(row + 1, d.hidden - 1)) live.push_back(r);
  }
}

template <typename T>
bool skippedRowsFinite(const T* data, const FcDims& d, const std::vector<int64_t>& live, T bound) {
  int64_t next = 0;  // rows before live[next] that are not in `live` are the skipped ones
  for (int64_t r = 0; r < d.rows; ++r) {
    if (next < static_cast<int64_t>(live.size()) && live[static_cast<size_t>(next)] == r) {
      ++next;
    } else if (!allFinite(data + r * d.inDim, d.inDim, bound)) {
      return false;
    }
  }
  return true;
}

// The backward over `count` rows that `g`, `data` and `dRows` hold one after another (out_grad, data and
// the d_data rows to be placed). With `accumulate`, d_weight and d_bias add these rows' terms to what an
// earlier call left there.
template <typename T>
void backwardOnRows(const KernelContext& c, const FcDims& d, int64_t count, const T* g, const T* data, T* dRows,
                    bool accumulate) {
  const Tensor& weight = c.in(2);
  gemm(liveDataGradProduct(d, count), g, weight.data<T>(), dRows, &weight);
  gemm(accumulate ? liveWeightGradAddProduct(d, count) : liveWeightGradProduct(d, count), g, data, c.out(1).data<T>());
  if (c.numOutputs <= 2) return;
  T* dBias = c.out(2).data<T>();
  if (!accumulate) {
    columnSums(g, count, d.hidden, dBias);
    return;
  }
  thread_local std::vector<T> sums;
  sums.resize(static_cast<size_t>(d.hidden));
  columnSums(g, count, d.hidden, sums.data());
  for (int64_t j = 0; j < d.hidden; ++j) dBias[j] += sums[static_cast<size_t>(j)];
}

// Zeroes d_data's rows outside [begin, end): the zero rows of out_grad before and after a run computed in place.
template <typename T>
void zeroRowsOutside(T* dData, const FcDims& d, int64_t begin, int64_t end) {
  std::fill(dData, dData + begin * d.inDim, T(0));
  std::fill(dData + end * d.inDim, dData + d.rows * d.inDim, T(0));
}

template <typename T>
void fcBackwardOf(const KernelContext& c, const FcDims& d) {
  const Tensor& weight = c.in(2);
  const T* g = c.in(0).data<T>();
  const T* data = c.in(1).data<T>();
  T* dData = c.out(0).data<T>();
  thread_local std::vector<int64_t> live;
  liveRows(g, d, live);
  const auto count = static_cast<int64_t>(live.size());
  const int64_t first = count > 0 ? live.front() : 0;
  const int64_t span = count > 0 ? live.back() - first + 1 : 0;
  const bool gather = (span - count) * kGatherMinZeroShare >= span && span > count;
  const T bound = std::is_same_v<T, float> && gemmPrecision() == GemmPrecision::kBFloat16
                      ? T(kBFloat16Overflow)
                      : std::numeric_limits<T>::infinity();
  const bool skip = (gather || span < d.rows) && allFinite(weight.data<T>(), weight.size(), bound) &&
                    skippedRowsFinite(data, d, live, bound);
  if (!skip) {
    gemm(dataGradProduct(d), g, weight.data<T>(), dData, &weight);
    gemm(weightGradProduct(d), g, data, c.out(1).data<T>());
    if (c.numOutputs > 2) columnSums(g, d.rows, d.hidden, c.out(2).data<T>());
    return;
  }
  if (!gather) {  // the zero rows inside the span (fewer than a tenth) go through the products
    zeroRowsOutside(dData, d, first, first + span);
    if (span == 0) {
      std::fill(c.out(1).data<T>(), c.out(1).data<T>() + weight.size(), T(0));
      if (c.numOutputs > 2) std::fill(c.out(2).data<T>(), c.out(2).data<T>() + d.hidden, T(0));
      return;
    }
    backwardOnRows(c, d, span, g + first * d.hidden, data + first * d.inDim, dData + first * d.inDim, false);
    return;
  }
  // The leading run live[0..lead) = first, first + 1, … stays in place; the rest is gathered (at least one
  // row, since the span has zero rows).
  int64_t lead = 1;
  while (lead < count && live[lead] == first + lead) ++lead;
  const int64_t rest = count - lead;
  zeroRowsOutside(dData, d, first, first + lead);
  backwardOnRows(c, d, lead, g + first * d.hidden, data + first * d.inDim, dData + first * d.inDim, false);
  // Grown to the largest count met on this thread, then reused.
  thread_local std::vector<T> liveG, liveData, liveDData;
  liveG.resize(static_cast<size_t>(rest * d.hidden));
  liveData.resize(static_cast<size_t>(rest * d.inDim));
  liveDData.resize(static_cast<size_t>(rest * d.inDim));
  // The pool's threads see their own thread_locals: hand them this thread's buffers.
  const int64_t* rows = live.data() + lead;
  T* gRows = liveG.data();
  T* dataRows = liveData.data();
  T* dDataRows = liveDData.data();
  parallelFor(rest, kGatherGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      std::memcpy(gRows + i * d.hidden, g + rows[i] * d.hidden, sizeof(T) * static_cast<size_t>(d.hidden));
      std::memcpy(dataRows + i * d.inDim, data + rows[i] * d.inDim, sizeof(T) * static_cast<size_t>(d.inDim));
    }
  });
  backwardOnRows(c, d, rest, gRows, dataRows, dDataRows, true);
  parallelFor(rest, kGatherGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      std::memcpy(dData + rows[i] * d.inDim, dDataRows + i * d.inDim, sizeof(T) * static_cast<size_t>(d.inDim));
    }
  });
}

void fcBackward(const KernelContext& c) {
  const FcDims d = backwardDims(c);
  dispatchFloat(c.in(1).dtype(), [&](auto tag) { fcBackwardOf<decltype(tag)>(c, d); });
}

// The full products, and the live-row ones a backward with zero rows runs.
void fcBackwardGemms(const KernelContext& c, std::vector<GemmShape>& out) {
  const FcDims d = backwardDims(c);
  if (c.in(1).dtype() != DType::kFloat32) return;
  out.push_back(dataGradProduct(d));
  out.push_back(weightGradProduct(d));
  if (d.rows > 0) {
    out.push_back(liveDataGradProduct(d, d.rows));
    out.push_back(liveWeightGradProduct(d, d.rows));
    out.push_back(liveWeightGradAddProduct(d, d.rows));
  }
}

}  // namespace

BKT_PLAN_KERNEL(kFullyConnected, fcForward);
BKT_PLAN_GEMM_SHAPES(kFullyConnected, fcForwardGemms);
BKT_PLAN_KERNEL(kFullyConnectedBackward, fcBackward);
BKT_PLAN_GEMM_SHAPES(kFullyConnectedBackward, fcBackwardGemms);

}  // namespace bkt
