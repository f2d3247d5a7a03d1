#include "bkt/gemm.h"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "bkt/error.h"
#include "bkt/gemm_backend.h"
#include "bkt/parallel.h"
#include "half_compute.h"

namespace bkt {
namespace {

template <typename T>
struct Blas;

template <>
struct Blas<float> {
  static void gemv(CBLAS_TRANSPOSE t, blasint rows, blasint cols, const float* a, const float* x, float* y) {
    cblas_sgemv(CblasRowMajor, t, rows, cols, 1.0f, a, cols, x, 1, 0.0f, y, 1);
  }
  static float inner(blasint n, const float* x, const float* y) { return cblas_sdot(n, x, 1, y, 1); }
};

template <>
struct Blas<double> {
  static void gemv(CBLAS_TRANSPOSE t, blasint rows, blasint cols, const double* a, const double* x, double* y) {
    cblas_dgemv(CblasRowMajor, t, rows, cols, 1.0, a, cols, x, 1, 0.0, y, 1);
  }
  static double inner(blasint n, const double* x, const double* y) { return cblas_ddot(n, x, 1, y, 1); }
};

// C(m, n) = op(A) op(B), all row-major and contiguous: A is stored (k, m) when ta, else (m, k);
// B is stored (n, k) when tb, else (k, n). Transposition is only a BLAS flag, never a copy.
struct Product {
  int64_t m, n, k;
  bool ta, tb;
};

// OpenBLAS runs a GEMM with m*n*k up to 65536 * GEMM_MULTITHREAD_THRESHOLD (4 by default) on the
// calling thread alone, so batches of products well below that can be spread over our pool without
// two thread teams competing for the cores.
constexpr int64_t kSmallProduct = int64_t{1} << 17;
// Work per pool chunk (in m*n*k) below which a thread handoff costs more than it saves.
constexpr int64_t kChunkWork = int64_t{1} << 18;

// The GEMM a product runs as, or none: an empty product, or with `vectorPaths` a vector-shaped one, which
// goes to gemv / dot (they beat a packed GEMM there; the flag is off inside the pool because OpenBLAS
// threads gemv from far smaller sizes than GEMM).
std::optional<GemmShape> productGemm(const Product& p, bool vectorPaths) {
  if (p.m == 0 || p.n == 0 || p.k == 0 || (vectorPaths && (p.m == 1 || p.n == 1))) return std::nullopt;
  return GemmShape{p.ta, p.tb, p.m, p.n, p.k, p.ta ? p.m : p.k, p.tb ? p.k : p.n, p.n, 1.0f, 0.0f};
}

template <typename T>
void multiply(const Product& p, const T* a, const T* b, T* c, bool vectorPaths) {
  if (p.m == 0 || p.n == 0) return;
  if (p.k == 0) {
    std::memset(c, 0, static_cast<size_t>(p.m * p.n) * sizeof(T));
    return;
  }
  if (const std::optional<GemmShape> s = productGemm(p, vectorPaths)) {
    gemm(*s, a, b, c);
    return;
  }
  const auto m = static_cast<blasint>(p.m);
  const auto n = static_cast<blasint>(p.n);
  const auto k = static_cast<blasint>(p.k);
  // With m or n equal to 1 the vector operand is contiguous whatever its flag says.
  if (m == 1 && n == 1) {
    c[0] = Blas<T>::inner(k, a, b);
  } else if (n == 1) {
    Blas<T>::gemv(p.ta ? CblasTrans : CblasNoTrans, p.ta ? k : m, p.ta ? m : k, a, b, c);
  } else {
    // c^T = op(B)^T a^T
    Blas<T>::gemv(p.tb ? CblasNoTrans : CblasTrans, p.tb ? n : k, p.tb ? k : n, b, a, c);
  }
}

// batch_dot's items below this size run spread over the pool, each a GEMM (no vector paths).
bool pooledItems(const Product& p) { return p.m * p.n * p.k <= kSmallProduct; }

std::string flagsStr(bool ta, bool tb) {
  return std::string(" (transposeA=") + (ta ? "true" : "false") + ", transposeB=" + (tb ? "true" : "false") + ")";
}

std::string operandsStr(const Tensor& lhs, const Tensor& rhs) {
  return "lhs " + shapeStr(lhs.shape()) + " and rhs " + shapeStr(rhs.shape());
}

void checkOperands(const Tensor& lhs, const Tensor& rhs, const char* op) {
  requireSameContext(lhs, rhs, op);
  half::requireFloatOrBFloat16(lhs, op, "lhs");
  half::requireFloatOrBFloat16(rhs, op, "rhs");
  if (lhs.dtype() != rhs.dtype()) {
    fail(ErrorKind::kDType, std::string(op) + ": lhs and rhs must have the same dtype, got lhs " +
                                dtypeName(lhs.dtype()) + " " + shapeStr(lhs.shape()) + " and rhs " +
                                dtypeName(rhs.dtype()) + " " + shapeStr(rhs.shape()));
  }
}

void checkBlasRange(const Product& p, const char* op, const Tensor& lhs, const Tensor& rhs) {
  if (p.m > INT_MAX || p.n > INT_MAX || p.k > INT_MAX) {
    fail(ErrorKind::kValue, std::string(op) + ": a matrix side of " + operandsStr(lhs, rhs) +
                                " exceeds the 2^31 - 1 elements BLAS can index");
  }
}

int64_t product(const Shape& s, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) p *= s[i];
  return p;
}

// dot's product and output shape (see gemm.h).
Product dotProduct(const Tensor& lhs, const Tensor& rhs, bool transposeA, bool transposeB, Shape& outShape) {
  checkOperands(lhs, rhs, "dot");
  if (lhs.ndim() == 0 || rhs.ndim() == 0) {
    fail(ErrorKind::kShape, "dot: 0-d arrays are not supported, got " + operandsStr(lhs, rhs));
  }
  const Shape& ls = lhs.shape();
  const Shape& rs = rhs.shape();
  const size_t ln = ls.size();
  const size_t rn = rs.size();
  Product p{};
  outShape.clear();
  if (ln == 1 && rn == 1) {
    if (transposeA || transposeB) {
      fail(ErrorKind::kShape,
           "dot: 1-D inputs cannot be transposed, got " + operandsStr(lhs, rhs) + flagsStr(transposeA, transposeB));
    }
    if (ls[0] != rs[0]) {
      fail(ErrorKind::kShape, "dot: the lengths of " + operandsStr(lhs, rhs) + " differ (" + std::to_string(ls[0]) +
                                  " vs " + std::to_string(rs[0]) + ")");
    }
    p = {1, 1, ls[0], false, false};
    outShape = {1};
  } else {
    // MXNet flattens each side to a matrix around the one contracted axis: the last axis of lhs
    // (the first with transposeA) and the first axis of rhs (the last with transposeB).
    const int64_t kLhs = transposeA ? ls[0] : ls[ln - 1];
    const int64_t kRhs = transposeB ? rs[rn - 1] : rs[0];
    if (kLhs != kRhs) {
      fail(ErrorKind::kShape, "dot: the inner dimensions of " + operandsStr(lhs, rhs) + " differ (" +
                                  std::to_string(kLhs) + " vs " + std::to_string(kRhs) + ")" +
                                  flagsStr(transposeA, transposeB));
    }
    p.k = kLhs;
    p.m = transposeA ? product(ls, 1, ln) : product(ls, 0, ln - 1);
    p.n = transposeB ? product(rs, 0, rn - 1) : product(rs, 1, rn);
    p.ta = transposeA;
    p.tb = transposeB;
    if (ln > 1) {
      if (transposeA) {
        outShape.insert(outShape.end(), ls.begin() + 1, ls.end());
      } else {
        outShape.insert(outShape.end(), ls.begin(), ls.end() - 1);
      }
    }
    if (rn > 1) {
      if (transposeB) {
        outShape.insert(outShape.end(), rs.begin(), rs.end() - 1);
      } else {
        outShape.insert(outShape.end(), rs.begin() + 1, rs.end());
      }
    }
  }
  checkBlasRange(p, "dot", lhs, rhs);
  return p;
}

// batch_dot's product per batch item; `batch` gets the number of items and outShape the result's shape.
Product batchDotProduct(const Tensor& lhs, const Tensor& rhs, bool transposeA, bool transposeB, int64_t& batch,
                        Shape& outShape) {
  checkOperands(lhs, rhs, "batchDot");
  const int nd = lhs.ndim();
  if (nd < 3 || rhs.ndim() != nd) {
    fail(ErrorKind::kShape,
         "batchDot: lhs and rhs must have the same number of dimensions, at least 3, got " + operandsStr(lhs, rhs));
  }
  for (int i = 0; i < nd - 2; ++i) {
    if (lhs.dim(i) != rhs.dim(i)) {
      fail(ErrorKind::kShape, "batchDot: the batch dimensions of " + operandsStr(lhs, rhs) + " differ at axis " +
                                  std::to_string(i) + " (" + std::to_string(lhs.dim(i)) + " vs " +
                                  std::to_string(rhs.dim(i)) + ")");
    }
  }
  const int64_t lr = lhs.dim(nd - 2), lc = lhs.dim(nd - 1);
  const int64_t rr = rhs.dim(nd - 2), rc = rhs.dim(nd - 1);
  const int64_t kLhs = transposeA ? lr : lc;
  const int64_t kRhs = transposeB ? rc : rr;
  if (kLhs != kRhs) {
    fail(ErrorKind::kShape, "batchDot: the inner dimensions of " + operandsStr(lhs, rhs) + " differ (" +
                                std::to_string(kLhs) + " vs " + std::to_string(kRhs) + ")" +
                                flagsStr(transposeA, transposeB));
  }
  const Product p{transposeA ? lc : lr, transposeB ? rr : rc, kLhs, transposeA, transposeB};
  checkBlasRange(p, "batchDot", lhs, rhs);
  outShape.assign(lhs.shape().begin(), lhs.shape().end() - 2);
  batch = shapeSize(outShape);
  outShape.push_back(p.m);
  outShape.push_back(p.n);
  return p;
}

// A product of bfloat16 operands for gemmBFloat16: always a GEMM (the vector paths have no bfloat16
// form), empty sides included.
GemmShape bfloat16Gemm(const Product& p) {
  return GemmShape{p.ta, p.tb, p.m, p.n, p.k, p.ta ? p.m : p.k, p.tb ? p.k : p.n, p.n, 1.0f, 0.0f};
}

void requireOutput(const Tensor& out, const Tensor& lhs, int64_t size, const char* op) {
  requireSameContext(lhs, out, op);
  if (out.dtype() != lhs.dtype()) {
    fail(ErrorKind::kDType, std::string(op) + ": the output is " + dtypeName(out.dtype()) + " but the operands are " +
                                dtypeName(lhs.dtype()));
  }
  requireSize(out, size, op, "output");
}

}  // namespace

