#include "bkt/shape.h"

#include "bkt/error.h"

namespace bkt {

int64_t shapeSize(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

int64_t checkShape(const Shape& s, const char* op, const char* arg) {
  int64_t nonZero = 1;
  bool anyZero = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const int64_t d = s[i];
    if (d < 0) {
      fail(ErrorKind::kShape,
           std::string(op) + ": " + arg + " " + shapeStr(s) + " has a negative dimension at axis " + std::to_string(i));
    }
    if (d == 0) {
      anyZero = true;
      continue;
    }
    if (nonZero > kMaxElements / d) {
      fail(ErrorKind::kShape, std::string(op) + ": " + arg + " " + shapeStr(s) + " has more than 2^53 elements");
    }
    nonZero *= d;
  }
  return anyZero ? 0 : nonZero;
}

uint64_t checkShapeBytes(const Shape& s, size_t itemBytes, const char* op, const char* arg) {
  const auto n = static_cast<uint64_t>(checkShape(s, op, arg));
  if (itemBytes != 0 && n > kMaxBytes / itemBytes) {
    fail(ErrorKind::kShape, std::string(op) + ": " + arg + " " + shapeStr(s) + " of " + std::to_string(itemBytes) +
                                "-byte elements needs more than 2^53 bytes");
  }
  return n * itemBytes;
}

std::string shapeStr(const Shape& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(s[i]);
  }
  if (s.size() == 1) out += ",";
  return out + ")";
}

int normalizeAxis(int64_t axis, int ndim, const char* op) {
  const int64_t a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim) {
    fail(ErrorKind::kShape, std::string(op) + ": axis " + std::to_string(axis) + " is out of range for an array of " +
                                std::to_string(ndim) + " dimensions");
  }
  return static_cast<int>(a);
}

}  // namespace bkt
