// oneDNN's matmul as a float32 GEMM. A primitive is built once per product shape (including leading
// dimensions, transposition and alpha/beta) and kept by the dispatch's choice table; each call only
// points its memory objects at the caller's buffers. Transposition is expressed through strides,
// never a copy; beta is a sum post-op and alpha an output scale, so C accumulates exactly as with BLAS.
// In bfloat16 precision the float32 operands are first reordered into bfloat16 copies owned by the
// primitive (the float32 arrays, master weights included, are never changed), and the product
// accumulates in float32 into the float32 C.
// A weight B (the caller passes the tensor it lies in) gets a second primitive that reads B in the
// layout oneDNN prefers for the shape (blocked; bfloat16 in that precision), from a copy kept on the
// weight's storage (weight_layouts.cc) that serves every use until the weight is next written. So a
// weight used many times per update (the RNN's per-step products, every product in inference) is
// packed once per update instead of by oneDNN at every product. In float32 the copy is made at the
// second use since a write and a first use reads B as any other operand: for a weight used once per
// update (FullyConnected in training) the copy costs about what it saves (measured, see the ndarray
// README). In bfloat16 B must be converted anyway, so its first use converts it into the copy.
// Each primitive and reorder owns its scratchpad (scratchpad_mode::user): Debian's oneDNN is built
// without DNNL_ENABLE_CONCURRENT_EXEC, so the library's own scratchpad is shared by all primitives and
// tied to the thread that created them, while a shape's primitive is made on whichever thread first
// runs it (a Worker's, say) and run by others, one at a time under the runtime's lock.
// A product run by one thread of a team (sgemmOnThisThread) has a primitive of its own per thread with
// its own stream, and runs without that lock, single-threaded (OpenMP does not nest).
// A product with a runtime m or k runs on oneDNN's jit GEMM, which reads plain layouts only; in bfloat16
// its A (and a B that is no weight) is converted here at each call into a buffer the primitive keeps,
// in the float32 operand's own strides, and a weight B is read from a plain bfloat16 copy kept like
// the blocked ones. A product of bfloat16 arrays (bf16Arrays: dot and batch_dot of bfloat16 NDArrays)
// reads and writes them as they are.
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "bkt/dtype.h"
#include "bkt/error.h"
#include "bkt/gemm_backend.h"
#include "bkt/parallel.h"
#include "weight_layouts.h"

extern "C" void omp_set_num_threads(int);

