// The fused RNN operator. Forward per layer and direction: Gx = X·Wxᵀ + b for all steps in one
// GEMM, then per step G += h·Whᵀ and the fused gate update, the batch's rows split over the threads
// (forEachRowBlock). The training workspace keeps activated
// gates (and LSTM cells, GRU's h2h candidate) for backward, which walks the steps in reverse and then
// forms dWx, dWh and dX as GEMMs over all steps at once.
// In inference, layer 0's projection of an Embedding's output may be a lookup in a kept table instead
// (rnn_embedding_fold.h). Plan attributes: RnnAttrs (kernel_attrs.gen.h).
#include "bkt/rnn.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <optional>
#include <type_traits>
#include <vector>

#include <omp.h>

#include "bkt/error.h"
#include "bkt/gemm.h"
#include "bkt/indexing.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/plan.h"
#include "fast_exp.h"
#include "live_rows.h"
#include "rnn_embedding_fold.h"

namespace bkt {

int64_t rnnParamSize(const RnnConfig& c) {
  const int64_t gh = c.gates() * c.hidden;
  int64_t n = 0;
  for (int64_t l = 0; l < c.layers; ++l) {
    const int64_t in = l == 0 ? c.inputSize : c.directions * c.hidden;
    n += c.directions * (gh * in + gh * c.hidden + 2 * gh);
  }
  return n;
}

namespace {

// Per layer-direction workspace, per position (step x batch row), in units of `hidden`:
// lstm: activated gates (4) + cell (1); gru: activated r,z,n (3) + h2h candidate (1) + dGh (3);
// rnn: activation (1).
int64_t perPosition(const RnnConfig& c) { return c.mode == RnnMode::kLstm ? 5 : c.mode == RnnMode::kGru ? 7 : 1; }

}  // namespace

int64_t rnnWorkspaceSize(const RnnConfig& c) {
  const int64_t tn = c.seqLen * c.batch;
  const int64_t layerOut = tn * c.directions * c.hidden;
  return c.layers * c.directions * tn * perPosition(c) * c.hidden  // per layer-direction state
         + (c.layers - 1) * layerOut                               // outputs of all but the last layer
         + 2 * layerOut                                            // backward: dY ping-pong
         + 2 * c.directions * c.batch * c.hidden;                  // backward: dh, dc carried between steps
}

namespace {

// The float32 gates use fastmath::fastExp, which the compiler vectorizes: libm's scalar expf and
// tanhf were ~13% of an LSTM training step.
template <typename T>
inline T sigmoid(T x) {
  return T(1) / (T(1) + std::exp(-x));
}
template <>
inline float sigmoid(float x) {
  return 1.0f / (1.0f + fastmath::fastExp(-x));
}

template <typename T>
inline T tanhOf(T x) {
  return std::tanh(x);
}
template <>
inline float tanhOf(float x) {
  return 1.0f - 2.0f / (1.0f + fastmath::fastExp(2.0f * x));
}

// The per-row gate math of one step. Each row's arrays are separate `__restrict` pointers so GCC
// vectorizes the loops (with plain pointers into one workspace it kept them scalar, as it cannot
// rule out overlap); the arrays passed never overlap. A row block's rows run on the thread that ran
// its product (forEachRowBlock).

// LSTM: activates the gate pre-activations i, f, g, o in place, then writes the cell and the output.
template <typename T>
BKT_VECTOR_CLONES void lstmForwardRow(T* __restrict gi, T* __restrict gf, T* __restrict gg, T* __restrict go,
                                      const T* __restrict cPrev, T* __restrict cell, T* __restrict out, int64_t H) {
  for (int64_t j = 0; j < H; ++j) gi[j] = sigmoid(gi[j]);
  for (int64_t j = 0; j < H; ++j) gf[j] = sigmoid(gf[j]);
  for (int64_t j = 0; j < H; ++j) gg[j] = tanhOf(gg[j]);
  for (int64_t j = 0; j < H; ++j) go[j] = sigmoid(go[j]);
  for (int64_t j = 0; j < H; ++j) {
    const T c = gf[j] * cPrev[j] + gi[j] * gg[j];
    cell[j] = c;
    out[j] = go[j] * tanhOf(c);
  }
}

// GRU: gr, gz, gn hold X·Wxᵀ + bx (+ bh for r and z); hr, hz, hn hold h·Whᵀ, bhn is h2h's n bias.
// Leaves r, z and the candidate in gr, gz, gn and the h2h candidate h·Whnᵀ + bhn in hnKept.
template <typename T>
BKT_VECTOR_CLONES void gruForwardRow(T* __restrict gr, T* __restrict gz, T* __restrict gn, const T* __restrict hr,
                                     const T* __restrict hz, const T* __restrict hn, const T* __restrict bhn,
                                     const T* __restrict hPrev, T* __restrict hnKept, T* __restrict out, int64_t H) {
  for (int64_t j = 0; j < H; ++j) gr[j] = sigmoid(gr[j] + hr[j]);
  for (int64_t j = 0; j < H; ++j) gz[j] = sigmoid(gz[j] + hz[j]);
  for (int64_t j = 0; j < H; ++j) {
    const T h2h = hn[j] + bhn[j];
    hnKept[j] = h2h;
    gn[j] = tanhOf(gn[j] + gr[j] * h2h);
  }
  for (int64_t j = 0; j < H; ++j) out[j] = (T(1) - gz[j]) * gn[j] + gz[j] * hPrev[j];
}

// LSTM backward of one row: turns the activated gates into their pre-activation gradients and
// updates the cell gradient dc; dh is the gradient reaching h from the next step.
template <typename T>
BKT_VECTOR_CLONES void lstmBackwardRow(T* __restrict gi, T* __restrict gf, T* __restrict gg, T* __restrict go,
                                       const T* __restrict cell, const T* __restrict cPrev, const T* __restrict dy,
                                       const T* __restrict dh, T* __restrict dc, int64_t H) {
  for (int64_t j = 0; j < H; ++j) {
    const T i = gi[j], f = gf[j], g = gg[j], o = go[j];
    const T tc = tanhOf(cell[j]);
    const T dht = dy[j] + dh[j];
    const T dct = dc[j] + dht * o * (T(1) - tc * tc);
    gi[j] = dct * g * i * (T(1) - i);
    gf[j] = dct * cPrev[j] * f * (T(1) - f);
    gg[j] = dct * i * (T(1) - g * g);
    go[j] = dht * tc * o * (T(1) - o);
    dc[j] = dct * f;
  }
}

// GRU backward of one row: gr, gz, gn (r, z, candidate) become dGx's parts, hr, hz, hn receive dGh's,
// and dh (in: from the next step) becomes the part of dh_prev that bypasses Wh.
template <typename T>
BKT_VECTOR_CLONES void gruBackwardRow(T* __restrict gr, T* __restrict gz, T* __restrict gn, T* __restrict hr,
                                      T* __restrict hz, T* __restrict hn, const T* __restrict hnKept,
                                      const T* __restrict hPrev, const T* __restrict dy, T* __restrict dh, int64_t H) {
  for (int64_t j = 0; j < H; ++j) {
    const T r = gr[j], z = gz[j], cand = gn[j];
    const T dht = dy[j] + dh[j];
    const T dCand = dht * (T(1) - z) * (T(1) - cand * cand);
    const T dz = dht * (hPrev[j] - cand) * z * (T(1) - z);
    const T dr = dCand * hnKept[j] * r * (T(1) - r);
    gr[j] = dr;
    gz[j] = dz;
    gn[j] = dCand;
    hr[j] = dr;
    hz[j] = dz;
    hn[j] = dCand * r;
    dh[j] = dht * z;
  }
}

template <typename T>
BKT_VECTOR_CLONES void rnnForwardRow(T* __restrict g, T* __restrict out, bool relu, int64_t H) {
  if (relu) {
    for (int64_t j = 0; j < H; ++j) g[j] = std::max(g[j], T(0));
  } else {
    for (int64_t j = 0; j < H; ++j) g[j] = tanhOf(g[j]);
  }
  for (int64_t j = 0; j < H; ++j) out[j] = g[j];
}

template <typename T>
BKT_VECTOR_CLONES void rnnBackwardRow(T* __restrict g, const T* __restrict dy, const T* __restrict dh, bool relu,
                                      int64_t H) {
  if (relu) {
    for (int64_t j = 0; j < H; ++j) g[j] = (dy[j] + dh[j]) * (g[j] > T(0) ? T(1) : T(0));
  } else {
    for (int64_t j = 0; j < H; ++j) g[j] = (dy[j] + dh[j]) * (T(1) - g[j] * g[j]);
  }
}

// sum (cols) += the rows of m (rows, cols): the bias gradients, one step at a time while its gate
// gradients are still in cache (a pass over all steps at the end read them back from memory).
template <typename T>
BKT_VECTOR_CLONES void addRows(const T* m, int64_t rows, int64_t cols, T* __restrict sum) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* __restrict row = m + r * cols;
    for (int64_t j = 0; j < cols; ++j) sum[j] += row[j];
  }
}

