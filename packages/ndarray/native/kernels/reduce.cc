#include "bkt/reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "bkt/error.h"
#include "bkt/parallel.h"
#include "half_compute.h"

namespace bkt {
namespace {

constexpr int kMaxDims = 32;
// Work (in elements) below which a chunk of tasks runs inline rather than on the pool.
constexpr int64_t kGrainElems = 1 << 15;
// Columns accumulated side by side when the reduced axes are outer ones: 4 KiB of double
// accumulators, so they stay in L1 while the rows stream past.
constexpr int64_t kColBlock = 512;
// When there are too few outputs to keep the pool busy, each output's reduction is split into
// partial results of about this many elements. The split depends on the shape alone, never on the
// thread count, so results are the same whatever setNumThreads says.
constexpr int64_t kPartElems = 1 << 16;
constexpr int64_t kFewTasks = 8;
constexpr int64_t kMaxParts = 32;

// An element as the double every reducer accumulates in (float16 and bfloat16 by way of float).
template <typename T>
inline double widen(T x) {
  return static_cast<double>(half::load(x));
}

// Reducers accumulate in double; `merge` joins two partial accumulators and `finish` turns the
// accumulator of n elements into the result.
struct SumR {
  static double init() { return 0.0; }
  static double step(double acc, double x) { return acc + x; }
  static double merge(double a, double b) { return a + b; }
  static double finish(double acc, int64_t) { return acc; }
};

struct MeanR : SumR {
  // An empty mean is 0/0 = NaN, as in NumPy.
  static double finish(double acc, int64_t n) { return acc / static_cast<double>(n); }
};

// The comparisons are written so that NaN wins and then sticks, as in mshadow's maximum/minimum,
// and as one select so the loops still vectorize.
struct MaxR {
  static double init() { return -std::numeric_limits<double>::infinity(); }
  static double step(double acc, double x) { return (acc >= x || acc != acc) ? acc : x; }
  static double merge(double a, double b) { return step(a, b); }
  static double finish(double acc, int64_t) { return acc; }
};

struct MinR {
  static double init() { return std::numeric_limits<double>::infinity(); }
  static double step(double acc, double x) { return (acc <= x || acc != acc) ? acc : x; }
  static double merge(double a, double b) { return step(a, b); }
  static double finish(double acc, int64_t) { return acc; }
};

struct Norm1R : SumR {
  static double step(double acc, double x) { return acc + std::fabs(x); }
};

struct Norm2R : SumR {
  static double step(double acc, double x) { return acc + x * x; }
  static double finish(double acc, int64_t) { return std::sqrt(acc); }
};

// Eight independent accumulators break the add chain so the loop vectorizes without -ffast-math;
// short runs skip setting them up.
template <typename R, typename T>
BKT_VECTOR_CLONES double reduceRun(const T* p, int64_t n) {
  if (n < 16) {
    double acc = R::init();
    for (int64_t i = 0; i < n; ++i) acc = R::step(acc, widen(p[i]));
    return acc;
  }
  double a[8];
  for (double& v : a) v = R::init();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const T* q = p + i;
    // Kept as a loop (not unrolled into eight scalars) so the vectorizer sees lanes, which it
    // then handles for the NaN-aware max and min too.
#pragma GCC unroll 1
    for (int k = 0; k < 8; ++k) a[k] = R::step(a[k], widen(q[k]));
  }
  double acc = R::init();
  for (double v : a) acc = R::merge(acc, v);
  for (; i < n; ++i) acc = R::step(acc, widen(p[i]));
  return acc;
}

struct Dims {
  int n = 0;
  int64_t size[kMaxDims];
  int64_t stride[kMaxDims];

  void push(int64_t s, int64_t st) {
    size[n] = s;
    stride[n] = st;
    ++n;
  }
  int64_t count() const {
    int64_t c = 1;
    for (int i = 0; i < n; ++i) c *= size[i];
    return c;
  }
};

// Steps through the offsets of every multi-index over some dims, last dim fastest, so hot loops
// pay one add and compare per row instead of a division per element.
class Odometer {
 public:
  explicit Odometer(const Dims& d) : d_(d) {}

  int64_t seek(int64_t flat) {
    off_ = 0;
    if (flat == 0) {
      std::fill_n(idx_, d_.n, 0);
      return 0;
    }
    for (int i = d_.n - 1; i >= 0; --i) {
      idx_[i] = flat % d_.size[i];
      flat /= d_.size[i];
      off_ += idx_[i] * d_.stride[i];
    }
    return off_;
  }

