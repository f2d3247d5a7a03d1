// The fused optimizer updates: <op>(weight, grad, ...states, weight32 | null, ...scalars), in place,
// returning undefined. Arguments are read one statement at a time so errors report the first bad one.
#include <initializer_list>
#include <string>

#include "bindings.h"
#include "bkt/error.h"
#include "bkt/optimizer_updates.h"
#include "errors.h"
#include "handle.h"

namespace bkt::napi {
namespace {

const Tensor* optionalTensorArg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* arg) {
  if (info[i].IsNull() || info[i].IsUndefined()) return nullptr;
  return &tensorArg(info, i, op, arg);
}

// Reads the trailing scalars in order, starting at argument `first`.
class ScalarReader {
 public:
  ScalarReader(const Napi::CallbackInfo& info, size_t first, const char* op) : info_(info), next_(first), op_(op) {}
  double operator()(const char* name) { return numberArg(info_, next_++, op_, name); }
  GradScale gradScale() {
    GradScale g;
    g.rescaleGrad = (*this)("rescaleGrad");
    g.clipGradient = (*this)("clipGradient");
    return g;
  }

 private:
  const Napi::CallbackInfo& info_;
  size_t next_;
  const char* op_;
};

// sgdUpdate / signsgdUpdate(weight, grad, weight32, lr, wd, rescaleGrad, clipGradient)
template <void (*Update)(const Tensor&, const Tensor&, const Tensor*, const SgdParams&)>
Napi::Value plainUpdate(const Napi::CallbackInfo& info, const char* op) {
  const Tensor& weight = tensorArg(info, 0, op, "weight");
  const Tensor& grad = tensorArg(info, 1, op, "grad");
  const Tensor* weight32 = optionalTensorArg(info, 2, op, "weight32");
  ScalarReader s(info, 3, op);
  SgdParams p;
  p.lr = s("lr");
  p.wd = s("wd");
  p.grad = s.gradScale();
  Update(weight, grad, weight32, p);
  return info.Env().Undefined();
}

BKT_BINDING(jsSgdUpdate) { return plainUpdate<sgdUpdate>(info, "sgdUpdate"); }
BKT_BINDING(jsSignsgdUpdate) { return plainUpdate<signsgdUpdate>(info, "signsgdUpdate"); }

// sgdMomUpdate / nagMomUpdate(weight, grad, mom, weight32, lr, momentum, wd, rescaleGrad, clipGradient)
template <void (*Update)(const Tensor&, const Tensor&, const Tensor&, const Tensor*, const MomentumParams&)>
Napi::Value momentumUpdate(const Napi::CallbackInfo& info, const char* op) {
  const Tensor& weight = tensorArg(info, 0, op, "weight");
  const Tensor& grad = tensorArg(info, 1, op, "grad");
  const Tensor& mom = tensorArg(info, 2, op, "mom");
  const Tensor* weight32 = optionalTensorArg(info, 3, op, "weight32");
  ScalarReader s(info, 4, op);
  MomentumParams p;
  p.lr = s("lr");
  p.momentum = s("momentum");
  p.wd = s("wd");
  p.grad = s.gradScale();
  Update(weight, grad, mom, weight32, p);
  return info.Env().Undefined();
}

BKT_BINDING(jsSgdMomUpdate) { return momentumUpdate<sgdMomUpdate>(info, "sgdMomUpdate"); }
BKT_BINDING(jsNagMomUpdate) { return momentumUpdate<nagMomUpdate>(info, "nagMomUpdate"); }

// adamUpdate(weight, grad, mean, var, weight32, lr, beta1, beta2, epsilon, wd, rescaleGrad, clipGradient)
BKT_BINDING(jsAdamUpdate) {
  const char* op = "adamUpdate";
  const Tensor& weight = tensorArg(info, 0, op, "weight");
  const Tensor& grad = tensorArg(info, 1, op, "grad");
  const Tensor& mean = tensorArg(info, 2, op, "mean");
  const Tensor& var = tensorArg(info, 3, op, "var");
  const Tensor* weight32 = optionalTensorArg(info, 4, op, "weight32");
  ScalarReader s(info, 5, op);
  AdamParams p;
  p.lr = s("lr");
  p.beta1 = s("beta1");
  p.beta2 = s("beta2");
  p.epsilon = s("epsilon");
  p.wd = s("wd");
  p.grad = s.gradScale();
  adamUpdate(weight, grad, mean, var, weight32, p);
  return info.Env().Undefined();
}

// rmspropUpdate(weight, grad, n, weight32, lr, gamma1, epsilon, wd, clipWeights, rescaleGrad, clipGradient)
BKT_BINDING(jsRmspropUpdate) {
  const char* op = "rmspropUpdate";
  const Tensor& weight = tensorArg(info, 0, op, "weight");
  const Tensor& grad = tensorArg(info, 1, op, "grad");
  const Tensor& n = tensorArg(info, 2, op, "n");
  const Tensor* weight32 = optionalTensorArg(info, 3, op, "weight32");
  ScalarReader s(info, 4, op);
  RmspropParams p;
  p.lr = s("lr");
  p.gamma1 = s("gamma1");
  p.epsilon = s("epsilon");
  p.wd = s("wd");
  p.clipWeights = s("clipWeights");
  p.grad = s.gradScale();
  rmspropUpdate(weight, grad, n, weight32, p);
  return info.Env().Undefined();
}

// rmspropalexUpdate(weight, grad, n, g, delta, weight32, lr, gamma1, gamma2, epsilon, wd, clipWeights,
//                   rescaleGrad, clipGradient)
BKT_BINDING(jsRmspropalexUpdate) {
  const char* op = "rmspropalexUpdate";
  const Tensor& weight = tensorArg(info, 0, op, "weight");
  const Tensor& grad = tensorArg(info, 1, op, "grad");
  const Tensor& n = tensorArg(info, 2, op, "n");
  const Tensor& g = tensorArg(info, 3, op, "g");
  const Tensor& delta = tensorArg(info, 4, op, "delta");
  const Tensor* weight32 = optionalTensorArg(info, 5, op, "weight32");
  ScalarReader s(info, 6, op);
  RmspropParams p;
  p.lr = s("lr");
  p.gamma1 = s("gamma1");
  p.gamma2 = s("gamma2");
  p.epsilon = s("epsilon");
  p.wd = s("wd");
  p.clipWeights = s("clipWeights");
  p.grad = s.gradScale();
  rmspropalexUpdate(weight, grad, n, g, delta, weight32, p);
  return info.Env().Undefined();
}

// ftrlUpdate(weight, grad, z, n, weight32, lr, lamda1, beta, wd, rescaleGrad, clipGradient)
BKT_BINDING(jsFtrlUpdate) {
  const char* op = "ftrlUpdate";
  const Tensor& weight = tensorArg(info, 0, op, "weight");
  const Tensor& grad = tensorArg(info, 1, op, "grad");
  const Tensor& z = tensorArg(info, 2, op, "z");
  const Tensor& n = tensorArg(info, 3, op, "n");
  const Tensor* weight32 = optionalTensorArg(info, 4, op, "weight32");
  ScalarReader s(info, 5, op);
  FtrlParams p;
  p.lr = s("lr");
  p.lamda1 = s("lamda1");
  p.beta = s("beta");
  p.wd = s("wd");
  p.grad = s.gradScale();
  ftrlUpdate(weight, grad, z, n, weight32, p);
  return info.Env().Undefined();
}

// ftmlUpdate(weight, grad, d, v, z, weight32, lr, beta1, beta2, epsilon, t, wd, rescaleGrad, clipGradient)
BKT_BINDING(jsFtmlUpdate) {
  const char* op = "ftmlUpdate";
  const Tensor& weight = tensorArg(info, 0, op, "weight");
  const Tensor& grad = tensorArg(info, 1, op, "grad");
  const Tensor& d = tensorArg(info, 2, op, "d");
  const Tensor& v = tensorArg(info, 3, op, "v");
  const Tensor& z = tensorArg(info, 4, op, "z");
  const Tensor* weight32 = optionalTensorArg(info, 5, op, "weight32");
  ScalarReader s(info, 6, op);
  FtmlParams p;
  p.lr = s("lr");
  p.beta1 = s("beta1");
  p.beta2 = s("beta2");
  p.epsilon = s("epsilon");
  p.t = s("t");
  p.wd = s("wd");
  p.grad = s.gradScale();
  ftmlUpdate(weight, grad, d, v, z, weight32, p);
  return info.Env().Undefined();
}

// signumUpdate(weight, grad, mom, weight32, lr, momentum, wd, wdLh, rescaleGrad, clipGradient)
BKT_BINDING(jsSignumUpdate) {
  const char* op = "signumUpdate";
  const Tensor& weight = tensorArg(info, 0, op, "weight");
  const Tensor& grad = tensorArg(info, 1, op, "grad");
  const Tensor& mom = tensorArg(info, 2, op, "mom");
  const Tensor* weight32 = optionalTensorArg(info, 3, op, "weight32");
  ScalarReader s(info, 4, op);
  SignumParams p;
  p.lr = s("lr");
  p.momentum = s("momentum");
  p.wd = s("wd");
  p.wdLh = s("wdLh");
  p.grad = s.gradScale();
  signumUpdate(weight, grad, mom, weight32, p);
  return info.Env().Undefined();
}

// adagradUpdate(weight, grad, history, weight32, lr, epsilon, wd, rescaleGrad, clipGradient)
BKT_BINDING(jsAdagradUpdate) {
  const char* op = "adagradUpdate";
  const Tensor& weight = tensorArg(info, 0, op, "weight");
  const Tensor& grad = tensorArg(info, 1, op, "grad");
  const Tensor& history = tensorArg(info, 2, op, "history");
  const Tensor* weight32 = optionalTensorArg(info, 3, op, "weight32");
  ScalarReader s(info, 4, op);
  AdagradParams p;
  p.lr = s("lr");
  p.epsilon = s("epsilon");
  p.wd = s("wd");
  p.grad = s.gradScale();
  adagradUpdate(weight, grad, history, weight32, p);
  return info.Env().Undefined();
}

// adadeltaUpdate(weight, grad, accGrad, accDelta, weight32, rho, epsilon, wd, rescaleGrad, clipGradient)
BKT_BINDING(jsAdadeltaUpdate) {
  const char* op = "adadeltaUpdate";
  const Tensor& weight = tensorArg(info, 0, op, "weight");
  const Tensor& grad = tensorArg(info, 1, op, "grad");
  const Tensor& accGrad = tensorArg(info, 2, op, "accGrad");
  const Tensor& accDelta = tensorArg(info, 3, op, "accDelta");
  const Tensor* weight32 = optionalTensorArg(info, 4, op, "weight32");
  ScalarReader s(info, 5, op);
  AdadeltaParams p;
  p.rho = s("rho");
  p.epsilon = s("epsilon");
  p.wd = s("wd");
  p.grad = s.gradScale();
  adadeltaUpdate(weight, grad, accGrad, accDelta, weight32, p);
  return info.Env().Undefined();
}

// adamaxUpdate(weight, grad, mean, u, weight32, lr, beta1, beta2, wd, rescaleGrad, clipGradient)
BKT_BINDING(jsAdamaxUpdate) {
  const char* op = "adamaxUpdate";
  const Tensor& weight = tensorArg(info, 0, op, "weight");
  const Tensor& grad = tensorArg(info, 1, op, "grad");
  const Tensor& mean = tensorArg(info, 2, op, "mean");
  const Tensor& u = tensorArg(info, 3, op, "u");
  const Tensor* weight32 = optionalTensorArg(info, 4, op, "weight32");
  ScalarReader s(info, 5, op);
  AdamaxParams p;
  p.lr = s("lr");
  p.beta1 = s("beta1");
  p.beta2 = s("beta2");
  p.wd = s("wd");
  p.grad = s.gradScale();
  adamaxUpdate(weight, grad, mean, u, weight32, p);
  return info.Env().Undefined();
}

// nadamUpdate(weight, grad, mean, var, weight32, lr, beta1, beta2, epsilon, wd, momentumT, momentumT1,
//             mSchedule, mScheduleNext, beta2PowT, rescaleGrad, clipGradient)
BKT_BINDING(jsNadamUpdate) {
  const char* op = "nadamUpdate";
  const Tensor& weight = tensorArg(info, 0, op, "weight");
  const Tensor& grad = tensorArg(info, 1, op, "grad");
  const Tensor& mean = tensorArg(info, 2, op, "mean");
  const Tensor& var = tensorArg(info, 3, op, "var");
  const Tensor* weight32 = optionalTensorArg(info, 4, op, "weight32");
  ScalarReader s(info, 5, op);
  NadamParams p;
  p.lr = s("lr");
  p.beta1 = s("beta1");
  p.beta2 = s("beta2");
  p.epsilon = s("epsilon");
  p.wd = s("wd");
  p.momentumT = s("momentumT");
  p.momentumT1 = s("momentumT1");
  p.mSchedule = s("mSchedule");
  p.mScheduleNext = s("mScheduleNext");
  p.beta2PowT = s("beta2PowT");
  p.grad = s.gradScale();
  nadamUpdate(weight, grad, mean, var, weight32, p);
  return info.Env().Undefined();
}

// lambUpdate(weight, grad, mean, var, weight32, lr, beta1, beta2, epsilon, t, biasCorrection, wd,
//            lowerBound, upperBound, rescaleGrad, clipGradient)
BKT_BINDING(jsLambUpdate) {
  const char* op = "lambUpdate";
  const Tensor& weight = tensorArg(info, 0, op, "weight");
  const Tensor& grad = tensorArg(info, 1, op, "grad");
  const Tensor& mean = tensorArg(info, 2, op, "mean");
  const Tensor& var = tensorArg(info, 3, op, "var");
  const Tensor* weight32 = optionalTensorArg(info, 4, op, "weight32");
  ScalarReader s(info, 5, op);
  LambParams p;
  p.lr = s("lr");
  p.beta1 = s("beta1");
  p.beta2 = s("beta2");
  p.epsilon = s("epsilon");
  p.t = s("t");
  p.biasCorrection = s("biasCorrection") != 0;
  p.wd = s("wd");
  p.lowerBound = s("lowerBound");
  p.upperBound = s("upperBound");
  p.grad = s.gradScale();
  lambUpdate(weight, grad, mean, var, weight32, p);
  return info.Env().Undefined();
}

// sgldUpdate(weight, grad, weight32, lr, wd, rescaleGrad, clipGradient)
BKT_BINDING(jsSgldUpdate) {
  const char* op = "sgldUpdate";
  const Tensor& weight = tensorArg(info, 0, op, "weight");
  const Tensor& grad = tensorArg(info, 1, op, "grad");
  const Tensor* weight32 = optionalTensorArg(info, 2, op, "weight32");
  ScalarReader s(info, 3, op);
  SgldParams p;
  p.lr = s("lr");
  p.wd = s("wd");
  p.grad = s.gradScale();
  sgldUpdate(weight, grad, weight32, p);
  return info.Env().Undefined();
}

}  // namespace