// The steps of a layer run on a team of threads that splits the batch: its rows evolve independently
// through the steps, so each thread takes a block of rows and runs every step for it — a product on that
// thread alone (a oneDNN primitive of its own, sgemmOnThisThread) followed by the block's gate math —
// with no synchronization between steps. A 2-thread product per step (a fork and a join each) followed
// by the gate math on one thread ran those products at 60–63% of the machine's peak and fell apart when
// another process held a core, while one thread's product with the kept W_h runs at ~94% of a core's
// (see the ndarray README). The team is libgomp's, the one oneDNN runs the layer's large products on,
// so no second set of threads spins meanwhile.
int teamSize(int64_t rows) {
  // A forced OpenBLAS runs its products on its own threads, which would nest inside the team.
  if (gemmPolicy() == GemmPolicy::kOpenBlas) return 1;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(numThreads(), rows)));
}

// Batch rows [begin, end), the `slot`-th of `team` blocks.
struct RowBlock {
  int64_t begin, end;
  int slot, team;
};

RowBlock rowBlock(int64_t rows, int team, int slot) {
  return {rows * slot / team, rows * (slot + 1) / team, slot, team};
}

// The distinct row counts of the blocks forEachRowBlock will run: the step products' sizes to declare.
std::vector<int64_t> blockRowCounts(int64_t rows) {
  const int team = teamSize(rows);
  std::vector<int64_t> counts;
  for (int j = 0; j < team; ++j) {
    const RowBlock b = rowBlock(rows, team, j);
    if (std::find(counts.begin(), counts.end(), b.end - b.begin) == counts.end()) counts.push_back(b.end - b.begin);
  }
  return counts;
}

// fn(block) for each block of the rows, the blocks at once on the team. An error in a block is raised
// after the team has finished (an exception must not leave an OpenMP region).
template <typename Fn>
void forEachRowBlock(int64_t rows, Fn&& fn) {
  const int team = teamSize(rows);
  if (team == 1) {
    fn(rowBlock(rows, 1, 0));
    return;
  }
  std::vector<std::exception_ptr> errors(static_cast<size_t>(team));
#pragma omp parallel num_threads(team)
  {
    // A team smaller than asked for (OMP_THREAD_LIMIT) runs the blocks it lacks threads for in turn.
    for (int j = omp_get_thread_num(); j < team; j += omp_get_num_threads()) {
      try {
        fn(rowBlock(rows, team, j));
      } catch (...) {
        errors[static_cast<size_t>(j)] = std::current_exception();
      }
    }
  }
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
}

// A step's product for one row block: on a team of one it is any other product (threaded inside the
// library); on a larger team it runs on the block's thread alone. float64 runs on OpenBLAS, which the
// policy has on one thread unless forced (and then the team is one).
inline void stepProductOn(const RowBlock& b, const GemmShape& s, const float* a, const float* w, float* c,
                          const Tensor* weight) {
  if (b.team == 1)
    gemm(s, a, w, c, weight);
  else
    sgemmOnThisThread(s, b.slot, a, w, c, weight);
}
inline void stepProductOn(const RowBlock&, const GemmShape& s, const double* a, const double* w, double* c,
                          const Tensor* weight) {
  gemm(s, a, w, c, weight);
}

// The sizes of one configuration and the GEMMs its forward and backward issue, built here once for both
// the kernels' calls and their bind-time declarations (rnnForwardGemms, rnnBackwardGemms). W_x and W_h
// are B of the products marked `weight` (the kernels pass the parameters as bWeight).
struct RnnProducts {
  const RnnConfig& c;
  int64_t H, N, TN, G, GH, D;