namespace bkt {

// A float32 matrix of `rows` rows of `cols` elements, `ld` apart: how an operand's float32 -> bfloat16
// conversion sees it (its bfloat16 copy is dense, in the same orientation).
struct Plain {
  int64_t rows, cols, ld;
};

// Conversions to bfloat16 of at most this many elements run on the calling thread (see convertHere).
constexpr int64_t kInlineConversionMax = 1 << 16;

struct OneDnnMatmul {
  dnnl::matmul prim;
  dnnl::memory a, b, c;
  dnnl::memory bias;        // only for a shape with a bias row
  dnnl::memory scratchpad;  // the matmul's own (see above)
  // The primitive's arguments, made once: they share their memory objects with the fields above, so
  // pointing those at a call's buffers is all a call does (no map built per product).
  std::unordered_map<int, dnnl::memory> args;
  // bfloat16 precision only: the float32 -> bfloat16 reorders, their destinations and scratchpads.
  dnnl::reorder toHalfA, toHalfB;
  dnnl::memory halfA, halfB;
  std::unordered_map<int, dnnl::memory> toHalfAArgs, toHalfBArgs;
  bool inlineA = false, inlineB = false;  // small enough for the calling thread (convertHere)
  Plain plainA{}, plainB{};
  // A weight's shape only, when oneDNN prefers a layout other than B's own: the primitive that reads B
  // from its copy in `keptMd` (made from B's float32 layout `bMd`), `kept` pointed at the copy per call.
  dnnl::matmul keptPrim;
  dnnl::memory kept, keptScratchpad;
  dnnl::memory::desc bMd, keptMd;
  std::unordered_map<int, dnnl::memory> keptArgs;
  // A shape with a runtime m or k: `a`, `b` and `c` are made per call with its sizes. In bfloat16 the
  // operands' conversions, grown to the largest call met (a weight B uses `keptMd`, plain, instead).
  bool runtimeM = false, runtimeK = false;
  dnnl::memory::dims aStrides, bStrides, cStrides;
  std::vector<uint16_t> runtimeHalfA, runtimeHalfB;
  // A product of bfloat16 arrays: `a`, `b` and `c` are bfloat16 and the caller's own.
  bool bf16Arrays = false;
  // Only for a team thread's primitive (makeOneDnnMatmul's ownStream): its stream, used without a lock.
  dnnl::stream stream;
};

namespace {

struct Runtime {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::mutex mu;  // one stream: products from several threads run one at a time
};

Runtime& runtime() {
  static Runtime r;
  return r;
}

// Converts a small operand on the calling thread: oneDNN's reorder of the RNN's 32 × 200 operand took
// ~40 µs (DNNL_VERBOSE's median, run in parallel or alone), against ~70 µs for the product itself.
// The rows of `to` lie `toLd` apart. Rounds to nearest even as oneDNN's reorder does.
BKT_VECTOR_CLONES void convertHere(const float* from, const Plain& m, uint16_t* to, int64_t toLd) {
  for (int64_t r = 0; r < m.rows; ++r) {
    const float* src = from + r * m.ld;
    uint16_t* dst = to + r * toLd;
    for (int64_t c = 0; c < m.cols; ++c) dst[c] = floatToBFloat16(src[c]);
  }
}

// A runtime-size product's bfloat16 operand: `from` (seen as m) converted into `buffer`, grown to fit,
// with from's own row stride; spread over the pool when it is large (oneDNN's reorders are threaded too).
const uint16_t* convertGrown(const float* from, const Plain& m, std::vector<uint16_t>& buffer) {
  if (m.rows == 0 || m.cols == 0) return buffer.data();
  const auto extent = static_cast<size_t>((m.rows - 1) * m.ld + m.cols);
  if (buffer.size() < extent) buffer.resize(extent);
  uint16_t* to = buffer.data();
  parallelFor(m.rows, std::max<int64_t>(1, kInlineConversionMax / m.cols), [&](int64_t begin, int64_t end) {
    convertHere(from + begin * m.ld, Plain{end - begin, m.cols, m.ld}, to + begin * m.ld, m.ld);
  });
  return to;
}

// How A and B of `s` lie in memory, seen as row-major matrices of their stored orientation.
Plain plainA(const GemmShape& s) { return s.ta ? Plain{s.k, s.m, s.lda} : Plain{s.m, s.k, s.lda}; }
Plain plainB(const GemmShape& s) { return s.tb ? Plain{s.n, s.k, s.ldb} : Plain{s.k, s.n, s.ldb}; }

// A is (m, k): row-major with lda, or when transposed stored (k, m) — the same matrix with swapped strides.
// B likewise (k, n), or stored (n, k) when transposed.
dnnl::memory::dims aStridesOf(const GemmShape& s) {
  return s.ta ? dnnl::memory::dims{1, s.lda} : dnnl::memory::dims{s.lda, 1};
}
dnnl::memory::dims bStridesOf(const GemmShape& s) {
  return s.tb ? dnnl::memory::dims{1, s.ldb} : dnnl::memory::dims{s.ldb, 1};
}

// The scratchpad is the primitive's own (see the top of this file); alpha is an output scale and beta a sum post-op.
dnnl::primitive_attr productAttr(const GemmShape& s) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (s.alpha != 1.0f) attr.set_output_scales(0, {s.alpha});
  if (s.beta != 0.0f) {
    dnnl::post_ops ops;
    ops.append_sum(s.beta);
    attr.set_post_ops(ops);
  }
  return attr;
}

// One primitive for every size of the runtime dimension (oneDNN 2.6 runs it on its jit GEMM rather than
// brgemm; measured as fast on FullyConnected's backward shapes, see the ndarray README). That GEMM reads
// B in its plain layout: in float32 a weight is read as it is, in bfloat16 from a plain bfloat16 copy
// kept on its storage (converted at its first use since a write, as the blocked copies are).
std::shared_ptr<OneDnnMatmul> makeRuntimeMatmul(const GemmShape& s) {
  using dt = dnnl::memory::data_type;
  using dims = dnnl::memory::dims;
  const int64_t m = s.runtimeM ? DNNL_RUNTIME_DIM_VAL : s.m;
  const int64_t k = s.runtimeK ? DNNL_RUNTIME_DIM_VAL : s.k;
  const dt operand = s.bf16 ? dt::bf16 : dt::f32;
  const dnnl::engine& engine = runtime().engine;
  const dnnl::primitive_attr attr = productAttr(s);
  const dnnl::memory::desc biasMd =
      s.bias ? dnnl::memory::desc(dims{1, s.n}, dt::f32, dims{s.n, 1}) : dnnl::memory::desc();
  auto p = std::make_shared<OneDnnMatmul>();
  p->runtimeM = s.runtimeM;
  p->runtimeK = s.runtimeK;
  p->aStrides = aStridesOf(s);
  p->bStrides = bStridesOf(s);
  p->cStrides = dims{s.ldc, 1};
  const dnnl::matmul::primitive_desc pd(
      dnnl::matmul::desc(dnnl::memory::desc(dims{m, k}, operand, p->aStrides),
                         dnnl::memory::desc(dims{k, s.n}, operand, p->bStrides), biasMd,
                         dnnl::memory::desc(dims{m, s.n}, dt::f32, p->cStrides)),
      attr, engine);
  p->prim = dnnl::matmul(pd);
  p->scratchpad = dnnl::memory(pd.scratchpad_desc(), engine);
  if (s.bias) p->bias = dnnl::memory(biasMd, engine, nullptr);
  if (s.bf16 && s.weight && !s.runtimeK) {
    p->bMd = dnnl::memory::desc(dims{s.k, s.n}, dt::f32, p->bStrides);
    p->keptMd = dnnl::memory::desc(dims{s.k, s.n}, dt::bf16, p->bStrides);
  }
  return p;
}

// A runtime-dimension product: its operands' memory objects are made for this call's sizes, and in
// bfloat16 its operands converted (B, when a weight, into its kept copy).
void runRuntimeMatmul(OneDnnMatmul& p, const GemmShape& s, const float* a, const float* b, const Tensor* bWeight,
                      float* c, const float* bias, dnnl::stream& stream) {
  using dt = dnnl::memory::data_type;
  using dims = dnnl::memory::dims;
  const dnnl::engine& engine = runtime().engine;
  const void* aIn = a;
  const void* bIn = b;
  if (s.bf16) {
    aIn = convertGrown(a, plainA(s), p.runtimeHalfA);
    const void* kept =
        !p.keptMd.is_zero() && bWeight ? weightInLayout(*bWeight, b, p.bMd, p.keptMd, true, engine, stream) : nullptr;
    bIn = kept ? kept : convertGrown(b, plainB(s), p.runtimeHalfB);
  }
  const dt operand = s.bf16 ? dt::bf16 : dt::f32;
  std::unordered_map<int, dnnl::memory> args{
      {DNNL_ARG_SRC, dnnl::memory({dims{s.m, s.k}, operand, p.aStrides}, engine, const_cast<void*>(aIn))},
      {DNNL_ARG_WEIGHTS, dnnl::memory({dims{s.k, s.n}, operand, p.bStrides}, engine, const_cast<void*>(bIn))},
      {DNNL_ARG_DST, dnnl::memory({dims{s.m, s.n}, dt::f32, p.cStrides}, engine, c)},
      {DNNL_ARG_SCRATCHPAD, p.scratchpad}};
  if (bias) {
    p.bias.set_data_handle(const_cast<float*>(bias));
    args[DNNL_ARG_BIAS] = p.bias;
  }
  p.prim.execute(stream, args);
}

}  // namespace

