// The operator profiler of one JS environment (MXNet's profiler, src/profiler/): while recording, each
// compiled-plan instruction (symbolic) and each other native call from JS (imperative: a fused optimizer
// update under MXNet's name, any other binding under its JS name) appends one event (the operator's name,
// the node it ran for, begin and duration on the steady clock). The JS side turns the events into
// MXNet's aggregate table and a chrome://tracing file. Off, an instruction pays one null test and a
// native call one thread-local load and test.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace bkt {

struct ProfileEvent {
  int32_t name;    // operator name, an id of Profiler::names()
  int32_t detail;  // the node it ran for (an id of names()), or -1
  int64_t beginNs;
  int64_t durationNs;
};

class Profiler {
 public:
  // Which kinds of operators are recorded now: compiled-plan instructions (MXNet's symbolic) and
  // operators called one at a time from JS (imperative).
  // Called on the environment's own thread, which imperativeProfiler() then answers for.
  void setRecording(bool symbolic, bool imperative);
  ~Profiler();
  bool symbolic() const { return symbolic_; }
  bool imperative() const { return imperative_; }

  // A stable id for a name; ids stay valid for the profiler's lifetime (clear keeps them).
  int32_t intern(const std::string& name);
  const std::vector<std::string>& names() const { return names_; }

  static int64_t now() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  void record(int32_t name, int32_t detail, int64_t beginNs, int64_t endNs) {
    events_.push_back({name, detail, beginNs, endNs - beginNs});
  }
  const std::vector<ProfileEvent>& events() const { return events_; }
  // The steady clock when the profiler was created: events are reported from it, so nanosecond counts
  // stay exact in a double however long the machine has been up.
  int64_t originNs() const { return originNs_; }
  // Drops every event (a new configuration starts from nothing).
  void clear() { events_.clear(); }

 private:
  bool symbolic_ = false;
  bool imperative_ = false;
  std::vector<std::string> names_;
  std::unordered_map<std::string, int32_t> ids_;
  std::vector<ProfileEvent> events_;
  int64_t originNs_ = now();
};

// The profiler of this thread's JS environment while it records imperative operators, else null: the
// one test (a thread-local load) a native call pays before timing itself.
Profiler* imperativeProfiler();

// Times one operator call for a profiler that records imperative operators (null: times nothing).
// Records on done(), so a call that throws leaves no event.
class ImperativeTimer {
 public:
  ImperativeTimer(Profiler* profiler, int32_t name)
      : profiler_(profiler), name_(name), beginNs_(profiler ? Profiler::now() : 0) {}
  void done() {
    if (profiler_) profiler_->record(name_, -1, beginNs_, Profiler::now());
  }

 private:
  Profiler* profiler_;
  int32_t name_;
  int64_t beginNs_;
};

}  // namespace bkt