  explicit RnnProducts(const RnnConfig& cfg)
      : c(cfg),
        H(cfg.hidden),
        N(cfg.batch),
        TN(cfg.seqLen * cfg.batch),
        G(cfg.gates()),
        GH(cfg.gates() * cfg.hidden),
        D(cfg.directions) {}

  int64_t inSize(int64_t l) const { return l == 0 ? c.inputSize : D * H; }

  // Gates (rows, GH) = X · Wxᵀ + the summed biases for `rows` rows of layer l's input: all steps at once
  // (TN rows), or every row of an embedding table (the folded table, rnn_embedding_fold.h).
  GemmShape inputProjection(int64_t l, int64_t rows) const {
    return {false, true, rows, GH, inSize(l), inSize(l), inSize(l), GH, 1.0f, 0.0f, false, true, true};
  }
  // A step's gates += hPrev · Whᵀ for `rows` batch rows (GRU: into its own scratch, from zero); the first
  // step reads h0 (rows of H), the others the layer's output (rows of D·H).
  GemmShape stepProduct(bool first, int64_t rows) const {
    return {false, true,  rows, GH, H, first ? H : D * H, H, GH, 1.0f, c.mode == RnnMode::kGru ? 0.0f : 1.0f,
            false, false, true};
  }
  // dh = dGates · Wh for `rows` batch rows (GRU: added to the part of dh that bypasses Wh).
  GemmShape stepGradProduct(int64_t rows) const {
    return {false, false, rows, H, GH, GH, H, H, 1.0f, c.mode == RnnMode::kGru ? 1.0f : 0.0f, false, false, true};
  }
  // The same over `count` of a block's rows gathered, a count that changes from step to step.
  GemmShape liveStepGradProduct(int64_t count) const {
    GemmShape s = stepGradProduct(count);
    s.runtimeM = true;
    return s;
  }
  // dWx = dGatesᵀ · X over all steps.
  GemmShape inputWeightGradProduct(int64_t l) const {
    return {true, false, GH, inSize(l), TN, GH, inSize(l), inSize(l), 1.0f, 0.0f};
  }
  // dWh = dGhᵀ · hPrev: every step but the first against the layer's output, then the first against h0.
  GemmShape hiddenWeightGradLaterSteps() const {
    return {true, false, GH, H, (c.seqLen - 1) * N, GH, D * H, H, 1.0f, 0.0f};
  }
  GemmShape hiddenWeightGradFirstStep() const {
    return {true, false, GH, H, N, GH, H, H, 1.0f, c.seqLen > 1 ? 1.0f : 0.0f};
  }
  // dX = dGates · Wx; the second direction adds onto the first's.
  GemmShape inputGradProduct(int64_t l, int64_t d) const {
    return {false, false, TN, inSize(l), GH, GH, inSize(l), inSize(l), 1.0f, d == 0 ? 0.0f : 1.0f, false, false, true};
  }

  // The forward direction's all-steps products over `count` of the positions, a count that changes from
  // call to call (see skippedPositions): dWx and dWh first over a run of positions in place, then adding
  // those gathered after it (hPrev's gathered rows are packed: ldb H); dX for each run.
  GemmShape liveInputWeightGradProduct(int64_t l, int64_t count, bool add) const {
    GemmShape s = inputWeightGradProduct(l);
    s.k = count;
    s.runtimeK = true;
    s.beta = add ? 1.0f : 0.0f;
    return s;
  }
  GemmShape liveHiddenWeightGradProduct(int64_t count, bool gathered) const {
    GemmShape s = hiddenWeightGradLaterSteps();
    s.k = count;
    s.runtimeK = true;
    s.ldb = gathered ? H : D * H;
    s.beta = gathered ? 1.0f : 0.0f;
    return s;
  }
  GemmShape liveInputGradProduct(int64_t l, int64_t count) const {
    GemmShape s = inputGradProduct(l, 0);
    s.m = count;
    s.runtimeM = true;
    return s;
  }
};

// Layer 0's gates as rows of a folded table (D, V, GH) at the Embedding's ids (rnn_embedding_fold.h).
struct FoldedInput {
  Tensor table;
  const Tensor* ids;
};

template <typename T>
struct Rnn : RnnProducts {
  const Tensor* paramsTensor;  // B of the weight products: the GEMM keeps copies in oneDNN's layout
  const T* params;
  const Tensor& workspace;
  T* ws;

  Rnn(const RnnConfig& cfg, const Tensor& p, const Tensor& w)
      : RnnProducts(cfg), paramsTensor(&p), params(p.data<T>()), workspace(w), ws(w.data<T>()) {}

  // Parameter slices, MXNet's packing: every weight first, then every bias.
  const T* wx(int64_t l, int64_t d) const { return params + weightOffset(l, d); }
  const T* wh(int64_t l, int64_t d) const { return wx(l, d) + GH * inSize(l); }
  const T* bx(int64_t l, int64_t d) const { return params + biasOffset(l, d); }
  const T* bh(int64_t l, int64_t d) const { return bx(l, d) + GH; }
  int64_t weightOffset(int64_t l, int64_t d) const {
    int64_t off = 0;
    for (int64_t k = 0; k < l * D + d; ++k) off += GH * (inSize(k / D) + H);
    return off;
  }
  int64_t biasOffset(int64_t l, int64_t d) const {
    int64_t off = 0;
    for (int64_t k = 0; k < c.layers; ++k) off += D * GH * (inSize(k) + H);
    return off + (l * D + d) * 2 * GH;
  }

  // Workspace slices.
  T* region(int64_t l, int64_t d) const { return ws + (l * D + d) * TN * perPosition(c) * H; }
  T* gates(int64_t l, int64_t d) const { return region(l, d); }                      // (TN, GH)
  T* extra(int64_t l, int64_t d) const { return region(l, d) + TN * GH; }            // lstm cells / gru hn, (TN, H)
  T* gruDgh(int64_t l, int64_t d) const { return region(l, d) + TN * GH + TN * H; }  // (TN, 3H)
  T* hiddenOut(int64_t l) const { return ws + c.layers * D * TN * perPosition(c) * H + l * TN * D * H; }
  T* dyBuffer(int k) const { return hiddenOut(c.layers - 1) + k * TN * D * H; }
  T* dhCarry(int64_t d) const { return dyBuffer(2) + d * 2 * N * H; }
  T* dcCarry(int64_t d) const { return dhCarry(d) + N * H; }

  int64_t step(int64_t s, int64_t d) const { return d == 0 ? s : c.seqLen - 1 - s; }