std::shared_ptr<OneDnnMatmul> makeOneDnnMatmul(const GemmShape& s, bool ownStream) {
  using dt = dnnl::memory::data_type;
  using dims = dnnl::memory::dims;
  const dnnl::engine& engine = runtime().engine;
  if (s.bf16Arrays && (!s.bf16 || s.bias || s.weight || s.runtimeM || s.runtimeK)) {
    fail(ErrorKind::kNative, "oneDNN matmul: a product of bfloat16 arrays has no bias, kept weight or runtime size");
  }
  // The caller's operands: float32, or the bfloat16 arrays themselves.
  const dt given = s.bf16Arrays ? dt::bf16 : dt::f32;
  const dnnl::memory::desc aMd(dims{s.m, s.k}, given, aStridesOf(s));
  const dnnl::memory::desc bMd(dims{s.k, s.n}, given, bStridesOf(s));
  const dnnl::memory::desc cMd(dims{s.m, s.n}, given, dims{s.ldc, 1});
  // Float32 operands in bfloat16 precision: dense bfloat16 copies in the operands' own orientation, so
  // each conversion is a straight one.
  const bool convert = s.bf16 && !s.bf16Arrays;
  const dnnl::memory::desc halfAMd(dims{s.m, s.k}, dt::bf16, s.ta ? dims{1, s.m} : dims{s.k, 1});
  const dnnl::memory::desc halfBMd(dims{s.k, s.n}, dt::bf16, s.tb ? dims{1, s.k} : dims{s.n, 1});
  const dnnl::memory::desc& srcMd = convert ? halfAMd : aMd;
  // A bias row broadcast down the rows; float32 in either precision.
  const dnnl::memory::desc biasMd =
      s.bias ? dnnl::memory::desc(dims{1, s.n}, dt::f32, dims{s.n, 1}) : dnnl::memory::desc();
  const dnnl::primitive_attr attr = productAttr(s);
  try {
    if (s.runtimeM || s.runtimeK) {
      auto p = makeRuntimeMatmul(s);
      if (ownStream) p->stream = dnnl::stream(engine);
      return p;
    }
    auto p = std::make_shared<OneDnnMatmul>();
    p->bf16Arrays = s.bf16Arrays;
    p->a = dnnl::memory(aMd, engine, nullptr);
    p->b = dnnl::memory(bMd, engine, nullptr);
    p->c = dnnl::memory(cMd, engine, nullptr);
    const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(srcMd, convert ? halfBMd : bMd, biasMd, cMd), attr,
                                          engine);
    p->prim = dnnl::matmul(pd);
    p->scratchpad = dnnl::memory(pd.scratchpad_desc(), engine);
    if (convert) {
      p->halfA = dnnl::memory(halfAMd, engine);
      p->halfB = dnnl::memory(halfBMd, engine);
      dnnl::primitive_attr reorderAttr;
      reorderAttr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      const dnnl::reorder::primitive_desc toHalfAPd(p->a, p->halfA, reorderAttr);
      const dnnl::reorder::primitive_desc toHalfBPd(p->b, p->halfB, reorderAttr);
      p->toHalfA = dnnl::reorder(toHalfAPd);
      p->toHalfB = dnnl::reorder(toHalfBPd);
      p->toHalfAArgs = {{DNNL_ARG_FROM, p->a},
                        {DNNL_ARG_TO, p->halfA},
                        {DNNL_ARG_SCRATCHPAD, dnnl::memory(toHalfAPd.scratchpad_desc(), engine)}};
      p->toHalfBArgs = {{DNNL_ARG_FROM, p->b},
                        {DNNL_ARG_TO, p->halfB},
                        {DNNL_ARG_SCRATCHPAD, dnnl::memory(toHalfBPd.scratchpad_desc(), engine)}};
      p->inlineA = s.m * s.k <= kInlineConversionMax;
      p->inlineB = s.k * s.n <= kInlineConversionMax;
      p->plainA = plainA(s);
      p->plainB = plainB(s);
    }
    p->args = {{DNNL_ARG_SRC, convert ? p->halfA : p->a},
               {DNNL_ARG_WEIGHTS, convert ? p->halfB : p->b},
               {DNNL_ARG_DST, p->c},
               {DNNL_ARG_SCRATCHPAD, p->scratchpad}};
    if (s.bias) {
      p->bias = dnnl::memory(biasMd, engine, nullptr);
      p->args[DNNL_ARG_BIAS] = p->bias;
    }
    if (s.weight) {
      const dnnl::memory::desc anyB(dims{s.k, s.n}, s.bf16 ? dt::bf16 : dt::f32, dnnl::memory::format_tag::any);
      const dnnl::matmul::primitive_desc keptPd(dnnl::matmul::desc(srcMd, anyB, biasMd, cMd), attr, engine);
      if (keptPd.weights_desc() != bMd) {
        p->keptPrim = dnnl::matmul(keptPd);
        p->bMd = bMd;
        p->keptMd = keptPd.weights_desc();
        p->kept = dnnl::memory(p->keptMd, engine, nullptr);
        p->keptScratchpad = dnnl::memory(keptPd.scratchpad_desc(), engine);
        p->keptArgs = p->args;
        p->keptArgs[DNNL_ARG_WEIGHTS] = p->kept;
        p->keptArgs[DNNL_ARG_SCRATCHPAD] = p->keptScratchpad;
      }
    }
    if (ownStream) p->stream = dnnl::stream(engine);
    return p;
  } catch (const dnnl::error& e) {
    fail(ErrorKind::kNative, "oneDNN matmul " + std::to_string(s.m) + "x" + std::to_string(s.n) + "x" +
                                 std::to_string(s.k) + " could not be created: " + e.what());
  }
}