void dotGemmShapes(const Tensor& lhs, const Tensor& rhs, bool transposeA, bool transposeB,
                   std::vector<GemmShape>& out) {
  Shape outShape;
  const Product p = dotProduct(lhs, rhs, transposeA, transposeB, outShape);
  if (lhs.dtype() == DType::kBFloat16) {
    bfloat16GemmShapes(bfloat16Gemm(p), out);
  } else if (lhs.dtype() == DType::kFloat32) {
    if (const std::optional<GemmShape> s = productGemm(p, true)) out.push_back(*s);
  }
}

void batchDotGemmShapes(const Tensor& lhs, const Tensor& rhs, bool transposeA, bool transposeB,
                        std::vector<GemmShape>& out) {
  int64_t batch = 0;
  Shape outShape;
  const Product p = batchDotProduct(lhs, rhs, transposeA, transposeB, batch, outShape);
  if (batch == 0) return;
  if (lhs.dtype() == DType::kBFloat16) {
    bfloat16GemmShapes(bfloat16Gemm(p), out);
  } else if (lhs.dtype() == DType::kFloat32) {
    if (const std::optional<GemmShape> s = productGemm(p, !pooledItems(p))) out.push_back(*s);
  }
}

void dotInto(const Tensor& lhs, const Tensor& rhs, bool transposeA, bool transposeB, const Tensor& out) {
  Shape outShape;
  const Product p = dotProduct(lhs, rhs, transposeA, transposeB, outShape);
  requireOutput(out, lhs, p.m * p.n, "dot");
  if (lhs.dtype() == DType::kBFloat16) return gemmBFloat16(bfloat16Gemm(p), 1, lhs, rhs, out);
  dispatchFloat(lhs.dtype(), [&](auto tag) {
    using T = decltype(tag);
    multiply<T>(p, lhs.data<T>(), rhs.data<T>(), out.data<T>(), true);
  });
}

