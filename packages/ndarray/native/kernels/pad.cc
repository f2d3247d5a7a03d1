// Pad (MXNet's Pad) of 4-D or 5-D data on its spatial axes; batch and channel are never padded.
// Attributes: PadAttrs (kernel_attrs.gen.h); pad_width holds (before, after) for every axis.
// Each output position reads the data position its coordinates map to, axis by axis: inside the
// data the same element; in the padding, none (constant: constant_value), the nearest edge element
// (edge), or the element mirrored about the edge, the edge itself not repeated (reflect, which needs
// every width below the axis length). Backward adds each output gradient into the data position it
// read, so an edge or mirrored element collects the gradients of every copy of it.
// Inputs: forward (data); backward (out_grad), whose output, the data gradient, gives the data shape.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "bkt/error.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/plan.h"

namespace bkt {
namespace {

constexpr int64_t kGrain = 1 << 14;  // output elements per chunk of planes

// The data position each output position of one spatial axis reads, or -1 for constant padding.
std::vector<int64_t> sources(int64_t size, int64_t before, int64_t after, PadMode mode) {
  std::vector<int64_t> src(static_cast<size_t>(before + size + after));
  for (int64_t o = 0; o < static_cast<int64_t>(src.size()); ++o) {
    const int64_t i = o - before;
    int64_t s = i;
    if (i < 0 || i >= size) {
      switch (mode) {
        case PadMode::kConstant:
          s = -1;
          break;
        case PadMode::kEdge:
          s = i < 0 ? 0 : size - 1;
          break;
        case PadMode::kReflect:
          s = i < 0 ? -i : 2 * (size - 1) - i;
          break;
      }
    }
    src[static_cast<size_t>(o)] = s;
  }
  return src;
}

// The problem as planes (batch × channel) of up to three spatial axes, a 4-D one with a depth of 1.
struct PadGeom {
  int64_t planes = 1;
  std::array<int64_t, 3> in{1, 1, 1}, out{1, 1, 1};
  std::array<std::vector<int64_t>, 3> src;

