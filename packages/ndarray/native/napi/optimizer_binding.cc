// The fused optimizer updates: <op>(weight, grad, ...states, weight32 | null, ...scalars, rescaleGrad,
// clipGradient), in place, returning undefined. One binding serves every op, driven by a table row that
// names its states and scalars, so each op's only code of its own is how its scalars fill its params.
// Arguments are read one at a time in order so errors report the first bad one.
#include <array>
#include <cstddef>
#include <initializer_list>
#include <vector>

#include "bindings.h"
#include "bkt/error.h"
#include "bkt/optimizer_updates.h"
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
  void (*run)(const UpdateArgs& a);
};

template <typename Params>
Params withGrad(const UpdateArgs& a) {
  Params p;
  p.grad = a.grad_scale;
  return p;
}

const OptimizerOp kOps[] = {
    {"sgdUpdate", {}, {"lr", "wd"},
     [](const UpdateArgs& a) {
       auto p = withGrad<SgdParams>(a);
       p.lr = a.s[0], p.wd = a.s[1];
       sgdUpdate(*a.weight, *a.grad, a.weight32, p);
     }},
    {"signsgdUpdate", {}, {"lr", "wd"},
     [](const UpdateArgs& a) {
       auto p = withGrad<SgdParams>(a);
       p.lr = a.s[0], p.wd = a.s[1];
       signsgdUpdate(*a.weight, *a.grad, a.weight32, p);
     }},
    {"sgdMomUpdate", {"mom"}, {"lr", "momentum", "wd"},
     [](const UpdateArgs& a) {
       auto p = withGrad<MomentumParams>(a);
       p.lr = a.s[0], p.momentum = a.s[1], p.wd = a.s[2];
       sgdMomUpdate(*a.weight, *a.grad, a.state(0), a.weight32, p);
     }},
    {"nagMomUpdate", {"mom"}, {"lr", "momentum", "wd"},
     [](const UpdateArgs& a) {
       auto p = withGrad<MomentumParams>(a);
       p.lr = a.s[0], p.momentum = a.s[1], p.wd = a.s[2];
       nagMomUpdate(*a.weight, *a.grad, a.state(0), a.weight32, p);
     }},
    {"adamUpdate", {"mean", "var"}, {"lr", "beta1", "beta2", "epsilon", "wd"},
     [](const UpdateArgs& a) {
       auto p = withGrad<AdamParams>(a);
       p.lr = a.s[0], p.beta1 = a.s[1], p.beta2 = a.s[2], p.epsilon = a.s[3], p.wd = a.s[4];
       adamUpdate(*a.weight, *a.grad, a.state(0), a.state(1), a.weight32, p);
     }},
    {"rmspropUpdate", {"n"}, {"lr", "gamma1", "epsilon", "wd", "clipWeights"},
     [](const UpdateArgs& a) {
       auto p = withGrad<RmspropParams>(a);
       p.lr = a.s[0], p.gamma1 = a.s[1], p.epsilon = a.s[2], p.wd = a.s[3], p.clipWeights = a.s[4];
       rmspropUpdate(*a.weight, *a.grad, a.state(0), a.weight32, p);
     }},
    {"rmspropalexUpdate", {"n", "g", "delta"}, {"lr", "gamma1", "gamma2", "epsilon", "wd", "clipWeights"},
     [](const UpdateArgs& a) {
       auto p = withGrad<RmspropParams>(a);
       p.lr = a.s[0], p.gamma1 = a.s[1], p.gamma2 = a.s[2], p.epsilon = a.s[3], p.wd = a.s[4];
       p.clipWeights = a.s[5];
       rmspropalexUpdate(*a.weight, *a.grad, a.state(0), a.state(1), a.state(2), a.weight32, p);
     }},
    {"ftrlUpdate", {"z", "n"}, {"lr", "lamda1", "beta", "wd"},
     [](const UpdateArgs& a) {
       auto p = withGrad<FtrlParams>(a);
       p.lr = a.s[0], p.lamda1 = a.s[1], p.beta = a.s[2], p.wd = a.s[3];
       ftrlUpdate(*a.weight, *a.grad, a.state(0), a.state(1), a.weight32, p);
     }},
    {"ftmlUpdate", {"d", "v", "z"}, {"lr", "beta1", "beta2", "epsilon", "t", "wd"},
     [](const UpdateArgs& a) {
       auto p = withGrad<FtmlParams>(a);
       p.lr = a.s[0], p.beta1 = a.s[1], p.beta2 = a.s[2], p.epsilon = a.s[3], p.t = a.s[4], p.wd = a.s[5];
       ftmlUpdate(*a.weight, *a.grad, a.state(0), a.state(1), a.state(2), a.weight32, p);
     }},
    {"signumUpdate", {"mom"}, {"lr", "momentum", "wd", "wdLh"},
     [](const UpdateArgs& a) {
       auto p = withGrad<SignumParams>(a);
       p.lr = a.s[0], p.momentum = a.s[1], p.wd = a.s[2], p.wdLh = a.s[3];
       signumUpdate(*a.weight, *a.grad, a.state(0), a.weight32, p);
     }},
    {"adagradUpdate", {"history"}, {"lr", "epsilon", "wd"},
     [](const UpdateArgs& a) {
       auto p = withGrad<AdagradParams>(a);
       p.lr = a.s[0], p.epsilon = a.s[1], p.wd = a.s[2];
       adagradUpdate(*a.weight, *a.grad, a.state(0), a.weight32, p);
     }},
    {"adadeltaUpdate", {"accGrad", "accDelta"}, {"rho", "epsilon", "wd"},
     [](const UpdateArgs& a) {
       auto p = withGrad<AdadeltaParams>(a);
       p.rho = a.s[0], p.epsilon = a.s[1], p.wd = a.s[2];
       adadeltaUpdate(*a.weight, *a.grad, a.state(0), a.state(1), a.weight32, p);
     }},
    {"adamaxUpdate", {"mean", "u"}, {"lr", "beta1", "beta2", "wd"},
     [](const UpdateArgs& a) {
       auto p = withGrad<AdamaxParams>(a);
       p.lr = a.s[0], p.beta1 = a.s[1], p.beta2 = a.s[2], p.wd = a.s[3];
       adamaxUpdate(*a.weight, *a.grad, a.state(0), a.state(1), a.weight32, p);
     }},
    {"nadamUpdate", {"mean", "var"},
     {"lr", "beta1", "beta2", "epsilon", "wd", "momentumT", "momentumT1", "mSchedule", "mScheduleNext", "beta2PowT"},
     [](const UpdateArgs& a) {
       auto p = withGrad<NadamParams>(a);
       p.lr = a.s[0], p.beta1 = a.s[1], p.beta2 = a.s[2], p.epsilon = a.s[3], p.wd = a.s[4];
       p.momentumT = a.s[5], p.momentumT1 = a.s[6], p.mSchedule = a.s[7], p.mScheduleNext = a.s[8];
       p.beta2PowT = a.s[9];
       nadamUpdate(*a.weight, *a.grad, a.state(0), a.state(1), a.weight32, p);
     }},
    {"lambUpdate", {"mean", "var"},
     {"lr", "beta1", "beta2", "epsilon", "t", "biasCorrection", "wd", "lowerBound", "upperBound"},
     [](const UpdateArgs& a) {
       auto p = withGrad<LambParams>(a);
       p.lr = a.s[0], p.beta1 = a.s[1], p.beta2 = a.s[2], p.epsilon = a.s[3], p.t = a.s[4];
       p.biasCorrection = a.s[5] != 0;
       p.wd = a.s[6], p.lowerBound = a.s[7], p.upperBound = a.s[8];
       lambUpdate(*a.weight, *a.grad, a.state(0), a.state(1), a.weight32, p);
     }},
    {"sgldUpdate", {}, {"lr", "wd"},
     [](const UpdateArgs& a) {
       auto p = withGrad<SgldParams>(a);
       p.lr = a.s[0], p.wd = a.s[1];
       sgldUpdate(*a.weight, *a.grad, a.weight32, p);
     }},
};

const Tensor* optionalTensorArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg) {
  if (info[i].IsNull() || info[i].IsUndefined()) return nullptr;
  return &tensorArg(info, i, op, arg);
}

Napi::Value runOptimizerOp(const Napi::CallbackInfo& info, const OptimizerOp& o) {
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
  o.run(a);
  return info.Env().Undefined();
}

BKT_BINDING(jsOptimizerUpdate) { return runOptimizerOp(info, *static_cast<const OptimizerOp*>(info.Data())); }

}  // namespace

void registerOptimizer(Napi::Env env, Napi::Object exports) {
  for (const OptimizerOp& o : kOps) {
    exports.Set(o.name, Napi::Function::New(env, jsOptimizerUpdate, o.name, const_cast<OptimizerOp*>(&o)));
  }
}

}  // namespace bkt::napi
