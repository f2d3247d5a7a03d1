#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "bkt/gemm_backend.h"
#include "bkt/parallel.h"

namespace bkt {
namespace {

// How long an idle thread polls for work before it sleeps, in `pause` instructions: libgomp's
// GOMP_SPINCOUNT, which the addon's loader sets (packages/ndarray/src/native.ts), so oneDNN's team and
// bkt's pool wait alike. On a quiet VM a sleeping thread's vCPU halts, and waking it for the next job
// costs tens of microseconds; a short poll bridges the gaps between a step's kernels.
// Read as libgomp reads it: a count with an optional k/M/G/T suffix, or "infinite"; capped here at a
// million pauses (~30 ms), since the pool's sleeping threads must still yield to a busy machine.
int64_t spinPauses() {
  constexpr long long kCap = 1000000;
  const char* v = std::getenv("GOMP_SPINCOUNT");
  if (!v || !*v) return 0;
  if (std::strcmp(v, "infinite") == 0 || std::strcmp(v, "infinity") == 0) return kCap;
  char* end = nullptr;
  const long long n = std::strtoll(v, &end, 10);
  if (end == v || n <= 0) return 0;
  long long scale = 1;
  switch (*end) {
    case '\0':
      break;
    case 'k':
      scale = 1000;
      break;
    case 'M':  // a million or more: the cap
    case 'G':
    case 'T':
      scale = kCap;
      break;
    default:
      return 0;
  }
  if (*end && end[1] != '\0') return 0;
  return std::min(kCap, n >= kCap / scale ? kCap : n * scale);
}

// Polls `ready` up to `pauses` times; true once it holds.
template <typename Ready>
bool spinUntil(int64_t pauses, Ready ready) {
  for (int64_t i = 0; i < pauses; ++i) {
    if (ready()) return true;
    _mm_pause();
  }
  return ready();
}

class ThreadPool {
 public:
  ThreadPool() { resize(static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))); }
  ~ThreadPool() { stopWorkers(); }

  int size() const { return numThreads_; }

  void resize(int n) {
    n = std::max(1, n);
    std::lock_guard<std::mutex> owner(ownerMu_);
    stopWorkers();
    numThreads_ = n;
    stop_ = false;
    for (int i = 1; i < n; ++i) workers_.emplace_back([this] { workerLoop(); });
  }

  void run(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
    if (n <= 0) return;
    const int64_t maxChunks = std::max<int64_t>(1, n / std::max<int64_t>(1, grain));
    const int64_t chunks = std::min<int64_t>(numThreads_, maxChunks);
    // Nested calls (a kernel inside a parallel region) and small jobs run inline.
    if (chunks <= 1 || inParallel_) {
      fn(0, n);
      return;
    }
    // The pool serves one job at a time. Another JS thread (a Worker) that finds it busy runs its job
    // inline rather than waiting, so Workers never race on the job slots nor stall each other.
    std::unique_lock<std::mutex> owner(ownerMu_, std::try_to_lock);
    if (!owner) {
      fn(0, n);
      return;
    }
    std::unique_lock<std::mutex> lock(mu_);
    job_ = &fn;
    jobN_ = n;
    jobChunks_ = chunks;
    nextChunk_ = 1;  // the caller takes chunk 0
    pending_ = chunks - 1;
    generation_++;
    lock.unlock();
    cv_.notify_all();
    runChunk(0);
    lock.lock();
    while (nextChunk_ < jobChunks_) {
      const int64_t c = nextChunk_++;
      lock.unlock();
      runChunk(c);
      lock.lock();
      pending_--;
    }
    if (pending_ != 0) {
      lock.unlock();
      spinUntil(spinPauses_, [this] { return pending_.load(std::memory_order_acquire) == 0; });
      lock.lock();
    }
    done_.wait(lock, [this] { return pending_ == 0; });
    job_ = nullptr;
  }

 private:
  void runChunk(int64_t c) {
    const int64_t begin = jobN_ * c / jobChunks_;
    const int64_t end = jobN_ * (c + 1) / jobChunks_;
    inParallel_ = true;
    (*job_)(begin, end);
    inParallel_ = false;
  }

  void workerLoop() {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (!stop_ && !(generation_ != seen && nextChunk_ < jobChunks_)) {
        seen = generation_;  // a job whose chunks the others took already needs nothing from us
        lock.unlock();
        spinUntil(spinPauses_, [&] {
          return stop_.load(std::memory_order_acquire) || generation_.load(std::memory_order_acquire) != seen;
        });
        lock.lock();
      }
      cv_.wait(lock, [&] { return stop_ || (generation_ != seen && nextChunk_ < jobChunks_); });
      if (stop_) return;
      seen = generation_;
      while (job_ && nextChunk_ < jobChunks_) {
        const int64_t c = nextChunk_++;
        lock.unlock();
        runChunk(c);
        lock.lock();
        if (--pending_ == 0) done_.notify_one();
      }
    }
  }

  void stopWorkers() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  std::mutex ownerMu_;  // held by the one thread whose job the pool runs
  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable done_;
  std::vector<std::thread> workers_;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t jobN_ = 0;
  int64_t jobChunks_ = 0;
  int64_t nextChunk_ = 0;
  // Written under mu_; atomic so that a spinning thread can poll them without it.
  std::atomic<int64_t> pending_{0};
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int> numThreads_{1};  // read by callers before they own the pool
  const int64_t spinPauses_ = spinPauses();
  static thread_local bool inParallel_;
};

thread_local bool ThreadPool::inParallel_ = false;

ThreadPool& pool() {
  static ThreadPool p;
  return p;
}

}  // namespace

void parallelForPool(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  pool().run(n, grain, fn);
}

void setNumThreads(int n) {
  pool().resize(n);
  setGemmThreads(n);
}

int numThreads() { return pool().size(); }

}  // namespace bkt
