// The Sequence* operators over data (T, N, ...) (time axis 0) or (N, T, ...) (time axis 1), and
// reverse/flip. Lengths come from sequence_length, one per batch item in any numeric dtype, truncated
// to integers as MXNet casts them; a length the operator cannot honour raises IndexError instead of
// reading or writing out of bounds as MXNet would:
// - SequenceMask sets steps t >= length to `value` (lengths past T mask nothing; negative raises);
//   its gradient is the output gradient masked with 0.
// - SequenceLast takes step length - 1 (length in [1, T]); its gradient scatters into zeros.
// - SequenceReverse reverses the first `length` steps (length in [0, T]) and keeps the rest in
//   place; the mapping is its own inverse, so backward applies it to the output gradient.
// Every backward op writes zeros as the gradient of sequence_length.
// Plan attributes (kernel_attrs.gen.h): SequenceMaskAttrs; SequenceAttrs for SequenceLast and
// SequenceReverse; ReverseAttrs for reverse.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "bkt/error.h"
#include "bkt/kernel_attrs.gen.h"
#include "bkt/parallel.h"
#include "bkt/plan.h"

namespace bkt {
namespace {

constexpr int64_t kByteGrain = 1 << 16;
// SequenceMask's lengths have no upper bound: past T they mask nothing.
constexpr int64_t kNoLimit = int64_t{1} << 62;

std::string str(int64_t v) { return std::to_string(v); }

void requireShape(const Tensor& t, const Shape& want, const char* op, const char* arg) {
  if (t.shape() != want) {
    fail(ErrorKind::kShape,
         std::string(op) + ": " + arg + " has shape " + shapeStr(t.shape()) + ", expected " + shapeStr(want));
  }
}

// The layout of a Sequence* operator's data: element (t, b, r) of T steps, N items and `rest`
// trailing elements per (step, item), with its time axis first or second.
struct SeqLayout {
  int64_t steps, batch, rest;
  int axis;
  size_t elem;  // bytes per element

