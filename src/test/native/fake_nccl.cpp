// Test-only stand-in for NCCL (libnccl.so.2) in the CUDA emulation: the entry points Anneal's NCCL natives
// resolve (src/main/native/mpi/anneal_nccl.c), implemented over MPI point-to-point. Not NCCL, and nothing measured
// here says anything about NCCL or a GPU; it proves the call sequence (who sends what to whom, in which order, with
// which sizes, from and into which device memory, on which stream), not NCCL's behaviour.
//
// Device memory is host memory in the emulation (src/test/native/emucuda.cpp). A send copies its device range to
// pinned staging memory with cuMemcpyDtoHAsync on the op's stream, a receive lands with cuMemcpyHtoDAsync on it, so
// the emulated driver checks every range against its live allocations (a pointer outside any, or freed memory, is
// an error) and records the ordering of these reads and writes against the other streams: a receive whose data a
// kernel on another stream reads without an event between them is a race there, as on a GPU.
//
// Semantics: ncclSend/ncclRecv outside a group complete before they return (MPI_Send / MPI_Recv, blocking);
// between ncclGroupStart and ncclGroupEnd they are queued, and ncclGroupEnd runs them together (the sends' staging
// copies, then MPI_Isend / MPI_Irecv for all in the order queued, MPI_Waitall, then the receives' copies), so a
// rank can send and receive in one group as with NCCL. Pairs match in order per direction (MPI's non-overtaking
// rule), as NCCL's do. Every ncclFloat32 only. A communicator is a duplicate of MPI_COMM_WORLD: NCCL rank r must
// be world rank r, and ncclCommInitRank checks that every rank was given the same unique id.
//
// Built by scripts/test-cuda-emulated.sh with mpicxx into <build>/emucuda/libnccl.so.2, linked to the emulated
// libcuda.so.1 beside it. Exports annealFakeNccl, so that Anneal reports its version as 2.0.0-anneal-fake.
#include <mpi.h>
#include <unistd.h>

#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#define EXPORT extern "C" __attribute__((visibility("default")))

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
extern "C" {
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr d, const void* h, size_t n, void* stream);
CUresult cuMemcpyDtoHAsync_v2(void* h, CUdeviceptr d, size_t n, void* stream);
CUresult cuMemAllocHost_v2(void** p, size_t bytes);
CUresult cuMemFreeHost(void* p);
}

