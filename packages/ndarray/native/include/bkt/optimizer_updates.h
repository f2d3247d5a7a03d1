// Fused optimizer updates (MXNet 1.x sgd_update, sgd_mom_update, adam_update ... and the updates that
// MXNet's Python optimizers spell out as several NDArray ops). Each call updates `weight` and its state
// arrays in place in one pass over the elements.
//
// Every update shares these rules:
// - weight and grad have one shape and dtype; float32 or float64, the state arrays in that same dtype.
// - With `weight32` (a float32 master copy, MXNet's multi_precision) the weight may be float16,
//   bfloat16 (or float32): the update runs in float32 on weight32 and the states, then writes
//   weight = weight32 rounded to nearest even into the weight's dtype. A float16 or bfloat16 weight
//   without a master copy is a DTypeError.
// - grad is first multiplied by rescaleGrad, then clipped to [-clipGradient, clipGradient] when
//   clipGradient >= 0 (a negative clipGradient turns clipping off); where wd enters before or after
//   the clip follows each MXNet op.
// - Scalars arrive as double; a float32 update rounds them to float first, as MXNet's float params do.
// - Given a batch, an update checks its operands and queues itself instead of running (see UpdateBatch).
#pragma once
#include <vector>

#include "bkt/tensor.h"

namespace bkt {

// Updates of many parameters run as one (MXNet's multi_sgd_update, PyTorch's foreach optimizers): run()
// lays the queued updates' elements end to end and splits that range evenly over the thread pool, so
// the work is parallel across tensors and within large ones. Each element is computed exactly as by the
// update alone, so the results are bit for bit those of the updates run one by one. The queued arrays
// must stay alive until run(), and no array an update writes may share memory with another update's
// arrays (run() checks this before it changes anything).
class UpdateBatch {
 public:
  struct Job;  // one queued update (optimizer_updates.cc)

  UpdateBatch();
  ~UpdateBatch();
  UpdateBatch(const UpdateBatch&) = delete;
  UpdateBatch& operator=(const UpdateBatch&) = delete;

  void add(Job job);
  size_t size() const;
  // Applies every queued update, then empties the batch.
  void run();