  int64_t next() { return carryFrom(d_.n - 1); }

  // The position along the last dim.
  int64_t innerIndex() const { return idx_[d_.n - 1]; }

  // Moves k steps along the last dim, where k reaches at most its end; then carries outwards.
  int64_t skipInner(int64_t k) {
    const int last = d_.n - 1;
    idx_[last] += k;
    off_ += k * d_.stride[last];
    if (idx_[last] < d_.size[last]) return off_;
    off_ -= idx_[last] * d_.stride[last];
    idx_[last] = 0;
    return carryFrom(last - 1);
  }

 private:
  int64_t carryFrom(int dim) {
    for (int i = dim; i >= 0; --i) {
      off_ += d_.stride[i];
      if (++idx_[i] < d_.size[i]) return off_;
      off_ -= idx_[i] * d_.stride[i];
      idx_[i] = 0;
    }
    return off_;
  }

  const Dims& d_;
  int64_t idx_[kMaxDims];
  int64_t off_ = 0;
};

// The input as runs of kept and reduced dims: size-1 dims dropped, neighbours of the same kind
// merged (they are adjacent in memory), and the innermost run split off because the loops differ
// on whether it is reduced (a contiguous sum per output) or kept (rows accumulated into columns).
struct Layout {
  int64_t inner = 1;
  bool innerReduced = false;
  Dims kept;  // outer kept dims; their row-major order is the output's order
  Dims red;   // outer reduced dims
};

Layout makeLayout(const Shape& shape, const std::vector<bool>& reduced) {
  std::vector<int64_t> sizes;
  std::vector<bool> kinds;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    if (!sizes.empty() && kinds.back() == reduced[i]) {
      sizes.back() *= shape[i];
    } else {
      sizes.push_back(shape[i]);
      kinds.push_back(reduced[i]);
    }
  }
  Layout l;
  if (sizes.empty()) return l;
  std::vector<int64_t> strides(sizes.size(), 1);
  for (size_t i = sizes.size() - 1; i > 0; --i) strides[i - 1] = strides[i] * sizes[i];
  l.inner = sizes.back();
  l.innerReduced = kinds.back();
  for (size_t i = 0; i + 1 < sizes.size(); ++i) (kinds[i] ? l.red : l.kept).push(sizes[i], strides[i]);
  return l;
}

int64_t partsFor(int64_t tasks, int64_t workPerTask, int64_t rows) {
  if (tasks >= kFewTasks) return 1;
  const int64_t parts = (workPerTask + kPartElems - 1) / kPartElems;
  return std::max<int64_t>(1, std::min({parts, kMaxParts, rows}));
}

int64_t grainFor(int64_t workPerTask) { return std::max<int64_t>(1, kGrainElems / std::max<int64_t>(1, workPerTask)); }

// The accumulator of the flat reduced positions [lo, hi) of the output whose data starts at
// `base`: whole or partial runs of `inner` contiguous elements, one per step of the outer reduced dims.
template <typename R, typename T>
BKT_VECTOR_CLONES double foldRuns(const Layout& l, const T* x, int64_t base, int64_t lo, int64_t hi) {
  const int64_t runLen = l.inner;
  Odometer runs(l.red);
  int64_t col = lo % runLen;
  int64_t off = runs.seek(lo / runLen);
  double acc = R::init();
  for (int64_t i = lo; i < hi;) {
    const int64_t len = std::min(runLen - col, hi - i);
    acc = R::merge(acc, reduceRun<R>(x + base + off + col, len));
    i += len;
    col = 0;
    if (i < hi) off = runs.next();
  }
  return acc;
}