namespace {

// One product on `stream`, whose user the caller is alone.
void runOn(dnnl::stream& stream, OneDnnMatmul& p, const GemmShape& s, const float* a, const float* b,
           const Tensor* bWeight, float* c, const float* bias) {
  if (static_cast<bool>(p.bias) != (bias != nullptr) || p.bf16Arrays) {
    fail(ErrorKind::kNative, "oneDNN matmul: the bias row or the operands' type do not match the primitive");
  }
  if (p.runtimeM || p.runtimeK) {
    runRuntimeMatmul(p, s, a, b, bWeight, c, bias, stream);
    stream.wait();
    return;
  }
  p.a.set_data_handle(const_cast<float*>(a));
  p.b.set_data_handle(const_cast<float*>(b));
  p.c.set_data_handle(c);
  if (bias) p.bias.set_data_handle(const_cast<float*>(bias));
  if (p.inlineA) {
    convertHere(a, p.plainA, static_cast<uint16_t*>(p.halfA.get_data_handle()), p.plainA.cols);
  } else if (p.halfA) {
    p.toHalfA.execute(stream, p.toHalfAArgs);
  }
  // In bfloat16 B is converted at every use anyway, so its first use converts it into the kept copy.
  const bool atFirstUse = static_cast<bool>(p.halfB);
  const void* kept = p.keptPrim && bWeight
                         ? weightInLayout(*bWeight, b, p.bMd, p.keptMd, atFirstUse, runtime().engine, stream)
                         : nullptr;
  if (kept) {
    p.kept.set_data_handle(const_cast<void*>(kept));
    p.keptPrim.execute(stream, p.keptArgs);
  } else {
    if (p.inlineB) {
      convertHere(b, p.plainB, static_cast<uint16_t*>(p.halfB.get_data_handle()), p.plainB.cols);
    } else if (p.halfB) {
      p.toHalfB.execute(stream, p.toHalfBArgs);
    }
    p.prim.execute(stream, p.args);
  }
  stream.wait();
}

}  // namespace

