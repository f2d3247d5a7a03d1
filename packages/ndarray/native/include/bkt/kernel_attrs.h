// Reading support for the generated attribute structs (kernel_attrs.gen.h). The executor packs each
// kernel's attributes as numbers from src/kernel-attrs.json and refuses values a kernel does not
// implement at bind; a plan built by hand may hold anything, so these reads check again and raise
// a ValueError naming the op and the attribute.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>

#include "bkt/error.h"
#include "bkt/plan.h"

namespace bkt {
namespace attrs {

// An enum attribute's code: a position in its table `names` that is one of `implemented`.
template <size_t N>
int32_t enumCode(AttrReader& r, const char* op, const char* attr, const char* const (&names)[N],
                 std::initializer_list<int32_t> implemented) {
  const int64_t code = r.integer();
  std::string allowed;
  bool ok = false;
  for (int32_t i : implemented) {
    allowed += (allowed.empty() ? "'" : ", '") + std::string(names[i]) + "'";
    ok = ok || i == code;
  }
  if (ok) return static_cast<int32_t>(code);
  const std::string rule = std::string(attr) + " must be one of " + allowed;
  if (code < 0 || code >= static_cast<int64_t>(N)) {
    fail(ErrorKind::kValue,
         std::string(op) + ": unknown " + attr + " code " + std::to_string(code) + " (" + rule + ")");
  }
  fail(ErrorKind::kValue, std::string(op) + ": " + rule + ", got '" + names[code] + "', which is not implemented");
}

// An optional int, packed as [has, value].
inline std::optional<int64_t> optionalInt(AttrReader& r) {
  const bool has = r.flag();
  const int64_t v = r.integer();
  return has ? std::optional<int64_t>(v) : std::nullopt;
}

// A value the kernel implements only some settings of (RNN's p: 0 only).
inline void requireOnly(const char* op, const char* attr, double v, std::initializer_list<double> only) {
  for (double o : only) {
    if (v == o) return;
  }
  std::ostringstream msg;
  msg << op << ": " << attr << "=" << v << " is not implemented (only";
  for (double o : only) msg << ' ' << o;
  msg << ")";
  fail(ErrorKind::kValue, msg.str());
}

}  // namespace attrs
}  // namespace bkt