Tensor dot(const Tensor& lhs, const Tensor& rhs, bool transposeA, bool transposeB) {
  Shape outShape;
  dotProduct(lhs, rhs, transposeA, transposeB, outShape);
  Tensor out = Tensor::empty(outShape, lhs.dtype(), lhs.ctx());
  dotInto(lhs, rhs, transposeA, transposeB, out);
  return out;
}

void batchDotInto(const Tensor& lhs, const Tensor& rhs, bool transposeA, bool transposeB, const Tensor& out) {
  int64_t batch = 0;
  Shape outShape;
  const Product p = batchDotProduct(lhs, rhs, transposeA, transposeB, batch, outShape);
  requireOutput(out, lhs, batch * p.m * p.n, "batchDot");
  if (lhs.dtype() == DType::kBFloat16) return gemmBFloat16(bfloat16Gemm(p), batch, lhs, rhs, out);
  const int64_t lStep = lhs.size() / std::max<int64_t>(batch, 1);
  const int64_t rStep = rhs.size() / std::max<int64_t>(batch, 1);
  const int64_t oStep = p.m * p.n;
  const int64_t work = p.m * p.n * p.k;
  dispatchFloat(lhs.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* a = lhs.data<T>();
    const T* b = rhs.data<T>();
    T* c = out.data<T>();
    if (pooledItems(p)) {
      const int64_t grain = work == 0 ? batch : std::max<int64_t>(1, kChunkWork / work);
      parallelFor(batch, grain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) multiply<T>(p, a + i * lStep, b + i * rStep, c + i * oStep, false);
      });
    } else {
      for (int64_t i = 0; i < batch; ++i) multiply<T>(p, a + i * lStep, b + i * rStep, c + i * oStep, true);
    }
  });
}