void runOneDnnMatmul(OneDnnMatmul& p, const GemmShape& s, const float* a, const float* b, const Tensor* bWeight,
                     float* c, const float* bias) {
  Runtime& r = runtime();
  std::lock_guard<std::mutex> lock(r.mu);
  runOn(r.stream, p, s, a, b, bWeight, c, bias);
}

void runOneDnnMatmulOnThisThread(OneDnnMatmul& p, const GemmShape& s, const float* a, const float* b,
                                 const Tensor* bWeight, float* c) {
  if (!p.stream)
    fail(ErrorKind::kNative, "oneDNN matmul: a team thread's product needs a primitive with its own stream");
  runOn(p.stream, p, s, a, b, bWeight, c, nullptr);
}

void runOneDnnMatmulBFloat16(OneDnnMatmul& p, const BFloat16* a, const BFloat16* b, BFloat16* c) {
  if (!p.bf16Arrays) fail(ErrorKind::kNative, "oneDNN matmul: the primitive was not made for bfloat16 arrays");
  Runtime& r = runtime();
  std::lock_guard<std::mutex> lock(r.mu);
  p.a.set_data_handle(const_cast<BFloat16*>(a));
  p.b.set_data_handle(const_cast<BFloat16*>(b));
  p.c.set_data_handle(c);
  p.prim.execute(r.stream, p.args);
  r.stream.wait();
}

// Debian's oneDNN runs its kernels on an OpenMP (libgomp) team; it is sized with bkt's pool.
void setOneDnnThreads(int n) { omp_set_num_threads(n < 1 ? 1 : n); }

}  // namespace bkt
