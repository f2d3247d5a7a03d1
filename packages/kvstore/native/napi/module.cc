// N-API face of the communicator: the JS thread submits requests over ArrayBuffers (the tensors' own
// bytes, from @bkt/ndarray's sharedBytes) and waits for tickets. A reference to every buffer in flight
// is kept until its ticket is waited for, so the memory cannot be collected under the comm thread.
#include <napi.h>

#include <unistd.h>
#include <csignal>
#include <cstring>
#include <map>
#include <vector>

#include "bkt_dist/communicator.h"

namespace {

using bkt::dist::Communicator;
using bkt::dist::Elem;
using bkt::dist::Op;
using bkt::dist::Request;

// Lives as long as the process and is never destroyed: a process ending with an error must not wait
// at exit for a comm thread stuck in a collective (mpirun then stops the other ranks).
Communicator* gComm = nullptr;

// The buffers of this JS environment's requests in flight, by ticket. Environment instance data, not
// a global: Node deletes it while the environment is still alive, so no reference outlives its env.
using InFlight = std::map<uint64_t, std::vector<Napi::ObjectReference>>;

InFlight& inFlight(Napi::Env env) { return *env.GetInstanceData<InFlight>(); }

Napi::Error typed(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  return e;
}

Communicator& comm(Napi::Env env) {
  if (!gComm) throw typed(env, "STATE", "MPI is not initialised (or was finalized)");
  return *gComm;
}

struct Bytes {
  void* data;
  size_t length;
};

// An ArrayBuffer or a typed array: its memory and byte length.
Bytes bytesArg(const Napi::CallbackInfo& info, size_t i) {
  if (info[i].IsArrayBuffer()) {
    auto b = info[i].As<Napi::ArrayBuffer>();
    return {b.Data(), b.ByteLength()};
  }
  if (info[i].IsTypedArray()) {
    auto t = info[i].As<Napi::TypedArray>();
    return {static_cast<char*>(t.ArrayBuffer().Data()) + t.ByteOffset(), t.ByteLength()};
  }
  throw typed(info.Env(), "VALUE", "expected an ArrayBuffer or a typed array");
}

int intArg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsNumber()) throw typed(info.Env(), "VALUE", "expected a number");
  return info[i].As<Napi::Number>().Int32Value();
}

Elem elemArg(const Napi::CallbackInfo& info, size_t i) {
  const int code = intArg(info, i);
  switch (code) {
    case 0:
      return Elem::kFloat32;
    case 1:
      return Elem::kFloat64;
    case 3:
      return Elem::kUInt8;
    case 4:
      return Elem::kInt32;
    case 6:
      return Elem::kInt64;
    default:
      throw typed(info.Env(), "DTYPE", "no MPI element type for dtype code " + std::to_string(code));
  }
}

// Elements of `elem` in `bytes`; the length must be a whole number of them.
size_t countOf(Napi::Env env, const Bytes& b, Elem elem) {
  const size_t size = bkt::dist::elemSize(elem);
  if (b.length % size != 0)
    throw typed(env, "VALUE", "a buffer of " + std::to_string(b.length) + " bytes is not a whole number of elements");
  return b.length / size;
}

Napi::Value submit(const Napi::CallbackInfo& info, const Request& r, std::initializer_list<size_t> keep) {
  uint64_t ticket = 0;
  try {
    ticket = comm(info.Env()).submit(r);
  } catch (const bkt::dist::CommError& e) {
    throw typed(info.Env(), "MPI", e.what());
  }
  auto& refs = inFlight(info.Env())[ticket];
  for (size_t i : keep) refs.push_back(Napi::Persistent(info[i].As<Napi::Object>()));
  return Napi::Number::New(info.Env(), static_cast<double>(ticket));
}

// The launcher (mpirun) ends the surviving ranks with SIGTERM when one fails; the JS thread may be
// blocked in a wait then, so the message is written from the handler itself.
void onTerminate(int) {
  static const char kMessage[] =
      "bkt kvstore: this rank was stopped by the MPI launcher (SIGTERM): another rank of the job failed or was "
      "killed\n";
  ssize_t ignored = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  (void)ignored;
  _exit(143);
}

// init() -> { rank, size }
Napi::Value Init(const Napi::CallbackInfo& info) {
  if (!gComm) {
    try {
      gComm = new Communicator();
    } catch (const std::exception& e) {
      throw typed(info.Env(), "MPI", e.what());
    }
    std::signal(SIGTERM, onTerminate);
  }
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("rank", gComm->rank());
  out.Set("size", gComm->size());
  return out;
}

// allreduceSum(buffer, dtypeCode) -> ticket: the element-wise sum over all ranks, in place.
Napi::Value AllreduceSum(const Napi::CallbackInfo& info) {
  Bytes b = bytesArg(info, 0);
  Request r;
  r.op = Op::kAllreduceSum;
  r.elem = elemArg(info, 1);
  r.data = b.data;
  r.count = countOf(info.Env(), b, r.elem);
  return submit(info, r, {0});
}