// Innermost run reduced: each output folds `red.count()` contiguous runs of `inner` elements.
template <typename R, typename T>
void reduceInnerRuns(const Layout& l, const T* x, T* y) {
  const int64_t total = l.red.count() * l.inner;
  const int64_t outputs = l.kept.count();
  const int64_t parts = partsFor(outputs, total, total);
  if (parts == 1 && l.red.n == 0) {
    // One run per output, and the runs are back to back.
    parallelFor(outputs, grainFor(total), [&](int64_t b, int64_t e) BKT_VECTOR_CLONES {
      for (int64_t o = b; o < e; ++o) y[o] = half::store<T>(R::finish(reduceRun<R>(x + o * total, total), total));
    });
    return;
  }
  if (parts == 1) {
    parallelFor(outputs, grainFor(total), [&](int64_t b, int64_t e) BKT_VECTOR_CLONES {
      Odometer out(l.kept);
      int64_t base = out.seek(b);
      for (int64_t o = b; o < e; ++o) {
        y[o] = half::store<T>(R::finish(foldRuns<R>(l, x, base, 0, total), total));
        base = out.next();
      }
    });
    return;
  }
  std::vector<double> partial(static_cast<size_t>(outputs * parts));
  parallelFor(outputs * parts, grainFor(total / parts), [&](int64_t b, int64_t e) BKT_VECTOR_CLONES {
    Odometer out(l.kept);
    for (int64_t t = b; t < e; ++t) {
      const int64_t p = t % parts;
      const int64_t base = out.seek(t / parts);
      partial[static_cast<size_t>(t)] = foldRuns<R>(l, x, base, total * p / parts, total * (p + 1) / parts);
    }
  });
  for (int64_t o = 0; o < outputs; ++o) {
    double acc = R::init();
    for (int64_t p = 0; p < parts; ++p) acc = R::merge(acc, partial[static_cast<size_t>(o * parts + p)]);
    y[o] = half::store<T>(R::finish(acc, total));
  }
}

// Folds reduced rows [lo, hi) into acc[0, w), for columns [c0, c0 + w) of the output row at `base`.
template <typename R, typename T>
BKT_VECTOR_CLONES void foldRows(const Layout& l, const T* x, int64_t base, int64_t c0, int64_t w, int64_t lo,
                                int64_t hi, double* acc) {
  for (int64_t j = 0; j < w; ++j) acc[j] = R::init();
  Odometer rowOd(l.red);
  int64_t off = rowOd.seek(lo);
  for (int64_t r = lo; r < hi; ++r) {
    const T* row = x + base + off + c0;
    for (int64_t j = 0; j < w; ++j) acc[j] = R::step(acc[j], widen(row[j]));
    if (r + 1 < hi) off = rowOd.next();
  }
}

// The same for rows too narrow to fill the vector lanes. Consecutive rows of the innermost reduced
// dim are adjacent in memory, so `group` of them are folded at once as one long row into `group`
// copies of the accumulators, which are merged at the end.
template <typename R, typename T>
BKT_VECTOR_CLONES void foldNarrowRows(const Layout& l, const T* x, int64_t base, int64_t lo, int64_t hi, double* acc) {
  const int64_t width = l.inner;
  const int64_t runRows = l.red.size[l.red.n - 1];
  const int64_t group = std::max<int64_t>(1, std::min({kColBlock / width, runRows, hi - lo}));
  const int64_t span = group * width;
  double wide[kColBlock];
  for (int64_t j = 0; j < span; ++j) wide[j] = R::init();
  Odometer rowOd(l.red);
  int64_t off = rowOd.seek(lo);
  for (int64_t r = lo; r < hi;) {
    const T* p = x + base + off;
    const int64_t run = std::min(runRows - rowOd.innerIndex(), hi - r);
    int64_t k = 0;
    for (; k + group <= run; k += group) {
      const T* q = p + k * width;
      for (int64_t j = 0; j < span; ++j) wide[j] = R::step(wide[j], widen(q[j]));
    }
    const T* q = p + k * width;
    const int64_t rest = (run - k) * width;
    for (int64_t j = 0; j < rest; ++j) wide[j] = R::step(wide[j], widen(q[j]));
    r += run;
    off = rowOd.skipInner(run);
  }
  for (int64_t j = 0; j < width; ++j) {
    acc[j] = R::init();
    for (int64_t g = 0; g < group; ++g) acc[j] = R::merge(acc[j], wide[g * width + j]);
  }
}

