#include "bkt_dist/communicator.h"

#include <dlfcn.h>
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>

namespace bkt::dist {
namespace {

MPI_Datatype mpiType(Elem e) {
  switch (e) {
    case Elem::kFloat32:
      return MPI_FLOAT;
    case Elem::kFloat64:
      return MPI_DOUBLE;
    case Elem::kUInt8:
      return MPI_UINT8_T;
    case Elem::kInt32:
      return MPI_INT32_T;
    case Elem::kInt64:
      return MPI_INT64_T;
  }
  throw CommError("unknown element type");
}

std::string mpiError(const char* what, int code) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(code, text, &len);
  return std::string(what) + " failed: " + std::string(text, static_cast<size_t>(len));
}

void check(const char* what, int code) {
  if (code != MPI_SUCCESS) throw CommError(mpiError(what, code));
}

// Open MPI loads its transports as plugins that resolve symbols of libmpi itself; Node opens addons
// (and so their libmpi dependency) with RTLD_LOCAL, which hides them. Reopening the very library this
// addon was linked against with RTLD_GLOBAL publishes them before MPI_Init (what mpi4py does).
void publishMpiSymbols() {
  Dl_info where{};
  if (dladdr(reinterpret_cast<void*>(&MPI_Init_thread), &where) == 0 || where.dli_fname == nullptr) {
    throw CommError("cannot locate libmpi in this process");
  }
  if (dlopen(where.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD) == nullptr) {
    throw CommError(std::string("cannot reopen ") + where.dli_fname + " with global symbols: " + dlerror());
  }
}

// The largest element count one MPI call takes (its counts are ints); longer buffers go in pieces.
size_t maxChunk(Elem) { return static_cast<size_t>(INT_MAX); }

}  // namespace

size_t elemSize(Elem e) {
  switch (e) {
    case Elem::kFloat32:
      return 4;
    case Elem::kFloat64:
      return 8;
    case Elem::kUInt8:
      return 1;
    case Elem::kInt32:
      return 4;
    case Elem::kInt64:
      return 8;
  }
  throw CommError("unknown element type");
}

Communicator::Communicator() {
  publishMpiSymbols();
  thread_ = std::thread([this] { run(); });
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [this] { return started_; });
  if (!startError_.empty()) {
    lock.unlock();
    thread_.join();
    throw CommError(startError_);
  }
}

Communicator::~Communicator() { finalize(); }

uint64_t Communicator::submit(const Request& r) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) throw CommError("the communicator was finalized");
  const uint64_t ticket = next_++;
  outcomes_[ticket] = Outcome{};
  queue_.emplace_back(ticket, r);
  changed_.notify_all();
  return ticket;
}

double Communicator::wait(uint64_t ticket, double timeoutSeconds) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = outcomes_.find(ticket);
  if (it == outcomes_.end()) throw CommError("unknown or already waited-for ticket " + std::to_string(ticket));
  auto finished = [&] { return it->second.finished; };
  if (timeoutSeconds > 0) {
    if (!changed_.wait_for(lock, std::chrono::duration<double>(timeoutSeconds), finished)) {
      throw CommTimeout("no answer from the other ranks after " + std::to_string(static_cast<int>(timeoutSeconds)) +
                        " s");
    }
  } else {
    changed_.wait(lock, finished);
  }
  Outcome outcome = it->second;
  outcomes_.erase(it);
  if (!outcome.error.empty()) throw CommError(outcome.error);
  return outcome.startedMs;
}

void Communicator::finalize() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    changed_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void Communicator::run() {
  int provided = 0;
  int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (rc != MPI_SUCCESS) {
      startError_ = "MPI_Init_thread failed (code " + std::to_string(rc) + ")";
    } else {
      MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
      MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
      MPI_Comm_size(MPI_COMM_WORLD, &size_);
    }
    started_ = true;
    changed_.notify_all();
    if (rc != MPI_SUCCESS) return;
  }
  for (;;) {
    std::pair<uint64_t, Request> next;
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;
      next = queue_.front();
      queue_.pop_front();
    }
    Outcome outcome;
    outcome.startedMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
    try {
      execute(next.second);
    } catch (const std::exception& e) {
      outcome.error = e.what();
    }
    outcome.finished = true;
    std::lock_guard<std::mutex> lock(mu_);
    outcomes_[next.first] = outcome;
    changed_.notify_all();
  }
  MPI_Finalize();
}

void Communicator::execute(const Request& r) {
  const MPI_Datatype type = mpiType(r.elem);
  const size_t esize = elemSize(r.elem);
  auto* bytes = static_cast<char*>(r.data);
  switch (r.op) {
    case Op::kAllreduceSum:
      for (size_t done = 0; done < r.count;) {
        const size_t n = std::min(maxChunk(r.elem), r.count - done);
        check("MPI_Allreduce",
              MPI_Allreduce(MPI_IN_PLACE, bytes + done * esize, static_cast<int>(n), type, MPI_SUM, MPI_COMM_WORLD));
        done += n;
      }
      break;
    case Op::kBroadcast:
      for (size_t done = 0; done < r.count;) {
        const size_t n = std::min(maxChunk(r.elem), r.count - done);
        check("MPI_Bcast", MPI_Bcast(bytes + done * esize, static_cast<int>(n), type, r.root, MPI_COMM_WORLD));
        done += n;
      }
      break;
    case Op::kAllgather:
      if (r.count > maxChunk(r.elem)) throw CommError("allgather of more than INT_MAX elements");
      check("MPI_Allgather", MPI_Allgather(r.data, static_cast<int>(r.count), type, r.recv, static_cast<int>(r.count),
                                           type, MPI_COMM_WORLD));
      break;
    case Op::kBarrier:
      check("MPI_Barrier", MPI_Barrier(MPI_COMM_WORLD));
      break;
    case Op::kSend:
      if (r.count > maxChunk(r.elem)) throw CommError("a message of more than INT_MAX bytes");
      check("MPI_Send", MPI_Send(r.data, static_cast<int>(r.count), MPI_UINT8_T, r.root, r.tag, MPI_COMM_WORLD));
      break;
    case Op::kRecv:
    case Op::kProbe: {
      const int source = r.root == kAny ? MPI_ANY_SOURCE : r.root;
      const int tag = r.tag == kAny ? MPI_ANY_TAG : r.tag;
      MPI_Status st{};
      if (r.op == Op::kProbe) {
        check("MPI_Probe", MPI_Probe(source, tag, MPI_COMM_WORLD, &st));
      } else {
        if (r.count > maxChunk(r.elem)) throw CommError("a message of more than INT_MAX bytes");
        check("MPI_Recv", MPI_Recv(r.data, static_cast<int>(r.count), MPI_UINT8_T, source, tag, MPI_COMM_WORLD, &st));
      }
      int bytes = 0;
      MPI_Get_count(&st, MPI_UINT8_T, &bytes);
      r.status[0] = st.MPI_SOURCE;
      r.status[1] = st.MPI_TAG;
      r.status[2] = bytes;
      break;
    }
  }
}

}  // namespace bkt::dist
