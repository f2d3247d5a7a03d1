// Pooling of channel-first data, 1-D (N, C, W) or 2-D (N, C, H, W), with MXNet 1.x's CPU semantics:
// - max takes the largest input inside the window clipped to the data (padding never wins; a window
//   wholly in the padding gives the lowest finite value); its gradient goes to the first input of the
//   window equal to the output, as MXNet finds it from the forward output.
// - sum adds the clipped window; avg divides that sum by the window clipped to the padded data
//   (count_include_pad, the default) or to the data itself. An empty window averages to 0.
// - global_pool pools each whole plane (kernel = the plane, stride 1, no padding).
// The output size follows pooling_convention (valid: floor, full: ceil, same: ceil(x / stride)) and
// is checked against the plan's output shape. A 1-D problem runs as 2-D with a height of 1.
// Plan attributes: PoolingAttrs (kernel_attrs.gen.h); an empty stride is 1, an empty pad 0.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "bkt/error.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/plan.h"
#include "spatial.h"

namespace bkt {
namespace {

constexpr int64_t kWindowGrain = 1 << 15;  // window elements per pool chunk

struct PoolGeom {
  int64_t planes, h, w;
  int64_t kh, kw, sh, sw, ph, pw;
  int64_t oh, ow;
  PoolType type;
  bool countPad;

  // A pool chunk's worth of planes.
  int64_t grain() const { return std::max<int64_t>(1, kWindowGrain / std::max<int64_t>(1, oh * ow * kh * kw)); }
};

// One output position's window: [hs, he) x [ws, we) clipped to the data, and the divisor avg uses.
struct Window {
  int64_t hs, he, ws, we, size;
};

Window window(const PoolGeom& g, int64_t y, int64_t x) {
  Window win{};
  win.hs = y * g.sh - g.ph;
  win.ws = x * g.sw - g.pw;
  win.he = std::min(win.hs + g.kh, g.h + g.ph);
  win.we = std::min(win.ws + g.kw, g.w + g.pw);
  win.size = std::max<int64_t>(0, win.he - win.hs) * std::max<int64_t>(0, win.we - win.ws);
  win.hs = std::max<int64_t>(win.hs, 0);
  win.ws = std::max<int64_t>(win.ws, 0);
  win.he = std::min(win.he, g.h);
  win.we = std::min(win.we, g.w);
  win.he = std::max(win.he, win.hs);
  win.we = std::max(win.we, win.ws);
  if (!g.countPad) win.size = (win.he - win.hs) * (win.we - win.ws);
  return win;
}

int64_t outputSize(PoolingConvention convention, int64_t x, int64_t k, int64_t s, int64_t p) {
  const int64_t padded = x + 2 * p;
  if (convention == PoolingConvention::kSame) return (padded + s - 1) / s;
  if (k > padded) return -1;
  const int64_t steps = padded - k;
  return 1 + (convention == PoolingConvention::kFull ? (steps + s - 1) / s : steps / s);
}

PoolGeom poolGeom(const KernelContext& k, const Tensor& data, const char* op) {
  requireFloat(data, op, "data");
  const int spatial = spatial::spatialAxes(data, op);
  const PoolingAttrs a = PoolingAttrs::read(k, op);
  PoolGeom g{};
  g.type = a.poolType;
  g.countPad = a.countIncludePad;
  g.planes = data.dim(0) * data.dim(1);
  spatial::planeSize(data, g.h, g.w);
  if (a.globalPool) {
    g.kh = g.h, g.kw = g.w, g.sh = g.sw = 1, g.ph = g.pw = 0;
    g.oh = g.ow = 1;
    return g;
  }
  int64_t kern[2], stride[2], pad[2];
  spatial::axes(a.kernel, spatial, 0, 1, "kernel", op, kern);
  spatial::axes(a.stride, spatial, 1, 1, "stride", op, stride);
  spatial::axes(a.pad, spatial, 0, 0, "pad", op, pad);
  g.kh = kern[0], g.kw = kern[1], g.sh = stride[0], g.sw = stride[1], g.ph = pad[0], g.pw = pad[1];
  if (std::min({g.kh, g.kw, g.sh, g.sw}) <= 0 || std::min(g.ph, g.pw) < 0) {
    fail(ErrorKind::kValue, std::string(op) + ": kernel and stride must be positive and pad non-negative");
  }
  g.oh = outputSize(a.poolingConvention, g.h, g.kh, g.sh, g.ph);
  g.ow = outputSize(a.poolingConvention, g.w, g.kw, g.sw, g.pw);
  if (g.oh < 0 || g.ow < 0) {
    fail(ErrorKind::kShape, std::string(op) + ": the kernel exceeds the padded data " + shapeStr(data.shape()));
  }
  return g;
}

Shape outShape(const Tensor& data, const PoolGeom& g) {
  return data.ndim() == 4 ? Shape{data.dim(0), data.dim(1), g.oh, g.ow} : Shape{data.dim(0), data.dim(1), g.ow};
}

template <typename T>
void poolPlane(const T* x, const PoolGeom& g, T* out) {
  for (int64_t y = 0; y < g.oh; ++y) {
    for (int64_t xo = 0; xo < g.ow; ++xo) {
      const Window win = window(g, y, xo);
      T r;
      if (g.type == PoolType::kMax) {
        r = std::numeric_limits<T>::lowest();
        for (int64_t i = win.hs; i < win.he; ++i) {
          for (int64_t j = win.ws; j < win.we; ++j) r = x[i * g.w + j] > r ? x[i * g.w + j] : r;
        }
      } else {
        r = 0;
        for (int64_t i = win.hs; i < win.he; ++i) {
          for (int64_t j = win.ws; j < win.we; ++j) r += x[i * g.w + j];
        }
        if (g.type == PoolType::kAvg) r = win.size > 0 ? r / static_cast<T>(win.size) : T(0);
      }
      out[y * g.ow + xo] = r;
    }
  }
}

template <typename T>
void unpoolPlane(const T* dy, const T* x, const T* y, const PoolGeom& g, T* dx) {
  std::fill(dx, dx + g.h * g.w, T(0));
  for (int64_t oy = 0; oy < g.oh; ++oy) {
    for (int64_t ox = 0; ox < g.ow; ++ox) {
      const int64_t o = oy * g.ow + ox;
      const Window win = window(g, oy, ox);
      if (g.type == PoolType::kMax) {
        for (int64_t i = win.hs; i < win.he; ++i) {
          int64_t j = win.ws;
          while (j < win.we && x[i * g.w + j] != y[o]) ++j;
          if (j < win.we) {
            dx[i * g.w + j] += dy[o];
            break;
          }
        }
      } else {
        if (g.type == PoolType::kAvg && win.size <= 0) continue;
        const T share = g.type == PoolType::kAvg ? dy[o] / static_cast<T>(win.size) : dy[o];
        for (int64_t i = win.hs; i < win.he; ++i) {
          for (int64_t j = win.ws; j < win.we; ++j) dx[i * g.w + j] += share;
        }
      }
    }
  }
}

// inputs: data; outputs: out.
void poolForward(const KernelContext& k) {
  const char* op = "Pooling";
  k.requireArity(op, 1, 1);
  const Tensor& data = k.in(0);
  const PoolGeom g = poolGeom(k, data, op);
  spatial::requireShape(k.out(0), outShape(data, g), op, "output");
  requireDType(k.out(0), data.dtype(), op, "output");
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = data.data<T>();
    T* out = k.out(0).data<T>();
    parallelFor(g.planes, g.grain(), [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) poolPlane(x + p * g.h * g.w, g, out + p * g.oh * g.ow);
    });
  });
}