  // Every step of layer l, direction d, for the batch rows of `b`.
  void forwardSteps(int64_t l, int64_t d, T* y, const T* h0d, const T* c0d, const RowBlock& b) const {
    T* g = gates(l, d);
    const T* bhn = bh(l, d) + 2 * H;
    const bool relu = c.mode == RnnMode::kRnnRelu;
    const int64_t n0 = b.begin, rows = b.end - b.begin;
    for (int64_t s = 0; s < c.seqLen; ++s) {
      const int64_t t = step(s, d);
      const int64_t tp = s == 0 ? -1 : step(s - 1, d);
      const GemmShape stepGemm = stepProduct(tp < 0, rows);
      const int64_t ldPrev = stepGemm.lda;
      const T* hPrev = (tp < 0 ? h0d : y + tp * N * D * H + d * H) + n0 * ldPrev;
      T* gt = g + (t * N + n0) * GH;
      T* yt = y + (t * N + n0) * D * H + d * H;
      if (c.mode == RnnMode::kGru) {
        T* gh = gruDgh(l, d) + (t * N + n0) * GH;  // scratch for h·Whᵀ until backward reuses it
        stepProductOn(b, stepGemm, hPrev, wh(l, d), gh, paramsTensor);
        T* hn = extra(l, d) + (t * N + n0) * H;
        for (int64_t n = 0; n < rows; ++n) {
          T* row = gt + n * GH;
          const T* hrow = gh + n * GH;
          gruForwardRow(row, row + H, row + 2 * H, hrow, hrow + H, hrow + 2 * H, bhn, hPrev + n * ldPrev, hn + n * H,
                        yt + n * D * H, H);
        }
        continue;
      }
      stepProductOn(b, stepGemm, hPrev, wh(l, d), gt, paramsTensor);
      if (c.mode == RnnMode::kLstm) {
        const T* cPrev = (tp < 0 ? c0d : extra(l, d) + tp * N * H) + n0 * H;
        T* ct = extra(l, d) + (t * N + n0) * H;
        for (int64_t n = 0; n < rows; ++n) {
          T* row = gt + n * GH;
          lstmForwardRow(row, row + H, row + 2 * H, row + 3 * H, cPrev + n * H, ct + n * H, yt + n * D * H, H);
        }
      } else {
        for (int64_t n = 0; n < rows; ++n) rnnForwardRow(gt + n * GH, yt + n * D * H, relu, H);
      }
    }
  }

  // out (rows, GH) = `rows` rows of layer l's input · Wxᵀ + the biases, summed once and added inside
  // oneDNN's kernel; the per-step GEMMs accumulate onto it (beta = 1). GRU keeps h2h's n-part apart
  // (r gates it); its h·Whᵀ GEMM starts from zero.
  void projectInput(int64_t l, int64_t d, const T* x, int64_t rows, T* out) const {
    std::vector<T> bias(static_cast<size_t>(GH));
    for (int64_t j = 0; j < GH; ++j)
      bias[j] = bx(l, d)[j] + (c.mode != RnnMode::kGru || j < 2 * H ? bh(l, d)[j] : T(0));
    gemmBias(inputProjection(l, rows), x, wx(l, d), bias.data(), out, paramsTensor);
  }

  // folded: layer 0's gates are looked up (its table and ids), not projected from x.
  void forwardLayer(int64_t l, const T* x, T* y, const T* h0, const T* c0, T* hy, T* cy,
                    const FoldedInput* folded) const {
    for (int64_t d = 0; d < D; ++d) {
      if (folded) {
        const int64_t V = folded->table.dim(1);
        const Tensor table = folded->table.viewBytes(sizeof(T) * d * V * GH, {V, GH}, folded->table.dtype());
        const Tensor out = workspace.viewBytes(sizeof(T) * (gates(l, d) - ws), {TN, GH}, workspace.dtype());
        embeddingLookupInto(table, *folded->ids, out, "RNN");
      } else {
        projectInput(l, d, x, TN, gates(l, d));
      }
      const T* h0d = h0 + (l * D + d) * N * H;
      const T* c0d = c0 ? c0 + (l * D + d) * N * H : nullptr;
      forEachRowBlock(N, [&](const RowBlock& b) { forwardSteps(l, d, y, h0d, c0d, b); });
      const int64_t last = step(c.seqLen - 1, d);
      if (hy) {
        for (int64_t n = 0; n < N; ++n) {
          std::memcpy(hy + (l * D + d) * N * H + n * H, y + last * N * D * H + n * D * H + d * H, sizeof(T) * H);
        }
      }
      if (cy && c.mode == RnnMode::kLstm) {
        std::memcpy(cy + (l * D + d) * N * H, extra(l, d) + last * N * H, sizeof(T) * N * H);
      }
    }
  }

