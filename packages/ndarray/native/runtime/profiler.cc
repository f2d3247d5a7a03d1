#include "bkt/profiler.h"

#include "bkt/error.h"

namespace bkt {
namespace {
// Each JS environment runs on its own thread (the main thread, each Worker), so a thread-local pointer
// is per environment.
thread_local Profiler* tImperative = nullptr;
}  // namespace

void Profiler::setRecording(bool symbolic, bool imperative) {
  symbolic_ = symbolic;
  imperative_ = imperative;
  if (imperative) {
    tImperative = this;
  } else if (tImperative == this) {
    tImperative = nullptr;
  }
}

Profiler::~Profiler() {
  if (tImperative == this) tImperative = nullptr;
}

Profiler* imperativeProfiler() { return tImperative; }

int32_t Profiler::intern(const std::string& name) {
  const auto it = ids_.find(name);
  if (it != ids_.end()) return it->second;
  if (names_.size() >= static_cast<size_t>(INT32_MAX)) fail(ErrorKind::kState, "profiler: too many operator names");
  const auto id = static_cast<int32_t>(names_.size());
  names_.push_back(name);
  ids_.emplace(name, id);
  return id;
}

}  // namespace bkt
