// Plan kernels of @bkt/symbol's element-wise family: unary math, clip, the `_*_scalar` ops, the
// same-shape binary ops (elemwise_*, _power, _maximum, _minimum) and broadcast_*, with every hidden
// backward kernel. Forward kernels run the imperative code of unary.cc and binary.cc through its
// write-into entry points; the backward math lives here.
//
// Attributes (kernel_attrs.gen.h): ClipAttrs for clip and clip_backward, ScalarAttrs for every
// *_scalar kernel and *_scalar_backward; all others none.
// Inputs of the backward kernels (the symbol package's hidden ops):
//   <unary>_backward, clip_backward, <scalar>_backward: out_grad, then out_data for sqrt, relu,
//     sigmoid, tanh and rpower_scalar, in_data for the others; one output, the input gradient.
//   elemwise_sub_backward, broadcast_add_backward, broadcast_sub_backward: out_grad; the other
//   binary backward kernels: out_grad, lhs, rhs. Outputs: the lhs gradient, the rhs gradient, each
//   of its input's shape (broadcast_* sum the gradient over the axes that input was broadcast along).
//
// float16 and bfloat16 arrays compute in float32 per element and round on store (half_compute.h); the broadcast
// gradients accumulate in double as for the other types.
//
// Outputs may be the very arrays of inputs (the executor runs these in place): element loops read
// every operand of an element before writing it, and a backward kernel that reduces computes the
// outputs overlapping an input last.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "bkt/elemwise.h"
#include "bkt/error.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/plan.h"
#include "elemwise_loop.h"
#include "half_compute.h"