namespace {
enum Result {
    kSuccess = 0,
    kUnhandledCudaError = 1,
    kSystemError = 2,
    kInternalError = 3,
    kInvalidArgument = 4,
    kInvalidUsage = 5,
};
constexpr int kFloat32 = 7;
constexpr int kIdBytes = 128;
constexpr char kMagic[] = "anneal-fake-nccl";

struct UniqueId {
    char internal[kIdBytes];
};

struct Staging {
    void* data = nullptr;
    size_t bytes = 0;
};

struct Comm {
    MPI_Comm mpi = MPI_COMM_NULL;
    int rank = 0;
    int size = 0;
    std::vector<Staging> staging;  // pinned host memory, one per op of the largest group so far
};

struct Op {
    bool send;
    void* buffer;
    size_t count;
    int peer;
    Comm* comm;
    void* stream;
};

thread_local int group_depth = 0;
thread_local std::vector<Op> queued;
thread_local std::string last_error;

Result failed(Result r, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
Result failed(Result r, const char* fmt, ...) {
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    last_error = text;
    return r;
}

Result mpi_failed(int code, const char* call) {
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(code, text, &length);
    return failed(kSystemError, "%s: %s", call, text);
}

// Pinned staging of at least `bytes` for op `i` of the group (cuMemAllocHost: no host wait counted by the driver).
Result stage(Comm* c, size_t i, size_t bytes, void** out) {
    if (c->staging.size() <= i) c->staging.resize(i + 1);
    Staging& s = c->staging[i];
    if (s.bytes < bytes) {
        if (s.data != nullptr) cuMemFreeHost(s.data);
        s = Staging{};
        if (CUresult r = cuMemAllocHost_v2(&s.data, bytes))
            return failed(kUnhandledCudaError, "cuMemAllocHost of %zu staging bytes failed with CUDA error %d", bytes,
                          r);
        s.bytes = bytes;
    }
    *out = s.data;
    return kSuccess;
}

Result check(const Op& op, const char* call) {
    if (op.comm == nullptr || op.comm->mpi == MPI_COMM_NULL) return failed(kInvalidArgument, "%s: no communicator", call);
    if (op.peer < 0 || op.peer >= op.comm->size || op.peer == op.comm->rank)
        return failed(kInvalidArgument, "%s: peer %d of rank %d in a communicator of %d", call, op.peer, op.comm->rank,
                      op.comm->size);
    if (op.count > 0 && op.buffer == nullptr) return failed(kInvalidArgument, "%s: null buffer", call);
    if (op.count > (size_t)INT32_MAX / 4) return failed(kInvalidArgument, "%s: %zu floats is over the stand-in's limit",
                                                        call, op.count);
    return kSuccess;
}

// Runs ops together: staging copies of the sends, every MPI operation started in order, all awaited, then the
// receives' copies to the device (each on its op's stream).
Result run(const std::vector<Op>& ops) {
    std::vector<void*> host(ops.size());
    for (size_t i = 0; i < ops.size(); i++) {
        const Op& op = ops[i];
        if (Result r = check(op, op.send ? "ncclSend" : "ncclRecv")) return r;
        if (Result r = stage(op.comm, i, op.count * 4 + 1, &host[i])) return r;
        if (op.send && op.count > 0) {
            if (CUresult r = cuMemcpyDtoHAsync_v2(host[i], (CUdeviceptr)op.buffer, op.count * 4, op.stream))
                return failed(kUnhandledCudaError, "ncclSend of %zu floats from device address %p to rank %d: the "
                              "emulated driver refused to read them (CUDA error %d; its log says why)", op.count,
                              op.buffer, op.peer, r);
        }
    }
    std::vector<MPI_Request> requests(ops.size(), MPI_REQUEST_NULL);
    for (size_t i = 0; i < ops.size(); i++) {
        const Op& op = ops[i];
        int bytes = (int)(op.count * 4);
        int code = op.send ? MPI_Isend(host[i], bytes, MPI_BYTE, op.peer, 0, op.comm->mpi, &requests[i])
                           : MPI_Irecv(host[i], bytes + 1, MPI_BYTE, op.peer, 0, op.comm->mpi, &requests[i]);
        if (code != MPI_SUCCESS) return mpi_failed(code, op.send ? "MPI_Isend" : "MPI_Irecv");
    }
    std::vector<MPI_Status> statuses(ops.size());
    int code = MPI_Waitall((int)ops.size(), requests.data(), statuses.data());
    if (code != MPI_SUCCESS) return mpi_failed(code, "MPI_Waitall");
    for (size_t i = 0; i < ops.size(); i++) {
        const Op& op = ops[i];
        if (op.send) continue;
        int got = 0;
        MPI_Get_count(&statuses[i], MPI_BYTE, &got);
        if ((size_t)got != op.count * 4)
            return failed(kInvalidUsage, "ncclRecv of %zu floats from rank %d, which sent %d bytes: the ranks disagree "
                          "about the size", op.count, op.peer, got);
        if (op.count == 0) continue;
        if (CUresult r = cuMemcpyHtoDAsync_v2((CUdeviceptr)op.buffer, host[i], op.count * 4, op.stream))
            return failed(kUnhandledCudaError, "ncclRecv of %zu floats into device address %p from rank %d: the "
                          "emulated driver refused to write them (CUDA error %d; its log says why)", op.count,
                          op.buffer, op.peer, r);
    }
    return kSuccess;
}

Result enqueue(const Op& op, int datatype) {
    const char* call = op.send ? "ncclSend" : "ncclRecv";
    if (datatype != kFloat32) return failed(kInvalidArgument, "%s: datatype %d; the stand-in has ncclFloat32 (7) only",
                                            call, datatype);
    if (Result r = check(op, call)) return r;
    if (group_depth > 0) {
        queued.push_back(op);
        return kSuccess;
    }
    return run({op});
}
}  // namespace

EXPORT void annealFakeNccl() {}

EXPORT int ncclGetVersion(int* version) {
    if (version == nullptr) return failed(kInvalidArgument, "ncclGetVersion: null");
    *version = 2000;  // NCCL_VERSION(2, 0, 0)
    return kSuccess;
}

EXPORT const char* ncclGetErrorString(int result) {
    switch (result) {
        case kSuccess: return "no error";
        case kUnhandledCudaError: return "unhandled cuda error (run with NCCL_DEBUG=INFO for details)";
        case kSystemError: return "unhandled system error (run with NCCL_DEBUG=INFO for details)";
        case kInternalError: return "internal error - please report this issue to the NCCL developers";
        case kInvalidArgument: return "invalid argument (run with NCCL_DEBUG=WARN for details)";
        case kInvalidUsage: return "invalid usage (run with NCCL_DEBUG=WARN for details)";
        default: return "unknown result code";
    }
}

EXPORT const char* ncclGetLastError(void* comm) {
    (void)comm;
    return last_error.c_str();
}

EXPORT int ncclGetUniqueId(UniqueId* id) {
    if (id == nullptr) return failed(kInvalidArgument, "ncclGetUniqueId: null");
    static unsigned counter = 0;
    memset(id->internal, 0, kIdBytes);
    long long now = std::chrono::steady_clock::now().time_since_epoch().count();
    snprintf(id->internal, kIdBytes, "%s pid=%d t=%lld n=%u", kMagic, (int)getpid(), now, ++counter);
    return kSuccess;
}

// Collective over MPI_COMM_WORLD (MPI must be initialised: Anneal's MPI shim did that).
EXPORT int ncclCommInitRank(Comm** out, int nranks, UniqueId id, int rank) {
    if (out == nullptr) return failed(kInvalidArgument, "ncclCommInitRank: null");
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised) return failed(kSystemError, "ncclCommInitRank: MPI is not initialised (the stand-in runs over MPI)");
    Comm* c = new Comm();
    int code = MPI_Comm_dup(MPI_COMM_WORLD, &c->mpi);
    if (code != MPI_SUCCESS) {
        delete c;
        return mpi_failed(code, "MPI_Comm_dup");
    }
    MPI_Comm_set_errhandler(c->mpi, MPI_ERRORS_RETURN);
    MPI_Comm_rank(c->mpi, &c->rank);
    MPI_Comm_size(c->mpi, &c->size);
    std::vector<char> ids((size_t)c->size * kIdBytes);
    code = MPI_Allgather(id.internal, kIdBytes, MPI_BYTE, ids.data(), kIdBytes, MPI_BYTE, c->mpi);
    Result r = kSuccess;
    if (code != MPI_SUCCESS) {
        r = mpi_failed(code, "MPI_Allgather");
    } else if (nranks != c->size || rank != c->rank) {
        r = failed(kInvalidArgument, "ncclCommInitRank(nranks=%d, rank=%d): the stand-in needs NCCL rank = MPI world "
                   "rank (%d of %d)", nranks, rank, c->rank, c->size);
    } else if (strncmp(id.internal, kMagic, strlen(kMagic)) != 0) {
        r = failed(kInvalidUsage, "ncclCommInitRank: the unique id was not made by ncclGetUniqueId");
    } else {
        for (int k = 0; k < c->size; k++) {
            if (memcmp(ids.data() + (size_t)k * kIdBytes, id.internal, kIdBytes) != 0) {
                r = failed(kInvalidUsage, "ncclCommInitRank: rank %d was given another unique id than rank %d", k,
                           c->rank);
                break;
            }
        }
    }
    if (r != kSuccess) {
        MPI_Comm_free(&c->mpi);
        delete c;
        return r;
    }
    *out = c;
    return kSuccess;
}

