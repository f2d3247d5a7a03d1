// LayerNorm forward and backward, MXNet 1.x semantics. Attributes: LayerNormAttrs
// (kernel_attrs.gen.h).
// Forward inputs: data, gamma, beta; outputs: output, mean, std, the last two shaped as data with
// the axis reduced to 1. std = sqrt(var + eps) with the biased variance along the axis, and
// output = (data - mean) / std · gamma + beta (gamma, beta indexed along the axis).
// Backward inputs: out_grad, data, gamma, mean, std; outputs: d_data, d_gamma, d_beta. With
// x̂ = (data - mean) / std and h = out_grad · gamma, d_data = (h - mean(h) - x̂·mean(h·x̂)) / std
// (means along the axis), d_gamma = Σ out_grad·x̂ and d_beta = Σ out_grad over the other axes.
#include <algorithm>
#include <array>
#include <cmath>

#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "layers_common.h"

namespace bkt {
namespace {

constexpr int64_t kWork = 1 << 14;
constexpr int64_t kBlock = 256;  // d_gamma/d_beta entries one task accumulates in double

int64_t positionGrain(const AxisLayout& L) { return std::max<int64_t>(1, kWork / std::max<int64_t>(1, L.n)); }

void layerNormForward(const KernelContext& c) {
  const char* op = "LayerNorm";
  c.requireAtLeast(op, 3, 3);
  const Tensor& data = c.in(0);
  requireFloat(data, op, "data");
  const LayerNormAttrs a = LayerNormAttrs::read(c, op);
  const AxisLayout L = axisLayout(data.shape(), a.axis, op);
  const double eps = a.eps;
  const int64_t positions = L.outer * L.inner;
  requireSize(c.out(0), data.size(), op, "output");
  requireDType(c.out(0), data.dtype(), op, "output");
  const char* names[] = {"gamma", "beta"};
  for (int k = 0; k < 2; ++k) {
    requireSize(c.in(k + 1), L.n, op, names[k]);
    requireDType(c.in(k + 1), data.dtype(), op, names[k]);
  }
  requireSize(c.out(1), positions, op, "mean");
  requireSize(c.out(2), positions, op, "std");
  requireDType(c.out(1), data.dtype(), op, "mean");
  requireDType(c.out(2), data.dtype(), op, "std");
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = data.data<T>();
    const T* gamma = c.in(1).data<T>();
    const T* beta = c.in(2).data<T>();
    T* y = c.out(0).data<T>();
    T* meanOut = c.out(1).data<T>();
    T* stdOut = c.out(2).data<T>();
    parallelFor(positions, positionGrain(L), [=](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        const int64_t o = p / L.inner, i = p % L.inner;
        const int64_t base = o * L.n * L.inner + i;
        double sum = 0;
        for (int64_t j = 0; j < L.n; ++j) sum += x[base + j * L.inner];
        const double mean = L.n > 0 ? sum / static_cast<double>(L.n) : 0.0;
        double sq = 0;
        for (int64_t j = 0; j < L.n; ++j) {
          const double d = x[base + j * L.inner] - mean;
          sq += d * d;
        }
        const double sd = std::sqrt((L.n > 0 ? sq / static_cast<double>(L.n) : 0.0) + eps);
        meanOut[p] = static_cast<T>(mean);
        stdOut[p] = static_cast<T>(sd);
        const T m = static_cast<T>(mean);
        const T inv = static_cast<T>(1 / sd);
        for (int64_t j = 0; j < L.n; ++j) {
          const int64_t k = base + j * L.inner;
          y[k] = (x[k] - m) * inv * gamma[j] + beta[j];
        }
      }
    });
  });
}