namespace bkt {
namespace {

using elemwise::broadcastStrides;
using elemwise::kCheapGrain;
using elemwise::kCostlyGrain;
using half::load;
using half::store;

// `t` (argument `arg` of op) must have `ref`'s dtype and shape.
void requireLike(const Tensor& t, const Tensor& ref, const char* op, const char* arg, const char* refArg) {
  if (t.dtype() != ref.dtype()) {
    fail(ErrorKind::kDType, std::string(op) + ": " + arg + " is " + dtypeName(t.dtype()) + " but " + refArg + " is " +
                                dtypeName(ref.dtype()));
  }
  if (t.shape() != ref.shape()) {
    fail(ErrorKind::kShape, std::string(op) + ": " + arg + " " + shapeStr(t.shape()) + " does not match " + refArg +
                                " " + shapeStr(ref.shape()));
  }
  requireSameContext(t, ref, op);
}

// ---- unary forward

template <UnaryOp Op>
void unaryKernel(const KernelContext& c) {
  c.requireArity(unaryOpName(Op), 1, 1);
  unaryInto(Op, c.in(0), c.out(0));
}

// softsign has no imperative op (MXNet only has it as a symbol and an Activation type).
void softsignKernel(const KernelContext& c) {
  c.requireArity("softsign", 1, 1);
  half::requireFloatOrHalf(c.in(0), "softsign", "data");
  requireElementwiseOut(c.in(0), c.out(0), "softsign");
  half::dispatchFloatOrHalf(c.in(0).dtype(), [&](auto tag) {
    using S = decltype(tag);
    using T = half::Compute<S>;
    const S* x = c.in(0).data<S>();
    S* o = c.out(0).data<S>();
    parallelFor(c.out(0).size(), kCheapGrain, [=](int64_t b, int64_t e) BKT_VECTOR_CLONES {
      for (int64_t i = b; i < e; ++i) {
        const T v = load(x[i]);
        o[i] = store<S>(v / (T(1) + std::abs(v)));
      }
    });
  });
}

void clipKernel(const KernelContext& c) {
  c.requireArity("clip", 1, 1);
  const ClipAttrs a = ClipAttrs::read(c, "clip");
  clipInto(c.in(0), a.aMin, a.aMax, c.out(0));
}

void scalarForward(const KernelContext& c, const char* op, BinaryOp bop, bool scalarOnLeft) {
  c.requireArity(op, 1, 1);
  binaryScalarInto(bop, c.in(0), ScalarAttrs::read(c, op).scalar, scalarOnLeft, c.out(0));
}

// ---- unary backward: in_grad = f(out_grad, v) with v the forward input or output.

template <typename F>
void unaryGrad(const KernelContext& c, const char* op, const char* second, int64_t grain, F f) {
  c.requireArity(op, 2, 1);
  half::requireFloatOrHalf(c.in(0), op, "out_grad");
  requireLike(c.in(1), c.in(0), op, second, "out_grad");
  requireLike(c.out(0), c.in(0), op, "the input gradient", "out_grad");
  half::dispatchFloatOrHalf(c.in(0).dtype(), [&](auto tag) {
    using S = decltype(tag);
    const S* g = c.in(0).data<S>();
    const S* v = c.in(1).data<S>();
    S* o = c.out(0).data<S>();
    parallelFor(c.out(0).size(), grain, [=](int64_t b, int64_t e) BKT_VECTOR_CLONES {
      for (int64_t i = b; i < e; ++i) o[i] = store<S>(f(load(g[i]), load(v[i])));
    });
  });
}

void absBackward(const KernelContext& c) {
  unaryGrad(c, "_backward_abs", "in_data", kCheapGrain, [](auto g, auto x) {
    using T = decltype(x);
    return x > 0 ? g : x < 0 ? -g : T(0);
  });
}
void logBackward(const KernelContext& c) {
  unaryGrad(c, "_backward_log", "in_data", kCheapGrain, [](auto g, auto x) { return g / x; });
}
void sqrtBackward(const KernelContext& c) {
  unaryGrad(c, "_backward_sqrt", "out_data", kCheapGrain, [](auto g, auto y) { return g / (y + y); });
}
void rsqrtBackward(const KernelContext& c) {
  unaryGrad(c, "_backward_rsqrt", "in_data", kCostlyGrain, [](auto g, auto x) {
    using T = decltype(x);
    return T(-0.5) * g / (x * std::sqrt(x));
  });
}
// d/dx erf(x) = 2/sqrt(pi) * exp(-x^2).
void erfBackward(const KernelContext& c) {
  unaryGrad(c, "_backward_erf", "in_data", kCostlyGrain, [](auto g, auto x) {
    using T = decltype(x);
    return static_cast<T>(M_2_SQRTPI) * std::exp(-x * x) * g;
  });
}
void squareBackward(const KernelContext& c) {
  unaryGrad(c, "_backward_square", "in_data", kCheapGrain, [](auto g, auto x) { return (x + x) * g; });
}
// MXNet's sign has a zero gradient, yet its backward op still reads the input.
void signBackward(const KernelContext& c) {
  unaryGrad(c, "_backward_sign", "in_data", kCheapGrain, [](auto, auto x) { return decltype(x)(0); });
}
void reluBackward(const KernelContext& c) {
  unaryGrad(c, "_backward_relu", "out_data", kCheapGrain, [](auto g, auto y) { return y > 0 ? g : decltype(y)(0); });
}
void sigmoidBackward(const KernelContext& c) {
  unaryGrad(c, "_backward_sigmoid", "out_data", kCheapGrain, [](auto g, auto y) {
    using T = decltype(y);
    return g * y * (T(1) - y);
  });
}
void tanhBackward(const KernelContext& c) {
  unaryGrad(c, "_backward_tanh", "out_data", kCheapGrain, [](auto g, auto y) {
    using T = decltype(y);
    return g * (T(1) - y * y);
  });
}
void softsignBackward(const KernelContext& c) {
  unaryGrad(c, "_backward_softsign", "in_data", kCheapGrain, [](auto g, auto x) {
    using T = decltype(x);
    const T d = T(1) + std::abs(x);
    return g / (d * d);
  });
}
void reciprocalBackward(const KernelContext& c) {
  unaryGrad(c, "_backward_reciprocal", "in_data", kCheapGrain, [](auto g, auto x) { return -g / (x * x); });
}
// As MXNet: the gradient passes where a_min <= x <= a_max, bounds included.
void clipBackward(const KernelContext& c) {
  const ClipAttrs a = ClipAttrs::read(c, "_backward_clip");
  const double lo = a.aMin, hi = a.aMax;
  unaryGrad(c, "_backward_clip", "in_data", kCheapGrain, [lo, hi](auto g, auto x) {
    using T = decltype(x);
    return x >= T(lo) && x <= T(hi) ? g : T(0);
  });
}
void rdivScalarBackward(const KernelContext& c) {
  const double s = ScalarAttrs::read(c, "_backward_rdiv_scalar").scalar;
  unaryGrad(c, "_backward_rdiv_scalar", "in_data", kCheapGrain, [s](auto g, auto x) {
    using T = decltype(x);
    return -T(s) * g / (x * x);
  });
}
void powerScalarBackward(const KernelContext& c) {
  const double s = ScalarAttrs::read(c, "_backward_power_scalar").scalar;
  unaryGrad(c, "_backward_power_scalar", "in_data", kCostlyGrain, [s](auto g, auto x) {
    using T = decltype(x);
    return g * T(s) * std::pow(x, T(s - 1));
  });
}
void rpowerScalarBackward(const KernelContext& c) {
  const double s = ScalarAttrs::read(c, "_backward_rpower_scalar").scalar;
  unaryGrad(c, "_backward_rpower_scalar", "out_data", kCheapGrain, [s](auto g, auto y) {
    using T = decltype(y);
    return g * y * T(std::log(s));
  });
}
void maximumScalarBackward(const KernelContext& c) {
  const double s = ScalarAttrs::read(c, "_backward_maximum_scalar").scalar;
  unaryGrad(c, "_backward_maximum_scalar", "in_data", kCheapGrain, [s](auto g, auto x) {
    using T = decltype(x);
    return x >= T(s) ? g : T(0);
  });
}
void minimumScalarBackward(const KernelContext& c) {
  const double s = ScalarAttrs::read(c, "_backward_minimum_scalar").scalar;
  unaryGrad(c, "_backward_minimum_scalar", "in_data", kCheapGrain, [s](auto g, auto x) {
    using T = decltype(x);
    return x <= T(s) ? g : T(0);
  });
}

// ---- binary forward

void sameShapeForward(const KernelContext& c, const char* op, BinaryOp bop) {
  c.requireArity(op, 2, 1);
  requireSameShape(c.in(0), c.in(1), op);
  binaryInto(bop, c.in(0), c.in(1), c.out(0));
}

void broadcastForward(const KernelContext& c, const char* op, BinaryOp bop) {
  c.requireArity(op, 2, 1);
  binaryInto(bop, c.in(0), c.in(1), c.out(0));
}

// ---- binary backward. A gradient rule gives d(out)/d(lhs) and d(out)/d(rhs) times out_grad g at
// one element, from lhs l and rhs r (ignored when kUsesInputs is false).

struct AddGrad {
  static constexpr bool kUsesInputs = false;
  static constexpr int64_t kGrain = kCheapGrain;
  template <typename T>
  static T lhs(T g, T, T) {
    return g;
  }
  template <typename T>
  static T rhs(T g, T, T) {
    return g;
  }
};
struct SubGrad {
  static constexpr bool kUsesInputs = false;
  static constexpr int64_t kGrain = kCheapGrain;
  template <typename T>
  static T lhs(T g, T, T) {
    return g;
  }
  template <typename T>
  static T rhs(T g, T, T) {
    return -g;
  }
};
struct MulGrad {
  static constexpr bool kUsesInputs = true;
  static constexpr int64_t kGrain = kCheapGrain;
  template <typename T>
  static T lhs(T g, T, T r) {
    return g * r;
  }
  template <typename T>
  static T rhs(T g, T l, T) {
    return g * l;
  }
};
struct DivGrad {
  static constexpr bool kUsesInputs = true;
  static constexpr int64_t kGrain = kCheapGrain;
  template <typename T>
  static T lhs(T g, T, T r) {
    return g / r;
  }
  template <typename T>
  static T rhs(T g, T l, T r) {
    return -g * l / (r * r);
  }
};
struct PowerGrad {
  static constexpr bool kUsesInputs = true;
  static constexpr int64_t kGrain = kCostlyGrain;
  template <typename T>
  static T lhs(T g, T l, T r) {
    return g * r * std::pow(l, r - T(1));
  }
  template <typename T>
  static T rhs(T g, T l, T r) {
    return g * std::pow(l, r) * std::log(l);
  }
};
// Ties go to lhs, as MXNet's ge/lt (maximum) and le/gt (minimum) masks send them.
struct MaximumGrad {
  static constexpr bool kUsesInputs = true;
  static constexpr int64_t kGrain = kCheapGrain;
  template <typename T>
  static T lhs(T g, T l, T r) {
    return l >= r ? g : T(0);
  }
  template <typename T>
  static T rhs(T g, T l, T r) {
    return l < r ? g : T(0);
  }
};
struct MinimumGrad {
  static constexpr bool kUsesInputs = true;
  static constexpr int64_t kGrain = kCheapGrain;
  template <typename T>
  static T lhs(T g, T l, T r) {
    return l <= r ? g : T(0);
  }
  template <typename T>
  static T rhs(T g, T l, T r) {
    return l > r ? g : T(0);
  }
};

// A loop over some dims of out_grad's shape, outermost first, with each operand's element stride.
struct Loop {
  std::vector<int64_t> dim, g, l, r;

