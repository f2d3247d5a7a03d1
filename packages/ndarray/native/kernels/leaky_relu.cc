// LeakyReLU forward and backward, MXNet 1.x semantics.
// Attributes: LeakyReluAttrs (kernel_attrs.gen.h).
// Forward inputs: data[, gamma (prelu)]; outputs: output[, mask (rrelu: the slopes drawn)].
// Backward inputs: out_grad, then by type (as the OpDef's backward inputs):
//   prelu: out_data, data, gamma   rrelu: mask, out_data   gelu: data, out_data   else: out_data;
// outputs: d_data[, d_gamma (prelu)].
// leaky, elu, selu and rrelu differentiate from the output as MXNet does (so for a negative slope
// the leaky gradient follows the output's sign, as MXNet's); prelu and gelu from the input.
// prelu's gamma holds one slope per channel (axis 1) or a single shared one.
#include <algorithm>
#include <array>
#include <cmath>

#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/random.h"
#include "layers_common.h"

namespace bkt {
namespace {

constexpr int64_t kGrain = 1 << 13;
constexpr double kSeluLambda = 1.0507009873554804934193349852946;
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;

using Leaky = LeakyReluType;

template <typename T, typename F>
void map1(const T* x, T* o, int64_t n, F f) {
  parallelFor(n, kGrain, [=](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) o[i] = f(x[i]);
  });
}

// data viewed as (outer, channels, inner) around axis 1; prelu's gamma has `channels` or 1 slopes.
struct PreluLayout {
  int64_t outer, channels, inner;
  bool shared;
};

PreluLayout preluLayout(const Tensor& data, const Tensor& gamma, const char* op) {
  const Shape& s = data.shape();
  if (s.size() < 2)
    fail(ErrorKind::kShape, std::string(op) + ": prelu needs data with a channel axis, got " + shapeStr(s));
  PreluLayout L{s[0], s[1], 1, false};
  for (size_t d = 2; d < s.size(); ++d) L.inner *= s[d];
  requireDType(gamma, data.dtype(), op, "gamma");
  if (gamma.size() == 1 && L.channels != 1)
    L.shared = true;
  else if (gamma.size() != L.channels) {
    fail(ErrorKind::kShape, std::string(op) + ": gamma has shape " + shapeStr(gamma.shape()) + ", expected (" +
                                std::to_string(L.channels) + ",) or (1,) for data " + shapeStr(s));
  }
  return L;
}

void leakyReluForward(const KernelContext& c) {
  const char* op = "LeakyReLU";
  c.requireAtLeast(op, 1, 1);
  const LeakyReluAttrs attrs = LeakyReluAttrs::read(c, op);
  const Leaky act = attrs.actType;
  const Tensor& data = c.in(0);
  requireFloat(data, op, "data");
  const int64_t n = data.size();
  requireSize(c.out(0), n, op, "output");
  if (act == Leaky::kPrelu) c.requireAtLeast(op, 2, 1);
  if (act == Leaky::kRrelu) {
    c.requireAtLeast(op, 1, 2);
    requireSize(c.out(1), n, op, "mask");
    requireDType(c.out(1), data.dtype(), op, "mask");
  }
  const double slope = attrs.slope, lower = attrs.lowerBound, upper = attrs.upperBound;
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = data.data<T>();
    T* o = c.out(0).data<T>();
    const T s = static_cast<T>(slope);
    switch (act) {
      case Leaky::kLeaky:
        return map1(x, o, n, [s](T v) { return v > T(0) ? v : v * s; });
      case Leaky::kElu:
        return map1(x, o, n, [s](T v) { return v > T(0) ? v : s * std::expm1(v); });
      case Leaky::kSelu:
        return map1(x, o, n, [](T v) {
          return static_cast<T>(kSeluLambda) * (v > T(0) ? v : static_cast<T>(kSeluAlpha) * std::expm1(v));
        });
      case Leaky::kGelu:
        return map1(x, o, n, [](T v) { return T(0.5) * v * (T(1) + std::erf(v * static_cast<T>(kInvSqrt2))); });
      case Leaky::kRrelu: {
        if (!c.isTrain) {
          const T mid = static_cast<T>((lower + upper) / 2);
          return map1(x, o, n, [mid](T v) { return v > T(0) ? v : v * mid; });
        }
        if (!(upper >= lower)) fail(ErrorKind::kValue, "LeakyReLU: rrelu needs upper_bound >= lower_bound");
        T* mask = c.out(1).data<T>();
        fillUniform(mask, n, lower, upper);
        parallelFor(n, kGrain, [=](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) o[i] = x[i] > T(0) ? x[i] : x[i] * mask[i];
        });
        return;
      }
      case Leaky::kPrelu: {
        const PreluLayout L = preluLayout(data, c.in(1), op);
        const T* g = c.in(1).data<T>();
        parallelFor(L.outer * L.channels, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, L.inner)),
                    [=](int64_t b, int64_t e) {
                      for (int64_t r = b; r < e; ++r) {
                        const T a = g[L.shared ? 0 : r % L.channels];
                        for (int64_t i = r * L.inner; i < (r + 1) * L.inner; ++i) o[i] = x[i] > T(0) ? x[i] : x[i] * a;
                      }
                    });
        return;
      }
    }
  });
}