// Innermost run kept: each output row of `inner` columns folds `red.count()` input rows, a block of
// columns at a time.
template <typename R, typename T>
void reduceOuterRows(const Layout& l, const T* x, T* y) {
  const int64_t width = l.inner;
  const int64_t rows = l.red.count();
  const int64_t outRows = l.kept.count();
  const int64_t blocks = (width + kColBlock - 1) / kColBlock;
  const int64_t blockWidth = std::min(width, kColBlock);
  // Folding rows in groups pays only once there are enough rows to fill a group.
  const bool narrow = blocks == 1 && width * 2 <= kColBlock && l.red.n > 0 && l.red.size[l.red.n - 1] >= 8;
  const int64_t parts = partsFor(outRows * blocks, rows * blockWidth, rows);
  const int64_t perRow = blocks * parts;
  std::vector<double> partial(parts > 1 ? static_cast<size_t>(parts * outRows * width) : 0);

  parallelFor(outRows * perRow, grainFor(rows / parts * blockWidth), [&](int64_t b, int64_t e) BKT_VECTOR_CLONES {
    Odometer out(l.kept);
    double acc[kColBlock];
    int64_t q = b / perRow;
    int64_t base = out.seek(q);
    for (int64_t t = b; t < e; ++t) {
      // The common single-block, single-part case skips the divisions: it may run once per output.
      if ((perRow == 1 ? t : t / perRow) != q) {
        ++q;
        base = out.next();
      }
      const int64_t p = parts == 1 ? 0 : t % parts;
      const int64_t c0 = blocks == 1 ? 0 : (t / parts) % blocks * kColBlock;
      const int64_t w = std::min(kColBlock, width - c0);
      const int64_t lo = parts == 1 ? 0 : rows * p / parts;
      const int64_t hi = parts == 1 ? rows : rows * (p + 1) / parts;
      if (narrow) {
        foldNarrowRows<R>(l, x, base, lo, hi, acc);
      } else {
        foldRows<R>(l, x, base, c0, w, lo, hi, acc);
      }
      if (parts == 1) {
        T* dst = y + q * width + c0;
        for (int64_t j = 0; j < w; ++j) dst[j] = half::store<T>(R::finish(acc[j], rows));
      } else {
        std::copy(acc, acc + w, partial.data() + (p * outRows + q) * width + c0);
      }
    }
  });

  if (parts == 1) return;
  const int64_t n = outRows * width;
  for (int64_t i = 0; i < n; ++i) {
    double acc = R::init();
    for (int64_t p = 0; p < parts; ++p) acc = R::merge(acc, partial[static_cast<size_t>(p * n + i)]);
    y[i] = half::store<T>(R::finish(acc, rows));
  }
}

template <typename R>
void runReduce(const Tensor& x, const Tensor& y, const Layout& l) {
  half::dispatchFloatOrHalf(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (l.innerReduced) {
      reduceInnerRuns<R>(l, x.data<T>(), y.data<T>());
    } else {
      reduceOuterRows<R>(l, x.data<T>(), y.data<T>());
    }
  });
}

template <typename R>
void fillEmpty(const Tensor& y) {
  const double v = R::finish(R::init(), 0);
  half::dispatchFloatOrHalf(y.dtype(), [&](auto tag) {
    using T = decltype(tag);
    std::fill_n(y.data<T>(), y.size(), half::store<T>(v));
  });
}

std::string axesStr(const std::vector<int64_t>& axes) {
  std::string s = "(";
  for (size_t i = 0; i < axes.size(); ++i) s += (i ? ", " : "") + std::to_string(axes[i]);
  return s + (axes.size() == 1 ? ",)" : ")");
}

void requireRank(const Tensor& x, const char* op) {
  if (x.ndim() > kMaxDims) {
    fail(ErrorKind::kShape, std::string(op) + ": data of " + std::to_string(x.ndim()) + " dimensions exceeds the " +
                                std::to_string(kMaxDims) + " supported");
  }
}

int64_t firstEmptyAxis(const Shape& s, const std::vector<bool>& reduced) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (reduced[i] && s[i] == 0) return static_cast<int64_t>(i);
  }
  return -1;
}

}  // namespace

const char* reduceOpName(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      return "sum";
    case ReduceOp::kMean:
      return "mean";
    case ReduceOp::kMax:
      return "max";
    case ReduceOp::kMin:
      return "min";
    case ReduceOp::kNorm:
      return "norm";
    case ReduceOp::kCount:
      break;
  }
  return "reduce";
}

std::vector<bool> reducedAxes(const Shape& in, const ReduceAxes& ra, const char* op) {
  const int64_t nd = static_cast<int64_t>(in.size());
  if (!ra.axes || ra.axes->empty()) return std::vector<bool>(in.size(), true);
  std::vector<bool> listed(in.size(), false);
  for (int64_t a : *ra.axes) {
    const int64_t k = a < 0 ? a + nd : a;
    if (k < 0 || k >= nd) {
      fail(ErrorKind::kShape, std::string(op) + ": axis " + std::to_string(a) + " in axis=" + axesStr(*ra.axes) +
                                  " is out of range for data of shape " + shapeStr(in));
    }
    if (listed[static_cast<size_t>(k)]) {
      fail(ErrorKind::kShape, std::string(op) + ": axis=" + axesStr(*ra.axes) + " names axis " + std::to_string(k) +
                                  " of data of shape " + shapeStr(in) + " twice");
    }
    listed[static_cast<size_t>(k)] = true;
  }
  if (ra.exclude) listed.flip();
  return listed;
}