  // Every step of layer l, direction d, in reverse, for the batch rows of `b`: turns the gates into their
  // gradients, carries dh and dc, and adds the block's bias gradients into dbx and (GRU) dbh. With `last`
  // (the forward direction, see skippedPositions), a row's steps after its last live step only get their
  // dGx (and GRU's dGh) rows zeroed, what their gate math and product would give: a step where some of the
  // block's rows have ended runs its product on the others only (stepGradOn), one where all have none.
  void backwardSteps(int64_t l, int64_t d, const T* y, const T* dy, const T* h0d, const T* c0d, T* dbx, T* dbh,
                     const int64_t* last, const RowBlock& b) const {
    T* g = gates(l, d);
    const int64_t n0 = b.begin, rows = b.end - b.begin;
    T* dh = dhCarry(d) + n0 * H;
    T* dc = dcCarry(d) + n0 * H;
    const bool relu = c.mode == RnnMode::kRnnRelu;
    const int64_t blockLast = last && rows > 0 ? *std::max_element(last + b.begin, last + b.end) : c.seqLen - 1;
    thread_local std::vector<int64_t> liveAt;  // this team thread's
    for (int64_t s = c.seqLen - 1; s >= 0; --s) {
      const int64_t t = step(s, d);
      if (t > blockLast) {
        std::fill(g + (t * N + n0) * GH, g + (t * N + b.end) * GH, T(0));
        if (c.mode == RnnMode::kGru)
          std::fill(gruDgh(l, d) + (t * N + n0) * GH, gruDgh(l, d) + (t * N + b.end) * GH, T(0));
        continue;
      }
      const int64_t tp = s == 0 ? -1 : step(s - 1, d);
      const int64_t ldPrev = tp < 0 ? H : D * H;
      const T* hPrev = (tp < 0 ? h0d : y + tp * N * D * H + d * H) + n0 * ldPrev;
      T* gt = g + (t * N + n0) * GH;
      const T* dyt = dy + (t * N + n0) * D * H + d * H;
      // The block's rows whose steps have not ended: the others only get their gate-gradient rows zeroed.
      liveAt.clear();
      for (int64_t n = 0; n < rows; ++n) {
        if (!last || last[n0 + n] >= t) {
          liveAt.push_back(n);
          continue;
        }
        std::fill(gt + n * GH, gt + (n + 1) * GH, T(0));
        if (c.mode == RnnMode::kGru)
          std::fill(gruDgh(l, d) + (t * N + n0 + n) * GH, gruDgh(l, d) + (t * N + n0 + n + 1) * GH, T(0));
      }
      if (c.mode == RnnMode::kLstm) {
        const T* ct = extra(l, d) + (t * N + n0) * H;
        const T* cPrev = (tp < 0 ? c0d : extra(l, d) + tp * N * H) + n0 * H;
        for (const int64_t n : liveAt) {
          T* row = gt + n * GH;
          lstmBackwardRow(row, row + H, row + 2 * H, row + 3 * H, ct + n * H, cPrev + n * H, dyt + n * D * H,
                          dh + n * H, dc + n * H, H);
        }
        stepGradOn(b, gt, wh(l, d), dh, liveAt);
        addRows(gt, rows, GH, dbx);
      } else if (c.mode == RnnMode::kGru) {
        const T* hn = extra(l, d) + (t * N + n0) * H;
        T* dght = gruDgh(l, d) + (t * N + n0) * GH;
        for (const int64_t n : liveAt) {
          T* row = gt + n * GH;
          T* hrow = dght + n * GH;
          gruBackwardRow(row, row + H, row + 2 * H, hrow, hrow + H, hrow + 2 * H, hn + n * H, hPrev + n * ldPrev,
                         dyt + n * D * H, dh + n * H, H);
        }
        stepGradOn(b, dght, wh(l, d), dh, liveAt);
        addRows(gt, rows, GH, dbx);
        addRows(dght, rows, GH, dbh);
      } else {
        for (const int64_t n : liveAt) rnnBackwardRow(gt + n * GH, dyt + n * D * H, dh + n * H, relu, H);
        stepGradOn(b, gt, wh(l, d), dh, liveAt);
        addRows(gt, rows, GH, dbx);
      }
    }
  }

  // dh (+)= dG·W_h for the block's rows `live` (indices into it) at one step: the whole block in place, or
  // the live rows gathered, on a product whose row count changes from step to step (runtime-size).
  void stepGradOn(const RowBlock& b, const T* dG, const T* whd, T* dh, const std::vector<int64_t>& live) const {
    const int64_t rows = b.end - b.begin;
    const auto count = static_cast<int64_t>(live.size());
    if (count == rows) {
      stepProductOn(b, stepGradProduct(rows), dG, whd, dh, paramsTensor);
      return;
    }
    if (count == 0) return;
    thread_local std::vector<T> gRows, dhRows;  // this team thread's
    T* gR = liverows::grown(gRows, count * GH);
    T* dR = liverows::grown(dhRows, count * H);
    for (int64_t i = 0; i < count; ++i) {
      std::memcpy(gR + i * GH, dG + live[i] * GH, sizeof(T) * GH);
      if (c.mode == RnnMode::kGru) std::memcpy(dR + i * H, dh + live[i] * H, sizeof(T) * H);  // beta = 1
    }
    stepProductOn(b, liveStepGradProduct(count), gR, whd, dR, paramsTensor);
    for (int64_t i = 0; i < count; ++i) std::memcpy(dh + live[i] * H, dR + i * H, sizeof(T) * H);
  }

  // The forward direction's positions whose gradients are exactly zero. With no gradient reaching row n's
  // outputs after its step last[n] (dY's direction-0 rows zero there, and the row of dhy and dcy zero or
  // absent), the gate gradients of the steps after it are 0 · (finite values) = 0, and so are their dh and
  // dc and their rows' terms in dWx, dWh and dX — provided every value those take part with is finite
  // (0 · inf is NaN; in bfloat16 precision below liverows' bound): W_x, W_h and each such position's kept
  // gates, cell (GRU: h2h candidate), input and previous hidden state and cell. Fills `last` (-1: no live
  // step) and tells whether any position is skipped. The reverse direction walks back from the first
  // step, carrying the gradient of the live steps into the padded ones, which are therefore not zero.
  bool skippedPositions(int64_t l, const T* x, const T* y, const T* dy, const T* dhy, const T* dcy, const T* h0d,
                        const T* c0d, std::vector<int64_t>& last) const {
    last.assign(static_cast<size_t>(N), c.seqLen - 1);
    bool any = false;
    for (int64_t n = 0; n < N; ++n) {
      const int64_t state = l * D * N * H + n * H;  // direction 0's row n
      if ((dhy && !liverows::zeroRow(dhy + state, H)) || (dcy && !liverows::zeroRow(dcy + state, H))) continue;
      int64_t t = c.seqLen - 1;
      while (t >= 0 && liverows::zeroRow(dy + (t * N + n) * D * H, H)) --t;
      last[static_cast<size_t>(n)] = t;
      any = any || t < c.seqLen - 1;
    }
    if (!any) return false;
    const int64_t in = inSize(l);
    const T bound = liverows::productFiniteBound<T>();
    if (!liverows::allFinite(wx(l, 0), GH * in, bound) || !liverows::allFinite(wh(l, 0), GH * H, bound)) return false;
    const bool lstm = c.mode == RnnMode::kLstm;
    const bool kept = lstm || c.mode == RnnMode::kGru;  // a cell or h2h candidate per position
    for (int64_t n = 0; n < N; ++n) {
      for (int64_t t = last[static_cast<size_t>(n)] + 1; t < c.seqLen; ++t) {
        const int64_t p = t * N + n;
        const T* hPrev = t == 0 ? h0d + n * H : y + (p - N) * D * H;
        const T* cPrev = !lstm ? nullptr : t == 0 ? c0d + n * H : extra(l, 0) + (p - N) * H;
        if (!liverows::allFinite(x + p * in, in, bound) || !liverows::allFinite(gates(l, 0) + p * GH, GH, bound) ||
            (kept && !liverows::allFinite(extra(l, 0) + p * H, H, bound)) || !liverows::allFinite(hPrev, H, bound) ||
            (cPrev && !liverows::allFinite(cPrev, H, bound)))
          return false;
      }
    }
    return true;
  }

