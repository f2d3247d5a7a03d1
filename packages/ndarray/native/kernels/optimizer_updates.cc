// Fused optimizer updates. One generic element loop reads the weight (or its float32 master copy) and
// the gradient in the compute type, lets the op's formula update its state arrays, and writes the
// weight back; the formulas below are the only per-op code.
#include "bkt/optimizer_updates.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "bkt/error.h"
#include "bkt/random.h"
#include "elemwise_loop.h"
#include "half_compute.h"

namespace bkt {
namespace {

// Each element costs a few dozen flops and touches 3-5 arrays: enough work per item that chunks of
// this size amortise the pool handoff.
constexpr int64_t kUpdateGrain = 1 << 15;

using NamedState = std::pair<const Tensor*, const char*>;

// A pass over items [begin, end) of one update (elements, or LAMB's norm blocks).
using ElementPass = std::function<void(int64_t, int64_t)>;

// The bytes an update reads and writes, for UpdateBatch's check that parallel updates stay apart.
struct Span {
  uintptr_t begin, end;
  bool written;
};
using Footprint = std::vector<Span>;

// LAMB's norms take one block pass over every queued update before any element pass.
constexpr int64_t kNormBlock = 1 << 13;
constexpr int64_t kNormGrain = std::max<int64_t>(1, kUpdateGrain / kNormBlock);

}  // namespace

struct UpdateBatch::Job {
  int64_t size = 0;  // elements
  ElementPass elements;
  // LAMB only: the norm pass over `blocks` blocks, then `afterBlocks` once (it sets the trust ratio).
  int64_t blocks = 0;
  ElementPass blockPass;
  std::function<void()> afterBlocks;
  Footprint footprint;
  std::vector<Tensor> owned;  // arrays the job made and reads (SGLD's noise)
};

namespace {

void runAlone(const UpdateBatch::Job& job) {
  if (job.blocks > 0) {
    parallelFor(job.blocks, kNormGrain, job.blockPass);
    job.afterBlocks();
  }
  parallelFor(job.size, kUpdateGrain, job.elements);
}

// Runs one pass of every job over a single index range, the jobs' ranges laid end to end, so that the
// pool's even split serves many small tensors and a few big ones alike.
void spread(const std::vector<UpdateBatch::Job>& jobs, int64_t UpdateBatch::Job::*count,
            ElementPass UpdateBatch::Job::*pass, int64_t grain) {
  std::vector<int64_t> start(jobs.size() + 1, 0);
  for (size_t k = 0; k < jobs.size(); ++k) start[k + 1] = start[k] + jobs[k].*count;
  parallelFor(start.back(), grain, [&](int64_t begin, int64_t end) {
    auto k = static_cast<size_t>(std::upper_bound(start.begin(), start.end(), begin) - start.begin() - 1);
    for (; k < jobs.size() && start[k] < end; ++k) {
      const int64_t lo = std::max(begin, start[k]) - start[k];
      const int64_t hi = std::min(end, start[k + 1]) - start[k];
      if (hi > lo) (jobs[k].*pass)(lo, hi);
    }
  });
}

// Parallel updates must not touch each other's memory: no array an update writes may overlap an array
// of another update. Sorting the byte ranges makes this one sweep for arrays that do not overlap.
void requireDisjoint(const std::vector<UpdateBatch::Job>& jobs) {
  std::vector<std::pair<Span, size_t>> spans;  // with the job's position
  for (size_t k = 0; k < jobs.size(); ++k) {
    for (const Span& s : jobs[k].footprint) spans.emplace_back(s, k);
  }
  std::sort(spans.begin(), spans.end(), [](const auto& a, const auto& b) { return a.first.begin < b.first.begin; });
  for (size_t i = 0; i < spans.size(); ++i) {
    const auto& [a, ja] = spans[i];
    for (size_t j = i + 1; j < spans.size() && spans[j].first.begin < a.end; ++j) {
      const auto& [b, jb] = spans[j];
      if (ja != jb && (a.written || b.written)) {
        fail(ErrorKind::kValue, "multi-tensor update: updates " + std::to_string(std::min(ja, jb)) + " and " +
                                    std::to_string(std::max(ja, jb)) +
                                    " share memory that one of them writes; each parameter needs arrays of its own");
      }
    }
  }
}

// float16 and bfloat16: weights that are updated through a float32 master copy.
bool isReduced(DType t) { return t == DType::kFloat16 || t == DType::kBFloat16; }

std::string describe(const Tensor& t) { return shapeStr(t.shape()) + " " + dtypeName(t.dtype()); }

void requireShapeOf(const char* op, const Tensor& weight, const Tensor& t, const char* arg) {
  if (t.shape() != weight.shape()) {
    fail(ErrorKind::kShape, std::string(op) + ": " + arg + " has shape " + shapeStr(t.shape()) +
                                " but weight has shape " + shapeStr(weight.shape()));
  }
}

// Checks every operand and returns the compute dtype (float32 or float64).
DType checkOperands(const char* op, const Tensor& weight, const Tensor& grad, std::initializer_list<NamedState> states,
                    const Tensor* weight32) {
  DType compute;
  if (weight32 != nullptr) {
    if (!isReduced(weight.dtype()) && weight.dtype() != DType::kFloat32) {
      fail(ErrorKind::kDType, std::string(op) +
                                  ": with a float32 master copy (weight32) the weight must be float16, bfloat16 or " +
                                  "float32, got " + describe(weight));
    }
    requireDType(*weight32, DType::kFloat32, op, "weight32");
    requireShapeOf(op, weight, *weight32, "weight32");
    requireSameContext(weight, *weight32, op);
    compute = DType::kFloat32;
  } else {
    // MXNet's update kernels take no bfloat16 weight at all, and accumulating in float16 loses small
    // updates (MXNet warns): both 16-bit types update through a master copy.
    if (isReduced(weight.dtype())) {
      fail(ErrorKind::kDType, std::string(op) + ": a " + dtypeName(weight.dtype()) + " weight " +
                                  shapeStr(weight.shape()) +
                                  " needs a float32 master copy (weight32, MXNet's multi_precision)");
    }
    requireFloat(weight, op, "weight");
    compute = weight.dtype();
  }
  if (grad.dtype() != weight.dtype()) {
    fail(ErrorKind::kDType, std::string(op) + ": grad is " + describe(grad) + " but weight is " + describe(weight));
  }
  requireShapeOf(op, weight, grad, "grad");
  requireSameContext(weight, grad, op);
  for (const auto& [state, name] : states) {
    requireDType(*state, compute, op, name);
    requireShapeOf(op, weight, *state, name);
    requireSameContext(weight, *state, op);
  }
  return compute;
}

template <typename C>
inline C clipTo(C x, C bound) {
  return x > bound ? bound : x < -bound ? -bound : x;
}

// rescale * grad, clipped when clip >= 0 (MXNet's convention for every fused update). "Off" is an
// infinite bound so the loops stay branch-free (and vectorise); NaN passes through either way.
template <typename C>
struct GradPrep {
  C rescale;
  C bound;
  explicit GradPrep(const GradScale& s)
      : rescale(static_cast<C>(s.rescaleGrad)),
        bound(s.clipGradient >= 0 ? static_cast<C>(s.clipGradient) : std::numeric_limits<C>::infinity()) {}
  C operator()(C g) const { return clipped(rescale * g); }
  C clipped(C x) const { return clipTo(x, bound); }
};

// clipWeights as a bound: negative turns it off (an infinite bound).
template <typename C>
inline C weightBound(double clipWeights) {
  return clipWeights >= 0 ? static_cast<C>(clipWeights) : std::numeric_limits<C>::infinity();
}

template <typename C>
inline C signOf(C x) {
  return static_cast<C>((x > 0) - (x < 0));
}

// Calls fn(C{}, W{}) with C the compute type and W the weight's storage type.
template <typename Fn>
void dispatchUpdate(const Tensor& weight, const Tensor* weight32, Fn&& fn) {
  if (weight32 != nullptr) {
    if (weight.dtype() == DType::kFloat16) {
      fn(float{}, uint16_t{});
    } else if (weight.dtype() == DType::kBFloat16) {
      fn(float{}, BFloat16{});
    } else {
      fn(float{}, float{});
    }
  } else if (weight.dtype() == DType::kFloat64) {
    fn(double{}, double{});
  } else {
    fn(float{}, float{});
  }
}

// The element loop over [begin, end): w = step(i, w, g), stored to the master copy (if any) and the
// weight. The two loops keep the master-copy test out of the element loop.
template <typename C, typename W, typename Step>
ElementPass elementLoop(const Tensor& weight, const Tensor& grad, const Tensor* weight32, Step step) {
  W* w = weight.data<W>();
  const W* g = grad.data<W>();
  if (weight32 != nullptr) {
    C* master = weight32->data<C>();
    return [=](int64_t begin, int64_t end) BKT_VECTOR_CLONES {
      for (int64_t i = begin; i < end; ++i) {
        const C updated = step(i, master[i], half::load(g[i]));
        master[i] = updated;
        w[i] = half::store<W>(updated);
      }
    };
  }
  return [=](int64_t begin, int64_t end) BKT_VECTOR_CLONES {
    for (int64_t i = begin; i < end; ++i) w[i] = half::store<W>(step(i, half::load(w[i]), half::load(g[i])));
  };
}

// An update reads grad and writes the weight, its master copy and its states.
Footprint footprintOf(const Tensor& weight, const Tensor& grad, std::initializer_list<NamedState> states,
                      const Tensor* weight32) {
  Footprint f;
  const auto add = [&f](const Tensor& t, bool written) {
    const auto begin = reinterpret_cast<uintptr_t>(t.raw());
    if (t.nbytes() > 0) f.push_back({begin, begin + t.nbytes(), written});
  };
  add(grad, false);
  add(weight, true);
  if (weight32 != nullptr) add(*weight32, true);
  for (const auto& [state, name] : states) add(*state, true);
  return f;
}

// Runs the job now, or queues it on the batch.
void submit(UpdateBatch::Job job, UpdateBatch* batch) {
  if (batch != nullptr) {
    batch->add(std::move(job));
  } else {
    runAlone(job);
  }
}

// The common shape of every update below: check, dispatch, then the job running the per-element
// formula that `makeStep(C{})` builds (it reads its state pointers for that C).
template <typename MakeStep>
UpdateBatch::Job prepareUpdate(const char* op, const Tensor& weight, const Tensor& grad,
                               std::initializer_list<NamedState> states, const Tensor* weight32, MakeStep&& makeStep) {
  checkOperands(op, weight, grad, states, weight32);
  UpdateBatch::Job job;
  job.size = weight.size();
  job.footprint = footprintOf(weight, grad, states, weight32);
  dispatchUpdate(weight, weight32, [&](auto c, auto wt) {
    using C = decltype(c);
    using W = decltype(wt);
    job.elements = elementLoop<C, W>(weight, grad, weight32, makeStep(C{}));
  });
  return job;
}

template <typename MakeStep>
void runUpdate(const char* op, const Tensor& weight, const Tensor& grad, std::initializer_list<NamedState> states,
               const Tensor* weight32, UpdateBatch* batch, MakeStep&& makeStep) {
  submit(prepareUpdate(op, weight, grad, states, weight32, std::forward<MakeStep>(makeStep)), batch);
}

void requireStepCount(const char* op, double t) {
  if (!(t >= 1) || std::floor(t) != t) {
    fail(ErrorKind::kValue,
         std::string(op) + ": t (the update count) must be an integer >= 1, got " + std::to_string(t));
  }
}

}  // namespace

void sgdUpdate(const Tensor& weight, const Tensor& grad, const Tensor* weight32, const SgdParams& p,
               UpdateBatch* batch) {
  runUpdate("sgdUpdate", weight, grad, {}, weight32, batch, [&](auto c) {
    using C = decltype(c);
    const C lr = static_cast<C>(p.lr);
    const C decay = C(1) - lr * static_cast<C>(p.wd);
    const GradPrep<C> prep(p.grad);
    return [=](int64_t, C w, C g) { return decay * w - lr * prep(g); };
  });
}

namespace {

// sgd_mom and nag_mom read the same operands and scalars; only the per-element formula differs.
// formula(m, w, r, lr, momentum, wd) updates the momentum m in place, r being the prepared gradient,
// and returns the new weight.
template <typename Formula>
void runMomentumUpdate(const char* op, const Tensor& weight, const Tensor& grad, const Tensor& mom,
                       const Tensor* weight32, const MomentumParams& p, UpdateBatch* batch, Formula formula) {
  runUpdate(op, weight, grad, {{&mom, "mom"}}, weight32, batch, [&](auto c) {
    using C = decltype(c);
    C* m = mom.data<C>();
    const C lr = static_cast<C>(p.lr);
    const C momentum = static_cast<C>(p.momentum);
    const C wd = static_cast<C>(p.wd);
    const GradPrep<C> prep(p.grad);
    return [=](int64_t i, C w, C g) { return formula(m[i], w, prep(g), lr, momentum, wd); };
  });
}

}  // namespace

void sgdMomUpdate(const Tensor& weight, const Tensor& grad, const Tensor& mom, const Tensor* weight32,
                  const MomentumParams& p, UpdateBatch* batch) {
  runMomentumUpdate("sgdMomUpdate", weight, grad, mom, weight32, p, batch,
                    [](auto& m, auto w, auto r, auto lr, auto momentum, auto wd) {
                      m = momentum * m - wd * w - r;
                      return w + lr * m;
                    });
}

void nagMomUpdate(const Tensor& weight, const Tensor& grad, const Tensor& mom, const Tensor* weight32,
                  const MomentumParams& p, UpdateBatch* batch) {
  runMomentumUpdate("nagMomUpdate", weight, grad, mom, weight32, p, batch,
                    [](auto& m, auto w, auto r, auto lr, auto momentum, auto wd) {
                      const auto step = lr * (r + wd * w);
                      m = momentum * m - step;
                      return w + momentum * m - step;
                    });
}

void adamUpdate(const Tensor& weight, const Tensor& grad, const Tensor& mean, const Tensor& var, const Tensor* weight32,
                const AdamParams& p, UpdateBatch* batch) {
  runUpdate("adamUpdate", weight, grad, {{&mean, "mean"}, {&var, "var"}}, weight32, batch, [&](auto c) {
    using C = decltype(c);
    C* mu = mean.data<C>();
    C* nu = var.data<C>();
    const C lr = static_cast<C>(p.lr);
    const C b1 = static_cast<C>(p.beta1);
    const C b2 = static_cast<C>(p.beta2);
    const C eps = static_cast<C>(p.epsilon);
    const C wd = static_cast<C>(p.wd);
    const GradPrep<C> prep(p.grad);
    return [=](int64_t i, C w, C g) {
      const C r = prep.clipped(prep.rescale * g + wd * w);
      mu[i] = b1 * mu[i] + (C(1) - b1) * r;
      nu[i] = b2 * nu[i] + (C(1) - b2) * r * r;
      return w - lr * mu[i] / (std::sqrt(nu[i]) + eps);
    };
  });
}

void rmspropUpdate(const Tensor& weight, const Tensor& grad, const Tensor& n, const Tensor* weight32,
                   const RmspropParams& p, UpdateBatch* batch) {
  runUpdate("rmspropUpdate", weight, grad, {{&n, "n"}}, weight32, batch, [&](auto c) {
    using C = decltype(c);
    C* ns = n.data<C>();
    const C lr = static_cast<C>(p.lr);
    const C g1 = static_cast<C>(p.gamma1);
    const C eps = static_cast<C>(p.epsilon);
    const C wd = static_cast<C>(p.wd);
    const C clipW = weightBound<C>(p.clipWeights);
    const GradPrep<C> prep(p.grad);
    return [=](int64_t i, C w, C g) {
      const C r = prep.clipped(prep.rescale * g + wd * w);
      ns[i] = (C(1) - g1) * r * r + g1 * ns[i];
      const C out = w - lr * (r / std::sqrt(ns[i] + eps));
      return clipTo(out, clipW);
    };
  });
}

void rmspropalexUpdate(const Tensor& weight, const Tensor& grad, const Tensor& n, const Tensor& gAvg,
                       const Tensor& delta, const Tensor* weight32, const RmspropParams& p, UpdateBatch* batch) {
  runUpdate("rmspropalexUpdate", weight, grad, {{&n, "n"}, {&gAvg, "g"}, {&delta, "delta"}}, weight32, batch,
            [&](auto c) {
              using C = decltype(c);
              C* ns = n.data<C>();
              C* gs = gAvg.data<C>();
              C* ds = delta.data<C>();
              const C lr = static_cast<C>(p.lr);
              const C g1 = static_cast<C>(p.gamma1);
              const C g2 = static_cast<C>(p.gamma2);
              const C eps = static_cast<C>(p.epsilon);
              const C wd = static_cast<C>(p.wd);
              const C clipW = weightBound<C>(p.clipWeights);
              const GradPrep<C> prep(p.grad);
              return [=](int64_t i, C w, C g) {
                const C r = prep.clipped(prep.rescale * g + wd * w);
                ns[i] = (C(1) - g1) * r * r + g1 * ns[i];
                gs[i] = (C(1) - g1) * r + g1 * gs[i];
                ds[i] = g2 * ds[i] - lr * r / std::sqrt(ns[i] - gs[i] * gs[i] + eps);
                const C out = w + ds[i];
                return clipTo(out, clipW);
              };
            });
}

void ftrlUpdate(const Tensor& weight, const Tensor& grad, const Tensor& z, const Tensor& n, const Tensor* weight32,
                const FtrlParams& p, UpdateBatch* batch) {
  runUpdate("ftrlUpdate", weight, grad, {{&z, "z"}, {&n, "n"}}, weight32, batch, [&](auto c) {
    using C = decltype(c);
    C* zs = z.data<C>();
    C* ns = n.data<C>();
    const C lr = static_cast<C>(p.lr);
    const C l1 = static_cast<C>(p.lamda1);
    const C beta = static_cast<C>(p.beta);
    const C wd = static_cast<C>(p.wd);
    const GradPrep<C> prep(p.grad);
    return [=](int64_t i, C w, C g) {
      const C r = prep(g);
      zs[i] += r - (std::sqrt(ns[i] + r * r) - std::sqrt(ns[i])) * w / lr;
      ns[i] += r * r;
      const C active = std::abs(zs[i]) > l1 ? C(1) : C(0);
      return (signOf(zs[i]) * l1 - zs[i]) / ((beta + std::sqrt(ns[i])) / lr + wd) * active;
    };
  });
}

void ftmlUpdate(const Tensor& weight, const Tensor& grad, const Tensor& d, const Tensor& v, const Tensor& z,
                const Tensor* weight32, const FtmlParams& p, UpdateBatch* batch) {
  requireStepCount("ftmlUpdate", p.t);
  runUpdate("ftmlUpdate", weight, grad, {{&d, "d"}, {&v, "v"}, {&z, "z"}}, weight32, batch, [&](auto c) {
    using C = decltype(c);
    C* ds = d.data<C>();
    C* vs = v.data<C>();
    C* zs = z.data<C>();
    const C lr = static_cast<C>(p.lr);
    const C b1 = static_cast<C>(p.beta1);
    const C b2 = static_cast<C>(p.beta2);
    const C eps = static_cast<C>(p.epsilon);
    const C t = static_cast<C>(p.t);
    const C wd = static_cast<C>(p.wd);
    const C bias1 = C(1) - std::pow(b1, t);
    const C bias2 = C(1) - std::pow(b2, t);
    const GradPrep<C> prep(p.grad);
    return [=](int64_t i, C w, C g) {
      const C r = prep.clipped(prep.rescale * g + wd * w);
      vs[i] = b2 * vs[i] + (C(1) - b2) * r * r;
      const C dt = bias1 / lr * (std::sqrt(vs[i] / bias2) + eps);
      zs[i] = b1 * zs[i] + (C(1) - b1) * r - (dt - b1 * ds[i]) * w;
      ds[i] = dt;
      return -zs[i] / dt;
    };
  });
}

void signsgdUpdate(const Tensor& weight, const Tensor& grad, const Tensor* weight32, const SgdParams& p,
                   UpdateBatch* batch) {
  runUpdate("signsgdUpdate", weight, grad, {}, weight32, batch, [&](auto c) {
    using C = decltype(c);
    const C lr = static_cast<C>(p.lr);
    const C decay = C(1) - lr * static_cast<C>(p.wd);
    return [=](int64_t, C w, C g) { return decay * w - lr * signOf(g); };
  });
}

void signumUpdate(const Tensor& weight, const Tensor& grad, const Tensor& mom, const Tensor* weight32,
                  const SignumParams& p, UpdateBatch* batch) {
  runUpdate("signumUpdate", weight, grad, {{&mom, "mom"}}, weight32, batch, [&](auto c) {
    using C = decltype(c);
    C* m = mom.data<C>();
    const C lr = static_cast<C>(p.lr);
    const C momentum = static_cast<C>(p.momentum);
    const C wd = static_cast<C>(p.wd);
    const C decay = C(1) - lr * static_cast<C>(p.wdLh);
    const GradPrep<C> prep(p.grad);
    return [=](int64_t i, C w, C g) {
      m[i] = momentum * m[i] - (C(1) - momentum) * wd * w - (C(1) - momentum) * prep(g);
      return decay * w + lr * signOf(m[i]);
    };
  });
}

void adagradUpdate(const Tensor& weight, const Tensor& grad, const Tensor& history, const Tensor* weight32,
                   const AdagradParams& p, UpdateBatch* batch) {
  runUpdate("adagradUpdate", weight, grad, {{&history, "history"}}, weight32, batch, [&](auto c) {
    using C = decltype(c);
    C* h = history.data<C>();
    const C lr = static_cast<C>(p.lr);
    const C eps = static_cast<C>(p.epsilon);
    const C wd = static_cast<C>(p.wd);
    const GradPrep<C> prep(p.grad);
    return [=](int64_t i, C w, C g) {
      const C r = prep(g);
      h[i] += r * r;
      return w + (r / std::sqrt(h[i] + eps) + w * wd) * -lr;
    };
  });
}

void adadeltaUpdate(const Tensor& weight, const Tensor& grad, const Tensor& accGrad, const Tensor& accDelta,
                    const Tensor* weight32, const AdadeltaParams& p, UpdateBatch* batch) {
  runUpdate("adadeltaUpdate", weight, grad, {{&accGrad, "accGrad"}, {&accDelta, "accDelta"}}, weight32, batch,
            [&](auto c) {
              using C = decltype(c);
              C* ag = accGrad.data<C>();
              C* ad = accDelta.data<C>();
              const C rho = static_cast<C>(p.rho);
              const C eps = static_cast<C>(p.epsilon);
              const C wd = static_cast<C>(p.wd);
              const GradPrep<C> prep(p.grad);
              return [=](int64_t i, C w, C g) {
                const C r = prep(g);
                ag[i] = rho * ag[i] + (C(1) - rho) * r * r;
                const C step = std::sqrt(ad[i] + eps) / std::sqrt(ag[i] + eps) * r;
                ad[i] = rho * ad[i] + (C(1) - rho) * step * step;
                return w - (step + wd * w);
              };
            });
}

void adamaxUpdate(const Tensor& weight, const Tensor& grad, const Tensor& mean, const Tensor& u, const Tensor* weight32,
                  const AdamaxParams& p, UpdateBatch* batch) {
  runUpdate("adamaxUpdate", weight, grad, {{&mean, "mean"}, {&u, "u"}}, weight32, batch, [&](auto c) {
    using C = decltype(c);
    C* m = mean.data<C>();
    C* us = u.data<C>();
    const C lr = static_cast<C>(p.lr);
    const C b1 = static_cast<C>(p.beta1);
    const C b2 = static_cast<C>(p.beta2);
    const C wd = static_cast<C>(p.wd);
    const GradPrep<C> prep(p.grad);
    return [=](int64_t i, C w, C g) {
      const C r = prep.clipped(prep.rescale * g + wd * w);
      m[i] = b1 * m[i] + (C(1) - b1) * r;
      const C decayed = b2 * us[i];
      const C mag = std::abs(r);
      // NaN-propagating maximum, like MXNet's maximum op.
      us[i] = (decayed > mag || decayed != decayed) ? decayed : mag;
      return w - lr * m[i] / us[i];
    };
  });
}

void nadamUpdate(const Tensor& weight, const Tensor& grad, const Tensor& mean, const Tensor& var,
                 const Tensor* weight32, const NadamParams& p, UpdateBatch* batch) {
  runUpdate("nadamUpdate", weight, grad, {{&mean, "mean"}, {&var, "var"}}, weight32, batch, [&](auto c) {
    using C = decltype(c);
    C* m = mean.data<C>();
    C* v = var.data<C>();
    const C lr = static_cast<C>(p.lr);
    const C b1 = static_cast<C>(p.beta1);
    const C b2 = static_cast<C>(p.beta2);
    const C eps = static_cast<C>(p.epsilon);
    const C wd = static_cast<C>(p.wd);
    const C mt = static_cast<C>(p.momentumT);
    const C mt1 = static_cast<C>(p.momentumT1);
    const C gradScale = C(1) - static_cast<C>(p.mSchedule);
    const C meanScale = C(1) - static_cast<C>(p.mScheduleNext);
    const C varScale = C(1) - static_cast<C>(p.beta2PowT);
    const GradPrep<C> prep(p.grad);
    return [=](int64_t i, C w, C g) {
      const C r = prep.clipped(prep.rescale * g + wd * w);
      m[i] = b1 * m[i] + (C(1) - b1) * r;
      v[i] = b2 * v[i] + (C(1) - b2) * r * r;
      const C mBar = (C(1) - mt) * (r / gradScale) + mt1 * (m[i] / meanScale);
      return w - lr * mBar / (std::sqrt(v[i] / varScale) + eps);
    };
  });
}

namespace {

// Blocks of fixed size (kNormBlock) make the norm sums independent of how the pool splits the work;
// within a block kLanes interleaved partial sums let the loop vectorise while keeping a fixed
// summation order.
constexpr int kLanes = 8;

// The update direction g of LAMB's phase 1. The bias corrections 1 / (1 - beta^t) are multiplied in
// (within an ulp of MXNet's divisions, and half the cost: g is computed twice per element); without
// bias correction they are exactly 1, so one formula serves both modes.
template <typename C>
struct LambDirection {
  const C* mu;
  const C* nu;
  C wd, eps, meanScale, varScale;
  C operator()(int64_t i, C w) const { return (mu[i] * meanScale) / (std::sqrt(nu[i] * varScale) + eps) + wd * w; }
};

// Phase 1 over the block [begin, end): moments, then the squared norms of the weight and of g.
template <typename C, typename W, typename WeightAt>
BKT_VECTOR_CLONES void lambBlock(int64_t begin, int64_t end, const W* gr, C* mu, C* nu, C b1, C b2,
                                 const GradPrep<C>& prep, const LambDirection<C>& dir, WeightAt weightAt, double* wSq,
                                 double* gSq) {
  for (int64_t i = begin; i < end; ++i) {
    const C r = prep(half::load(gr[i]));
    mu[i] = b1 * mu[i] + (C(1) - b1) * r;
    nu[i] = b2 * nu[i] + (C(1) - b2) * r * r;
  }
  double ws[kLanes] = {};
  double gs[kLanes] = {};
  int64_t i = begin;
  for (; i + kLanes <= end; i += kLanes) {
    for (int j = 0; j < kLanes; ++j) {
      const double wi = static_cast<double>(weightAt(i + j));
      const double gi = static_cast<double>(dir(i + j, static_cast<C>(wi)));
      ws[j] += wi * wi;
      gs[j] += gi * gi;
    }
  }
  for (int j = 0; i < end; ++i, ++j) {
    const double wi = static_cast<double>(weightAt(i));
    const double gi = static_cast<double>(dir(i, static_cast<C>(wi)));
    ws[j] += wi * wi;
    gs[j] += gi * gi;
  }
  double wTotal = 0;
  double gTotal = 0;
  for (int j = 0; j < kLanes; ++j) {
    wTotal += ws[j];
    gTotal += gs[j];
  }
  *wSq = wTotal;
  *gSq = gTotal;
}

// LAMB as an UpdateBatch job: the block pass updates the moments and sums the squared norms per
// block, afterBlocks turns the norms into the trust-ratio learning rate, and the element pass (phase 2)
// recomputes g from the stored moments while the weight is still the old one.
template <typename C, typename W, typename WeightAt>
void lambJob(UpdateBatch::Job& job, int64_t n, W* w, const W* gr, C* master, C* mu, C* nu, const LambParams& p,
             WeightAt weightAt) {
  struct Norms {
    std::vector<double> wSq, gSq;
    C lr;
  };
  const C b1 = static_cast<C>(p.beta1);
  const C b2 = static_cast<C>(p.beta2);
  const GradPrep<C> prep(p.grad);
  const LambDirection<C> dir{mu,
                             nu,
                             static_cast<C>(p.wd),
                             static_cast<C>(p.epsilon),
                             p.biasCorrection ? static_cast<C>(1.0 / (1.0 - std::pow(p.beta1, p.t))) : C(1),
                             p.biasCorrection ? static_cast<C>(1.0 / (1.0 - std::pow(p.beta2, p.t))) : C(1)};

  const int64_t blocks = (n + kNormBlock - 1) / kNormBlock;
  auto norms = std::make_shared<Norms>();
  norms->wSq.assign(static_cast<size_t>(blocks), 0.0);
  norms->gSq.assign(static_cast<size_t>(blocks), 0.0);
  job.size = n;
  job.blocks = blocks;
  job.blockPass = [=](int64_t first, int64_t last) BKT_VECTOR_CLONES {
    for (int64_t b = first; b < last; ++b) {
      lambBlock<C, W>(b * kNormBlock, std::min(n, (b + 1) * kNormBlock), gr, mu, nu, b1, b2, prep, dir, weightAt,
                      &norms->wSq[static_cast<size_t>(b)], &norms->gSq[static_cast<size_t>(b)]);
    }
  };
  job.afterBlocks = [=, lowerBound = p.lowerBound, upperBound = p.upperBound, lr = p.lr] {
    double wNormSq = 0;
    double gNormSq = 0;
    for (int64_t b = 0; b < blocks; ++b) {
      wNormSq += norms->wSq[static_cast<size_t>(b)];
      gNormSq += norms->gSq[static_cast<size_t>(b)];
    }
    C r1 = static_cast<C>(std::sqrt(wNormSq));
    const C r2 = static_cast<C>(std::sqrt(gNormSq));
    if (lowerBound >= 0) r1 = std::max(r1, static_cast<C>(lowerBound));
    if (upperBound >= 0) r1 = std::min(r1, static_cast<C>(upperBound));
    norms->lr = static_cast<C>(lr);
    if (r1 != C(0) && r2 != C(0)) norms->lr = norms->lr * r1 / r2;
  };
  job.elements = [=](int64_t begin, int64_t end) BKT_VECTOR_CLONES {
    const C lrNow = norms->lr;
    for (int64_t i = begin; i < end; ++i) {
      const C wi = weightAt(i);
      const C updated = wi - lrNow * dir(i, wi);
      if (master != nullptr) master[i] = updated;
      w[i] = half::store<W>(updated);
    }
  };
}

}  // namespace

void lambUpdate(const Tensor& weight, const Tensor& grad, const Tensor& mean, const Tensor& var, const Tensor* weight32,
                const LambParams& p, UpdateBatch* batch) {
  const char* op = "lambUpdate";
  requireStepCount(op, p.t);
  const std::initializer_list<NamedState> states = {{&mean, "mean"}, {&var, "var"}};
  checkOperands(op, weight, grad, states, weight32);
  UpdateBatch::Job job;
  job.footprint = footprintOf(weight, grad, states, weight32);
  dispatchUpdate(weight, weight32, [&](auto c, auto wt) {
    using C = decltype(c);
    using W = decltype(wt);
    W* w = weight.data<W>();
    const W* gr = grad.data<W>();
    C* mu = mean.data<C>();
    C* nu = var.data<C>();
    if (weight32 != nullptr) {
      C* master = weight32->data<C>();
      lambJob<C, W>(job, weight.size(), w, gr, master, mu, nu, p, [master](int64_t i) { return master[i]; });
    } else {
      lambJob<C, W>(job, weight.size(), w, gr, static_cast<C*>(nullptr), mu, nu, p,
                    [w](int64_t i) { return half::load(w[i]); });
    }
  });
  submit(std::move(job), batch);
}

void sgldUpdate(const Tensor& weight, const Tensor& grad, const Tensor* weight32, const SgldParams& p,
                UpdateBatch* batch) {
  const char* op = "sgldUpdate";
  const DType compute = checkOperands(op, weight, grad, {}, weight32);
  if (!(p.lr >= 0))
    fail(ErrorKind::kValue,
         std::string(op) + ": lr must be >= 0 for the noise scale sqrt(lr), got " + std::to_string(p.lr));
  const Tensor noise = randomNormal(0.0, std::sqrt(p.lr), weight.shape(), compute, weight.ctx());
  UpdateBatch::Job job = prepareUpdate(op, weight, grad, {{&noise, "noise"}}, weight32, [&](auto c) {
    using C = decltype(c);
    const C* eta = noise.data<C>();
    const C halfLr = static_cast<C>(p.lr) / C(2);
    const C wd = static_cast<C>(p.wd);
    const GradPrep<C> prep(p.grad);
    return [=](int64_t i, C w, C g) {
      const C stepped = w + -halfLr * (prep(g) + wd * w);
      return stepped + eta[i];
    };
  });
  job.owned.push_back(noise);
  submit(std::move(job), batch);
}

UpdateBatch::UpdateBatch() = default;
UpdateBatch::~UpdateBatch() = default;

size_t UpdateBatch::size() const { return jobs_.size(); }

void UpdateBatch::add(Job job) { jobs_.push_back(std::move(job)); }

void UpdateBatch::run() {
  std::vector<Job> jobs = std::move(jobs_);
  jobs_.clear();
  requireDisjoint(jobs);
  spread(jobs, &Job::blocks, &Job::blockPass, kNormGrain);
  for (const Job& job : jobs) {
    if (job.afterBlocks) job.afterBlocks();
  }
  spread(jobs, &Job::size, &Job::elements, kUpdateGrain);
}

}  // namespace bkt
