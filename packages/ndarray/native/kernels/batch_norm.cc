// BatchNorm forward and backward, MXNet 1.x semantics (its CPU kernel), one channel per task.
// Attributes: BatchNormAttrs (kernel_attrs.gen.h).
// Forward inputs: data, gamma, beta, moving_mean, moving_var; outputs: output, mean, var.
// While training without use_global_stats the batch statistics normalize (the variance biased,
// over every element of the channel), and the moving statistics are updated in place:
// moving = moving·momentum + batch·(1 - momentum). Otherwise the moving statistics normalize.
// The `var` output holds the inverse standard deviation 1/sqrt(var + eps), as MXNet's does (0
// when a batch variance and eps are both 0). With fix_gamma the scale is 1 and, as in MXNet,
// gamma is overwritten with 1. A channel with no elements keeps its moving statistics.
// Backward inputs: out_grad, mean, var (inverse std), data, gamma, beta, moving_mean, moving_var;
// outputs: d_data, d_gamma (0 with fix_gamma), d_beta. It normalizes by the mean and inverse std
// the forward pass saved; d_data takes the batch statistics' dependence on the data into account
// when training without use_global_stats.
#include <algorithm>
#include <cmath>

#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "layers_common.h"

namespace bkt {
namespace {

constexpr int64_t kWork = 1 << 15;

int64_t channelGrain(const AxisLayout& L) {
  return std::max<int64_t>(1, kWork / std::max<int64_t>(1, L.outer * L.inner));
}

// Calls f(index) for every element of channel ch, in memory order.
template <typename F>
inline void forChannel(const AxisLayout& L, int64_t ch, F f) {
  for (int64_t o = 0; o < L.outer; ++o) {
    const int64_t base = (o * L.n + ch) * L.inner;
    for (int64_t i = base; i < base + L.inner; ++i) f(i);
  }
}

void requireChannelVector(const Tensor& t, const Tensor& data, int64_t channels, const char* op, const char* arg) {
  requireSize(t, channels, op, arg);
  requireDType(t, data.dtype(), op, arg);
}

void batchNormForward(const KernelContext& c) {
  const char* op = "BatchNorm";
  c.requireAtLeast(op, 5, 3);
  const Tensor& data = c.in(0);
  requireFloat(data, op, "data");
  const BatchNormAttrs a = BatchNormAttrs::read(c, op);
  const AxisLayout L = axisLayout(data.shape(), a.axis, op);
  requireSize(c.out(0), data.size(), op, "output");
  requireDType(c.out(0), data.dtype(), op, "output");
  const char* vectors[] = {"gamma", "beta", "moving_mean", "moving_var"};
  for (int k = 0; k < 4; ++k) requireChannelVector(c.in(k + 1), data, L.n, op, vectors[k]);
  requireChannelVector(c.out(1), data, L.n, op, "mean");
  requireChannelVector(c.out(2), data, L.n, op, "var");
  const bool batchStats = c.isTrain && !a.useGlobalStats;
  const int64_t count = L.outer * L.inner;
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = data.data<T>();
    T* gamma = c.in(1).data<T>();
    const T* beta = c.in(2).data<T>();
    T* movingMean = c.in(3).data<T>();
    T* movingVar = c.in(4).data<T>();
    T* y = c.out(0).data<T>();
    T* meanOut = c.out(1).data<T>();
    T* invStdOut = c.out(2).data<T>();
    parallelFor(L.n, channelGrain(L), [=](int64_t b, int64_t e) {
      for (int64_t ch = b; ch < e; ++ch) {
        double mean, invStd;
        if (batchStats && count > 0) {
          double sum = 0;
          forChannel(L, ch, [&](int64_t i) { sum += x[i]; });
          mean = sum / static_cast<double>(count);
          double sq = 0;
          forChannel(L, ch, [&](int64_t i) {
            const double d = x[i] - mean;
            sq += d * d;
          });
          const double var = sq / static_cast<double>(count);
          invStd = sq == 0 && a.eps == 0 ? 0.0 : 1 / std::sqrt(var + a.eps);
          movingMean[ch] = static_cast<T>(movingMean[ch] * a.momentum + mean * (1 - a.momentum));
          movingVar[ch] = static_cast<T>(movingVar[ch] * a.momentum + var * (1 - a.momentum));
        } else if (batchStats) {
          mean = 0;
          invStd = 1 / std::sqrt(a.eps);
        } else {
          mean = movingMean[ch];
          invStd = 1 / std::sqrt(static_cast<double>(movingVar[ch]) + a.eps);
        }
        meanOut[ch] = static_cast<T>(mean);
        invStdOut[ch] = static_cast<T>(invStd);
        if (a.fixGamma) gamma[ch] = T(1);
        const T m = static_cast<T>(mean);
        const T scale = static_cast<T>(invStd * (a.fixGamma ? 1.0 : static_cast<double>(gamma[ch])));
        const T shift = beta[ch];
        forChannel(L, ch, [&](int64_t i) { y[i] = (x[i] - m) * scale + shift; });
      }
    });
  });
  // Inputs written in place: the plan marks only outputs as written (Storage::version).
  for (int k : {1, 3, 4}) c.in(k).storage().markWritten();
}