void registerOptimizer(Napi::Env env, Napi::Object exports) {
  exports.Set("sgdUpdate", Napi::Function::New(env, jsSgdUpdate));
  exports.Set("signsgdUpdate", Napi::Function::New(env, jsSignsgdUpdate));
  exports.Set("sgdMomUpdate", Napi::Function::New(env, jsSgdMomUpdate));
  exports.Set("nagMomUpdate", Napi::Function::New(env, jsNagMomUpdate));
  exports.Set("adamUpdate", Napi::Function::New(env, jsAdamUpdate));
  exports.Set("rmspropUpdate", Napi::Function::New(env, jsRmspropUpdate));
  exports.Set("rmspropalexUpdate", Napi::Function::New(env, jsRmspropalexUpdate));
  exports.Set("ftrlUpdate", Napi::Function::New(env, jsFtrlUpdate));
  exports.Set("ftmlUpdate", Napi::Function::New(env, jsFtmlUpdate));
  exports.Set("signumUpdate", Napi::Function::New(env, jsSignumUpdate));
  exports.Set("adagradUpdate", Napi::Function::New(env, jsAdagradUpdate));
  exports.Set("adadeltaUpdate", Napi::Function::New(env, jsAdadeltaUpdate));
  exports.Set("adamaxUpdate", Napi::Function::New(env, jsAdamaxUpdate));
  exports.Set("nadamUpdate", Napi::Function::New(env, jsNadamUpdate));
  exports.Set("lambUpdate", Napi::Function::New(env, jsLambUpdate));
  exports.Set("sgldUpdate", Napi::Function::New(env, jsSgldUpdate));
}

}  // namespace bkt::napi