Shape reduceShape(const Shape& in, const ReduceAxes& ra, const char* op) {
  const std::vector<bool> reduced = reducedAxes(in, ra, op);
  Shape out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!reduced[i]) {
      out.push_back(in[i]);
    } else if (ra.keepdims) {
      out.push_back(1);
    }
  }
  if (!ra.keepdims && out.empty()) out.push_back(1);
  return out;
}

namespace {

void checkReduce(const Tensor& x, ReduceOp op, int ord) {
  const int id = static_cast<int>(op);
  if (id < 0 || id >= static_cast<int>(ReduceOp::kCount)) {
    fail(ErrorKind::kValue, "reduce: unknown reduction id " + std::to_string(id));
  }
  const char* name = reduceOpName(op);
  half::requireFloatOrHalf(x, name, "data");
  requireRank(x, name);
  if (op == ReduceOp::kNorm && ord != 1 && ord != 2) {
    fail(ErrorKind::kValue, "norm: ord must be 1 or 2, got " + std::to_string(ord));
  }
}

}  // namespace

void reduceInto(const Tensor& x, ReduceOp op, const std::vector<bool>& reduced, int ord, const Tensor& y) {
  checkReduce(x, op, ord);
  const char* name = reduceOpName(op);
  if (reduced.size() != x.shape().size()) {
    fail(ErrorKind::kShape, std::string(name) + ": " + std::to_string(reduced.size()) +
                                " axis flags for data of shape " + shapeStr(x.shape()));
  }
  if (y.dtype() != x.dtype()) {
    fail(ErrorKind::kDType,
         std::string(name) + ": the output is " + dtypeName(y.dtype()) + " but the data is " + dtypeName(x.dtype()));
  }
  int64_t kept = 1;
  for (size_t i = 0; i < reduced.size(); ++i) {
    if (!reduced[i]) kept *= x.shape()[i];
  }
  requireSize(y, kept, name, "output");
  if (y.size() == 0) return;

  const int64_t emptyAxis = firstEmptyAxis(x.shape(), reduced);
  if (emptyAxis >= 0) {
    switch (op) {
      case ReduceOp::kSum:
        fillEmpty<SumR>(y);
        break;
      case ReduceOp::kMean:
        fillEmpty<MeanR>(y);
        break;
      case ReduceOp::kNorm:
        fillEmpty<Norm2R>(y);
        break;
      default:
        fail(ErrorKind::kShape, std::string(name) + ": cannot reduce over axis " + std::to_string(emptyAxis) +
                                    " of data of shape " + shapeStr(x.shape()) +
                                    ", which is empty (the result would have no identity)");
    }
    return;
  }

  const Layout l = makeLayout(x.shape(), reduced);
  switch (op) {
    case ReduceOp::kSum:
      runReduce<SumR>(x, y, l);
      break;
    case ReduceOp::kMean:
      runReduce<MeanR>(x, y, l);
      break;
    case ReduceOp::kMax:
      runReduce<MaxR>(x, y, l);
      break;
    case ReduceOp::kMin:
      runReduce<MinR>(x, y, l);
      break;
    case ReduceOp::kNorm:
      if (ord == 1) {
        runReduce<Norm1R>(x, y, l);
      } else {
        runReduce<Norm2R>(x, y, l);
      }
      break;
    case ReduceOp::kCount:
      break;
  }
}

Tensor reduce(const Tensor& x, ReduceOp op, const ReduceAxes& ra, int ord) {
  checkReduce(x, op, ord);
  const char* name = reduceOpName(op);
  Tensor y = Tensor::empty(reduceShape(x.shape(), ra, name), x.dtype(), x.ctx());
  reduceInto(x, op, reducedAxes(x.shape(), ra, name), ord, y);
  return y;
}

