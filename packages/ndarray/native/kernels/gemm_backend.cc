// The float32 GEMM dispatch: policy, the per-shape choice table and the record of choices made.
#include "bkt/gemm_backend.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "bkt/error.h"

namespace bkt {
namespace {

struct GemmShapeHash {
  size_t operator()(const GemmShape& s) const {
    size_t h = (s.ta ? 1u : 0u) | (s.tb ? 2u : 0u) | (s.bf16 ? 4u : 0u) | (s.bias ? 8u : 0u) | (s.weight ? 16u : 0u) |
               (s.runtimeM ? 32u : 0u) | (s.runtimeK ? 64u : 0u) | (s.bf16Arrays ? 128u : 0u);
    for (int64_t v : {s.m, s.n, s.k, s.lda, s.ldb, s.ldc}) h = h * 1000003u ^ static_cast<size_t>(v);
    return h;
  }
};

GemmPolicy policyFromEnv() {
  const char* v = std::getenv("BKT_GEMM_BACKEND");
  return v && *v ? parseGemmPolicy(v, "BKT_GEMM_BACKEND") : GemmPolicy::kAuto;
}

std::atomic<GemmPrecision>& precision() {
  static std::atomic<GemmPrecision> p{[] {
    const char* v = std::getenv("BKT_GEMM_PRECISION");
    return v && *v ? parseGemmPrecision(v, "BKT_GEMM_PRECISION") : GemmPrecision::kFloat32;
  }()};
  return p;
}

std::atomic<int>& gemmThreads() {
  static std::atomic<int> n{static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))};
  return n;
}

// One thread team at a time: unless OpenBLAS is forced, oneDNN's OpenMP team runs every product large
// enough to be worth threads, and OpenBLAS runs the rest on the calling thread. A threaded OpenBLAS
// would leave its workers spinning in sched_yield after each call, on the cores oneDNN and bkt's pool
// are about to use.
void applyThreads(GemmPolicy p) {
  const int n = gemmThreads().load();
  openblas_set_num_threads(p == GemmPolicy::kOpenBlas ? n : 1);
  setOneDnnThreads(n);
}

std::atomic<GemmPolicy>& policy() {
  static std::atomic<GemmPolicy> p{[] {
    const GemmPolicy initial = policyFromEnv();
    applyThreads(initial);
    return initial;
  }()};
  return p;
}

// The auto table, from `pnpm bench:gemm` on the LM's shapes (see the ndarray README): oneDNN wins
// once a product is large enough to amortize its dispatch; below that OpenBLAS's small-matrix paths do.
constexpr double kOneDnnMinFlops = 2.0 * (1 << 20);

GemmBackend autoChoice(const GemmShape& s) {
  const double flops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
  return flops >= kOneDnnMinFlops ? GemmBackend::kOneDnn : GemmBackend::kOpenBlas;
}

// Per shape: the library chosen and, for oneDNN, its primitive; calls and nanoseconds spent, so a
// benchmark can tell which products a step's time goes to (two clock reads per product).
struct Entry {
  GemmBackend backend;
  std::shared_ptr<OneDnnMatmul> matmul;
  // oneDNN only: the primitives of a team's threads, by slot (sgemmOnThisThread), each with its stream.
  std::vector<std::shared_ptr<OneDnnMatmul>> slots;
  std::atomic<int64_t> calls{0};
  std::atomic<int64_t> nanos{0};
  // 2·m·n·k summed over the calls, with each call's own m and k (a runtime-sized shape's vary).
  std::atomic<int64_t> flops{0};
};

