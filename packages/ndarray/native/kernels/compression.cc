#include "bkt/compression.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "bkt/error.h"
#include "bkt/parallel.h"

namespace bkt {
namespace {

constexpr int64_t kValuesPerWord = 16;
// Words per task: 4096 words are 65536 values, enough to pay for a pool handoff.
constexpr int64_t kWordGrain = 1 << 12;

constexpr uint8_t kPositive = 0x3;  // code 11
constexpr uint8_t kNegative = 0x2;  // code 10

// Value j of a word: which byte, and how far its bit pair sits from bit 0 (pair 0 is bits 7..6).
inline int byteOf(int64_t j) { return static_cast<int>(j >> 2); }
inline int shiftOf(int64_t j) { return 6 - 2 * static_cast<int>(j & 3); }

float checkedThreshold(double threshold, const char* op) {
  const float t = static_cast<float>(threshold);
  if (!std::isfinite(threshold) || !std::isfinite(t) || !(t > 0)) {
    fail(ErrorKind::kValue, std::string(op) +
                                ": threshold must be a finite number greater than 0 (as a float32), got " +
                                std::to_string(threshold));
  }
  return t;
}

bool overlaps(const Tensor& a, const Tensor& b) {
  const auto* a0 = static_cast<const char*>(a.raw());
  const auto* b0 = static_cast<const char*>(b.raw());
  return a.nbytes() > 0 && b.nbytes() > 0 && a0 < b0 + b.nbytes() && b0 < a0 + a.nbytes();
}

void requireWords(const Tensor& compressed, int64_t n, const char* op) {
  const int64_t want = compressedSize2bit(n);
  if (compressed.size() != want) {
    fail(ErrorKind::kShape, std::string(op) + ": compressed has shape " + shapeStr(compressed.shape()) + " (" +
                                std::to_string(compressed.size()) + " words) but " + std::to_string(n) +
                                " values need ceil(" + std::to_string(n) + " / 16) = " + std::to_string(want));
  }
}

}  // namespace

int64_t compressedSize2bit(int64_t n) { return (n + kValuesPerWord - 1) / kValuesPerWord; }

Tensor quantize2bit(const Tensor& grad, const Tensor& residual, double threshold) {
  const char* op = "quantize2bit";
  requireDType(grad, DType::kFloat32, op, "grad");
  requireDType(residual, DType::kFloat32, op, "residual");
  if (residual.shape() != grad.shape()) {
    fail(ErrorKind::kShape, std::string(op) + ": residual has shape " + shapeStr(residual.shape()) +
                                " but grad has shape " + shapeStr(grad.shape()));
  }
  requireSameContext(grad, residual, op);
  if (overlaps(grad, residual)) fail(ErrorKind::kValue, std::string(op) + ": residual must not share memory with grad");
  const float pos = checkedThreshold(threshold, op);

  const int64_t n = grad.size();
  const int64_t words = compressedSize2bit(n);
  Tensor out = Tensor::empty({words}, DType::kFloat32, grad.ctx());
  const float* g = grad.data<float>();
  float* r = residual.data<float>();
  auto* packed = static_cast<char*>(out.raw());
  parallelFor(words, kWordGrain, [&](int64_t w0, int64_t w1) {
    for (int64_t w = w0; w < w1; ++w) {
      uint8_t bytes[4] = {0, 0, 0, 0};
      const int64_t begin = w * kValuesPerWord;
      const int64_t end = std::min(begin + kValuesPerWord, n);
      for (int64_t i = begin; i < end; ++i) {
        const int64_t j = i - begin;
        float acc = r[i] + g[i];
        uint8_t code = 0;
        // At most one threshold leaves the residual per push; a larger residual drains over later pushes.
        if (acc >= pos) {
          code = kPositive;
          acc -= pos;
        } else if (acc <= -pos) {
          code = kNegative;
          acc += pos;
        }
        r[i] = acc;
        bytes[byteOf(j)] = static_cast<uint8_t>(bytes[byteOf(j)] | (code << shiftOf(j)));
      }
      std::memcpy(packed + w * 4, bytes, 4);
    }
  });
  return out;
}

void dequantize2bitInto(const Tensor& compressed, double threshold, const Tensor& out) {
  const char* op = "dequantize2bit";
  requireDType(compressed, DType::kFloat32, op, "compressed");
  requireDType(out, DType::kFloat32, op, "out");
  requireSameContext(compressed, out, op);
  const int64_t n = out.size();
  requireWords(compressed, n, op);
  if (overlaps(compressed, out))
    fail(ErrorKind::kValue, std::string(op) + ": out must not share memory with compressed");
  const float pos = checkedThreshold(threshold, op);
  const float values[4] = {0.0f, 0.0f, -pos, pos};  // indexed by the code: 00, 01, 10, 11

  const auto* packed = static_cast<const char*>(compressed.raw());
  float* o = out.data<float>();
  parallelFor(compressed.size(), kWordGrain, [&](int64_t w0, int64_t w1) {
    for (int64_t w = w0; w < w1; ++w) {
      uint8_t bytes[4];
      std::memcpy(bytes, packed + w * 4, 4);
      const int64_t begin = w * kValuesPerWord;
      const int64_t end = std::min(begin + kValuesPerWord, n);
      for (int64_t i = begin; i < end; ++i) {
        const int64_t j = i - begin;
        o[i] = values[(bytes[byteOf(j)] >> shiftOf(j)) & 0x3];
      }
    }
  });
}

Tensor dequantize2bit(const Tensor& compressed, double threshold, const Shape& shape) {
  const int64_t size = checkShape(shape, "dequantize2bit", "shape");
  // Validate before allocating, so a wrong shape never costs a large allocation.
  requireDType(compressed, DType::kFloat32, "dequantize2bit", "compressed");
  requireWords(compressed, size, "dequantize2bit");
  checkedThreshold(threshold, "dequantize2bit");
  Tensor out = Tensor::empty(shape, DType::kFloat32, compressed.ctx(), "dequantize2bit");
  dequantize2bitInto(compressed, threshold, out);
  return out;
}

}  // namespace bkt