namespace {

// First index of the maximum (Min: minimum) of a contiguous run: the vectorized extremum first, then
// a scan for it.
template <bool Min, typename T>
int64_t argRun(const T* p, int64_t n) {
  using R = std::conditional_t<Min, MinR, MaxR>;
  const double m = R::finish(reduceRun<R>(p, n), n);
  if (m != m) {
    for (int64_t i = 0; i < n; ++i) {
      if (p[i] != p[i]) return i;
    }
  }
  for (int64_t i = 0; i < n; ++i) {
    if (static_cast<double>(p[i]) == m) return i;
  }
  return 0;
}

// The same down the rows of an (outer, n, inner) view, a block of columns at a time. A later row
// wins only when strictly better, or when it is the first NaN, so ties keep the first index.
template <bool Min, typename T>
void argRows(const T* x, T* y, int64_t outer, int64_t n, int64_t inner) {
  const int64_t blocks = (inner + kColBlock - 1) / kColBlock;
  parallelFor(outer * blocks, grainFor(n * std::min(inner, kColBlock)), [&](int64_t b, int64_t e) BKT_VECTOR_CLONES {
    T best[kColBlock];
    int64_t at[kColBlock];
    for (int64_t t = b; t < e; ++t) {
      const int64_t o = t / blocks;
      const int64_t c0 = t % blocks * kColBlock;
      const int64_t w = std::min(kColBlock, inner - c0);
      const T* base = x + o * n * inner + c0;
      for (int64_t j = 0; j < w; ++j) {
        best[j] = base[j];
        at[j] = 0;
      }
      for (int64_t i = 1; i < n; ++i) {
        const T* row = base + i * inner;
        for (int64_t j = 0; j < w; ++j) {
          const T v = row[j];
          const bool better = Min ? v < best[j] : v > best[j];
          const bool take = better || (v != v && best[j] == best[j]);
          best[j] = take ? v : best[j];
          at[j] = take ? i : at[j];
        }
      }
      T* dst = y + o * inner + c0;
      for (int64_t j = 0; j < w; ++j) dst[j] = static_cast<T>(at[j]);
    }
  });
}

template <bool Min>
void argInto(const Tensor& x, std::optional<int64_t> axis, const Tensor& y) {
  const char* op = Min ? "argmin" : "argmax";
  requireFloat(x, op, "data");
  if (y.dtype() != x.dtype()) {
    fail(ErrorKind::kDType,
         std::string(op) + ": the output is " + dtypeName(y.dtype()) + " but the data is " + dtypeName(x.dtype()));
  }
  const Shape& s = x.shape();
  int64_t outer = 1;
  int64_t n = x.size();
  int64_t inner = 1;
  if (axis) {
    const int k = normalizeAxis(*axis, x.ndim(), op);
    for (int i = 0; i < k; ++i) outer *= s[static_cast<size_t>(i)];
    n = s[static_cast<size_t>(k)];
    for (int i = k + 1; i < x.ndim(); ++i) inner *= s[static_cast<size_t>(i)];
  }
  requireSize(y, outer * inner, op, "output");
  if (y.size() == 0) return;
  if (n == 0) {
    fail(ErrorKind::kShape, std::string(op) + ": cannot take the " + op + " of " +
                                (axis ? "axis " + std::to_string(*axis) + " of " : "") + "data of shape " +
                                shapeStr(s) + ", which is empty");
  }
  auto go = [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* py = y.data<T>();
    if (inner == 1) {
      parallelFor(outer, grainFor(n), [&](int64_t b, int64_t e) BKT_VECTOR_CLONES {
        for (int64_t o = b; o < e; ++o) py[o] = static_cast<T>(argRun<Min>(px + o * n, n));
      });
    } else {
      argRows<Min>(px, py, outer, n, inner);
    }
  };
  if (x.dtype() == DType::kFloat32) {
    go(float{});
  } else {
    go(double{});
  }
}

}  // namespace

void argmaxInto(const Tensor& x, std::optional<int64_t> axis, const Tensor& y) { argInto<false>(x, axis, y); }

void argminInto(const Tensor& x, std::optional<int64_t> axis, const Tensor& y) { argInto<true>(x, axis, y); }

Tensor argmax(const Tensor& x, std::optional<int64_t> axis, bool keepdims) {
  requireFloat(x, "argmax", "data");
  const Shape& s = x.shape();
  Shape out;
  if (axis) {
    const int k = normalizeAxis(*axis, x.ndim(), "argmax");
    out = s;
    if (keepdims) {
      out[static_cast<size_t>(k)] = 1;
    } else {
      out.erase(out.begin() + k);
    }
  } else if (keepdims) {
    out = Shape(s.size(), 1);
  }
  if (!keepdims && out.empty()) out.push_back(1);
  Tensor y = Tensor::empty(out, x.dtype(), x.ctx());
  argmaxInto(x, axis, y);
  return y;
}

}  // namespace bkt