class ChoiceTable {
 public:
  // The entry stays valid while the policy is unchanged (setGemmPolicy is not called inside a step).
  Entry& choose(const GemmShape& s) {
    GemmShape key = s;
    if (s.runtimeM) key.m = 0;
    if (s.runtimeK) key.k = 0;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = table_.find(key);
    if (it != table_.end()) return it->second;
    const GemmPolicy p = policy().load();
    // bfloat16 needs oneDNN: in that precision `auto` sends every product there.
    const GemmBackend b = p == GemmPolicy::kAuto     ? (s.bf16 ? GemmBackend::kOneDnn : autoChoice(s))
                          : p == GemmPolicy::kOneDnn ? GemmBackend::kOneDnn
                                                     : GemmBackend::kOpenBlas;
    Entry& e = table_[key];
    e.backend = b;
    e.matmul = b == GemmBackend::kOneDnn && (s.k > 0 || s.runtimeK) ? makeOneDnnMatmul(s) : nullptr;
    return e;
  }
  // The primitive of team thread `slot` for the oneDNN entry e of shape s, made at its first use.
  OneDnnMatmul& slot(Entry& e, const GemmShape& s, int slot) {
    std::lock_guard<std::mutex> lock(mu_);
    if (e.slots.size() <= static_cast<size_t>(slot)) e.slots.resize(static_cast<size_t>(slot) + 1);
    if (!e.slots[slot]) e.slots[slot] = makeOneDnnMatmul(s, true);
    return *e.slots[slot];
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    table_.clear();
  }
  std::vector<GemmChoice> list() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<GemmChoice> out;
    for (const auto& [s, e] : table_) {
      out.push_back({s, e.backend, e.calls.load(), e.nanos.load() * 1e-9, e.flops.load()});
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::unordered_map<GemmShape, Entry, GemmShapeHash> table_;
};

ChoiceTable& choices() {
  static ChoiceTable t;
  return t;
}

}  // namespace

bool GemmShape::operator==(const GemmShape& o) const {
  return ta == o.ta && tb == o.tb && m == o.m && n == o.n && k == o.k && lda == o.lda && ldb == o.ldb && ldc == o.ldc &&
         alpha == o.alpha && beta == o.beta && bf16 == o.bf16 && bias == o.bias && weight == o.weight &&
         runtimeM == o.runtimeM && runtimeK == o.runtimeK && bf16Arrays == o.bf16Arrays;
}

GemmPolicy parseGemmPolicy(const std::string& name, const char* op) {
  if (name == "auto") return GemmPolicy::kAuto;
  if (name == "openblas") return GemmPolicy::kOpenBlas;
  if (name == "onednn") return GemmPolicy::kOneDnn;
  fail(ErrorKind::kValue,
       std::string(op) + ": the GEMM backend must be 'auto', 'openblas' or 'onednn', got '" + name + "'");
}

const char* gemmPolicyName(GemmPolicy p) {
  return p == GemmPolicy::kAuto ? "auto" : p == GemmPolicy::kOneDnn ? "onednn" : "openblas";
}

// A new policy forgets the choices (and primitives) made under the old one.
void setGemmPolicy(GemmPolicy p) {
  policy().store(p);
  applyThreads(p);
  choices().clear();
}

GemmPrecision parseGemmPrecision(const std::string& name, const char* op) {
  if (name == "float32") return GemmPrecision::kFloat32;
  if (name == "bfloat16") return GemmPrecision::kBFloat16;
  fail(ErrorKind::kValue, std::string(op) + ": the GEMM precision must be 'float32' or 'bfloat16', got '" + name + "'");
}

const char* gemmPrecisionName(GemmPrecision p) { return p == GemmPrecision::kBFloat16 ? "bfloat16" : "float32"; }

void setGemmPrecision(GemmPrecision p) { precision().store(p); }

GemmPrecision gemmPrecision() { return precision().load(); }

void setGemmThreads(int n) {
  gemmThreads().store(std::max(1, n));
  applyThreads(policy().load());
}

GemmPolicy gemmPolicy() { return policy().load(); }

std::vector<GemmChoice> gemmChoices() { return choices().list(); }

namespace {

// The choice table's key for a product: each precision has its own entry. A product its caller marks
// bfloat16 (dot of bfloat16 arrays) stays so in float32 precision.
GemmShape inPrecision(const GemmShape& shape) {
  GemmShape s = shape;
  s.bf16 = shape.bf16 || precision().load() == GemmPrecision::kBFloat16;
  return s;
}

}  // namespace

