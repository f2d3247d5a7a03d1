// FullyConnected as one GEMM with its bias: out = data · weightᵀ + bias. Backward is two GEMMs and a
// column sum, run on the rows of out_grad that are not all zero (see liveRows). Attributes:
// FullyConnectedAttrs (kernel_attrs.gen.h).
#include <algorithm>
#include <vector>

#include "bkt/error.h"
#include "bkt/gemm.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/plan.h"
#include "live_rows.h"

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
// d_weight and d_bias and gives a zero row of d_data, so the backward's GEMMs skip such rows as
// liverows::splitLive lays them out (live_rows.h): the span from the first to the last nonzero row in
// place, or, when a tenth or more of that span is zero rows too, the leading run of nonzero rows in place
// and the nonzero rows after it gathered together. Copying is what the skip costs, so the leading run (on
// time-major sequence batches, the time steps before the shortest sentence ends: most of the rows) stays
// where it is. Exact: a skipped row would only have added zeros, unless data or weight held a value the
// products do not see as finite (liverows::productFiniteBound; 0 · inf is NaN), in which case nothing is
// skipped.

// The indices of out_grad's rows that are not all zero.
template <typename T>
void liveRows(const T* g, const FcDims& d, std::vector<int64_t>& live) {
  live.clear();
  for (int64_t r = 0; r < d.rows; ++r) {
    if (!liverows::zeroRow(g + r * d.hidden, d.hidden)) live.push_back(r);
  }
}

template <typename T>
bool skippedRowsFinite(const T* data, const FcDims& d, const std::vector<int64_t>& live, T bound) {
  int64_t next = 0;  // rows before live[next] that are not in `live` are the skipped ones
  for (int64_t r = 0; r < d.rows; ++r) {
    if (next < static_cast<int64_t>(live.size()) && live[static_cast<size_t>(next)] == r) {
      ++next;
    } else if (!liverows::allFinite(data + r * d.inDim, d.inDim, bound)) {
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

template <typename T>
void fcBackwardOf(const KernelContext& c, const FcDims& d) {
  const Tensor& weight = c.in(2);
  const T* g = c.in(0).data<T>();
  const T* data = c.in(1).data<T>();
  T* dData = c.out(0).data<T>();
  thread_local std::vector<int64_t> live;
  liveRows(g, d, live);
  const liverows::LiveSplit split = liverows::splitLive(live, d.rows);
  const T bound = liverows::productFiniteBound<T>();
  const bool skip = split.worthSkipping && liverows::allFinite(weight.data<T>(), weight.size(), bound) &&
                    skippedRowsFinite(data, d, live, bound);
  if (!skip) {
    gemm(dataGradProduct(d), g, weight.data<T>(), dData, &weight);
    gemm(weightGradProduct(d), g, data, c.out(1).data<T>());
    if (c.numOutputs > 2) columnSums(g, d.rows, d.hidden, c.out(2).data<T>());
    return;
  }
  const int64_t first = split.first;
  liverows::zeroRowsOutside(dData, d.rows, d.inDim, first, first + split.lead);
  if (split.lead == 0) {  // every row of out_grad is zero
    std::fill(c.out(1).data<T>(), c.out(1).data<T>() + weight.size(), T(0));
    if (c.numOutputs > 2) std::fill(c.out(2).data<T>(), c.out(2).data<T>() + d.hidden, T(0));
    return;
  }
  backwardOnRows(c, d, split.lead, g + first * d.hidden, data + first * d.inDim, dData + first * d.inDim, false);
  if (split.rest == 0) return;
  // Grown to the largest count met on this thread, then reused.
  thread_local std::vector<T> liveG, liveData, liveDData;
  const int64_t rest = split.rest;
  const int64_t* rows = live.data() + split.lead;
  T* gRows = liverows::grown(liveG, rest * d.hidden);
  T* dataRows = liverows::grown(liveData, rest * d.inDim);
  T* dDataRows = liverows::grown(liveDData, rest * d.inDim);
  liverows::gatherRows(g, d.hidden, d.hidden, rows, rest, gRows);
  liverows::gatherRows(data, d.inDim, d.inDim, rows, rest, dataRows);
  backwardOnRows(c, d, rest, gRows, dataRows, dDataRows, true);
  liverows::scatterRows(dDataRows, d.inDim, rows, rest, dData, d.inDim);
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