  // dWx, dWh and dX of the forward direction over its live positions (those at or before their row's last
  // live step; the others' dGx and dGh rows are zero), as FullyConnected's backward runs on its live rows
  // (live_rows.h): a run of positions in place and the rest gathered, or — when few positions in the span of
  // live ones are not — the full products. dX's rows at the other positions are zero.
  void liveProducts(int64_t l, const T* x, const T* y, const T* h0d, const std::vector<int64_t>& last, T* dx, T* dwx,
                    T* dwh) const {
    const int64_t in = inSize(l);
    const T* g = gates(l, 0);
    const T* dGh = c.mode == RnnMode::kGru ? gruDgh(l, 0) : g;
    // live: positions t·N + n; later: those after the first step, counted from the second step (dWh's rows).
    thread_local std::vector<int64_t> live, later;
    live.clear();
    later.clear();
    for (int64_t t = 0; t < c.seqLen; ++t) {
      for (int64_t n = 0; n < N; ++n) {
        if (t > last[static_cast<size_t>(n)]) continue;
        live.push_back(t * N + n);
        if (t > 0) later.push_back((t - 1) * N + n);
      }
    }
    // Grown to the largest counts met on this thread, then reused.
    thread_local std::vector<T> dgRows, xRows, dxRows, dghRows, hRows;
    const liverows::LiveSplit a = liverows::splitLive(live, TN);
    if (!a.worthSkipping) {
      gemm(inputWeightGradProduct(l), g, x, dwx);
      gemm(inputGradProduct(l, 0), g, wx(l, 0), dx, paramsTensor);
    } else {
      if (a.lead == 0)  // no live position
        std::fill(dwx, dwx + GH * in, T(0));
      else
        gemm(liveInputWeightGradProduct(l, a.lead, false), g + a.first * GH, x + a.first * in, dwx);
      liverows::zeroRowsOutside(dx, TN, in, a.first, a.first + a.lead);
      gemm(liveInputGradProduct(l, a.lead), g + a.first * GH, wx(l, 0), dx + a.first * in, paramsTensor);
      if (a.rest > 0) {
        const int64_t* rows = live.data() + a.lead;
        T* gR = liverows::grown(dgRows, a.rest * GH);
        T* xR = liverows::grown(xRows, a.rest * in);
        T* dxR = liverows::grown(dxRows, a.rest * in);
        liverows::gatherRows(g, GH, GH, rows, a.rest, gR);
        liverows::gatherRows(x, in, in, rows, a.rest, xR);
        gemm(liveInputWeightGradProduct(l, a.rest, true), gR, xR, dwx);
        gemm(liveInputGradProduct(l, a.rest), gR, wx(l, 0), dxR, paramsTensor);
        liverows::scatterRows(dxR, in, rows, a.rest, dx, in);
      }
    }
    const liverows::LiveSplit h = liverows::splitLive(later, TN - N);
    if (!h.worthSkipping) {
      gemm(hiddenWeightGradLaterSteps(), dGh + N * GH, y, dwh);
    } else {
      if (h.lead == 0)
        std::fill(dwh, dwh + GH * H, T(0));
      else
        gemm(liveHiddenWeightGradProduct(h.lead, false), dGh + (N + h.first) * GH, y + h.first * D * H, dwh);
      if (h.rest > 0) {
        const int64_t* rows = later.data() + h.lead;
        T* gR = liverows::grown(dghRows, h.rest * GH);
        T* hR = liverows::grown(hRows, h.rest * H);
        liverows::gatherRows(dGh + N * GH, GH, GH, rows, h.rest, gR);
        liverows::gatherRows(y, D * H, H, rows, h.rest, hR);
        gemm(liveHiddenWeightGradProduct(h.rest, true), gR, hR, dwh);
      }
    }
    gemm(hiddenWeightGradFirstStep(), dGh, h0d, dwh);
  }

  // dy: gradient of this layer's output (TN, D*H); dx receives the gradient of its input (TN, in).
  void backwardLayer(int64_t l, const T* x, const T* y, const T* dy, T* dx, const T* h0, const T* c0, const T* dhy,
                     const T* dcy, T* dparams, T* dh0, T* dc0) const {
    const int64_t in = inSize(l);
    thread_local std::vector<int64_t> lastLive;
    const bool skip =
        skippedPositions(l, x, y, dy, dhy, dcy, h0 + l * D * N * H, c0 ? c0 + l * D * N * H : nullptr, lastLive);
    for (int64_t d = 0; d < D; ++d) {
      T* g = gates(l, d);  // becomes dGx
      T* dh = dhCarry(d);
      T* dc = dcCarry(d);
      const int64_t ld = l * D + d;
      if (dhy)
        std::memcpy(dh, dhy + ld * N * H, sizeof(T) * N * H);
      else
        std::fill(dh, dh + N * H, T(0));
      if (dcy)
        std::memcpy(dc, dcy + ld * N * H, sizeof(T) * N * H);
      else
        std::fill(dc, dc + N * H, T(0));
      const T* h0d = h0 + ld * N * H;
      const T* c0d = c0 ? c0 + ld * N * H : nullptr;
      const bool gru = c.mode == RnnMode::kGru;
      const bool live = skip && d == 0;  // the products run on the live positions only
      T* dGh = gru ? gruDgh(l, d) : g;
      T* dbx = dparams + biasOffset(l, d);
      T* dbh = dbx + GH;
      // Each row block sums its bias gradients apart (the first into dbx, dbh); the others are added after.
      const int team = teamSize(N);
      std::vector<T> partial(static_cast<size_t>((team - 1) * 2 * GH), T(0));
      std::fill(dbx, dbx + GH, T(0));
      if (gru) std::fill(dbh, dbh + GH, T(0));
      const int64_t* last = live ? lastLive.data() : nullptr;  // the team's threads see their own thread_locals
      forEachRowBlock(N, [&](const RowBlock& b) {
        T* px = b.slot == 0 ? dbx : partial.data() + (b.slot - 1) * 2 * GH;
        T* ph = b.slot == 0 ? dbh : px + GH;
        backwardSteps(l, d, y, dy, h0d, c0d, px, ph, last, b);
      });
      for (int j = 1; j < team; ++j) {
        const T* px = partial.data() + (j - 1) * 2 * GH;
        for (int64_t k = 0; k < GH; ++k) dbx[k] += px[k];
        if (gru)
          for (int64_t k = 0; k < GH; ++k) dbh[k] += px[GH + k];
      }
      if (!gru) std::memcpy(dbh, dbx, sizeof(T) * GH);  // lstm, rnn: the hidden bias's sums are the same
      if (dh0) std::memcpy(dh0 + ld * N * H, dh, sizeof(T) * N * H);
      if (dc0) std::memcpy(dc0 + ld * N * H, dc, sizeof(T) * N * H);

      T* dwx = dparams + weightOffset(l, d);
      T* dwh = dwx + GH * in;
      if (live) {
        liveProducts(l, x, y, h0d, lastLive, dx, dwx, dwh);
        continue;
      }
      gemm(inputWeightGradProduct(l), g, x, dwx);
      // dWh pairs each step's dGh with the hidden state that step read: h0 for the first step.
      const int64_t rows = (c.seqLen - 1) * N;
      const T* firstH = y + d * H;
      if (d == 0) {
        gemm(hiddenWeightGradLaterSteps(), dGh + N * GH, firstH, dwh);
        gemm(hiddenWeightGradFirstStep(), dGh, h0d, dwh);
      } else {
        gemm(hiddenWeightGradLaterSteps(), dGh, firstH + N * D * H, dwh);
        gemm(hiddenWeightGradFirstStep(), dGh + rows * GH, h0d, dwh);
      }
      gemm(inputGradProduct(l, d), g, wx(l, d), dx, paramsTensor);
    }
  }
};