// Empty products never reach the table (sgemmDispatch returns before it).
void prepareGemm(const GemmShape& shape) {
  if (shape.m != 0 && shape.n != 0) choices().choose(inPrecision(shape));
}

namespace {

void openBlasProduct(const GemmShape& s, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, s.ta ? CblasTrans : CblasNoTrans, s.tb ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(s.m), static_cast<blasint>(s.n), static_cast<blasint>(s.k), s.alpha, a,
              static_cast<blasint>(s.lda), b, static_cast<blasint>(s.ldb), s.beta, c, static_cast<blasint>(s.ldc));
}

// A call of shape s, and its time when `timed`.
void record(Entry& e, const GemmShape& s, std::chrono::steady_clock::time_point start, bool timed = true) {
  e.calls.fetch_add(1, std::memory_order_relaxed);
  e.flops.fetch_add(2 * s.m * s.n * s.k, std::memory_order_relaxed);
  if (!timed) return;
  e.nanos.fetch_add(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count(),
      std::memory_order_relaxed);
}

}  // namespace

void sgemmDispatch(const GemmShape& shape, const float* a, const float* b, float* c, const Tensor* bWeight,
                   const float* bias) {
  if (shape.m == 0 || shape.n == 0) return;
  GemmShape s = inPrecision(shape);
  s.bias = bias != nullptr;
  s.weight = bWeight != nullptr;
  if (s.bias && s.beta != 0.0f) fail(ErrorKind::kValue, "gemm: a bias row needs beta = 0");
  Entry& e = choices().choose(s);
  const auto start = std::chrono::steady_clock::now();
  if (e.matmul && s.k > 0) {  // k is 0 only in a call of a runtime-k shape
    runOneDnnMatmul(*e.matmul, s, a, b, bWeight, c, bias);
  } else {
    if (s.bias) {
      // OpenBLAS has no bias: every row of C starts as the bias and the product adds onto it.
      for (int64_t r = 0; r < s.m; ++r) std::memcpy(c + r * s.ldc, bias, sizeof(float) * static_cast<size_t>(s.n));
      s.beta = 1.0f;
    }
    openBlasProduct(s, a, b, c);
  }
  record(e, s, start);
}

void sgemmOnThisThread(const GemmShape& shape, int slot, const float* a, const float* b, float* c,
                       const Tensor* bWeight) {
  if (shape.m == 0 || shape.n == 0) return;
  GemmShape s = inPrecision(shape);
  s.bias = false;
  s.weight = bWeight != nullptr;
  Entry& e = choices().choose(s);
  OneDnnMatmul* p = e.matmul ? &choices().slot(e, s, slot) : nullptr;
  const auto start = std::chrono::steady_clock::now();
  if (p) {
    runOneDnnMatmulOnThisThread(*p, s, a, b, bWeight, c);
  } else {
    openBlasProduct(s, a, b, c);
  }
  // The team's threads run their products at the same time: the first one's time stands for them all.
  record(e, s, start, slot == 0);
}

GemmBackend gemmBackendOf(const GemmShape& s) { return choices().choose(inPrecision(s)).backend; }

void bfloat16Dispatch(const GemmShape& shape, const BFloat16* a, const BFloat16* b, BFloat16* c) {
  if (shape.m == 0 || shape.n == 0) return;
  const GemmShape s = inPrecision(shape);
  Entry& e = choices().choose(s);
  if (!e.matmul || !s.bf16Arrays || s.k == 0) {
    fail(ErrorKind::kNative, "gemm: a product of bfloat16 arrays runs on oneDNN only, with a nonempty contraction");
  }
  const auto start = std::chrono::steady_clock::now();
  runOneDnnMatmulBFloat16(*e.matmul, a, b, c);
  record(e, s, start);
}

}  // namespace bkt