// broadcast(buffer, dtypeCode, root) -> ticket: root's bytes into every rank's buffer.
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  Bytes b = bytesArg(info, 0);
  Request r;
  r.op = Op::kBroadcast;
  r.elem = elemArg(info, 1);
  r.data = b.data;
  r.count = countOf(info.Env(), b, r.elem);
  r.root = intArg(info, 2);
  return submit(info, r, {0});
}

// allgather(send, recv) -> ticket: every rank's send bytes, in rank order, into recv (size x send bytes).
Napi::Value Allgather(const Napi::CallbackInfo& info) {
  Bytes send = bytesArg(info, 0);
  Bytes recv = bytesArg(info, 1);
  if (recv.length != send.length * static_cast<size_t>(comm(info.Env()).size())) {
    throw typed(info.Env(), "VALUE", "allgather: the receive buffer must hold size() times the send buffer");
  }
  Request r;
  r.op = Op::kAllgather;
  r.elem = Elem::kUInt8;
  r.data = send.data;
  r.count = send.length;
  r.recv = recv.data;
  return submit(info, r, {0, 1});
}

// The Int32Array(3) a recv or probe writes the message's source, tag and byte count into.
int32_t* statusArg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      info[i].As<Napi::TypedArray>().ElementLength() != 3) {
    throw typed(info.Env(), "VALUE", "expected an Int32Array of 3 elements for the message status");
  }
  auto t = info[i].As<Napi::TypedArray>();
  return reinterpret_cast<int32_t*>(static_cast<char*>(t.ArrayBuffer().Data()) + t.ByteOffset());
}

// send(bytes, dest, tag) -> ticket; recv(bytes, source, tag, status) -> ticket: a message of at most
// bytes' length (source/tag -1: any), its source, tag and length written into status.
Napi::Value PointToPoint(const Napi::CallbackInfo& info, Op op) {
  Bytes b = bytesArg(info, 0);
  Request r;
  r.op = op;
  r.data = b.data;
  r.count = b.length;
  r.root = intArg(info, 1);
  r.tag = intArg(info, 2);
  if (op == Op::kSend) return submit(info, r, {0});
  r.status = statusArg(info, 3);
  return submit(info, r, {0, 3});
}

Napi::Value Send(const Napi::CallbackInfo& info) { return PointToPoint(info, Op::kSend); }
Napi::Value Recv(const Napi::CallbackInfo& info) { return PointToPoint(info, Op::kRecv); }

// probe(source, tag, status) -> ticket: waits for a matching message without receiving it.
Napi::Value Probe(const Napi::CallbackInfo& info) {
  Request r;
  r.op = Op::kProbe;
  r.root = intArg(info, 0);
  r.tag = intArg(info, 1);
  r.status = statusArg(info, 2);
  return submit(info, r, {2});
}

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  Request r;
  r.op = Op::kBarrier;
  return submit(info, r, {});
}

// wait(ticket, timeoutSeconds) -> when the comm thread started the request (monotonic ms); throws on
// failure or timeout.
Napi::Value Wait(const Napi::CallbackInfo& info) {
  const auto ticket = static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value());
  const double timeout = info[1].As<Napi::Number>().DoubleValue();
  double startedMs = 0;
  try {
    startedMs = comm(info.Env()).wait(ticket, timeout);
  } catch (const bkt::dist::CommTimeout& e) {
    throw typed(info.Env(), "TIMEOUT", e.what());
  } catch (const bkt::dist::CommError& e) {
    inFlight(info.Env()).erase(ticket);
    throw typed(info.Env(), "MPI", e.what());
  }
  inFlight(info.Env()).erase(ticket);
  return Napi::Number::New(info.Env(), startedMs);
}

Napi::Value Finalize(const Napi::CallbackInfo& info) {
  if (gComm) gComm->finalize();
  inFlight(info.Env()).clear();
  return info.Env().Undefined();
}

Napi::Object Register(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData<InFlight>(new InFlight());
  exports.Set("init", Napi::Function::New(env, Init));
  exports.Set("allreduceSum", Napi::Function::New(env, AllreduceSum));
  exports.Set("broadcast", Napi::Function::New(env, Broadcast));
  exports.Set("allgather", Napi::Function::New(env, Allgather));
  exports.Set("barrier", Napi::Function::New(env, Barrier));
  exports.Set("send", Napi::Function::New(env, Send));
  exports.Set("recv", Napi::Function::New(env, Recv));
  exports.Set("probe", Napi::Function::New(env, Probe));
  exports.Set("wait", Napi::Function::New(env, Wait));
  exports.Set("finalize", Napi::Function::New(env, Finalize));
  return exports;
}

}  // namespace

NODE_API_MODULE(bkt_dist, Register)