EXPORT int ncclSend(const void* buffer, size_t count, int datatype, int peer, Comm* comm, void* stream) {
    return enqueue(Op{true, const_cast<void*>(buffer), count, peer, comm, stream}, datatype);
}

EXPORT int ncclRecv(void* buffer, size_t count, int datatype, int peer, Comm* comm, void* stream) {
    return enqueue(Op{false, buffer, count, peer, comm, stream}, datatype);
}

EXPORT int ncclGroupStart() {
    group_depth++;
    return kSuccess;
}

EXPORT int ncclGroupEnd() {
    if (group_depth == 0) return failed(kInvalidUsage, "ncclGroupEnd without ncclGroupStart");
    if (--group_depth > 0) return kSuccess;
    std::vector<Op> ops;
    ops.swap(queued);
    return ops.empty() ? kSuccess : run(ops);
}

EXPORT int ncclCommGetAsyncError(Comm* comm, int* error) {
    if (comm == nullptr || error == nullptr) return failed(kInvalidArgument, "ncclCommGetAsyncError: null");
    *error = kSuccess;  // every operation completed (or failed) before its call returned
    return kSuccess;
}

namespace {
void release(Comm* comm, bool free_mpi) {
    for (Staging& s : comm->staging) {
        if (s.data != nullptr) cuMemFreeHost(s.data);
    }
    if (free_mpi && comm->mpi != MPI_COMM_NULL) MPI_Comm_free(&comm->mpi);
    delete comm;
}
}  // namespace

// Abort frees no MPI object: the peers may be gone, and MPI_Comm_free is nominally collective.
EXPORT int ncclCommAbort(Comm* comm) {
    if (comm == nullptr) return failed(kInvalidArgument, "ncclCommAbort: null");
    release(comm, false);
    return kSuccess;
}

EXPORT int ncclCommDestroy(Comm* comm) {
    if (comm == nullptr) return failed(kInvalidArgument, "ncclCommDestroy: null");
    release(comm, true);
    return kSuccess;
}
