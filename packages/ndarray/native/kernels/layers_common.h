// Shared by the layer kernels (LeakyReLU, Dropout, BatchNorm, LayerNorm): the (outer, n, inner) view
// of an array around one axis.
#pragma once
#include <string>

#include "bkt/error.h"
#include "bkt/plan.h"

namespace bkt {

// Element (o, j, i) of the array is at (o * n + j) * inner + i, with j along the axis.
struct AxisLayout {
  int64_t outer = 1, n = 1, inner = 1;
};

inline AxisLayout axisLayout(const Shape& s, int64_t axisAttr, const char* op) {
  if (s.empty()) fail(ErrorKind::kShape, std::string(op) + ": data must have at least one dimension");
  const int axis = normalizeAxis(axisAttr, static_cast<int>(s.size()), op);
  AxisLayout L;
  for (int d = 0; d < static_cast<int>(s.size()); ++d) {
    const int64_t v = s[static_cast<size_t>(d)];
    if (d < axis)
      L.outer *= v;
    else if (d == axis)
      L.n = v;
    else
      L.inner *= v;
  }
  return L;
}

}  // namespace bkt