  void push(int64_t d, int64_t sg, int64_t sl, int64_t sr) {
    // Folds into the previous (outer) dim when every operand steps through both as through one.
    if (!dim.empty() && g.back() == sg * d && l.back() == sl * d && r.back() == sr * d) {
      dim.back() *= d;
      g.back() = sg;
      l.back() = sl;
      r.back() = sr;
      return;
    }
    dim.push_back(d);
    g.push_back(sg);
    l.push_back(sl);
    r.push_back(sr);
  }
  int64_t count() const {
    int64_t n = 1;
    for (int64_t d : dim) n *= d;
    return n;
  }
};

// Writes gradient K (0: lhs, 1: rhs) of shape `target`: the rule summed over out_grad's axes along
// which that input was broadcast. Target element j is the j-th combination of the kept axes in
// row-major order, which is its offset since the target is contiguous.
template <typename G, int K, typename T>
void reduceGradient(const Tensor& grad, const Shape& ls, const Shape& rs, const T* l, const T* r, T* out) {
  const Shape& os = grad.shape();
  const size_t nd = os.size();
  const std::vector<int64_t> sl = broadcastStrides(ls, nd);
  const std::vector<int64_t> sr = broadcastStrides(rs, nd);
  const std::vector<int64_t>& st = K == 0 ? sl : sr;
  Loop kept, reduced;
  int64_t step = 1;
  std::vector<int64_t> sg(nd);
  for (size_t k = nd; k-- > 0;) {
    sg[k] = step;
    step *= os[k];
  }
  for (size_t k = 0; k < nd; ++k) {
    if (os[k] == 1) continue;
    (st[k] != 0 ? kept : reduced).push(os[k], sg[k], G::kUsesInputs ? sl[k] : 0, G::kUsesInputs ? sr[k] : 0);
  }
  const T* g = grad.data<T>();
  const int64_t targetSize = kept.count();
  const int64_t perTarget = reduced.count();
  if (perTarget == 0) {
    std::fill(out, out + targetSize, store<T>(0.0));
    return;
  }
  const auto rule = [](T gs, T ls, T rs) {
    const auto gv = load(gs), lv = load(ls), rv = load(rs);
    return K == 0 ? G::lhs(gv, lv, rv) : G::rhs(gv, lv, rv);
  };
  const size_t nk = kept.dim.size();
  const size_t nr = reduced.dim.size();
  const int64_t grain = std::max<int64_t>(1, G::kGrain / perTarget);
  parallelFor(targetSize, grain, [&](int64_t begin, int64_t end) BKT_VECTOR_CLONES {
    std::vector<int64_t> idx(nr);
    for (int64_t j = begin; j < end; ++j) {
      int64_t rest = j, og = 0, ol = 0, orr = 0;
      for (size_t d = nk; d-- > 0;) {
        const int64_t i = rest % kept.dim[d];
        rest /= kept.dim[d];
        og += i * kept.g[d];
        ol += i * kept.l[d];
        orr += i * kept.r[d];
      }
      if (nr == 0) {
        out[j] = store<T>(rule(g[og], l[ol], r[orr]));
        continue;
      }
      // The innermost reduced dim runs as a plain loop; the outer ones advance like an odometer.
      const int64_t n = reduced.dim[nr - 1], ig = reduced.g[nr - 1], il = reduced.l[nr - 1], ir = reduced.r[nr - 1];
      std::fill(idx.begin(), idx.end(), 0);
      double acc = 0;
      for (;;) {
        for (int64_t i = 0; i < n; ++i) acc += rule(g[og + i * ig], l[ol + i * il], r[orr + i * ir]);
        size_t d = nr - 1;
        for (; d-- > 0;) {
          og += reduced.g[d];
          ol += reduced.l[d];
          orr += reduced.r[d];
          if (++idx[d] < reduced.dim[d]) break;
          og -= reduced.g[d] * reduced.dim[d];
          ol -= reduced.l[d] * reduced.dim[d];
          orr -= reduced.r[d] * reduced.dim[d];
          idx[d] = 0;
        }
        if (d == static_cast<size_t>(-1)) break;
      }
      out[j] = store<T>(acc);
    }
  });
}

template <typename G>
void binaryBackward(const KernelContext& c, const char* op, bool broadcast) {
  c.requireArity(op, G::kUsesInputs ? 3 : 1, 2);
  const Tensor& grad = c.in(0);
  half::requireFloatOrHalf(grad, op, "out_grad");
  const char* names[2] = {"lhs gradient", "rhs gradient"};
  for (int k = 0; k < 2; ++k) {
    const Tensor& o = c.out(k);
    if (o.dtype() != grad.dtype()) {
      fail(ErrorKind::kDType, std::string(op) + ": the " + names[k] + " is " + dtypeName(o.dtype()) +
                                  " but out_grad is " + dtypeName(grad.dtype()));
    }
    requireSameContext(o, grad, op);
    const bool fits =
        broadcast ? broadcastShape(o.shape(), grad.shape(), op) == grad.shape() : o.shape() == grad.shape();
    if (!fits) {
      fail(ErrorKind::kShape, std::string(op) + ": the " + names[k] + " " + shapeStr(o.shape()) +
                                  (broadcast ? " does not broadcast to" : " does not match") + " out_grad " +
                                  shapeStr(grad.shape()));
    }
    if (G::kUsesInputs) requireLike(c.in(1 + k), o, op, k == 0 ? "lhs" : "rhs", names[k]);
  }
  const Shape& ls = c.out(0).shape();
  const Shape& rs = c.out(1).shape();
  half::dispatchFloatOrHalf(grad.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* g = grad.data<T>();
    // Without inputs the rules ignore l and r: point them at out_grad so every read stays in bounds.
    const T* l = G::kUsesInputs ? c.in(1).data<T>() : g;
    const T* r = G::kUsesInputs ? c.in(2).data<T>() : g;
    T* ol = c.out(0).data<T>();
    T* orr = c.out(1).data<T>();
    if (ls == grad.shape() && rs == grad.shape()) {
      parallelFor(grad.size(), G::kGrain, [=](int64_t b, int64_t e) BKT_VECTOR_CLONES {
        for (int64_t i = b; i < e; ++i) {
          const auto gv = load(g[i]), lv = load(l[i]), rv = load(r[i]);
          ol[i] = store<T>(G::lhs(gv, lv, rv));
          orr[i] = store<T>(G::rhs(gv, lv, rv));
        }
      });
      return;
    }
    const auto aliases = [&](const Tensor& o) {
      for (int i = 0; i < c.numInputs; ++i) {
        if (overlaps(o, c.in(i))) return true;
      }
      return false;
    };
    if (aliases(c.out(0))) {
      reduceGradient<G, 1>(grad, ls, rs, l, r, orr);
      reduceGradient<G, 0>(grad, ls, rs, l, r, ol);
    } else {
      reduceGradient<G, 0>(grad, ls, rs, l, r, ol);
      reduceGradient<G, 1>(grad, ls, rs, l, r, orr);
    }
  });
}

void plusScalar(const KernelContext& c) { scalarForward(c, "_plus_scalar", BinaryOp::kAdd, false); }
void minusScalar(const KernelContext& c) { scalarForward(c, "_minus_scalar", BinaryOp::kSub, false); }
void rminusScalar(const KernelContext& c) { scalarForward(c, "_rminus_scalar", BinaryOp::kSub, true); }
void divScalar(const KernelContext& c) { scalarForward(c, "_div_scalar", BinaryOp::kDiv, false); }
void rdivScalar(const KernelContext& c) { scalarForward(c, "_rdiv_scalar", BinaryOp::kDiv, true); }
void powerScalar(const KernelContext& c) { scalarForward(c, "_power_scalar", BinaryOp::kPow, false); }
void rpowerScalar(const KernelContext& c) { scalarForward(c, "_rpower_scalar", BinaryOp::kPow, true); }
void maximumScalar(const KernelContext& c) { scalarForward(c, "_maximum_scalar", BinaryOp::kMaximum, false); }
void minimumScalar(const KernelContext& c) { scalarForward(c, "_minimum_scalar", BinaryOp::kMinimum, false); }
void equalScalar(const KernelContext& c) { scalarForward(c, "_equal_scalar", BinaryOp::kEqual, false); }
void notEqualScalar(const KernelContext& c) { scalarForward(c, "_not_equal_scalar", BinaryOp::kNotEqual, false); }
void greaterScalar(const KernelContext& c) { scalarForward(c, "_greater_scalar", BinaryOp::kGreater, false); }
void greaterEqualScalar(const KernelContext& c) {
  scalarForward(c, "_greater_equal_scalar", BinaryOp::kGreaterEqual, false);
}
void lesserScalar(const KernelContext& c) { scalarForward(c, "_lesser_scalar", BinaryOp::kLesser, false); }
void lesserEqualScalar(const KernelContext& c) {
  scalarForward(c, "_lesser_equal_scalar", BinaryOp::kLesserEqual, false);
}

void elemwiseSub(const KernelContext& c) { sameShapeForward(c, "elemwise_sub", BinaryOp::kSub); }
void elemwiseMul(const KernelContext& c) { sameShapeForward(c, "elemwise_mul", BinaryOp::kMul); }
void elemwiseDiv(const KernelContext& c) { sameShapeForward(c, "elemwise_div", BinaryOp::kDiv); }
void power(const KernelContext& c) { sameShapeForward(c, "_power", BinaryOp::kPow); }
void maximum(const KernelContext& c) { sameShapeForward(c, "_maximum", BinaryOp::kMaximum); }
void minimum(const KernelContext& c) { sameShapeForward(c, "_minimum", BinaryOp::kMinimum); }
void elemwiseSubBackward(const KernelContext& c) { binaryBackward<SubGrad>(c, "_backward_sub", false); }
void elemwiseMulBackward(const KernelContext& c) { binaryBackward<MulGrad>(c, "_backward_mul", false); }
void elemwiseDivBackward(const KernelContext& c) { binaryBackward<DivGrad>(c, "_backward_div", false); }
void powerBackward(const KernelContext& c) { binaryBackward<PowerGrad>(c, "_backward_power", false); }
void maximumBackward(const KernelContext& c) { binaryBackward<MaximumGrad>(c, "_backward_maximum", false); }
void minimumBackward(const KernelContext& c) { binaryBackward<MinimumGrad>(c, "_backward_minimum", false); }

void broadcastAdd(const KernelContext& c) { broadcastForward(c, "broadcast_add", BinaryOp::kAdd); }
void broadcastSub(const KernelContext& c) { broadcastForward(c, "broadcast_sub", BinaryOp::kSub); }
void broadcastMul(const KernelContext& c) { broadcastForward(c, "broadcast_mul", BinaryOp::kMul); }
void broadcastDiv(const KernelContext& c) { broadcastForward(c, "broadcast_div", BinaryOp::kDiv); }
void broadcastPower(const KernelContext& c) { broadcastForward(c, "broadcast_power", BinaryOp::kPow); }
void broadcastMaximum(const KernelContext& c) { broadcastForward(c, "broadcast_maximum", BinaryOp::kMaximum); }
void broadcastMinimum(const KernelContext& c) { broadcastForward(c, "broadcast_minimum", BinaryOp::kMinimum); }
void broadcastEqual(const KernelContext& c) { broadcastForward(c, "broadcast_equal", BinaryOp::kEqual); }
void broadcastNotEqual(const KernelContext& c) { broadcastForward(c, "broadcast_not_equal", BinaryOp::kNotEqual); }
void broadcastGreater(const KernelContext& c) { broadcastForward(c, "broadcast_greater", BinaryOp::kGreater); }
void broadcastGreaterEqual(const KernelContext& c) {
  broadcastForward(c, "broadcast_greater_equal", BinaryOp::kGreaterEqual);
}
void broadcastLesser(const KernelContext& c) { broadcastForward(c, "broadcast_lesser", BinaryOp::kLesser); }
void broadcastLesserEqual(const KernelContext& c) {
  broadcastForward(c, "broadcast_lesser_equal", BinaryOp::kLesserEqual);
}
void broadcastAddBackward(const KernelContext& c) { binaryBackward<AddGrad>(c, "_backward_broadcast_add", true); }
void broadcastSubBackward(const KernelContext& c) { binaryBackward<SubGrad>(c, "_backward_broadcast_sub", true); }
void broadcastMulBackward(const KernelContext& c) { binaryBackward<MulGrad>(c, "_backward_broadcast_mul", true); }
void broadcastDivBackward(const KernelContext& c) { binaryBackward<DivGrad>(c, "_backward_broadcast_div", true); }
void broadcastPowerBackward(const KernelContext& c) { binaryBackward<PowerGrad>(c, "_backward_broadcast_power", true); }
void broadcastMaximumBackward(const KernelContext& c) {
  binaryBackward<MaximumGrad>(c, "_backward_broadcast_maximum", true);
}
void broadcastMinimumBackward(const KernelContext& c) {
  binaryBackward<MinimumGrad>(c, "_backward_broadcast_minimum", true);
}

}  // namespace