  int64_t offset(int64_t t, int64_t b) const { return ((axis == 0 ? t * batch + b : b * steps + t) * rest); }
  size_t rowBytes() const { return static_cast<size_t>(rest) * elem; }
};

SeqLayout seqLayout(const Tensor& data, int64_t axisAttr, const char* op) {
  if (axisAttr != 0 && axisAttr != 1) {
    fail(ErrorKind::kValue, std::string(op) + ": axis must be 0 or 1, got " + str(axisAttr));
  }
  const int axis = static_cast<int>(axisAttr);
  if (data.ndim() < 2) {
    fail(ErrorKind::kShape,
         std::string(op) + ": data must have at least two dimensions, got " + shapeStr(data.shape()));
  }
  SeqLayout s{};
  s.axis = axis;
  s.steps = data.dim(axis);
  s.batch = data.dim(1 - axis);
  s.rest = shapeSize(Shape(data.shape().begin() + 2, data.shape().end()));
  s.elem = dtypeSize(data.dtype());
  return s;
}

// Length b of sequence_length, truncated toward zero; it must lie in [lo, hi].
int64_t sequenceLength(const Tensor& lens, int64_t b, int64_t lo, int64_t hi, const char* op) {
  const double v = dispatchAll(lens.dtype(), [&](auto tag) -> double {
    using L = decltype(tag);
    const L raw = lens.data<L>()[b];
    if constexpr (std::is_same_v<L, uint16_t>) {
      return static_cast<double>(halfToFloat(raw));
    } else {
      return static_cast<double>(raw);
    }
  });
  if (!(v >= static_cast<double>(lo) && v < static_cast<double>(hi) + 1)) {
    const std::string range =
        hi == kNoLimit ? " is not a non-negative number" : " is outside [" + str(lo) + ", " + str(hi) + "]";
    fail(ErrorKind::kIndex, std::string(op) + ": sequence_length[" + str(b) + "] = " + std::to_string(v) + range);
  }
  return static_cast<int64_t>(v);
}

// Checks every length before anything is written, so a bad one leaves the outputs untouched.
void checkLengths(const Tensor& data, const Tensor& lens, const SeqLayout& s, int64_t lo, int64_t hi, const char* op) {
  requireSameContext(data, lens, op);
  requireSize(lens, s.batch, op, "sequence_length");
  for (int64_t b = 0; b < s.batch; ++b) sequenceLength(lens, b, lo, hi, op);
}

void zeroFill(const Tensor& t) { std::memset(t.raw(), 0, t.nbytes()); }

// out = data with steps t >= length[b] set to `value`: SequenceMask's forward and (value 0) backward.
void maskInto(const Tensor& data, const Tensor* lens, const SeqLayout& s, double value, const Tensor& out,
              const char* op) {
  requireFloat(data, op, "data");
  requireShape(out, data.shape(), op, "output");
  requireDType(out, data.dtype(), op, "output");
  if (lens) checkLengths(data, *lens, s, 0, kNoLimit, op);
  if (out.raw() != data.raw()) std::memcpy(out.raw(), data.raw(), data.nbytes());
  if (!lens) return;
  dispatchFloat(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data<T>();
    const T v = static_cast<T>(value);
    for (int64_t b = 0; b < s.batch; ++b) {
      const int64_t len = sequenceLength(*lens, b, 0, kNoLimit, op);
      for (int64_t t = std::min(len, s.steps); t < s.steps; ++t)
        std::fill(o + s.offset(t, b), o + s.offset(t, b) + s.rest, v);
    }
  });
}

// inputs: data[, sequence_length]; outputs: out.
void sequenceMask(const KernelContext& k) {
  const char* op = "SequenceMask";
  const SequenceMaskAttrs a = SequenceMaskAttrs::read(k, op);
  const bool useLen = a.useSequenceLength;
  k.requireArity(op, useLen ? 2 : 1, 1);
  const SeqLayout s = seqLayout(k.in(0), a.axis, op);
  maskInto(k.in(0), useLen ? &k.in(1) : nullptr, s, a.value, k.out(0), op);
}

// inputs: out_grad[, sequence_length]; outputs: d_data[, d_sequence_length].
void sequenceMaskBackward(const KernelContext& k) {
  const char* op = "_backward_SequenceMask";
  const SequenceMaskAttrs a = SequenceMaskAttrs::read(k, op);
  const bool useLen = a.useSequenceLength;
  k.requireArity(op, useLen ? 2 : 1, useLen ? 2 : 1);
  const SeqLayout s = seqLayout(k.in(0), a.axis, op);
  maskInto(k.in(0), useLen ? &k.in(1) : nullptr, s, 0, k.out(0), op);
  if (useLen) zeroFill(k.out(1));
}

// The step SequenceLast takes for item b.
int64_t lastStep(const Tensor* lens, const SeqLayout& s, int64_t b, const char* op) {
  return lens ? sequenceLength(*lens, b, 1, s.steps, op) - 1 : s.steps - 1;
}

Shape withoutAxis(const Shape& shape, int axis) {
  Shape out = shape;
  out.erase(out.begin() + axis);
  return out;
}

// inputs: data[, sequence_length]; outputs: out (data without its time axis).
void sequenceLast(const KernelContext& k) {
  const char* op = "SequenceLast";
  const SequenceAttrs a = SequenceAttrs::read(k, op);
  const bool useLen = a.useSequenceLength;
  k.requireArity(op, useLen ? 2 : 1, 1);
  const Tensor& data = k.in(0);
  const SeqLayout s = seqLayout(data, a.axis, op);
  const Tensor* lens = useLen ? &k.in(1) : nullptr;
  requireShape(k.out(0), withoutAxis(data.shape(), s.axis), op, "output");
  requireDType(k.out(0), data.dtype(), op, "output");
  if (s.batch > 0 && s.steps == 0)
    fail(ErrorKind::kIndex, std::string(op) + ": data " + shapeStr(data.shape()) + " has no steps");
  if (lens) checkLengths(data, *lens, s, 1, s.steps, op);
  const char* in = static_cast<const char*>(data.raw());
  char* out = static_cast<char*>(k.out(0).raw());
  for (int64_t b = 0; b < s.batch; ++b) {
    std::memcpy(out + b * s.rowBytes(), in + s.offset(lastStep(lens, s, b, op), b) * s.elem, s.rowBytes());
  }
}

// inputs: out_grad[, sequence_length]; outputs: d_data[, d_sequence_length].
void sequenceLastBackward(const KernelContext& k) {
  const char* op = "_backward_SequenceLast";
  const SequenceAttrs a = SequenceAttrs::read(k, op);
  const bool useLen = a.useSequenceLength;
  k.requireArity(op, useLen ? 2 : 1, useLen ? 2 : 1);
  const Tensor& dx = k.out(0);
  const SeqLayout s = seqLayout(dx, a.axis, op);
  const Tensor* lens = useLen ? &k.in(1) : nullptr;
  requireShape(k.in(0), withoutAxis(dx.shape(), s.axis), op, "out_grad");
  requireDType(k.in(0), dx.dtype(), op, "out_grad");
  if (s.batch > 0 && s.steps == 0)
    fail(ErrorKind::kIndex, std::string(op) + ": data " + shapeStr(dx.shape()) + " has no steps");
  if (lens) checkLengths(dx, *lens, s, 1, s.steps, op);
  zeroFill(dx);
  const char* dy = static_cast<const char*>(k.in(0).raw());
  char* out = static_cast<char*>(dx.raw());
  for (int64_t b = 0; b < s.batch; ++b) {
    std::memcpy(out + s.offset(lastStep(lens, s, b, op), b) * s.elem, dy + b * s.rowBytes(), s.rowBytes());
  }
  if (useLen) zeroFill(k.out(1));
}

// out(t, b) = in(len - 1 - t, b) for t < len, in(t, b) after: the same in both directions.
void reverseSteps(const Tensor& in, const Tensor* lens, const SeqLayout& s, const Tensor& out, const char* op) {
  requireShape(out, in.shape(), op, "output");
  requireDType(out, in.dtype(), op, "output");
  if (out.raw() == in.raw()) fail(ErrorKind::kValue, std::string(op) + ": cannot run in place");
  if (lens) checkLengths(in, *lens, s, 0, s.steps, op);
  const char* src = static_cast<const char*>(in.raw());
  char* dst = static_cast<char*>(out.raw());
  for (int64_t b = 0; b < s.batch; ++b) {
    const int64_t len = lens ? sequenceLength(*lens, b, 0, s.steps, op) : s.steps;
    for (int64_t t = 0; t < s.steps; ++t) {
      const int64_t from = t < len ? len - 1 - t : t;
      std::memcpy(dst + s.offset(t, b) * s.elem, src + s.offset(from, b) * s.elem, s.rowBytes());
    }
  }
}

int reverseAxis(const SequenceAttrs& a, const char* op) {
  if (a.axis != 0) fail(ErrorKind::kValue, std::string(op) + ": only axis 0 is supported, got " + str(a.axis));
  return 0;
}

// inputs: data[, sequence_length]; outputs: out.
void sequenceReverse(const KernelContext& k) {
  const char* op = "SequenceReverse";
  const SequenceAttrs a = SequenceAttrs::read(k, op);
  const bool useLen = a.useSequenceLength;
  k.requireArity(op, useLen ? 2 : 1, 1);
  const SeqLayout s = seqLayout(k.in(0), reverseAxis(a, op), op);
  reverseSteps(k.in(0), useLen ? &k.in(1) : nullptr, s, k.out(0), op);
}

// inputs: out_grad[, sequence_length]; outputs: d_data[, d_sequence_length].
void sequenceReverseBackward(const KernelContext& k) {
  const char* op = "_backward_SequenceReverse";
  const SequenceAttrs a = SequenceAttrs::read(k, op);
  const bool useLen = a.useSequenceLength;
  k.requireArity(op, useLen ? 2 : 1, useLen ? 2 : 1);
  const SeqLayout s = seqLayout(k.in(0), reverseAxis(a, op), op);
  reverseSteps(k.in(0), useLen ? &k.in(1) : nullptr, s, k.out(0), op);
  if (useLen) zeroFill(k.out(1));
}

constexpr int kMaxDims = 64;

// reverse: out = data with every listed axis reversed (an axis listed twice is reversed twice).
// Axes after the last reversed one form contiguous blocks, moved whole.
void reverseKernel(const KernelContext& k) {
  const char* op = "reverse";
  k.requireArity(op, 1, 1);
  const std::vector<int64_t> axes = ReverseAttrs::read(k, op).axis;
  const Tensor& in = k.in(0);
  const Tensor& out = k.out(0);
  requireShape(out, in.shape(), op, "output");
  requireDType(out, in.dtype(), op, "output");
  const int nd = in.ndim();
  if (nd > kMaxDims)
    fail(ErrorKind::kShape, std::string(op) + ": at most " + str(kMaxDims) + " dimensions are supported");
  std::array<bool, kMaxDims> flip{};
  for (const int64_t a : axes) {
    const int64_t axis = a < 0 ? a + nd : a;
    if (axis < 0 || axis >= nd) {
      fail(ErrorKind::kValue,
           std::string(op) + ": axis " + str(a) + " is out of range for data " + shapeStr(in.shape()));
    }
    flip[static_cast<size_t>(axis)] = !flip[static_cast<size_t>(axis)];
  }
  if (out.raw() == in.raw()) fail(ErrorKind::kValue, std::string(op) + ": cannot run in place");
  int last = -1;
  for (int d = 0; d < nd; ++d) {
    if (flip[static_cast<size_t>(d)]) last = d;
  }
  if (last < 0) {
    std::memcpy(out.raw(), in.raw(), in.nbytes());
    return;
  }
  const Shape& shape = in.shape();
  const size_t block =
      static_cast<size_t>(shapeSize(Shape(shape.begin() + last + 1, shape.end()))) * dtypeSize(in.dtype());
  const int64_t rowLen = shape[static_cast<size_t>(last)];
  const int64_t rows = shapeSize(Shape(shape.begin(), shape.begin() + last));
  const char* src = static_cast<const char*>(in.raw());
  char* dst = static_cast<char*>(out.raw());
  const int64_t rowBytes = rowLen * static_cast<int64_t>(block);
  if (rowBytes == 0) return;
  parallelFor(rows, std::max<int64_t>(1, kByteGrain / rowBytes), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      // The source row: r's index over the axes before `last`, flipped where asked.
      int64_t rem = r, from = 0, stride = 1;
      for (int d = last - 1; d >= 0; --d) {
        const int64_t n = shape[static_cast<size_t>(d)];
        const int64_t i = rem % n;
        rem /= n;
        from += (flip[static_cast<size_t>(d)] ? n - 1 - i : i) * stride;
        stride *= n;
      }
      for (int64_t j = 0; j < rowLen; ++j) {
        std::memcpy(dst + (r * rowLen + j) * static_cast<int64_t>(block),
                    src + (from * rowLen + rowLen - 1 - j) * static_cast<int64_t>(block), block);
      }
    }
  });
}

}  // namespace

BKT_PLAN_KERNEL(kSequenceMask, sequenceMask);
BKT_PLAN_KERNEL(kSequenceMaskBackward, sequenceMaskBackward);
BKT_PLAN_KERNEL(kSequenceLast, sequenceLast);
BKT_PLAN_KERNEL(kSequenceLastBackward, sequenceLastBackward);
BKT_PLAN_KERNEL(kSequenceReverse, sequenceReverse);
BKT_PLAN_KERNEL(kSequenceReverseBackward, sequenceReverseBackward);
BKT_PLAN_KERNEL(kReverse, reverseKernel);

}  // namespace bkt