struct RnnSetup {
  RnnConfig cfg;
  bool stateOutputs;
};

// The Embedding's ids and weight, which the executor passes after the states when the data is their
// lookup (@bkt/executor's src/embedding-fold.ts); null when it did not.
struct EmbeddingSource {
  const Tensor* ids = nullptr;
  const Tensor* weight = nullptr;
};

RnnSetup rnnSetup(const KernelContext& k, const Tensor& data, const char* op) {
  const RnnAttrs a = RnnAttrs::read(k, op);
  if (data.ndim() != 3)
    fail(ErrorKind::kShape, std::string(op) + ": data must be (T, N, C), got " + shapeStr(data.shape()));
  RnnConfig c{a.mode, data.dim(0), data.dim(1), data.dim(2), a.stateSize, a.numLayers, a.bidirectional ? 2 : 1};
  if (c.hidden <= 0 || c.layers <= 0)
    fail(ErrorKind::kValue, std::string(op) + ": state_size and num_layers must be positive");
  return {c, a.stateOutputs};
}

// inputs: data (T, N, C), parameters, state[, state_cell][, ids (T, N), embedding weight (V, C)];
// outputs: out[, hy[, cy]], workspace.
struct ForwardSetup : RnnSetup {
  EmbeddingSource embedding;
};

ForwardSetup forwardSetup(const KernelContext& k) {
  k.requireAtLeast("RNN", 1, 0);
  const Tensor& data = k.in(0);
  requireFloat(data, "RNN", "data");
  const RnnSetup a = rnnSetup(k, data, "RNN");
  const RnnConfig& c = a.cfg;
  const int cell = c.hasCell() ? 1 : 0;
  const int states = 3 + cell;
  const bool embedded = k.numInputs == states + 2;
  k.requireArity("RNN", embedded ? states + 2 : states, 2 + (a.stateOutputs ? 1 + cell : 0));
  EmbeddingSource e;
  if (embedded) {
    e = {&k.in(states), &k.in(states + 1)};
    requireSize(*e.ids, c.seqLen * c.batch, "RNN", "embedding ids");
    requireSameContext(data, *e.weight, "RNN");
    if (e.weight->ndim() != 2 || e.weight->dim(1) != c.inputSize || e.weight->dtype() != data.dtype()) {
      fail(ErrorKind::kShape, "RNN: the embedding weight must be (V, " + std::to_string(c.inputSize) + ") " +
                                  dtypeName(data.dtype()) + " as the data, got " + shapeStr(e.weight->shape()) + " " +
                                  dtypeName(e.weight->dtype()));
    }
  }
  requireSize(k.in(1), rnnParamSize(c), "RNN", "parameters");
  requireSize(k.in(2), c.layers * c.directions * c.batch * c.hidden, "RNN", "state");
  if (c.hasCell()) requireSize(k.in(3), c.layers * c.directions * c.batch * c.hidden, "RNN", "state_cell");
  requireSize(k.out(0), c.seqLen * c.batch * c.directions * c.hidden, "RNN", "out");
  requireSize(k.out(k.numOutputs - 1), rnnWorkspaceSize(c), "RNN", "workspace");
  return {a, e};
}

// Whether layer 0's projection may be a lookup in a folded table (and the table's key): the data is an
// Embedding's output, the products are float32 (bfloat16 precision and float64 keep the projection), and
// the table fits under kMaxFoldedTableBytes.
bool foldable(const ForwardSetup& a, const KernelContext& k, FoldedTableKey& key) {
  if (!a.embedding.weight || k.in(0).dtype() != DType::kFloat32 || gemmPrecision() != GemmPrecision::kFloat32)
    return false;
  key = {static_cast<int32_t>(a.cfg.mode), a.cfg.directions, a.embedding.weight->dim(0), a.cfg.gates() * a.cfg.hidden};
  return foldedTableFits(key);
}

void rnnForward(const KernelContext& k) {
  const ForwardSetup a = forwardSetup(k);
  const RnnConfig& c = a.cfg;
  const Tensor& data = k.in(0);
  const Tensor& ws = k.out(k.numOutputs - 1);
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    Rnn<T> r(c, k.in(1), ws);
    // Training would rebuild the table after every update: only inference folds.
    std::optional<FoldedInput> folded;
    FoldedTableKey key{};
    if constexpr (std::is_same_v<T, float>) {
      if (!k.isTrain && foldable(a, k, key)) {
        const Tensor& e = *a.embedding.weight;
        Tensor table = keptFoldedTable(e, k.in(1), key, c.seqLen * c.batch, [&](const Tensor& t) {
          for (int64_t d = 0; d < c.directions; ++d)
            r.projectInput(0, d, e.data<float>(), key.rows, t.data<float>() + d * key.rows * key.width);
        });
        if (table.defined()) folded = FoldedInput{std::move(table), a.embedding.ids};
      }
    }
    const T* h0 = k.in(2).data<T>();
    const T* c0 = c.hasCell() ? k.in(3).data<T>() : nullptr;
    T* hy = a.stateOutputs ? k.out(1).data<T>() : nullptr;
    T* cy = a.stateOutputs && c.hasCell() ? k.out(2).data<T>() : nullptr;
    const T* x = data.data<T>();
    for (int64_t l = 0; l < c.layers; ++l) {
      T* y = l == c.layers - 1 ? k.out(0).data<T>() : r.hiddenOut(l);
      r.forwardLayer(l, x, y, h0, c0, hy, cy, l == 0 && folded ? &*folded : nullptr);
      x = y;
    }
  });
}

