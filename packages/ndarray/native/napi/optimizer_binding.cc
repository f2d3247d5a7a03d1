// The fused optimizer updates: <op>(weight, grad, ...states, weight32 | null, ...scalars, rescaleGrad,
// clipGradient), in place, returning undefined. One binding serves every op, driven by a table row that
// names its states and scalars, so each op's only code of its own is how its scalars fill its params.
// Arguments are read one at a time in order so errors report the first bad one. multiUpdate runs one
// op for many parameters in a single call (see UpdateBatch).
#include <array>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

#include "bindings.h"
#include "bkt/error.h"
#include "bkt/optimizer_updates.h"
#include "bkt/profiler.h"
#include "errors.h"
#include "handle.h"

namespace bkt::napi {
namespace {

constexpr size_t kMaxStates = 3;

// What the generic reader hands an op's adapter: tensors and scalars in the op's argument order.
struct UpdateArgs {
  const Tensor* weight;
  const Tensor* grad;
  std::array<const Tensor*, kMaxStates> states{};
  const Tensor* weight32;
  std::vector<double> s;  // the op's own scalars, in table order
  GradScale grad_scale;

  const Tensor& state(size_t i) const { return *states[i]; }
};

struct OptimizerOp {
  const char* name;
  std::initializer_list<const char*> states;
  std::initializer_list<const char*> scalars;  // rescaleGrad and clipGradient always follow
  // Runs the update, or queues it on the batch when one is given.
  void (*run)(const UpdateArgs& a, UpdateBatch* batch);
};

template <typename Params>
Params withGrad(const UpdateArgs& a) {
  Params p;
  p.grad = a.grad_scale;
  return p;
}

const OptimizerOp kOps[] = {
    {"sgdUpdate",
     {},
     {"lr", "wd"},
     [](const UpdateArgs& a, UpdateBatch* batch) {
       auto p = withGrad<SgdParams>(a);
       p.lr = a.s[0], p.wd = a.s[1];
       sgdUpdate(*a.weight, *a.grad, a.weight32, p, batch);
     }},
    {"signsgdUpdate",
     {},
     {"lr", "wd"},
     [](const UpdateArgs& a, UpdateBatch* batch) {
       auto p = withGrad<SgdParams>(a);
       p.lr = a.s[0], p.wd = a.s[1];
       signsgdUpdate(*a.weight, *a.grad, a.weight32, p, batch);
     }},
    {"sgdMomUpdate",
     {"mom"},
     {"lr", "momentum", "wd"},
     [](const UpdateArgs& a, UpdateBatch* batch) {
       auto p = withGrad<MomentumParams>(a);
       p.lr = a.s[0], p.momentum = a.s[1], p.wd = a.s[2];
       sgdMomUpdate(*a.weight, *a.grad, a.state(0), a.weight32, p, batch);
     }},
    {"nagMomUpdate",
     {"mom"},
     {"lr", "momentum", "wd"},
     [](const UpdateArgs& a, UpdateBatch* batch) {
       auto p = withGrad<MomentumParams>(a);
       p.lr = a.s[0], p.momentum = a.s[1], p.wd = a.s[2];
       nagMomUpdate(*a.weight, *a.grad, a.state(0), a.weight32, p, batch);
     }},
    {"adamUpdate",
     {"mean", "var"},
     {"lr", "beta1", "beta2", "epsilon", "wd"},
     [](const UpdateArgs& a, UpdateBatch* batch) {
       auto p = withGrad<AdamParams>(a);
       p.lr = a.s[0], p.beta1 = a.s[1], p.beta2 = a.s[2], p.epsilon = a.s[3], p.wd = a.s[4];
       adamUpdate(*a.weight, *a.grad, a.state(0), a.state(1), a.weight32, p, batch);
     }},
    {"rmspropUpdate",
     {"n"},
     {"lr", "gamma1", "epsilon", "wd", "clipWeights"},
     [](const UpdateArgs& a, UpdateBatch* batch) {
       auto p = withGrad<RmspropParams>(a);
       p.lr = a.s[0], p.gamma1 = a.s[1], p.epsilon = a.s[2], p.wd = a.s[3], p.clipWeights = a.s[4];
       rmspropUpdate(*a.weight, *a.grad, a.state(0), a.weight32, p, batch);
     }},
    {"rmspropalexUpdate",
     {"n", "g", "delta"},
     {"lr", "gamma1", "gamma2", "epsilon", "wd", "clipWeights"},
     [](const UpdateArgs& a, UpdateBatch* batch) {
       auto p = withGrad<RmspropParams>(a);
       p.lr = a.s[0], p.gamma1 = a.s[1], p.gamma2 = a.s[2], p.epsilon = a.s[3], p.wd = a.s[4];
       p.clipWeights = a.s[5];
       rmspropalexUpdate(*a.weight, *a.grad, a.state(0), a.state(1), a.state(2), a.weight32, p, batch);
     }},
    {"ftrlUpdate",
     {"z", "n"},
     {"lr", "lamda1", "beta", "wd"},
     [](const UpdateArgs& a, UpdateBatch* batch) {
       auto p = withGrad<FtrlParams>(a);
       p.lr = a.s[0], p.lamda1 = a.s[1], p.beta = a.s[2], p.wd = a.s[3];
       ftrlUpdate(*a.weight, *a.grad, a.state(0), a.state(1), a.weight32, p, batch);
     }},
    {"ftmlUpdate",
     {"d", "v", "z"},
     {"lr", "beta1", "beta2", "epsilon", "t", "wd"},
     [](const UpdateArgs& a, UpdateBatch* batch) {
       auto p = withGrad<FtmlParams>(a);
       p.lr = a.s[0], p.beta1 = a.s[1], p.beta2 = a.s[2], p.epsilon = a.s[3], p.t = a.s[4], p.wd = a.s[5];
       ftmlUpdate(*a.weight, *a.grad, a.state(0), a.state(1), a.state(2), a.weight32, p, batch);
     }},
    {"signumUpdate",
     {"mom"},
     {"lr", "momentum", "wd", "wdLh"},
     [](const UpdateArgs& a, UpdateBatch* batch) {
       auto p = withGrad<SignumParams>(a);
       p.lr = a.s[0], p.momentum = a.s[1], p.wd = a.s[2], p.wdLh = a.s[3];
       signumUpdate(*a.weight, *a.grad, a.state(0), a.weight32, p, batch);
     }},
    {"adagradUpdate",
     {"history"},
     {"lr", "epsilon", "wd"},
     [](const UpdateArgs& a, UpdateBatch* batch) {
       auto p = withGrad<AdagradParams>(a);
       p.lr = a.s[0], p.epsilon = a.s[1], p.wd = a.s[2];
       adagradUpdate(*a.weight, *a.grad, a.state(0), a.weight32, p, batch);
     }},
    {"adadeltaUpdate",
     {"accGrad", "accDelta"},
     {"rho", "epsilon", "wd"},
     [](const UpdateArgs& a, UpdateBatch* batch) {
       auto p = withGrad<AdadeltaParams>(a);
       p.rho = a.s[0], p.epsilon = a.s[1], p.wd = a.s[2];
       adadeltaUpdate(*a.weight, *a.grad, a.state(0), a.state(1), a.weight32, p, batch);
     }},
    {"adamaxUpdate",
     {"mean", "u"},
     {"lr", "beta1", "beta2", "wd"},
     [](const UpdateArgs& a, UpdateBatch* batch) {
       auto p = withGrad<AdamaxParams>(a);
       p.lr = a.s[0], p.beta1 = a.s[1], p.beta2 = a.s[2], p.wd = a.s[3];
       adamaxUpdate(*a.weight, *a.grad, a.state(0), a.state(1), a.weight32, p, batch);
     }},
    {"nadamUpdate",
     {"mean", "var"},
     {"lr", "beta1", "beta2", "epsilon", "wd", "momentumT", "momentumT1", "mSchedule", "mScheduleNext", "beta2PowT"},
     [](const UpdateArgs& a, UpdateBatch* batch) {
       auto p = withGrad<NadamParams>(a);
       p.lr = a.s[0], p.beta1 = a.s[1], p.beta2 = a.s[2], p.epsilon = a.s[3], p.wd = a.s[4];
       p.momentumT = a.s[5], p.momentumT1 = a.s[6], p.mSchedule = a.s[7], p.mScheduleNext = a.s[8];
       p.beta2PowT = a.s[9];
       nadamUpdate(*a.weight, *a.grad, a.state(0), a.state(1), a.weight32, p, batch);
     }},
    {"lambUpdate",
     {"mean", "var"},
     {"lr", "beta1", "beta2", "epsilon", "t", "biasCorrection", "wd", "lowerBound", "upperBound"},
     [](const UpdateArgs& a, UpdateBatch* batch) {
       auto p = withGrad<LambParams>(a);
       p.lr = a.s[0], p.beta1 = a.s[1], p.beta2 = a.s[2], p.epsilon = a.s[3], p.t = a.s[4];
       p.biasCorrection = a.s[5] != 0;
       p.wd = a.s[6], p.lowerBound = a.s[7], p.upperBound = a.s[8];
       lambUpdate(*a.weight, *a.grad, a.state(0), a.state(1), a.weight32, p, batch);
     }},
    {"sgldUpdate",
     {},
     {"lr", "wd"},
     [](const UpdateArgs& a, UpdateBatch* batch) {
       auto p = withGrad<SgldParams>(a);
       p.lr = a.s[0], p.wd = a.s[1];
       sgldUpdate(*a.weight, *a.grad, a.weight32, p, batch);
     }},
};

const Tensor* optionalTensorArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg) {
  if (info[i].IsNull() || info[i].IsUndefined()) return nullptr;
  return &tensorArg(info, i, op, arg);
}

// MXNet's operator name for an update (sgdMomUpdate -> sgd_mom_update; multi_ prefixed when batched),
// interned in `profiler`; -1 without one.
int32_t profileName(Profiler* profiler, const OptimizerOp& o, bool multi) {
  if (!profiler) return -1;
  std::string name = multi ? "multi_" : "";
  for (const char* c = o.name; *c; ++c) {
    if (*c >= 'A' && *c <= 'Z') {
      name += '_';
      name += static_cast<char>(*c - 'A' + 'a');
    } else {
      name += *c;
    }
  }
  return profiler->intern(name);
}

Napi::Value runOptimizerOp(const Napi::CallbackInfo& info, const OptimizerOp& o) {
  Profiler* profiler = imperativeProfiler();
  ImperativeTimer timer(profiler, profileName(profiler, o, false));
  const char* op = o.name;
  UpdateArgs a;
  size_t i = 0;
  a.weight = &tensorArg(info, i++, op, "weight");
  a.grad = &tensorArg(info, i++, op, "grad");
  size_t k = 0;
  for (const char* state : o.states) a.states[k++] = &tensorArg(info, i++, op, state);
  a.weight32 = optionalTensorArg(info, i++, op, "weight32");
  a.s.reserve(o.scalars.size());
  for (const char* scalar : o.scalars) a.s.push_back(numberArg(info, i++, op, scalar));
  a.grad_scale.rescaleGrad = numberArg(info, i++, op, "rescaleGrad");
  a.grad_scale.clipGradient = numberArg(info, i++, op, "clipGradient");
  o.run(a, nullptr);
  timer.done();
  return info.Env().Undefined();
}

BKT_BINDING_UNTIMED(jsOptimizerUpdate) { return runOptimizerOp(info, *static_cast<const OptimizerOp*>(info.Data())); }

const OptimizerOp& opNamed(const std::string& name) {
  for (const OptimizerOp& o : kOps) {
    if (name == o.name) return o;
  }
  std::string known;
  for (const OptimizerOp& o : kOps) known += std::string(known.empty() ? "" : ", ") + o.name;
  fail(ErrorKind::kValue, "multiUpdate: unknown update '" + name + "' (known: " + known + ")");
}

// multiUpdate(op, tensors, scalars): one op's update of many parameters in one call, run as one
// UpdateBatch. Parameter k's arrays come next in `tensors` (weight, grad, the op's states, then its
// weight32 when it has one) and its numbers next in `scalars` (hasWeight32 as 0/1, the op's scalars,
// rescaleGrad, clipGradient). Every parameter is checked before any is updated.
BKT_BINDING_UNTIMED(jsMultiUpdate) {
  const char* fn = "multiUpdate";
  const OptimizerOp& o = opNamed(stringArg(info, 0, fn, "op"));
  Profiler* profiler = imperativeProfiler();
  ImperativeTimer timer(profiler, profileName(profiler, o, true));
  const std::vector<Tensor> tensors = tensorListArg(info, 1, fn, "tensors");
  if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    fail(ErrorKind::kValue, std::string(fn) + ": scalars must be a Float64Array");
  }
  const auto scalars = info[2].As<Napi::Float64Array>();
  const size_t perParam = 3 + o.scalars.size();
  if (scalars.ElementLength() % perParam != 0) {
    fail(ErrorKind::kValue, std::string(fn) + "(" + o.name + "): scalars has " +
                                std::to_string(scalars.ElementLength()) + " numbers, not a multiple of the " +
                                std::to_string(perParam) + " each parameter takes");
  }
  const size_t numParams = scalars.ElementLength() / perParam;
  UpdateBatch batch;
  size_t t = 0;
  for (size_t k = 0; k < numParams; ++k) {
    const double* s = scalars.Data() + k * perParam;
    const size_t arrays = 2 + o.states.size() + (s[0] != 0 ? 1 : 0);
    if (t + arrays > tensors.size()) {
      fail(ErrorKind::kValue, std::string(fn) + "(" + o.name + "): tensors ends within parameter " + std::to_string(k) +
                                  " (" + std::to_string(tensors.size()) + " arrays for " + std::to_string(numParams) +
                                  " parameters)");
    }
    UpdateArgs a;
    a.weight = &tensors[t++];
    a.grad = &tensors[t++];
    for (size_t j = 0; j < o.states.size(); ++j) a.states[j] = &tensors[t++];
    a.weight32 = s[0] != 0 ? &tensors[t++] : nullptr;
    a.s.assign(s + 1, s + 1 + o.scalars.size());
    a.grad_scale.rescaleGrad = s[perParam - 2];
    a.grad_scale.clipGradient = s[perParam - 1];
    try {
      o.run(a, &batch);
    } catch (const Error& e) {
      fail(e.kind(), std::string(fn) + ": parameter " + std::to_string(k) + ": " + e.what());
    }
  }
  if (t != tensors.size()) {
    fail(ErrorKind::kValue, std::string(fn) + "(" + o.name + "): tensors has " + std::to_string(tensors.size()) +
                                " arrays, the " + std::to_string(numParams) + " parameters take " + std::to_string(t));
  }
  batch.run();
  timer.done();
  return info.Env().Undefined();
}

}  // namespace

void registerOptimizer(Napi::Env env, Napi::Object exports) {
  for (const OptimizerOp& o : kOps) {
    exports.Set(o.name, Napi::Function::New(env, jsOptimizerUpdate, o.name, const_cast<OptimizerOp*>(&o)));
  }
  exports.Set("multiUpdate", Napi::Function::New(env, jsMultiUpdate, "multiUpdate"));
}

}  // namespace bkt::napi