 private:
  std::vector<Job> jobs_;
};

struct GradScale {
  double rescaleGrad = 1;
  double clipGradient = -1;
};

struct SgdParams {
  double lr = 0;
  double wd = 0;
  GradScale grad;
};
// weight = (1 - lr * wd) * weight - lr * clip(rescale * grad)
void sgdUpdate(const Tensor& weight, const Tensor& grad, const Tensor* weight32, const SgdParams& p,
               UpdateBatch* batch = nullptr);

struct MomentumParams {
  double lr = 0;
  double momentum = 0;
  double wd = 0;
  GradScale grad;
};
// mom = momentum * mom - wd * weight - clip(rescale * grad); weight += lr * mom. This is MXNet 1.6+'s
// kernel: the momentum is kept in gradient units, so a changing learning rate applies to all of it.
void sgdMomUpdate(const Tensor& weight, const Tensor& grad, const Tensor& mom, const Tensor* weight32,
                  const MomentumParams& p, UpdateBatch* batch = nullptr);
// t = clip(rescale * grad) + wd * weight; mom = momentum * mom - lr * t; weight += momentum * mom - lr * t
void nagMomUpdate(const Tensor& weight, const Tensor& grad, const Tensor& mom, const Tensor* weight32,
                  const MomentumParams& p, UpdateBatch* batch = nullptr);

struct AdamParams {
  double lr = 0;  // already bias-corrected by the caller, as MXNet's Python Adam does
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double wd = 0;
  GradScale grad;
};
// g = clip(rescale * grad + wd * weight); mean, var moving averages; weight -= lr * mean / (sqrt(var) + eps)
void adamUpdate(const Tensor& weight, const Tensor& grad, const Tensor& mean, const Tensor& var, const Tensor* weight32,
                const AdamParams& p, UpdateBatch* batch = nullptr);

struct RmspropParams {
  double lr = 0;
  double gamma1 = 0.95;
  double gamma2 = 0.9;  // centered (rmspropalex) only
  double epsilon = 1e-8;
  double wd = 0;
  double clipWeights = -1;
  GradScale grad;
};
// Tieleman & Hinton: n = (1 - g1) g^2 + g1 n; weight -= lr * g / sqrt(n + eps), g = clip(rescale*grad + wd*w)
void rmspropUpdate(const Tensor& weight, const Tensor& grad, const Tensor& n, const Tensor* weight32,
                   const RmspropParams& p, UpdateBatch* batch = nullptr);
// Graves (centered): also g_avg and delta = g2 * delta - lr * g / sqrt(n - g_avg^2 + eps); weight += delta
void rmspropalexUpdate(const Tensor& weight, const Tensor& grad, const Tensor& n, const Tensor& gAvg,
                       const Tensor& delta, const Tensor* weight32, const RmspropParams& p,
                       UpdateBatch* batch = nullptr);

struct FtrlParams {
  double lr = 0;
  double lamda1 = 0.01;
  double beta = 1;
  double wd = 0;
  GradScale grad;
};
void ftrlUpdate(const Tensor& weight, const Tensor& grad, const Tensor& z, const Tensor& n, const Tensor* weight32,
                const FtrlParams& p, UpdateBatch* batch = nullptr);

struct FtmlParams {
  double lr = 0;
  double beta1 = 0.6;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double t = 1;  // this index's update count, >= 1
  double wd = 0;
  GradScale grad;
};
void ftmlUpdate(const Tensor& weight, const Tensor& grad, const Tensor& d, const Tensor& v, const Tensor& z,
                const Tensor* weight32, const FtmlParams& p, UpdateBatch* batch = nullptr);

// weight = (1 - lr * wd) * weight - lr * sign(grad); like MXNet, rescale and clip have no effect.
void signsgdUpdate(const Tensor& weight, const Tensor& grad, const Tensor* weight32, const SgdParams& p,
                   UpdateBatch* batch = nullptr);

struct SignumParams {
  double lr = 0;
  double momentum = 0.9;
  double wd = 0;
  double wdLh = 0;
  GradScale grad;
};
// mom = momentum * mom - (1 - momentum) * (wd * weight + clip(rescale * grad));
// weight = (1 - lr * wdLh) * weight + lr * sign(mom)
void signumUpdate(const Tensor& weight, const Tensor& grad, const Tensor& mom, const Tensor* weight32,
                  const SignumParams& p, UpdateBatch* batch = nullptr);

struct AdagradParams {
  double lr = 0;
  double epsilon = 1e-7;
  double wd = 0;
  GradScale grad;
};
// MXNet's dense AdaGrad: g = clip(rescale * grad); history += g^2; weight -= lr * (g / sqrt(history + eps) + wd *
// weight)
void adagradUpdate(const Tensor& weight, const Tensor& grad, const Tensor& history, const Tensor* weight32,
                   const AdagradParams& p, UpdateBatch* batch = nullptr);

struct AdadeltaParams {
  double rho = 0.9;
  double epsilon = 1e-5;
  double wd = 0;
  GradScale grad;
};
// No learning rate, as in MXNet: weight -= delta + wd * weight.
void adadeltaUpdate(const Tensor& weight, const Tensor& grad, const Tensor& accGrad, const Tensor& accDelta,
                    const Tensor* weight32, const AdadeltaParams& p, UpdateBatch* batch = nullptr);

struct AdamaxParams {
  double lr = 0;  // already divided by (1 - beta1^t) by the caller
  double beta1 = 0.9;
  double beta2 = 0.999;
  double wd = 0;
  GradScale grad;
};
void adamaxUpdate(const Tensor& weight, const Tensor& grad, const Tensor& mean, const Tensor& u, const Tensor* weight32,
                  const AdamaxParams& p, UpdateBatch* batch = nullptr);

// The momentum schedule terms are computed by the caller (MXNet keeps m_schedule on the optimizer).
struct NadamParams {
  double lr = 0;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double wd = 0;
  double momentumT = 0;      // beta1 * (1 - 0.5 * 0.96^(t * schedule_decay))
  double momentumT1 = 0;     // the same at t + 1
  double mSchedule = 1;      // product of momentumT up to this step
  double mScheduleNext = 1;  // mSchedule * momentumT1
  double beta2PowT = 0;      // beta2^t
  GradScale grad;
};
void nadamUpdate(const Tensor& weight, const Tensor& grad, const Tensor& mean, const Tensor& var,
                 const Tensor* weight32, const NadamParams& p, UpdateBatch* batch = nullptr);

struct LambParams {
  double lr = 0;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-6;
  double t = 1;  // this index's update count, >= 1
  bool biasCorrection = true;
  double wd = 0;
  double lowerBound = -1;  // r1 clamps; negative = off
  double upperBound = -1;
  GradScale grad;
};
// MXNet's lamb_update_phase1 and phase2 in one call: the trust ratio ||w|| / ||g|| uses the weight
// before the update; the norms are summed in fixed-size blocks so the result does not depend on the
// number of threads.
void lambUpdate(const Tensor& weight, const Tensor& grad, const Tensor& mean, const Tensor& var, const Tensor* weight32,
                const LambParams& p, UpdateBatch* batch = nullptr);

struct SgldParams {
  double lr = 0;
  double wd = 0;
  GradScale grad;
};
// weight += -lr / 2 * (clip(rescale * grad) + wd * weight) + N(0, sqrt(lr)), the noise drawn from the
// global generator exactly as random.normal(0, sqrt(lr), weight.shape) in the compute dtype would.
void sgldUpdate(const Tensor& weight, const Tensor& grad, const Tensor* weight32, const SgldParams& p,
                UpdateBatch* batch = nullptr);

}  // namespace bkt