// d_gamma = Σ over each channel's elements of min(x, 0)·g (MXNet's prelu_grad); d_data = g where
// x > 0, else g·gamma. Each element is read before its d_data is written, so d_data may alias g.
template <typename T>
void preluBackward(const KernelContext& c, const char* op) {
  const Tensor& data = c.in(2);
  const PreluLayout L = preluLayout(data, c.in(3), op);
  requireSize(c.out(1), c.in(3).size(), op, "gamma gradient");
  requireDType(c.out(1), data.dtype(), op, "gamma gradient");
  const T* g = c.in(0).data<T>();
  const T* x = data.data<T>();
  const T* gamma = c.in(3).data<T>();
  T* dx = c.out(0).data<T>();
  T* dg = c.out(1).data<T>();
  const int64_t perChannel = L.outer * L.inner;
  if (!L.shared) {
    parallelFor(L.channels, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, perChannel)), [=](int64_t b, int64_t e) {
      for (int64_t ch = b; ch < e; ++ch) {
        const T a = gamma[ch];
        double acc = 0;
        for (int64_t o = 0; o < L.outer; ++o) {
          const int64_t base = (o * L.channels + ch) * L.inner;
          for (int64_t i = base; i < base + L.inner; ++i) {
            const T xv = x[i], gv = g[i];
            if (xv > T(0)) {
              dx[i] = gv;
            } else {
              acc += static_cast<double>(xv) * gv;
              dx[i] = gv * a;
            }
          }
        }
        dg[ch] = static_cast<T>(acc);
      }
    });
    return;
  }
  // One shared slope: a reduction over every element, in fixed chunks summed in order so the
  // result does not depend on the thread count. It reads g before the second pass overwrites it.
  constexpr int64_t kChunks = 64;
  const int64_t n = data.size();
  const int64_t chunk = std::max<int64_t>(kGrain, (n + kChunks - 1) / kChunks);
  const int64_t numChunks = (n + chunk - 1) / chunk;
  std::array<double, kChunks> partial{};
  parallelFor(numChunks, 1, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) {
      double acc = 0;
      for (int64_t i = k * chunk; i < std::min(n, (k + 1) * chunk); ++i) {
        if (!(x[i] > T(0))) acc += static_cast<double>(x[i]) * g[i];
      }
      partial[static_cast<size_t>(k)] = acc;
    }
  });
  double total = 0;
  for (int64_t k = 0; k < numChunks; ++k) total += partial[static_cast<size_t>(k)];
  dg[0] = static_cast<T>(total);
  const T a = gamma[0];
  parallelFor(n, kGrain, [=](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) dx[i] = x[i] > T(0) ? g[i] : g[i] * a;
  });
}

void leakyReluBackward(const KernelContext& c) {
  const char* op = "_backward_LeakyReLU";
  c.requireAtLeast(op, 2, 1);
  const LeakyReluAttrs attrs = LeakyReluAttrs::read(c, op);
  const Leaky act = attrs.actType;
  const Tensor& og = c.in(0);
  requireFloat(og, op, "out_grad");
  const int64_t n = og.size();
  const int numIn = act == Leaky::kPrelu ? 4 : act == Leaky::kRrelu || act == Leaky::kGelu ? 3 : 2;
  c.requireAtLeast(op, numIn, act == Leaky::kPrelu ? 2 : 1);
  for (int i = 1; i < numIn; ++i) {
    if (act == Leaky::kPrelu && i == 3) continue;  // gamma: checked against the channels below
    requireSize(c.in(i), n, op, "input");
    requireDType(c.in(i), og.dtype(), op, "input");
  }
  requireSize(c.out(0), n, op, "data gradient");
  requireDType(c.out(0), og.dtype(), op, "data gradient");
  const double slope = attrs.slope;
  dispatchFloat(og.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (act == Leaky::kPrelu) return preluBackward<T>(c, op);
    const T* g = og.data<T>();
    const T* y = c.in(1).data<T>();  // the output; rrelu: the mask; gelu: the data
    T* dx = c.out(0).data<T>();
    const auto run = [&](auto f) {
      parallelFor(n, kGrain, [=](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) dx[i] = g[i] * f(i);
      });
    };
    const T s = static_cast<T>(slope);
    switch (act) {
      case Leaky::kLeaky:
        return run([=](int64_t i) { return y[i] > T(0) ? T(1) : s; });
      case Leaky::kElu:
        return run([=](int64_t i) { return y[i] > T(0) ? T(1) : y[i] + s; });
      case Leaky::kSelu:
        return run([=](int64_t i) {
          return y[i] > T(0) ? static_cast<T>(kSeluLambda) : y[i] + static_cast<T>(kSeluLambda * kSeluAlpha);
        });
      case Leaky::kRrelu: {
        const T* out = c.in(2).data<T>();
        return run([=](int64_t i) { return out[i] > T(0) ? T(1) : y[i]; });
      }
      case Leaky::kGelu: {
        return run([=](int64_t i) {
          const T v = y[i];
          return T(0.5) * (T(1) + std::erf(v * static_cast<T>(kInvSqrt2))) +
                 v * static_cast<T>(kInvSqrt2Pi) * std::exp(T(-0.5) * v * v);
        });
      }
      case Leaky::kPrelu:
        return;
    }
  });
}

}  // namespace

BKT_PLAN_KERNEL(kLeakyRelu, leakyReluForward);
BKT_PLAN_KERNEL(kLeakyReluBackward, leakyReluBackward);

}  // namespace bkt
