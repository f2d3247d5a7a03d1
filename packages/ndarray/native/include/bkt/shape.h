#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace bkt {

using Shape = std::vector<int64_t>;

int64_t shapeSize(const Shape& s);
std::string shapeStr(const Shape& s);
// Resolves a possibly negative axis against ndim; throws ShapeError naming `op` when out of range.
int normalizeAxis(int64_t axis, int ndim, const char* op);

}  // namespace bkt