void batchNormBackward(const KernelContext& c) {
  const char* op = "_backward_BatchNorm";
  c.requireAtLeast(op, 8, 3);
  const Tensor& og = c.in(0);
  const Tensor& data = c.in(3);
  requireFloat(data, op, "data");
  const BatchNormAttrs a = BatchNormAttrs::read(c, op);
  const AxisLayout L = axisLayout(data.shape(), a.axis, op);
  requireSize(og, data.size(), op, "out_grad");
  requireDType(og, data.dtype(), op, "out_grad");
  requireSize(c.out(0), data.size(), op, "data gradient");
  requireDType(c.out(0), data.dtype(), op, "data gradient");
  requireChannelVector(c.in(1), data, L.n, op, "mean");
  requireChannelVector(c.in(2), data, L.n, op, "var");
  requireChannelVector(c.in(4), data, L.n, op, "gamma");
  requireChannelVector(c.out(1), data, L.n, op, "gamma gradient");
  requireChannelVector(c.out(2), data, L.n, op, "beta gradient");
  const bool batchStats = c.isTrain && !a.useGlobalStats;
  const int64_t count = L.outer * L.inner;
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* g = og.data<T>();
    const T* x = data.data<T>();
    const T* meanIn = c.in(1).data<T>();
    const T* invStdIn = c.in(2).data<T>();
    const T* gamma = c.in(4).data<T>();
    T* dx = c.out(0).data<T>();
    T* dGamma = c.out(1).data<T>();
    T* dBeta = c.out(2).data<T>();
    parallelFor(L.n, channelGrain(L), [=](int64_t b, int64_t e) {
      for (int64_t ch = b; ch < e; ++ch) {
        const double mean = meanIn[ch];
        const double invStd = invStdIn[ch];
        const double w = a.fixGamma ? 1.0 : static_cast<double>(gamma[ch]);
        double sumG = 0, dot = 0;
        forChannel(L, ch, [&](int64_t i) {
          sumG += g[i];
          dot += (x[i] - mean) * g[i];
        });
        // Each element is read before its gradient is written: dx may alias out_grad.
        if (batchStats && count > 0) {
          const T k = static_cast<T>(dot * invStd * invStd / static_cast<double>(count));
          const T gMean = static_cast<T>(sumG / static_cast<double>(count));
          const T m = static_cast<T>(mean);
          const T iw = static_cast<T>(invStd * w);
          forChannel(L, ch, [&](int64_t i) { dx[i] = (g[i] - gMean - (x[i] - m) * k) * iw; });
        } else {
          const T iw = static_cast<T>(invStd * w);
          forChannel(L, ch, [&](int64_t i) { dx[i] = g[i] * iw; });
        }
        dGamma[ch] = a.fixGamma ? T(0) : static_cast<T>(dot * invStd);
        dBeta[ch] = static_cast<T>(sumG);
      }
    });
  });
}

}  // namespace

BKT_PLAN_KERNEL(kBatchNorm, batchNormForward);
BKT_PLAN_KERNEL(kBatchNormBackward, batchNormBackward);

}  // namespace bkt
