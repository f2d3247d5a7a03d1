// Convolution of channel-first data, 1-D (N, C, W) or 2-D (N, C, H, W), as MXNet 1.x computes it on
// CPU: per image, im2col into the hidden workspace (one image's column matrix, C·KH·KW rows by
// OH·OW columns), then one OpenBLAS GEMM per channel group. Backward reuses the workspace: first the
// columns of the image for the weight gradient, then the column gradient that col2im folds back.
// A 1-D problem runs as 2-D with a height of 1; 3-D raises ValueError.
// Plan attributes: ConvolutionAttrs (kernel_attrs.gen.h); an empty stride or dilate is 1, an empty pad 0.
#include <algorithm>
#include <cstring>
#include <string>

#include "bkt/error.h"
#include "bkt/gemm.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/plan.h"
#include "spatial.h"

namespace bkt {
namespace {

// Elements of column work per pool chunk below which a thread handoff costs more than it saves.
constexpr int64_t kColGrain = 1 << 15;

struct ConvGeom {
  int64_t n, c, h, w;  // data
  int64_t f, g;        // filters, groups
  int64_t kh, kw, sh, sw, dh, dw, ph, pw;
  int64_t oh, ow;
  bool noBias;

  int64_t cols() const { return oh * ow; }
  int64_t groupRows() const { return c / g * kh * kw; }
  int64_t fg() const { return f / g; }
  // A 1x1 kernel with unit stride and no padding: the image itself is its column matrix.
  bool direct() const { return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0; }
};

std::string str(int64_t v) { return std::to_string(v); }

ConvGeom convGeom(const KernelContext& k, const Tensor& data, const Tensor& weight, const char* op) {
  requireFloat(data, op, "data");
  requireDType(weight, data.dtype(), op, "weight");
  requireSameContext(data, weight, op);
  const int spatial = spatial::spatialAxes(data, op);
  const ConvolutionAttrs a = ConvolutionAttrs::read(k, op);
  ConvGeom g{};
  g.f = a.numFilter;
  g.g = a.numGroup;
  g.noBias = a.noBias;
  int64_t kern[2], stride[2], dilate[2], pad[2];
  spatial::axes(a.kernel, spatial, 0, 1, "kernel", op, kern);
  spatial::axes(a.stride, spatial, 1, 1, "stride", op, stride);
  spatial::axes(a.dilate, spatial, 1, 1, "dilate", op, dilate);
  spatial::axes(a.pad, spatial, 0, 0, "pad", op, pad);
  g.kh = kern[0], g.kw = kern[1], g.sh = stride[0], g.sw = stride[1];
  g.dh = dilate[0], g.dw = dilate[1], g.ph = pad[0], g.pw = pad[1];
  if (std::min({g.kh, g.kw, g.sh, g.sw, g.dh, g.dw}) <= 0 || std::min(g.ph, g.pw) < 0) {
    fail(ErrorKind::kValue, std::string(op) + ": kernel, stride and dilate must be positive and pad non-negative");
  }
  if (g.f <= 0 || g.g <= 0 || g.f % g.g != 0) {
    fail(ErrorKind::kValue,
         std::string(op) + ": num_filter " + str(g.f) + " must be a positive multiple of num_group " + str(g.g));
  }
  g.n = data.dim(0);
  g.c = data.dim(1);
  spatial::planeSize(data, g.h, g.w);
  if (g.c == 0) fail(ErrorKind::kShape, std::string(op) + ": data " + shapeStr(data.shape()) + " has no channels");
  if (g.c % g.g != 0) {
    fail(ErrorKind::kShape, std::string(op) + ": the " + str(g.c) + " channels of data " + shapeStr(data.shape()) +
                                " are not a multiple of num_group " + str(g.g));
  }
  const int64_t extH = g.dh * (g.kh - 1) + 1, extW = g.dw * (g.kw - 1) + 1;
  if (extH > g.h + 2 * g.ph || extW > g.w + 2 * g.pw) {
    fail(ErrorKind::kShape, std::string(op) + ": the dilated kernel exceeds the padded data " + shapeStr(data.shape()));
  }
  g.oh = (g.h + 2 * g.ph - extH) / g.sh + 1;
  g.ow = (g.w + 2 * g.pw - extW) / g.sw + 1;
  Shape want = spatial == 2 ? Shape{g.f, g.c / g.g, g.kh, g.kw} : Shape{g.f, g.c / g.g, g.kw};
  if (weight.shape() != want) {
    fail(ErrorKind::kShape, std::string(op) + ": weight has shape " + shapeStr(weight.shape()) + ", expected " +
                                shapeStr(want) + " for data " + shapeStr(data.shape()));
  }
  return g;
}

Shape outShape(const ConvGeom& g, int ndim) { return ndim == 4 ? Shape{g.n, g.f, g.oh, g.ow} : Shape{g.n, g.f, g.ow}; }

// Row (c, i, j) of the column matrix holds, for every output position (y, x), input pixel
// (y·sh + i·dh - ph, x·sw + j·dw - pw) of channel c, or 0 where that falls in the padding.
template <typename T>
void im2col(const T* x, const ConvGeom& g, T* col) {
  const int64_t p = g.cols();
  const int64_t grain = std::max<int64_t>(1, kColGrain / std::max<int64_t>(1, g.kh * g.kw * p));
  parallelFor(g.c, grain, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const T* xc = x + c * g.h * g.w;
      for (int64_t i = 0; i < g.kh; ++i) {
        for (int64_t j = 0; j < g.kw; ++j) {
          T* row = col + ((c * g.kh + i) * g.kw + j) * p;
          const int64_t offH = i * g.dh - g.ph, offW = j * g.dw - g.pw;
          int64_t lo, hi;
          spatial::validRange(g.ow, g.sw, offW, g.w, lo, hi);
          for (int64_t y = 0; y < g.oh; ++y) {
            T* r = row + y * g.ow;
            const int64_t iy = y * g.sh + offH;
            if (iy < 0 || iy >= g.h) {
              std::fill(r, r + g.ow, T(0));
              continue;
            }
            const T* xr = xc + iy * g.w;
            std::fill(r, r + lo, T(0));
            if (g.sw == 1) {
              std::memcpy(r + lo, xr + lo + offW, static_cast<size_t>(hi - lo) * sizeof(T));
            } else {
              for (int64_t o = lo; o < hi; ++o) r[o] = xr[o * g.sw + offW];
            }
            std::fill(r + hi, r + g.ow, T(0));
          }
        }
      }
    }
  });
}

