// The MPI side of the distributed kvstores: one communication thread owns every MPI call (MPI_Init to
// MPI_Finalize), and the JS thread hands it collectives as requests and waits for their tickets. So
// a collective runs while the JS thread keeps computing, and a caller that must see the result
// (a pull) waits only for the tickets it needs. Pure C++ (no N-API).
#pragma once
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace bkt::dist {

// MXNet's dtype codes, as @bkt/ndarray uses them.
enum class Elem : int { kFloat32 = 0, kFloat64 = 1, kUInt8 = 3, kInt32 = 4, kInt64 = 6 };
size_t elemSize(Elem e);

// kSend/kRecv/kProbe: point-to-point messages between a worker and a server (dist_async).
enum class Op { kAllreduceSum, kBroadcast, kAllgather, kBarrier, kSend, kRecv, kProbe };

// Any source or any tag, for kRecv/kProbe.
constexpr int kAny = -1;

struct Request {
  Op op = Op::kBarrier;
  void* data = nullptr;  // in place for allreduce/broadcast; the send buffer of allgather
  size_t count = 0;      // elements of data
  Elem elem = Elem::kUInt8;
  void* recv = nullptr;       // allgather: size() * count elements
  int root = 0;               // broadcast; the peer rank of send/recv/probe (kAny: any source)
  int tag = 0;                // send/recv/probe (kAny: any tag)
  int32_t* status = nullptr;  // recv/probe: the message's source, tag and byte count
};

class CommError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class CommTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Communicator {
 public:
  // Makes libmpi's symbols global (its plugins resolve against them), starts the thread and runs
  // MPI_Init on it; throws CommError when MPI cannot start.
  Communicator();
  ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }

  uint64_t submit(const Request& r);
  // Blocks until the ticket's request finished; rethrows its failure, or throws CommTimeout after
  // timeoutSeconds (<= 0: wait forever). A finished ticket is forgotten once waited for. Returns when
  // the comm thread started the request, in ms of the monotonic clock (CLOCK_MONOTONIC, as Node's
  // process.hrtime), so callers can see whether it overlapped their own work.
  double wait(uint64_t ticket, double timeoutSeconds);
  // Lets queued requests finish, then MPI_Finalize and joins the thread.
  void finalize();

 private:
  void run();
  void execute(const Request& r);

  int rank_ = 0;
  int size_ = 1;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::pair<uint64_t, Request>> queue_;
  struct Outcome {
    bool finished = false;
    double startedMs = 0;
    std::string error;
  };
  std::map<uint64_t, Outcome> outcomes_;
  uint64_t next_ = 1;
  bool stopping_ = false;
  bool started_ = false;
  std::string startError_;
  std::thread thread_;
};

}  // namespace bkt::dist