void layerNormBackward(const KernelContext& c) {
  const char* op = "_backward_LayerNorm";
  c.requireAtLeast(op, 5, 3);
  const Tensor& og = c.in(0);
  const Tensor& data = c.in(1);
  requireFloat(data, op, "data");
  const AxisLayout L = axisLayout(data.shape(), LayerNormAttrs::read(c, op).axis, op);
  const int64_t positions = L.outer * L.inner;
  const auto check = [&](const Tensor& t, int64_t size, const char* arg) {
    requireSize(t, size, op, arg);
    requireDType(t, data.dtype(), op, arg);
  };
  check(og, data.size(), "out_grad");
  check(c.in(2), L.n, "gamma");
  check(c.in(3), positions, "mean");
  check(c.in(4), positions, "std");
  check(c.out(0), data.size(), "data gradient");
  check(c.out(1), L.n, "gamma gradient");
  check(c.out(2), L.n, "beta gradient");
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* g = og.data<T>();
    const T* x = data.data<T>();
    const T* gamma = c.in(2).data<T>();
    const T* meanIn = c.in(3).data<T>();
    const T* stdIn = c.in(4).data<T>();
    T* dx = c.out(0).data<T>();
    T* dGamma = c.out(1).data<T>();
    T* dBeta = c.out(2).data<T>();
    // d_gamma and d_beta first, reading out_grad before d_data (which may alias it) is written.
    const int64_t blocks = (L.n + kBlock - 1) / kBlock;
    parallelFor(blocks, std::max<int64_t>(1, kWork / std::max<int64_t>(1, positions * kBlock)),
                [=](int64_t b, int64_t e) {
                  for (int64_t blk = b; blk < e; ++blk) {
                    const int64_t j0 = blk * kBlock, j1 = std::min(L.n, j0 + kBlock);
                    std::array<double, kBlock> accGamma{}, accBeta{};
                    for (int64_t o = 0; o < L.outer; ++o) {
                      for (int64_t j = j0; j < j1; ++j) {
                        const int64_t row = (o * L.n + j) * L.inner;
                        double sg = 0, sb = 0;
                        for (int64_t i = 0; i < L.inner; ++i) {
                          const int64_t p = o * L.inner + i;
                          const double gv = g[row + i];
                          sb += gv;
                          sg += gv * (x[row + i] - static_cast<double>(meanIn[p])) / static_cast<double>(stdIn[p]);
                        }
                        accGamma[static_cast<size_t>(j - j0)] += sg;
                        accBeta[static_cast<size_t>(j - j0)] += sb;
                      }
                    }
                    for (int64_t j = j0; j < j1; ++j) {
                      dGamma[j] = static_cast<T>(accGamma[static_cast<size_t>(j - j0)]);
                      dBeta[j] = static_cast<T>(accBeta[static_cast<size_t>(j - j0)]);
                    }
                  }
                });
    parallelFor(positions, positionGrain(L), [=](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        const int64_t o = p / L.inner, i = p % L.inner;
        const int64_t base = o * L.n * L.inner + i;
        const double mean = meanIn[p];
        const double inv = 1 / static_cast<double>(stdIn[p]);
        double sumH = 0, sumHX = 0;
        for (int64_t j = 0; j < L.n; ++j) {
          const int64_t k = base + j * L.inner;
          const double h = static_cast<double>(g[k]) * gamma[j];
          sumH += h;
          sumHX += h * (x[k] - mean) * inv;
        }
        const double nInv = L.n > 0 ? 1 / static_cast<double>(L.n) : 0.0;
        const T meanH = static_cast<T>(sumH * nInv);
        const T meanHX = static_cast<T>(sumHX * nInv);
        const T m = static_cast<T>(mean);
        const T iv = static_cast<T>(inv);
        for (int64_t j = 0; j < L.n; ++j) {
          const int64_t k = base + j * L.inner;
          const T xhat = (x[k] - m) * iv;
          dx[k] = (g[k] * gamma[j] - meanH - xhat * meanHX) * iv;
        }
      }
    });
  });
}

}  // namespace

BKT_PLAN_KERNEL(kLayerNorm, layerNormForward);
BKT_PLAN_KERNEL(kLayerNormBackward, layerNormBackward);

}  // namespace bkt