BKT_PLAN_KERNEL(kExp, unaryKernel<UnaryOp::kExp>);
BKT_PLAN_KERNEL(kLog, unaryKernel<UnaryOp::kLog>);
BKT_PLAN_KERNEL(kSqrt, unaryKernel<UnaryOp::kSqrt>);
BKT_PLAN_KERNEL(kRsqrt, unaryKernel<UnaryOp::kRsqrt>);
BKT_PLAN_KERNEL(kSquare, unaryKernel<UnaryOp::kSquare>);
BKT_PLAN_KERNEL(kAbs, unaryKernel<UnaryOp::kAbs>);
BKT_PLAN_KERNEL(kSign, unaryKernel<UnaryOp::kSign>);
BKT_PLAN_KERNEL(kTanh, unaryKernel<UnaryOp::kTanh>);
BKT_PLAN_KERNEL(kSigmoid, unaryKernel<UnaryOp::kSigmoid>);
BKT_PLAN_KERNEL(kRelu, unaryKernel<UnaryOp::kRelu>);
BKT_PLAN_KERNEL(kSoftsign, softsignKernel);
BKT_PLAN_KERNEL(kNegative, unaryKernel<UnaryOp::kNegative>);
BKT_PLAN_KERNEL(kReciprocal, unaryKernel<UnaryOp::kReciprocal>);
BKT_PLAN_KERNEL(kErf, unaryKernel<UnaryOp::kErf>);
BKT_PLAN_KERNEL(kLogBackward, logBackward);
BKT_PLAN_KERNEL(kSqrtBackward, sqrtBackward);
BKT_PLAN_KERNEL(kRsqrtBackward, rsqrtBackward);
BKT_PLAN_KERNEL(kErfBackward, erfBackward);
BKT_PLAN_KERNEL(kSquareBackward, squareBackward);
BKT_PLAN_KERNEL(kAbsBackward, absBackward);
BKT_PLAN_KERNEL(kSignBackward, signBackward);
BKT_PLAN_KERNEL(kTanhBackward, tanhBackward);
BKT_PLAN_KERNEL(kSigmoidBackward, sigmoidBackward);
BKT_PLAN_KERNEL(kReluBackward, reluBackward);
BKT_PLAN_KERNEL(kSoftsignBackward, softsignBackward);
BKT_PLAN_KERNEL(kReciprocalBackward, reciprocalBackward);
BKT_PLAN_KERNEL(kClip, clipKernel);
BKT_PLAN_KERNEL(kClipBackward, clipBackward);
BKT_PLAN_KERNEL(kPlusScalar, plusScalar);
BKT_PLAN_KERNEL(kMinusScalar, minusScalar);
BKT_PLAN_KERNEL(kRminusScalar, rminusScalar);
BKT_PLAN_KERNEL(kDivScalar, divScalar);
BKT_PLAN_KERNEL(kRdivScalar, rdivScalar);
BKT_PLAN_KERNEL(kPowerScalar, powerScalar);
BKT_PLAN_KERNEL(kRpowerScalar, rpowerScalar);
BKT_PLAN_KERNEL(kMaximumScalar, maximumScalar);
BKT_PLAN_KERNEL(kMinimumScalar, minimumScalar);
BKT_PLAN_KERNEL(kEqualScalar, equalScalar);
BKT_PLAN_KERNEL(kNotEqualScalar, notEqualScalar);
BKT_PLAN_KERNEL(kGreaterScalar, greaterScalar);
BKT_PLAN_KERNEL(kGreaterEqualScalar, greaterEqualScalar);
BKT_PLAN_KERNEL(kLesserScalar, lesserScalar);
BKT_PLAN_KERNEL(kLesserEqualScalar, lesserEqualScalar);
BKT_PLAN_KERNEL(kRdivScalarBackward, rdivScalarBackward);
BKT_PLAN_KERNEL(kPowerScalarBackward, powerScalarBackward);
BKT_PLAN_KERNEL(kRpowerScalarBackward, rpowerScalarBackward);
BKT_PLAN_KERNEL(kMaximumScalarBackward, maximumScalarBackward);
BKT_PLAN_KERNEL(kMinimumScalarBackward, minimumScalarBackward);
BKT_PLAN_KERNEL(kElemwiseSub, elemwiseSub);
BKT_PLAN_KERNEL(kElemwiseMul, elemwiseMul);
BKT_PLAN_KERNEL(kElemwiseDiv, elemwiseDiv);
BKT_PLAN_KERNEL(kPower, power);
BKT_PLAN_KERNEL(kMaximum, maximum);
BKT_PLAN_KERNEL(kMinimum, minimum);
BKT_PLAN_KERNEL(kElemwiseSubBackward, elemwiseSubBackward);
BKT_PLAN_KERNEL(kElemwiseMulBackward, elemwiseMulBackward);
BKT_PLAN_KERNEL(kElemwiseDivBackward, elemwiseDivBackward);
BKT_PLAN_KERNEL(kPowerBackward, powerBackward);
BKT_PLAN_KERNEL(kMaximumBackward, maximumBackward);
BKT_PLAN_KERNEL(kMinimumBackward, minimumBackward);
BKT_PLAN_KERNEL(kBroadcastAdd, broadcastAdd);
BKT_PLAN_KERNEL(kBroadcastSub, broadcastSub);
BKT_PLAN_KERNEL(kBroadcastMul, broadcastMul);
BKT_PLAN_KERNEL(kBroadcastDiv, broadcastDiv);
BKT_PLAN_KERNEL(kBroadcastPower, broadcastPower);
BKT_PLAN_KERNEL(kBroadcastMaximum, broadcastMaximum);
BKT_PLAN_KERNEL(kBroadcastMinimum, broadcastMinimum);
BKT_PLAN_KERNEL(kBroadcastEqual, broadcastEqual);
BKT_PLAN_KERNEL(kBroadcastNotEqual, broadcastNotEqual);
BKT_PLAN_KERNEL(kBroadcastGreater, broadcastGreater);
BKT_PLAN_KERNEL(kBroadcastGreaterEqual, broadcastGreaterEqual);
BKT_PLAN_KERNEL(kBroadcastLesser, broadcastLesser);
BKT_PLAN_KERNEL(kBroadcastLesserEqual, broadcastLesserEqual);
BKT_PLAN_KERNEL(kBroadcastAddBackward, broadcastAddBackward);
BKT_PLAN_KERNEL(kBroadcastSubBackward, broadcastSubBackward);
BKT_PLAN_KERNEL(kBroadcastMulBackward, broadcastMulBackward);
BKT_PLAN_KERNEL(kBroadcastDivBackward, broadcastDivBackward);
BKT_PLAN_KERNEL(kBroadcastPowerBackward, broadcastPowerBackward);
BKT_PLAN_KERNEL(kBroadcastMaximumBackward, broadcastMaximumBackward);
BKT_PLAN_KERNEL(kBroadcastMinimumBackward, broadcastMinimumBackward);

}  // namespace bkt