// What forwardLayer runs, per layer and direction: the input projection, then per row block the first
// step's product and the later steps'. Not the folded table's projection: it runs once per write of the
// weights, in inference only (most binds, training ones, never run it), and is chosen when first met.
void rnnForwardGemms(const KernelContext& k, std::vector<GemmShape>& out) {
  const ForwardSetup a = forwardSetup(k);
  if (k.in(0).dtype() != DType::kFloat32) return;
  const RnnProducts p(a.cfg);
  const std::vector<int64_t> blocks = blockRowCounts(p.N);
  for (int64_t l = 0; l < a.cfg.layers; ++l) {
    out.push_back(p.inputProjection(l, p.TN));
    for (const int64_t rows : blocks) {
      if (a.cfg.seqLen > 0) out.push_back(p.stepProduct(true, rows));
      if (a.cfg.seqLen > 1) out.push_back(p.stepProduct(false, rows));
    }
  }
}

// inputs: data, parameters, state[, state_cell], out, workspace, d_out[, d_hy[, d_cy]];
// outputs: d_data, d_parameters, d_state[, d_state_cell].
RnnSetup backwardSetup(const KernelContext& k) {
  k.requireAtLeast("_backward_RNN", 1, 0);
  const Tensor& data = k.in(0);
  requireFloat(data, "_backward_RNN", "data");
  const RnnSetup a = rnnSetup(k, data, "_backward_RNN");
  const RnnConfig& c = a.cfg;
  const int cell = c.hasCell() ? 1 : 0;
  k.requireArity("_backward_RNN", 6 + cell + (a.stateOutputs ? 1 + cell : 0), 3 + cell);
  const int outIdx = 3 + cell;
  requireSize(k.in(outIdx + 1), rnnWorkspaceSize(c), "_backward_RNN", "workspace");
  requireSize(k.in(outIdx + 2), k.in(outIdx).size(), "_backward_RNN", "out_grad");
  requireSize(k.out(0), data.size(), "_backward_RNN", "data gradient");
  requireSize(k.out(1), rnnParamSize(c), "_backward_RNN", "parameters gradient");
  return a;
}

void rnnBackward(const KernelContext& k) {
  const RnnSetup a = backwardSetup(k);
  const RnnConfig& c = a.cfg;
  const Tensor& data = k.in(0);
  const int cell = c.hasCell() ? 1 : 0;
  const int outIdx = 3 + cell;
  const Tensor& ws = k.in(outIdx + 1);
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    Rnn<T> r(c, k.in(1), ws);
    const T* h0 = k.in(2).data<T>();
    const T* c0 = cell ? k.in(3).data<T>() : nullptr;
    const T* dhy = a.stateOutputs ? k.in(outIdx + 3).data<T>() : nullptr;
    const T* dcy = a.stateOutputs && cell ? k.in(outIdx + 4).data<T>() : nullptr;
    T* dparams = k.out(1).data<T>();
    T* dh0 = k.out(2).data<T>();
    T* dc0 = cell ? k.out(3).data<T>() : nullptr;
    const T* dy = k.in(outIdx + 2).data<T>();
    for (int64_t l = c.layers - 1; l >= 0; --l) {
      const T* x = l == 0 ? data.data<T>() : r.hiddenOut(l - 1);
      const T* y = l == c.layers - 1 ? k.in(outIdx).data<T>() : r.hiddenOut(l);
      T* dx = l == 0 ? k.out(0).data<T>() : r.dyBuffer(static_cast<int>(l % 2));
      r.backwardLayer(l, x, y, dy, dx, h0, c0, dhy, dcy, dparams, dh0, dc0);
      dy = dx;
    }
  });
}

// What backwardLayer runs, per layer and direction: the steps' product per row block, then the weight and
// input gradients.
void rnnBackwardGemms(const KernelContext& k, std::vector<GemmShape>& out) {
  const RnnSetup a = backwardSetup(k);
  if (k.in(0).dtype() != DType::kFloat32) return;
  const RnnProducts p(a.cfg);
  const std::vector<int64_t> blocks = blockRowCounts(p.N);
  for (int64_t l = 0; l < a.cfg.layers; ++l) {
    for (int64_t d = 0; d < p.D; ++d) {
      for (const int64_t rows : blocks) {
        if (a.cfg.seqLen > 0) out.push_back(p.stepGradProduct(rows));
      }
      out.push_back(p.inputWeightGradProduct(l));
      out.push_back(p.hiddenWeightGradLaterSteps());
      out.push_back(p.hiddenWeightGradFirstStep());
      out.push_back(p.inputGradProduct(l, d));
    }
    // The forward direction's products over its live positions (liveProducts).
    if (p.TN > 0) {
      out.push_back(p.liveStepGradProduct(p.N));
      out.push_back(p.liveInputWeightGradProduct(l, p.TN, false));
      out.push_back(p.liveInputWeightGradProduct(l, p.TN, true));
      out.push_back(p.liveInputGradProduct(l, p.TN));
    }
    if (a.cfg.seqLen > 1) {
      out.push_back(p.liveHiddenWeightGradProduct(p.TN - p.N, false));
      out.push_back(p.liveHiddenWeightGradProduct(p.TN - p.N, true));
    }
  }
}

}  // namespace

BKT_PLAN_KERNEL(kRnn, rnnForward);
BKT_PLAN_GEMM_SHAPES(kRnn, rnnForwardGemms);
BKT_PLAN_KERNEL(kRnnBackward, rnnBackward);
BKT_PLAN_GEMM_SHAPES(kRnnBackward, rnnBackwardGemms);

}  // namespace bkt