// The adjoint of im2col: dx = 0, then every column entry is added to the pixel it was read from.
// Rows of one channel only touch that channel, so channels split across threads without races.
template <typename T>
void col2im(const T* col, const ConvGeom& g, T* dx) {
  const int64_t p = g.cols();
  const int64_t grain = std::max<int64_t>(1, kColGrain / std::max<int64_t>(1, g.kh * g.kw * p));
  parallelFor(g.c, grain, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      T* xc = dx + c * g.h * g.w;
      std::fill(xc, xc + g.h * g.w, T(0));
      for (int64_t i = 0; i < g.kh; ++i) {
        for (int64_t j = 0; j < g.kw; ++j) {
          const T* row = col + ((c * g.kh + i) * g.kw + j) * p;
          const int64_t offH = i * g.dh - g.ph, offW = j * g.dw - g.pw;
          int64_t lo, hi;
          spatial::validRange(g.ow, g.sw, offW, g.w, lo, hi);
          for (int64_t y = 0; y < g.oh; ++y) {
            const int64_t iy = y * g.sh + offH;
            if (iy < 0 || iy >= g.h) continue;
            const T* r = row + y * g.ow;
            T* xr = xc + iy * g.w;
            for (int64_t o = lo; o < hi; ++o) xr[o * g.sw + offW] += r[o];
          }
        }
      }
    }
  });
}

// The per-group products of one image, built once here for both the kernels and their bind-time
// declarations: y = w · columns (onto the bias rows unless noBias), dw += dy · columnsᵀ, dcolumns = wᵀ · dy.
GemmShape forwardProduct(const ConvGeom& g) {
  const int64_t p = g.cols(), rows = g.groupRows();
  return {false, false, g.fg(), p, rows, rows, p, p, 1.0f, g.noBias ? 0.0f : 1.0f};
}
GemmShape weightGradProduct(const ConvGeom& g) {
  const int64_t p = g.cols(), rows = g.groupRows();
  return {false, true, g.fg(), rows, p, p, p, rows, 1.0f, 1.0f};
}
GemmShape columnGradProduct(const ConvGeom& g) {
  const int64_t p = g.cols(), rows = g.groupRows();
  return {true, false, rows, p, g.fg(), rows, p, p, 1.0f, 0.0f};
}

// inputs: data, weight[, bias]; outputs: out, workspace.
ConvGeom forwardGeom(const KernelContext& k) {
  const char* op = "Convolution";
  k.requireAtLeast(op, 2, 2);
  const Tensor& data = k.in(0);
  const ConvGeom g = convGeom(k, data, k.in(1), op);
  k.requireArity(op, g.noBias ? 2 : 3, 2);
  if (!g.noBias) requireSize(k.in(2), g.f, op, "bias");
  spatial::requireShape(k.out(0), outShape(g, data.ndim()), op, "output");
  requireSize(k.out(1), g.c * g.kh * g.kw * g.cols(), op, "workspace");
  for (int i = 0; i < k.numInputs; ++i) requireDType(k.in(i), data.dtype(), op, "every input");
  for (int i = 0; i < k.numOutputs; ++i) requireDType(k.out(i), data.dtype(), op, "every output");
  return g;
}