  int64_t inPlane() const { return in[0] * in[1] * in[2]; }
  int64_t outPlane() const { return out[0] * out[1] * out[2]; }
};

PadGeom padGeom(const PadAttrs& a, const Tensor& data, const Tensor& padded, const char* op) {
  const int nd = data.ndim();
  if (nd != 4 && nd != 5)
    fail(ErrorKind::kShape, std::string(op) + ": data must be 4-D or 5-D, got " + shapeStr(data.shape()));
  const std::vector<int64_t>& w = a.padWidth;
  if (static_cast<int64_t>(w.size()) != 2 * nd) {
    fail(ErrorKind::kValue, std::string(op) + ": pad_width has " + std::to_string(w.size()) + " values, " +
                                std::to_string(2 * nd) + " expected (before and after for every axis of " +
                                shapeStr(data.shape()) + ")");
  }
  if (w[0] != 0 || w[1] != 0 || w[2] != 0 || w[3] != 0) {
    fail(ErrorKind::kValue,
         std::string(op) + ": the batch and channel axes cannot be padded (pad_width must start with 0, 0, 0, 0)");
  }
  PadGeom g;
  g.planes = data.dim(0) * data.dim(1);
  Shape want{data.dim(0), data.dim(1)};
  for (int d = 2; d < nd; ++d) {
    const int64_t size = data.dim(d), before = w[static_cast<size_t>(2 * d)], after = w[static_cast<size_t>(2 * d + 1)];
    if (before < 0 || after < 0) fail(ErrorKind::kValue, std::string(op) + ": pad_width values must be non-negative");
    const bool pads = before > 0 || after > 0;
    if (pads && a.mode == PadMode::kEdge && size == 0) {
      fail(ErrorKind::kValue, std::string(op) + ": edge padding needs a non-empty axis " + std::to_string(d));
    }
    if (pads && a.mode == PadMode::kReflect && (before >= size || after >= size)) {
      fail(ErrorKind::kValue, std::string(op) + ": reflect padding of axis " + std::to_string(d) + " (length " +
                                  std::to_string(size) + ") needs widths below its length, got " +
                                  std::to_string(before) + " and " + std::to_string(after));
    }
    const size_t k = static_cast<size_t>(d - (nd - 3));
    g.in[k] = size;
    g.out[k] = before + size + after;
    g.src[k] = sources(size, before, after, a.mode);
    want.push_back(g.out[k]);
  }
  if (nd == 4) g.src[0] = {0};
  if (padded.shape() != want) {
    fail(ErrorKind::kShape,
         std::string(op) + ": the padded array has shape " + shapeStr(padded.shape()) + ", expected " + shapeStr(want));
  }
  return g;
}

// Calls f(outIndex, dataIndex) for every output position of one plane that reads the data, and
// constant(outIndex) for the others.
template <typename F, typename C>
void forEachPosition(const PadGeom& g, F f, C constant) {
  int64_t o = 0;
  for (int64_t z = 0; z < g.out[0]; ++z) {
    const int64_t sz = g.src[0][static_cast<size_t>(z)];
    for (int64_t y = 0; y < g.out[1]; ++y) {
      const int64_t sy = g.src[1][static_cast<size_t>(y)];
      for (int64_t x = 0; x < g.out[2]; ++x, ++o) {
        const int64_t sx = g.src[2][static_cast<size_t>(x)];
        if (sz < 0 || sy < 0 || sx < 0) {
          constant(o);
        } else {
          f(o, (sz * g.in[1] + sy) * g.in[2] + sx);
        }
      }
    }
  }
}

int64_t planeGrain(const PadGeom& g) { return std::max<int64_t>(1, kGrain / std::max<int64_t>(1, g.outPlane())); }

void padForward(const KernelContext& c) {
  const char* op = "Pad";
  c.requireArity(op, 1, 1);
  const Tensor& data = c.in(0);
  const Tensor& out = c.out(0);
  requireFloat(data, op, "data");
  requireDType(out, data.dtype(), op, "output");
  if (out.raw() == data.raw() && out.size() > 0) fail(ErrorKind::kValue, std::string(op) + ": cannot run in place");
  const PadAttrs a = PadAttrs::read(c, op);
  const PadGeom g = padGeom(a, data, out, op);
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = data.data<T>();
    T* y = out.data<T>();
    const T fillValue = static_cast<T>(a.constantValue);
    parallelFor(g.planes, planeGrain(g), [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        const T* xp = x + p * g.inPlane();
        T* yp = y + p * g.outPlane();
        forEachPosition(
            g, [=](int64_t o, int64_t i) { yp[o] = xp[i]; }, [=](int64_t o) { yp[o] = fillValue; });
      }
    });
  });
}

void padBackward(const KernelContext& c) {
  const char* op = "_backward_Pad";
  c.requireArity(op, 1, 1);
  const Tensor& og = c.in(0);
  const Tensor& grad = c.out(0);
  requireFloat(grad, op, "data gradient");
  requireDType(og, grad.dtype(), op, "out_grad");
  if (og.raw() == grad.raw() && grad.size() > 0) fail(ErrorKind::kValue, std::string(op) + ": cannot run in place");
  const PadGeom g = padGeom(PadAttrs::read(c, op), grad, og, op);
  dispatchFloat(grad.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* dy = og.data<T>();
    T* dx = grad.data<T>();
    // Each plane's data gradient is written by one chunk only, so the sums need no synchronization.
    parallelFor(g.planes, planeGrain(g), [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        const T* dyp = dy + p * g.outPlane();
        T* dxp = dx + p * g.inPlane();
        std::fill(dxp, dxp + g.inPlane(), T(0));
        forEachPosition(
            g, [=](int64_t o, int64_t i) { dxp[i] += dyp[o]; }, [](int64_t) {});
      }
    });
  });
}

}  // namespace

BKT_PLAN_KERNEL(kPad, padForward);
BKT_PLAN_KERNEL(kPadBackward, padBackward);

}  // namespace bkt
