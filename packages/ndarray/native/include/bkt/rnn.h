// MXNet's fused RNN operator (lstm, gru, rnn_tanh, rnn_relu; stacked layers, bidirectional) as
// sequence-level kernels: the input projection of all time steps is one GEMM, each step adds one
// GEMM for the recurrence, the gate math is fused, and backward computes weight gradients as GEMMs
// over all steps. Parameters are packed in MXNet's layout (all weights, then all biases; per layer
// and direction i2h then h2h; gates i,f,c,o for lstm and r,z,n for gru).
#pragma once
#include <cstdint>

#include "bkt/kernel_enums.gen.h"
#include "bkt/tensor.h"

namespace bkt {

struct RnnConfig {
  RnnMode mode;
  int64_t seqLen, batch, inputSize, hidden, layers, directions;
  int64_t gates() const { return mode == RnnMode::kLstm ? 4 : mode == RnnMode::kGru ? 3 : 1; }
  bool hasCell() const { return mode == RnnMode::kLstm; }
};

// Elements of the packed parameter vector.
int64_t rnnParamSize(const RnnConfig& c);
// Elements of the workspace a training forward keeps for backward (and backward's own scratch).
int64_t rnnWorkspaceSize(const RnnConfig& c);

}  // namespace bkt