void convForward(const KernelContext& k) {
  const ConvGeom g = forwardGeom(k);
  const Tensor& data = k.in(0);
  const Tensor& weight = k.in(1);
  const int64_t p = g.cols(), rows = g.groupRows(), fg = g.fg();
  const GemmShape product = forwardProduct(g);
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* w = weight.data<T>();
    T* col = k.out(1).data<T>();
    for (int64_t n = 0; n < g.n; ++n) {
      const T* x = data.data<T>() + n * g.c * g.h * g.w;
      T* y = k.out(0).data<T>() + n * g.f * p;
      const T* src = x;
      if (!g.direct()) {
        im2col(x, g, col);
        src = col;
      }
      if (!g.noBias) {
        // Each output row starts as its filter's bias and the GEMM adds onto it (beta 1).
        const T* b = k.in(2).data<T>();
        for (int64_t f = 0; f < g.f; ++f) std::fill(y + f * p, y + (f + 1) * p, b[f]);
      }
      for (int64_t q = 0; q < g.g; ++q) gemm(product, w + q * fg * rows, src + q * rows * p, y + q * fg * p);
    }
  });
}

void convForwardGemms(const KernelContext& k, std::vector<GemmShape>& out) {
  const ConvGeom g = forwardGeom(k);
  if (k.in(0).dtype() == DType::kFloat32 && g.n > 0) out.push_back(forwardProduct(g));
}

// inputs: out_grad, data, weight[, bias], workspace; outputs: d_data, d_weight[, d_bias].
ConvGeom backwardGeom(const KernelContext& k) {
  const char* op = "_backward_Convolution";
  k.requireAtLeast(op, 4, 2);
  const Tensor& data = k.in(1);
  const Tensor& weight = k.in(2);
  const ConvGeom g = convGeom(k, data, weight, op);
  k.requireArity(op, g.noBias ? 4 : 5, g.noBias ? 2 : 3);
  spatial::requireShape(k.in(0), outShape(g, data.ndim()), op, "out_grad");
  requireSize(k.in(k.numInputs - 1), g.c * g.kh * g.kw * g.cols(), op, "workspace");
  spatial::requireShape(k.out(0), data.shape(), op, "data gradient");
  spatial::requireShape(k.out(1), weight.shape(), op, "weight gradient");
  if (!g.noBias) requireSize(k.out(2), g.f, op, "bias gradient");
  for (int i = 0; i < k.numInputs; ++i) requireDType(k.in(i), data.dtype(), op, "every input");
  for (int i = 0; i < k.numOutputs; ++i) requireDType(k.out(i), data.dtype(), op, "every output");
  return g;
}

void convBackward(const KernelContext& k) {
  const ConvGeom g = backwardGeom(k);
  const Tensor& og = k.in(0);
  const Tensor& data = k.in(1);
  const Tensor& weight = k.in(2);
  const Tensor& ws = k.in(k.numInputs - 1);
  const int64_t p = g.cols(), rows = g.groupRows(), fg = g.fg();
  const GemmShape weightGrad = weightGradProduct(g), columnGrad = columnGradProduct(g);
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* w = weight.data<T>();
    T* col = ws.data<T>();
    T* dw = k.out(1).data<T>();
    std::fill(dw, dw + weight.size(), T(0));
    for (int64_t n = 0; n < g.n; ++n) {
      const T* x = data.data<T>() + n * g.c * g.h * g.w;
      T* dx = k.out(0).data<T>() + n * g.c * g.h * g.w;
      const T* dy = og.data<T>() + n * g.f * p;
      const T* src = x;
      if (!g.direct()) {
        im2col(x, g, col);
        src = col;
      }
      for (int64_t q = 0; q < g.g; ++q) gemm(weightGrad, dy + q * fg * p, src + q * rows * p, dw + q * fg * rows);
      // The columns are spent: the column gradient takes their place (or, direct, is dx itself).
      T* dcol = g.direct() ? dx : col;
      for (int64_t q = 0; q < g.g; ++q) gemm(columnGrad, w + q * fg * rows, dy + q * fg * p, dcol + q * rows * p);
      if (!g.direct()) col2im(col, g, dx);
    }
    if (!g.noBias) {
      T* db = k.out(2).data<T>();
      const T* dy = og.data<T>();
      parallelFor(g.f, std::max<int64_t>(1, kColGrain / std::max<int64_t>(1, g.n * p)), [&](int64_t f0, int64_t f1) {
        for (int64_t f = f0; f < f1; ++f) {
          T s = 0;
          for (int64_t n = 0; n < g.n; ++n) {
            const T* r = dy + (n * g.f + f) * p;
            for (int64_t i = 0; i < p; ++i) s += r[i];
          }
          db[f] = s;
        }
      });
    }
  });
}

void convBackwardGemms(const KernelContext& k, std::vector<GemmShape>& out) {
  const ConvGeom g = backwardGeom(k);
  if (k.in(1).dtype() != DType::kFloat32 || g.n == 0) return;
  out.push_back(weightGradProduct(g));
  out.push_back(columnGradProduct(g));
}

}  // namespace

BKT_PLAN_KERNEL(kConvolution, convForward);
BKT_PLAN_GEMM_SHAPES(kConvolution, convForwardGemms);
BKT_PLAN_KERNEL(kConvolutionBackward, convBackward);
BKT_PLAN_GEMM_SHAPES(kConvolutionBackward, convBackwardGemms);

}  // namespace bkt