Tensor batchDot(const Tensor& lhs, const Tensor& rhs, bool transposeA, bool transposeB) {
  int64_t batch = 0;
  Shape outShape;
  batchDotProduct(lhs, rhs, transposeA, transposeB, batch, outShape);
  Tensor out = Tensor::empty(outShape, lhs.dtype(), lhs.ctx());
  batchDotInto(lhs, rhs, transposeA, transposeB, out);
  return out;
}

int blasNumThreads() { return openblas_get_num_threads(); }

void gemm(const GemmShape& s, const float* a, const float* b, float* c, const Tensor* bWeight) {
  sgemmDispatch(s, a, b, c, bWeight);
}

void gemm(const GemmShape& s, const double* a, const double* b, double* c, const Tensor*) {
  if (s.m == 0 || s.n == 0) return;
  cblas_dgemm(CblasRowMajor, s.ta ? CblasTrans : CblasNoTrans, s.tb ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(s.m), static_cast<blasint>(s.n), static_cast<blasint>(s.k), s.alpha, a,
              static_cast<blasint>(s.lda), b, static_cast<blasint>(s.ldb), s.beta, c, static_cast<blasint>(s.ldc));
}

namespace {

// Elements per pool task when converting between bfloat16 and float32.
constexpr int64_t kConvertGrain = int64_t{1} << 15;

// A buffer of at least n floats that the calling thread keeps, grown to the largest array met: fresh
// float32 copies per product cost about as much as the product (960×10000×200: 103–166 ms a call
// against 50–53, see the ndarray README). Only a forced OpenBLAS needs them.
float* scratch(std::vector<float>& buffer, int64_t n) {
  if (static_cast<int64_t>(buffer.size()) < n) buffer.resize(static_cast<size_t>(n));
  return buffer.data();
}

// The float32 copy of a bfloat16 array: exact.
void widen(const Tensor& t, float* to) {
  const BFloat16* from = t.data<BFloat16>();
  parallelFor(t.size(), kConvertGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) to[i] = from[i];
  });
}