// inputs: out_grad, data, out_data; outputs: d_data.
void poolBackward(const KernelContext& k) {
  const char* op = "_backward_Pooling";
  k.requireArity(op, 3, 1);
  const Tensor& data = k.in(1);
  const PoolGeom g = poolGeom(k, data, op);
  const Shape out = outShape(data, g);
  spatial::requireShape(k.in(0), out, op, "out_grad");
  spatial::requireShape(k.in(2), out, op, "out_data");
  spatial::requireShape(k.out(0), data.shape(), op, "data gradient");
  for (int i = 0; i < 3; ++i) requireDType(k.in(i), data.dtype(), op, "every input");
  requireDType(k.out(0), data.dtype(), op, "data gradient");
  // Max pooling finds each window's winner in data, which a gradient sharing its memory would
  // overwrite (MXNet's FInplaceOption allows the sharing; the executor does not use it).
  if (g.type == PoolType::kMax && k.out(0).raw() == data.raw()) {
    fail(ErrorKind::kValue, std::string(op) + ": max pooling cannot write the data gradient over data");
  }
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* dy = k.in(0).data<T>();
    const T* x = data.data<T>();
    const T* y = k.in(2).data<T>();
    T* dx = k.out(0).data<T>();
    const int64_t in = g.h * g.w, on = g.oh * g.ow;
    parallelFor(g.planes, g.grain(), [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) unpoolPlane(dy + p * on, x + p * in, y + p * on, g, dx + p * in);
    });
  });
}

}  // namespace

BKT_PLAN_KERNEL(kPooling, poolForward);
BKT_PLAN_KERNEL(kPoolingBackward, poolBackward);

}  // namespace bkt
