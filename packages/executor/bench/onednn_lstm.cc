// oneDNN's own LSTM primitive on the LM's recurrent part (T = 30, N = 32, 2 layers of 200, input 200,
// float32, no states), forward_training and backward, weights in the layout oneDNN prefers (so the
// reorders from MXNet's packed layout that bkt would need are not counted). Prints one JSON line of
// milliseconds per call; rnn-vs-onednn.ts compiles and runs it beside bkt's fused RNN.
#include <chrono>
#include <cstdio>
#include <unordered_map>

#include "oneapi/dnnl/dnnl.hpp"

using dnnl::memory;

int main() {
  constexpr int kT = 30, kN = 32, kLayers = 2, kHidden = 200, kInput = 200, kIters = 50;
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  const auto f32 = memory::data_type::f32;
  const memory::desc src({kT, kN, kInput}, f32, memory::format_tag::tnc);
  const memory::desc dst({kT, kN, kHidden}, f32, memory::format_tag::tnc);
  const memory::desc weightsLayer({kLayers, 1, kInput, 4, kHidden}, f32, memory::format_tag::any);
  const memory::desc weightsIter({kLayers, 1, kHidden, 4, kHidden}, f32, memory::format_tag::any);
  const memory::desc bias({kLayers, 1, 4, kHidden}, f32, memory::format_tag::ldgo);
  const memory::desc none;
  const auto dir = dnnl::rnn_direction::unidirectional_left2right;
  const dnnl::lstm_forward::primitive_desc fwdPd(
      dnnl::lstm_forward::desc(dnnl::prop_kind::forward_training, dir, src, none, none, weightsLayer, weightsIter, bias,
                               dst, none, none),
      engine);
  const dnnl::lstm_backward::primitive_desc bwdPd(
      dnnl::lstm_backward::desc(dnnl::prop_kind::backward, dir, src, none, none, weightsLayer, weightsIter, bias, dst,
                                none, none, src, none, none, weightsLayer, weightsIter, bias, dst, none, none),
      engine, fwdPd);
  auto make = [&](const memory::desc& d) { return memory(d, engine); };
  const std::unordered_map<int, memory> fwdArgs{{DNNL_ARG_SRC_LAYER, make(src)},
                                                {DNNL_ARG_WEIGHTS_LAYER, make(fwdPd.weights_layer_desc())},
                                                {DNNL_ARG_WEIGHTS_ITER, make(fwdPd.weights_iter_desc())},
                                                {DNNL_ARG_BIAS, make(bias)},
                                                {DNNL_ARG_DST_LAYER, make(dst)},
                                                {DNNL_ARG_WORKSPACE, make(fwdPd.workspace_desc())}};
  std::unordered_map<int, memory> bwdArgs{{DNNL_ARG_WEIGHTS_LAYER, make(bwdPd.weights_layer_desc())},
                                          {DNNL_ARG_WEIGHTS_ITER, make(bwdPd.weights_iter_desc())},
                                          {DNNL_ARG_DIFF_SRC_LAYER, make(src)},
                                          {DNNL_ARG_DIFF_WEIGHTS_LAYER, make(bwdPd.diff_weights_layer_desc())},
                                          {DNNL_ARG_DIFF_WEIGHTS_ITER, make(bwdPd.diff_weights_iter_desc())},
                                          {DNNL_ARG_DIFF_BIAS, make(bias)},
                                          {DNNL_ARG_DIFF_DST_LAYER, make(dst)}};
  for (int arg : {DNNL_ARG_SRC_LAYER, DNNL_ARG_BIAS, DNNL_ARG_DST_LAYER, DNNL_ARG_WORKSPACE})
    bwdArgs.emplace(arg, fwdArgs.at(arg));
  const dnnl::lstm_forward forward(fwdPd);
  const dnnl::lstm_backward backward(bwdPd);
  auto timeMs = [&](auto&& call) {
    for (int i = 0; i < 3; ++i) call();
    stream.wait();
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kIters; ++i) call();
    stream.wait();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / kIters;
  };
  const double fwdMs = timeMs([&] { forward.execute(stream, fwdArgs); });
  const double bwdMs = timeMs([&] { backward.execute(stream, bwdArgs); });
  std::printf("{\"forward_ms\":%.3f,\"backward_ms\":%.3f}\n", fwdMs, bwdMs);
  return 0;
}