// The product as gemmBFloat16 runs it: in bfloat16 whatever the precision in force, on the arrays.
GemmShape inBFloat16(const GemmShape& s) {
  GemmShape b = s;
  b.bf16 = true;
  b.bf16Arrays = true;
  return b;
}

}  // namespace

void bfloat16GemmShapes(const GemmShape& s, std::vector<GemmShape>& out) {
  if (s.m != 0 && s.n != 0 && s.k != 0) out.push_back(inBFloat16(s));
}

// On oneDNN the bfloat16 product (float32 accumulation: the AMP path's arithmetic) reads the arrays
// themselves — their dense layouts are the primitive's plain bfloat16 ones — and stores C rounded, so
// nothing is converted. A forced OpenBLAS multiplies float32 copies of them (exact) and C is rounded
// once afterwards. The items run one after another: oneDNN runs one product at a time, each on its own
// threads.
void gemmBFloat16(const GemmShape& s, int64_t batch, const Tensor& a, const Tensor& b, const Tensor& c) {
  if (s.ldc != s.n) fail(ErrorKind::kNative, "gemmBFloat16: C must be dense (ldc = n)");
  if (s.m == 0 || s.n == 0 || batch == 0) return;
  if (s.k == 0) {
    std::memset(c.raw(), 0, c.nbytes());  // bfloat16 +0 is all zero bits
    return;
  }
  const GemmShape halves = inBFloat16(s);
  const int64_t aStep = a.size() / batch, bStep = b.size() / batch, cStep = c.size() / batch;
  if (gemmBackendOf(halves) == GemmBackend::kOneDnn) {
    const BFloat16* a16 = a.data<BFloat16>();
    const BFloat16* b16 = b.data<BFloat16>();
    BFloat16* c16 = c.data<BFloat16>();
    for (int64_t i = 0; i < batch; ++i) bfloat16Dispatch(halves, a16 + i * aStep, b16 + i * bStep, c16 + i * cStep);
    return;
  }
  thread_local std::vector<float> aBuffer, bBuffer, cBuffer;
  float* a32 = scratch(aBuffer, a.size());
  float* b32 = scratch(bBuffer, b.size());
  float* c32 = scratch(cBuffer, c.size());
  widen(a, a32);
  widen(b, b32);
  for (int64_t i = 0; i < batch; ++i) gemm(halves, a32 + i * aStep, b32 + i * bStep, c32 + i * cStep);
  BFloat16* out = c.data<BFloat16>();
  parallelFor(c.size(), kConvertGrain, [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j) out[j] = BFloat16(c32[j]);
  });
}

namespace {

template <typename T>
void columnSumsOf(const T* a, int64_t rows, int64_t cols, T* sums) {
  if (cols == 0) return;
  if (rows == 0) {
    std::fill(sums, sums + cols, T(0));
    return;
  }
  // Grown once to the largest row count met on this thread, then reused: no allocation per call.
  thread_local std::vector<T> ones;
  if (static_cast<int64_t>(ones.size()) < rows) ones.assign(static_cast<size_t>(rows), T(1));
  Blas<T>::gemv(CblasTrans, static_cast<blasint>(rows), static_cast<blasint>(cols), a, ones.data(), sums);
}

}  // namespace

void columnSums(const float* a, int64_t rows, int64_t cols, float* sums) { columnSumsOf(a, rows, cols, sums); }
void columnSums(const double* a, int64_t rows, int64_t cols, double* sums) { columnSumsOf(a, rows, cols, sums); }

void gemmBias(const GemmShape& s, const float* a, const float* b, const float* bias, float* c, const Tensor* bWeight) {
  sgemmDispatch(s, a, b, c, bWeight, bias);
}

void gemmBias(const GemmShape& s, const double* a, const double* b, const double* bias, double* c,
              const Tensor* bWeight) {
  for (int64_t r = 0; r < s.m; ++r) std::memcpy(c + r * s.ldc, bias, sizeof(double) * static_cast<size_t>(s.n));
  GemmShape onto = s;
  onto.beta = 1.0f;
  gemm(onto, a, b, c, bWeight);
}

}  // namespace bkt
