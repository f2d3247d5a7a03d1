#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace bkt {

using Shape = std::vector<int64_t>;

// The most elements a shape may describe. Shapes and sizes travel to JS as doubles, which hold
// integers exactly only up to 2^53; every sub-product of such a shape fits in int64 too.
constexpr int64_t kMaxElements = int64_t{1} << 53;
// The most bytes one array may take: what a double counts exactly, and far beyond any allocator, so
// a larger request is refused before it is made.
constexpr uint64_t kMaxBytes = uint64_t{1} << 53;

// The element count of a shape already validated (a live tensor's, or one checkShape accepted).
int64_t shapeSize(const Shape& s);
// Validates a shape that comes from outside (JS, a file, a computed output): every dim >= 0 and the
// product of the dims, zero dims counted as 1, at most kMaxElements (so a huge dim beside a 0 is
// refused too, and no product of some of the dims can overflow). Returns the element count; throws
// ShapeError naming `op`, `arg` and the shape.
int64_t checkShape(const Shape& s, const char* op, const char* arg);
// checkShape, plus the byte count for `itemBytes`-sized elements at most kMaxBytes. Returns bytes.
uint64_t checkShapeBytes(const Shape& s, size_t itemBytes, const char* op, const char* arg);
std::string shapeStr(const Shape& s);
// Resolves a possibly negative axis against ndim; throws ShapeError naming `op` when out of range.
int normalizeAxis(int64_t axis, int ndim, const char* op);

}  // namespace bkt
