#include "bkt/shape.h"

#include "bkt/error.h"

namespace bkt {

int64_t shapeSize(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
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
