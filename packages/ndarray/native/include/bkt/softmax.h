// Softmax and log-softmax along one axis: MXNet's softmax(data, axis=-1, temperature=1) and
// log_softmax, computed stably by subtracting each row's maximum before exponentiating.
#pragma once
#include "bkt/tensor.h"

namespace bkt {

// exp((x - max) / t) / sum(exp((x - max) / t)) along `axis` (negative counts from the end); t > 0.
Tensor softmax(const Tensor& x, int64_t axis, double temperature);

// (x - max) / t - log(sum(exp((x - max) / t))) along `axis`.
Tensor logSoftmax(const Tensor& x, int64_t axis, double temperature);

// The write-into form (softmax, or log_softmax when `log`) for the executor's plan kernels: y has
// x's dtype and size, and may be x itself.
void softmaxInto(const Tensor& x, int64_t axis, double temperature, bool log, const Tensor& y);

}  // namespace bkt
