// Test-only host emulation of the CUDA driver (libcuda.so.1) for Anneal's JCuda backend: device memory is host
// memory with red zones, kernels are cuda-kernels/*.cu compiled with g++ (cuda_shim.h, k_*.cpp), and every call
// is validated like a real device would (launch geometry, shared memory, parameter pointers, copy ranges, freed
// and double-freed memory, out-of-memory). Errors are CUresult codes plus one line on stderr, never a crash.
// Exports exactly the entry points dev.anneal.backend.cuda calls (see its package-info), plus cuCtxGetDevice for
// tests. Not a product: nothing measured here says anything about GPU speed. It also counts the calls that would
// make the host wait for the GPU (cuStreamSynchronize, cuEventSynchronize, cuMemFree, ...: SyncKind), which tests
// read through emulator-only cuDeviceGetAttribute queries, and with ANNEAL_CUDA_EMULATOR_RUN_KERNELS=0 validates
// launches without running them, for benchmarks of host time (scripts/bench-emulated.sh).
#include <ucontext.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <functional>
#include <string>
#include <vector>

#include "cuda_shim.h"
#include "kernel_table.h"

#define EXPORT extern "C" __attribute__((visibility("default")))

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

enum {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_NO_DEVICE = 100,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_PTX = 218,
    CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_NOT_READY = 600,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_LAUNCH_FAILED = 719,
    CUDA_ERROR_ILLEGAL_STATE = 401,
    CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED = 900,
    CUDA_ERROR_STREAM_CAPTURE_INVALIDATED = 901,
    CUDA_ERROR_STREAM_CAPTURE_IMPLICIT = 906,
};

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr size_t kRedZone = 0;  // allocations are exact mallocs, so that ASan sees every byte past the end
#else
constexpr size_t kRedZone = 256;  // checked after each launch (writes past the end) and at cuMemFree
#endif
constexpr unsigned char kRedByte = 0xCD;
constexpr unsigned char kFreshByte = 0xFF;  // fresh and freed memory reads as NaN floats
constexpr size_t kQuarantineBytes = 256u << 20;
constexpr size_t kMaxSharedPerBlock = 48 * 1024;

std::recursive_mutex mu;
bool initialized = false;

// Where the error lines go: the file named by ANNEAL_CUDA_EMULATOR_LOG (appended; scripts/test-cuda-emulated.sh
// shows it only when a test fails, since the planted-bug tests provoke errors on purpose), else stderr.
FILE* error_log() {
    static FILE* log = [] {
        const char* path = getenv("ANNEAL_CUDA_EMULATOR_LOG");
        FILE* f = (path != nullptr && *path != 0) ? fopen(path, "a") : nullptr;
        return f != nullptr ? f : stderr;
    }();
    return log;
}

CUresult fail(CUresult code, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    FILE* log = error_log();
    fprintf(log, "emucuda: error %d returned to the caller: %s\n", code, buf);
    fflush(log);
    return code;
}

int device_count() {
    const char* s = getenv("ANNEAL_CUDA_EMULATOR_DEVICES");
    if (s == nullptr || *s == 0) return 1;
    int n = atoi(s);
    return n < 0 ? 0 : n > 64 ? 64 : n;
}

size_t memory_limit() {
    const char* s = getenv("ANNEAL_CUDA_EMULATOR_MEMORY");
    if (s == nullptr || *s == 0) return size_t(1) << 30;
    char* end;
    double v = strtod(s, &end);
    size_t mult = 1;
    if (*end == 'k' || *end == 'K') mult = 1u << 10;
    if (*end == 'm' || *end == 'M') mult = 1u << 20;
    if (*end == 'g' || *end == 'G') mult = size_t(1) << 30;
    return (size_t)(v * mult);
}

struct Context {
    int device;
    int refs = 0;
    size_t used = 0;
};
std::vector<Context*> contexts;  // primary context per device, created on first retain
thread_local Context* current = nullptr;

struct Alloc {
    CUdeviceptr base;
    size_t size;
    unsigned char* raw;
    Context* ctx;
    // Cross-stream ordering (end of file): the byte ranges operations on streams used, not yet known complete.
    struct Use {
        uint64_t stream, seq;  // the stream's id and its op count at the use
        CUdeviceptr lo, hi;    // [lo, hi)
        bool write;
        const char* what;
    };
    mutable std::vector<Use> uses;
};
std::map<CUdeviceptr, Alloc> live;
std::map<CUdeviceptr, Alloc> freed;  // quarantined: not reused, so a stale pointer stays detectable
std::deque<CUdeviceptr> quarantine;
size_t quarantined = 0;
std::map<void*, size_t> host_allocs;  // pinned host memory (cuMemAllocHost): base -> bytes

// Whether [h, h + n) lies inside pinned host memory; a real driver copies pageable memory synchronously.
bool pinned(const void* h, size_t n) {
    auto it = host_allocs.upper_bound(const_cast<void*>(h));
    if (it == host_allocs.begin()) return false;
    --it;
    const char* base = (const char*)it->first;
    return (const char*)h >= base && (const char*)h + n <= base + it->second;
}

// ---- synchronising calls, counted for tests ------------------------------------------------------------------
// Every call that makes a real driver block the host until the GPU has finished work (or may: a copy through
// pageable memory) is counted per device and kind. Tests read the counts through cuDeviceGetAttribute with the
// emulator-only attributes kQueryBase + kind (see cuDeviceGetAttribute; a real driver rejects them): the Java
// side is src/test/java/dev/anneal/backend/cuda/EmulatedDriver.java, whose SyncCall enum lists the kinds in
// this order. Only calls that succeed are counted; operations replayed from a graph are never counted.
enum SyncKind {
    SYNC_STREAM,         // cuStreamSynchronize
    SYNC_EVENT,          // cuEventSynchronize
    SYNC_MEM_FREE,       // cuMemFree of a live allocation (the driver waits for the device first)
    SYNC_MEM_FREE_HOST,  // cuMemFreeHost
    SYNC_MEMCPY_PEER,    // cuMemcpyPeer (synchronous)
    SYNC_PAGEABLE_COPY,  // cuMemcpyHtoDAsync / cuMemcpyDtoHAsync through pageable (not cuMemAllocHost) memory
    SYNC_CTX_DESTROY,    // cuDevicePrimaryCtxRelease of the last reference (destroys the context)
    SYNC_KINDS
};
constexpr int kMaxDevices = 64;
uint64_t sync_calls[kMaxDevices][SYNC_KINDS];
// cuDeviceGetAttribute(v, kQueryBase + kind, d): sync calls of that kind on device d so far (saturated at
// INT_MAX); kQueryBase + kQueryKinds: SYNC_KINDS, so that the Java side can check it lists the same kinds.
constexpr int kQueryBase = 0x454D5500;  // "EMU\0"
constexpr int kQueryKinds = 0xFF;

void count_sync(SyncKind k, int device) {
    if (device >= 0 && device < kMaxDevices) sync_calls[device][k]++;
}

// ANNEAL_CUDA_EMULATOR_RUN_KERNELS=0: launches are validated (geometry, parameters, pointers, ordering) but the
// kernels do not run, nor do device-to-device copies (device work too), so a benchmark of the host side of a step
// (src/jmh: EagerStepHostBench) does not time the emulated device. Results are then meaningless; tests never set
// it.
bool run_kernels() {
    static const bool run = [] {
        const char* s = getenv("ANNEAL_CUDA_EMULATOR_RUN_KERNELS");
        return !(s != nullptr && strcmp(s, "0") == 0);
    }();
    return run;
}

const Alloc* find_in(const std::map<CUdeviceptr, Alloc>& m, CUdeviceptr p) {
    auto it = m.upper_bound(p);
    if (it == m.begin()) return nullptr;
    --it;
    if (p >= it->second.base && p <= it->second.base + it->second.size) return &it->second;
    return nullptr;
}

bool red_zones_intact(const Alloc& a) {
    for (size_t i = 0; i < kRedZone; i++) {
        if (a.raw[i] != kRedByte || a.raw[kRedZone + a.size + i] != kRedByte) return false;
    }
    return true;
}

// Null when [p, p + n) lies inside one live allocation; otherwise what is wrong.
std::string check_range(CUdeviceptr p, size_t n, const char* what) {
    char buf[300];
    if (p == 0) {
        snprintf(buf, sizeof buf, "%s: null device pointer", what);
        return buf;
    }
    const Alloc* a = find_in(live, p);
    if (a == nullptr) {
        if (find_in(freed, p) != nullptr) {
            snprintf(buf, sizeof buf, "%s: device pointer 0x%llx is in freed memory (use after free)", what, p);
        } else {
            snprintf(buf, sizeof buf, "%s: 0x%llx is not a device pointer of a live allocation", what, p);
        }
        return buf;
    }
    if (p + n > a->base + a->size) {
        snprintf(buf, sizeof buf, "%s: %zu bytes at offset %llu run past the end of a %zu-byte allocation", what, n,
                 p - a->base, a->size);
        return buf;
    }
    return "";
}

void release_alloc(std::map<CUdeviceptr, Alloc>::iterator it) {
    Alloc a = it->second;
    live.erase(it);
    a.ctx->used -= a.size;
    memset(a.raw + kRedZone, kFreshByte, a.size);
    freed[a.base] = a;
    quarantine.push_back(a.base);
    quarantined += a.size;
    while (quarantined > kQuarantineBytes && !quarantine.empty()) {
        auto f = freed.find(quarantine.front());
        quarantine.pop_front();
        if (f != freed.end()) {
            quarantined -= f->second.size;
            free(f->second.raw);
            freed.erase(f);
        }
    }
}

struct Module {
    std::map<std::string, const emu::KernelInfo*> functions;
    std::map<std::string, int> maxntid;
};
std::set<Module*> modules;

struct Function {
    const emu::KernelInfo* kernel;
    Module* module;
    int maxntid;
};
std::set<Function*> functions;

std::map<std::string, emu::KernelInfo>& registry() {
    static std::map<std::string, emu::KernelInfo> r;
    return r;
}

// Stream capture (CUDA graphs): while a stream captures, its async operations are recorded instead of run, and a
// graph replays them in order. Calls a real driver refuses during a global-mode capture (allocation, freeing,
// synchronising the capturing stream, the legacy NULL stream) fail with error 900/906 and invalidate the capture,
// so that code which would break under capture on a GPU breaks here too.
typedef std::function<CUresult(void* stream)> Op;  // replayed on the stream of cuGraphLaunch
struct Graph { std::vector<Op> ops; };
struct GraphExec { std::vector<Op> ops; };
std::set<Graph*> graphs;
std::set<GraphExec*> graph_execs;
struct Stream {
    static inline uint64_t ids = 0;
    Context* ctx = current;                 // multi-device ordering (end of file): the creating context,
    uint64_t id = ++ids;                    // an id never reused,
    std::map<uint64_t, uint64_t> clock;     // and stream id -> operations this stream is ordered after
    bool capturing = false;
    bool invalidated = false;
    Graph* graph = nullptr;
};
std::set<Stream*> streams;
int captures = 0;  // streams capturing now
struct Event {
    Context* ctx = current;  // the context it was created in: the device a host wait on it counts for
    std::chrono::steady_clock::time_point t;
    bool recorded = false;
    std::map<uint64_t, uint64_t> clock;  // its stream's clock when recorded (end of file)
};
std::set<Event*> events;

// Ordering of multi-device work and peer access: defined with the peer functions at the end of the file.
void order_op(Stream* s);
void order_record(Event* e, Stream* s);
void order_host_waits(Stream* s, Event* e);
void peer_forget(Context* c);
enum Access { READ, WRITE, KERNEL };  // a kernel's pointer parameters count as read and written
CUresult order_access(void* stream, const Alloc* a, Access access, const char* what, int param, CUdeviceptr lo,
                      size_t n);

// ---- the fiber scheduler of threaded kernels -------------------------------------------------------------------

struct Group {
    int live = 0, arrived = 0;
    unsigned long gen = 0;
};

// Fibers switch with a few instructions (callee-saved registers and the FP control words) instead of
// swapcontext, which makes two signal-mask system calls per switch; under ASan each switch is announced with
// __sanitizer_start/finish_switch_fiber. Other architectures use ucontext.
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define ASAN_START_SWITCH(bottom, size) __sanitizer_start_switch_fiber(nullptr, (bottom), (size))
#define ASAN_FINISH_SWITCH(bottom, size) __sanitizer_finish_switch_fiber(nullptr, (bottom), (size))
#else
#define ASAN_START_SWITCH(bottom, size) ((void)0)
#define ASAN_FINISH_SWITCH(bottom, size) ((void)0)
#endif
#if defined(__x86_64__)
#define EMU_ASM_FIBERS 1
extern "C" void emu_switch_stack(void** save_sp, void* next_sp);
asm(R"(
    .text
    .p2align 4
    .type emu_switch_stack, @function
emu_switch_stack:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size emu_switch_stack, .-emu_switch_stack
)");
#else
#define EMU_ASM_FIBERS 0
#endif

struct Fiber {
#if EMU_ASM_FIBERS
    void* sp = nullptr;
#else
    ucontext_t ctx;
#endif
    char* stack = nullptr;
    bool done = false;
    Group* wait = nullptr;
    unsigned long wait_gen = 0;
};

constexpr size_t kStack = 256 * 1024;
std::vector<Fiber> fibers(1024);
#if EMU_ASM_FIBERS
void* scheduler_sp = nullptr;
#else
ucontext_t scheduler;
#endif
Group block_group;
Group warp_groups[32];
uint64_t shfl_slots[1024];
int running = -1;        // fiber index in a threaded launch, -1 in serial mode
bool in_launch = false;
void (*launch_invoke)(void**);
void** launch_params;
const char* launch_name;

[[maybe_unused]] const void* scheduler_stack_bottom = nullptr;  // the launching thread's stack, for ASan's fiber switches
[[maybe_unused]] size_t scheduler_stack_size = 0;

void to_scheduler(Fiber& f) {
#if EMU_ASM_FIBERS
    ASAN_START_SWITCH(scheduler_stack_bottom, scheduler_stack_size);
    emu_switch_stack(&f.sp, scheduler_sp);
    ASAN_FINISH_SWITCH(&scheduler_stack_bottom, &scheduler_stack_size);
#else
    swapcontext(&f.ctx, &scheduler);
#endif
}

void barrier(Group& g) {
    if (running < 0) {
        fprintf(stderr, "emucuda: kernel %s synchronises but its module runs serially (k_*.cpp says threaded=false)\n",
                launch_name);
        abort();
    }
    if (++g.arrived == g.live) {
        g.arrived = 0;
        g.gen++;
        return;
    }
    Fiber& f = fibers[running];
    f.wait = &g;
    f.wait_gen = g.gen;
    to_scheduler(f);
}

void leave(Group& g) {
    g.live--;
    if (g.arrived > 0 && g.arrived == g.live) {
        g.arrived = 0;
        g.gen++;
    }
}

void fiber_body(int t) {
    launch_invoke(launch_params);
    fibers[t].done = true;
    leave(block_group);
    leave(warp_groups[t / 32]);
}

#if EMU_ASM_FIBERS
void fiber_entry() {
    ASAN_FINISH_SWITCH(&scheduler_stack_bottom, &scheduler_stack_size);
    int t = running;
    fiber_body(t);
    to_scheduler(fibers[t]);
    abort();  // a finished fiber is never resumed
}
#else
void fiber_main(int t) { fiber_body(t); }
#endif

// Runs one block of n threads as fibers; false on a deadlock (a barrier that not every live thread reaches).
bool run_block_threaded(unsigned n, dim3 bdim) {
    block_group = Group{(int)n, 0, 0};
    for (unsigned w = 0; w < (n + 31) / 32; w++) {
        warp_groups[w] = Group{(int)std::min(32u, n - 32 * w), 0, 0};
    }
    for (unsigned t = 0; t < n; t++) {
        Fiber& f = fibers[t];
        if (f.stack == nullptr) {
            f.stack = (char*)mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                                  -1, 0);
            if (f.stack == MAP_FAILED) {
                fprintf(stderr, "emucuda: cannot map a fiber stack\n");
                abort();
            }
        }
#if EMU_ASM_FIBERS
#if defined(__SANITIZE_ADDRESS__)
        __asan_unpoison_memory_region(f.stack, kStack);  // frames a previous fiber left behind
#endif
        uint64_t* top = (uint64_t*)(f.stack + kStack);  // 16-byte aligned
        top[-1] = 0;                                     // fiber_entry's return address: never used
        top[-2] = (uint64_t)(uintptr_t)&fiber_entry;     // where emu_switch_stack's ret goes
        for (int r = 3; r <= 8; r++) top[-r] = 0;        // rbp, rbx, r12..r15
        uint32_t* fp = (uint32_t*)&top[-9];
        fp[0] = 0x1F80;                                  // MXCSR default
        fp[1] = 0x037F;                                  // x87 control word default
        f.sp = &top[-9];
#else
        getcontext(&f.ctx);
        f.ctx.uc_stack.ss_sp = f.stack;
        f.ctx.uc_stack.ss_size = kStack;
        f.ctx.uc_link = &scheduler;
        makecontext(&f.ctx, (void (*)())fiber_main, 1, (int)t);
#endif
        f.done = false;
        f.wait = nullptr;
    }
    unsigned remaining = n;
    while (remaining > 0) {
        bool progressed = false;
        for (unsigned t = 0; t < n; t++) {
            Fiber& f = fibers[t];
            if (f.done || (f.wait != nullptr && f.wait->gen == f.wait_gen)) continue;
            f.wait = nullptr;
            emu::threadIdx_ = dim3{t % bdim.x, (t / bdim.x) % bdim.y, t / (bdim.x * bdim.y)};
            running = (int)t;
#if EMU_ASM_FIBERS
            ASAN_START_SWITCH(f.stack, kStack);
            emu_switch_stack(&scheduler_sp, f.sp);
            ASAN_FINISH_SWITCH(nullptr, nullptr);
#else
            swapcontext(&scheduler, &f.ctx);
#endif
            running = -1;
            progressed = true;
            if (f.done) remaining--;
        }
        if (!progressed) return false;
    }
    return true;
}

}  // namespace

namespace emu {
thread_local dim3 threadIdx_, blockIdx_, blockDim_, gridDim_;

void syncthreads() { barrier(block_group); }

uint64_t shfl_xor64(uint64_t v, int lane_mask) {
    if (running < 0) {
        barrier(block_group);  // aborts with the reason
    }
    unsigned t = (unsigned)running;
    unsigned lane = t % 32, base = t - lane;
    shfl_slots[t] = v;
    barrier(warp_groups[t / 32]);
    uint64_t out = shfl_slots[base + ((lane ^ (unsigned)lane_mask) & 31)];
    barrier(warp_groups[t / 32]);
    return out;
}

void register_kernel(const KernelInfo& k) { registry()[k.name] = k; }
}  // namespace emu

#define LOCK std::lock_guard<std::recursive_mutex> lock(mu)
#define NEED_INIT                                                            \
    if (!initialized) return fail(CUDA_ERROR_NOT_INITIALIZED, "%s before cuInit", __func__)
#define NEED_CTX                                                                         \
    NEED_INIT;                                                                           \
    if (current == nullptr || current->refs <= 0)                                        \
        return fail(CUDA_ERROR_INVALID_CONTEXT, "%s without a current context", __func__)

namespace {
Stream* capturing_stream(void* s) {
    if (s == nullptr || !streams.count((Stream*)s)) return nullptr;
    Stream* st = (Stream*)s;
    return st->capturing ? st : nullptr;
}

void invalidate_captures() {
    for (Stream* st : streams) {
        if (st->capturing) st->invalidated = true;
    }
}

// A call that a real driver refuses while any stream captures in global mode (the mode Anneal uses).
CUresult refused_in_capture(const char* call) {
    invalidate_captures();
    return fail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED,
                "%s while a stream is being captured (not permitted in global capture mode; the capture is invalidated)",
                call);
}
}  // namespace

// Async operations: recorded when their stream captures; on the NULL stream during a capture refused (the legacy
// stream synchronises with the capturing one); run now otherwise.
#define CAPTURE_OR_RUN(s, now_call)                                                                   \
    do {                                                                                              \
        if (Stream* st_ = capturing_stream(s)) {                                                      \
            if (!st_->invalidated) st_->graph->ops.push_back([=](void* replay) { return now_call; }); \
            return CUDA_SUCCESS;                                                                      \
        }                                                                                             \
        if ((s) == nullptr && captures > 0) {                                                         \
            invalidate_captures();                                                                    \
            return fail(CUDA_ERROR_STREAM_CAPTURE_IMPLICIT, "%s on the NULL stream during a capture", __func__); \
        }                                                                                             \
    } while (0)
#define REFUSED_IN_CAPTURE \
    if (captures > 0) return refused_in_capture(__func__)

EXPORT CUresult cuInit(unsigned flags) {
    LOCK;
    if (flags != 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuInit flags must be 0, got %u", flags);
    if (device_count() == 0) return fail(CUDA_ERROR_NO_DEVICE, "ANNEAL_CUDA_EMULATOR_DEVICES=0: no device");
    if (!initialized) {
        fprintf(stderr, "emucuda: host emulation of the CUDA driver (test only; no GPU, no GPU timings), %d device(s)\n",
                device_count());
    }
    initialized = true;
    while ((int)contexts.size() < device_count()) {
        Context* c = new Context();
        c->device = (int)contexts.size();
        contexts.push_back(c);
    }
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDriverGetVersion(int* v) {
    if (v == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDriverGetVersion: null");
    *v = 13000;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGetCount(int* n) {
    LOCK;
    NEED_INIT;
    if (n == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGetCount: null");
    *n = device_count();
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGet(CUdevice* d, int ordinal) {
    LOCK;
    NEED_INIT;
    if (d == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGet: null");
    if (ordinal < 0 || ordinal >= device_count())
        return fail(CUDA_ERROR_INVALID_DEVICE, "cuDeviceGet: no device %d (%d emulated)", ordinal, device_count());
    *d = ordinal;
    return CUDA_SUCCESS;
}

#define CHECK_DEVICE(d)                       \
    if ((d) < 0 || (d) >= device_count()) \
    return fail(CUDA_ERROR_INVALID_DEVICE, "%s: no device %d", __func__, (int)(d))

EXPORT CUresult cuDeviceGetName(char* name, int len, CUdevice d) {
    LOCK;
    NEED_INIT;
    CHECK_DEVICE(d);
    if (name == nullptr || len <= 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGetName: bad buffer");
    snprintf(name, (size_t)len, "Anneal CUDA emulator (host, sm_90-like) #%d", d);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGetAttribute(int* v, int attr, CUdevice d) {
    LOCK;
    NEED_INIT;
    CHECK_DEVICE(d);
    if (v == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGetAttribute: null");
    if (attr == kQueryBase + kQueryKinds) {
        *v = SYNC_KINDS;
        return CUDA_SUCCESS;
    }
    if (attr >= kQueryBase && attr < kQueryBase + SYNC_KINDS) {
        uint64_t n = d < kMaxDevices ? sync_calls[d][attr - kQueryBase] : 0;
        *v = n > 2147483647u ? 2147483647 : (int)n;
        return CUDA_SUCCESS;
    }
    switch (attr) {
        case 1: *v = 1024; break;                 // max threads per block
        case 2: case 3: *v = 1024; break;         // max block dim x, y
        case 4: *v = 64; break;                   // max block dim z
        case 5: *v = 2147483647; break;           // max grid dim x
        case 6: case 7: *v = 65535; break;        // max grid dim y, z
        case 8: *v = (int)kMaxSharedPerBlock; break;
        case 9: *v = 65536; break;                // total constant memory
        case 10: *v = 32; break;                  // warp size
        case 11: *v = 2147483647; break;          // max pitch
        case 12: *v = 65536; break;               // registers per block
        case 13: *v = 1980000; break;             // clock rate kHz
        case 14: *v = 512; break;                 // texture alignment
        case 15: *v = 1; break;                   // gpu overlap
        case 16: *v = 132; break;                 // multiprocessors
        case 17: *v = 0; break;                   // kernel exec timeout
        case 18: *v = 0; break;                   // integrated
        case 19: *v = 1; break;                   // can map host memory
        case 20: *v = 0; break;                   // compute mode default
        case 31: *v = 1; break;                   // concurrent kernels
        case 32: *v = 1; break;                   // ECC
        case 33: *v = d + 1; break;               // PCI bus id
        case 34: *v = 0; break;                   // PCI device id
        case 36: *v = 2619000; break;             // memory clock kHz
        case 37: *v = 5120; break;                // bus width
        case 38: *v = 50 * 1024 * 1024; break;    // L2
        case 39: *v = 2048; break;                // threads per MP
        case 40: *v = 2; break;                   // async engines
        case 41: *v = 1; break;                   // unified addressing
        case 75: *v = 9; break;                   // compute capability major
        case 76: *v = 0; break;                   // minor
        case 81: *v = 233472; break;              // shared per MP
        case 82: *v = 65536; break;               // registers per MP
        case 97: *v = 232448; break;              // shared per block opt-in
        default:
            if (attr <= 0 || attr > 140) return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGetAttribute: attribute %d", attr);
            *v = 0;
    }
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice d) {
    LOCK;
    NEED_INIT;
    CHECK_DEVICE(d);
    if (bytes == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceTotalMem: null");
    *bytes = memory_limit();
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDevicePrimaryCtxRetain(void** pctx, CUdevice d) {
    LOCK;
    NEED_INIT;
    CHECK_DEVICE(d);
    if (pctx == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDevicePrimaryCtxRetain: null");
    contexts[d]->refs++;
    *pctx = contexts[d];
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) {
    LOCK;
    NEED_INIT;
    CHECK_DEVICE(d);
    Context* c = contexts[d];
    if (c->refs <= 0) return fail(CUDA_ERROR_INVALID_CONTEXT, "cuDevicePrimaryCtxRelease: device %d not retained", d);
    if (--c->refs == 0) {
        count_sync(SYNC_CTX_DESTROY, d);
        peer_forget(c);
        size_t n = 0, bytes = 0;
        for (auto it = live.begin(); it != live.end();) {
            auto next = std::next(it);
            if (it->second.ctx == c) {
                n++;
                bytes += it->second.size;
                release_alloc(it);
            }
            it = next;
        }
        if (n > 0) {
            fprintf(error_log(),
                    "emucuda: primary context of device %d destroyed with %zu allocations (%zu bytes) live\n", d, n,
                    bytes);
            fflush(error_log());
        }
    }
    return CUDA_SUCCESS;
}

EXPORT CUresult cuCtxSetCurrent(void* ctx) {
    LOCK;
    NEED_INIT;
    if (ctx == nullptr) {
        current = nullptr;
        return CUDA_SUCCESS;
    }
    for (Context* c : contexts) {
        if (c == ctx) {
            if (c->refs <= 0) return fail(CUDA_ERROR_INVALID_CONTEXT, "cuCtxSetCurrent: context was released");
            current = c;
            return CUDA_SUCCESS;
        }
    }
    return fail(CUDA_ERROR_INVALID_CONTEXT, "cuCtxSetCurrent: %p is not a context", ctx);
}

// Not called by the backend: tests ask which device's context is current on their thread.
EXPORT CUresult cuCtxGetDevice(CUdevice* d) {
    LOCK;
    NEED_CTX;
    if (d == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuCtxGetDevice: null");
    *d = current->device;
    return CUDA_SUCCESS;
}

// ---- streams and events (every operation runs to completion when issued) -------------------------------------

#define CHECK_STREAM(s)                                                               \
    if ((s) != nullptr && !streams.count((Stream*)(s)))                               \
    return fail(CUDA_ERROR_INVALID_HANDLE, "%s: %p is not a live stream", __func__, (void*)(s)); \
    else order_op((Stream*)(s))

EXPORT CUresult cuStreamCreate(void** s, unsigned flags) {
    LOCK;
    NEED_CTX;
    if (s == nullptr || flags > 1) return fail(CUDA_ERROR_INVALID_VALUE, "cuStreamCreate: bad arguments");
    Stream* st = new Stream();
    streams.insert(st);
    *s = st;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuStreamSynchronize(void* s) {
    LOCK;
    NEED_CTX;
    CHECK_STREAM(s);
    if (capturing_stream(s) != nullptr || (s == nullptr && captures > 0)) return refused_in_capture(__func__);
    order_host_waits((Stream*)s, nullptr);
    count_sync(SYNC_STREAM, s != nullptr ? ((Stream*)s)->ctx->device : current->device);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuStreamDestroy_v2(void* s) {
    LOCK;
    NEED_CTX;
    if (capturing_stream(s) != nullptr) return refused_in_capture(__func__);
    if (s == nullptr || !streams.count((Stream*)s))
        return fail(CUDA_ERROR_INVALID_HANDLE, "cuStreamDestroy: %p is not a live stream", s);
    streams.erase((Stream*)s);
    delete (Stream*)s;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuEventCreate(void** e, unsigned flags) {
    LOCK;
    NEED_CTX;
    if (e == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuEventCreate: null");
    (void)flags;
    Event* ev = new Event();
    events.insert(ev);
    *e = ev;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuEventRecord(void* e, void* s) {
    LOCK;
    NEED_CTX;
    if (capturing_stream(s) != nullptr) {
        invalidate_captures();
        return fail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "cuEventRecord in a capture is not emulated");
    }
    if (!events.count((Event*)e)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuEventRecord: %p is not a live event", e);
    CHECK_STREAM(s);
    order_record((Event*)e, (Stream*)s);
    ((Event*)e)->t = std::chrono::steady_clock::now();
    ((Event*)e)->recorded = true;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuEventSynchronize(void* e) {
    LOCK;
    NEED_CTX;
    if (!events.count((Event*)e))
        return fail(CUDA_ERROR_INVALID_HANDLE, "cuEventSynchronize: %p is not a live event", e);
    order_host_waits(nullptr, (Event*)e);
    count_sync(SYNC_EVENT, ((Event*)e)->ctx != nullptr ? ((Event*)e)->ctx->device : current->device);
    return CUDA_SUCCESS;
}

// The emulation runs every op when it is queued, so a recorded event is complete: the query succeeds and, as on a
// GPU, orders the host after the work before the event. Not a synchronising call (it never blocks).
EXPORT CUresult cuEventQuery(void* e) {
    LOCK;
    NEED_CTX;
    if (!events.count((Event*)e))
        return fail(CUDA_ERROR_INVALID_HANDLE, "cuEventQuery: %p is not a live event", e);
    order_host_waits(nullptr, (Event*)e);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuEventElapsedTime(float* ms, void* a, void* b) {
    LOCK;
    NEED_CTX;
    if (ms == nullptr || !events.count((Event*)a) || !events.count((Event*)b))
        return fail(CUDA_ERROR_INVALID_HANDLE, "cuEventElapsedTime: bad event");
    if (!((Event*)a)->recorded || !((Event*)b)->recorded)
        return fail(CUDA_ERROR_INVALID_HANDLE, "cuEventElapsedTime: event not recorded");
    // Host time of the emulation: never a GPU timing.
    *ms = std::chrono::duration<float, std::milli>(((Event*)b)->t - ((Event*)a)->t).count();
    return CUDA_SUCCESS;
}

EXPORT CUresult cuEventDestroy_v2(void* e) {
    LOCK;
    NEED_CTX;
    if (!events.count((Event*)e)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuEventDestroy: %p is not a live event", e);
    events.erase((Event*)e);
    delete (Event*)e;
    return CUDA_SUCCESS;
}

// ---- memory ---------------------------------------------------------------------------------------------------

EXPORT CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t bytes) {
    LOCK;
    NEED_CTX;
    REFUSED_IN_CAPTURE;
    if (p == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemAlloc: null result pointer");
    if (bytes == 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemAlloc: 0 bytes");
    if (bytes > memory_limit() || current->used + bytes > memory_limit()) {
        return fail(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc: %zu bytes on device %d, %zu of %zu in use", bytes,
                    current->device, current->used, memory_limit());
    }
    // Real allocations are 256-byte aligned; with red zones the slack up to 256 bytes is red zone too.
    size_t total = kRedZone == 0 ? bytes : ((bytes + 255) & ~size_t(255)) + 2 * kRedZone;
    void* mem = nullptr;
    if (posix_memalign(&mem, 256, total) != 0)
        return fail(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc: host out of memory for %zu bytes", bytes);
    unsigned char* raw = (unsigned char*)mem;
    memset(raw, kRedByte, total);
    memset(raw + kRedZone, kFreshByte, bytes);
    Alloc a{(CUdeviceptr)(raw + kRedZone), bytes, raw, current};
    live[a.base] = a;
    current->used += bytes;
    *p = a.base;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemFree_v2(CUdeviceptr p) {
    LOCK;
    NEED_CTX;
    REFUSED_IN_CAPTURE;
    if (p == 0) return CUDA_SUCCESS;
    auto it = live.find(p);
    if (it == live.end()) {
        if (freed.count(p)) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemFree: 0x%llx freed twice", p);
        return fail(CUDA_ERROR_INVALID_VALUE, "cuMemFree: 0x%llx is not the base of a live allocation", p);
    }
    if (!red_zones_intact(it->second)) {
        CUresult r = fail(CUDA_ERROR_ILLEGAL_ADDRESS,
                          "cuMemFree: a write outside the %zu-byte allocation 0x%llx was detected (red zone)",
                          it->second.size, p);
        release_alloc(it);
        return r;
    }
    count_sync(SYNC_MEM_FREE, it->second.ctx->device);
    release_alloc(it);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemAllocHost_v2(void** p, size_t bytes) {
    LOCK;
    NEED_CTX;
    REFUSED_IN_CAPTURE;
    if (p == nullptr || bytes == 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemAllocHost: bad arguments");
    void* q = malloc(bytes);
    if (q == nullptr) return fail(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAllocHost: %zu bytes", bytes);
    host_allocs[q] = bytes;
    *p = q;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemFreeHost(void* p) {
    LOCK;
    NEED_CTX;
    REFUSED_IN_CAPTURE;
    if (!host_allocs.erase(p)) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemFreeHost: %p is not live pinned memory", p);
    free(p);
    count_sync(SYNC_MEM_FREE_HOST, current->device);
    return CUDA_SUCCESS;
}

CUresult memset_now(CUdeviceptr d, unsigned v, size_t n, void* s);

EXPORT CUresult cuMemsetD32Async(CUdeviceptr d, unsigned v, size_t n, void* s) {
    LOCK;
    NEED_CTX;
    CHECK_STREAM(s);
    CAPTURE_OR_RUN(s, memset_now(d, v, n, replay));
    return memset_now(d, v, n, s);
}

CUresult memset_now(CUdeviceptr d, unsigned v, size_t n, void* s) {
    LOCK;
    NEED_CTX;
    if (n == 0) return CUDA_SUCCESS;
    if (d % 4 != 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemsetD32: 0x%llx is not 4-byte aligned", d);
    std::string bad = check_range(d, 4 * n, "cuMemsetD32");
    if (!bad.empty()) return fail(CUDA_ERROR_INVALID_VALUE, "%s", bad.c_str());
    if (CUresult r = order_access(s, find_in(live, d), WRITE, "cuMemsetD32", -1, d, 4 * n)) return r;
    unsigned* q = (unsigned*)d;
    for (size_t i = 0; i < n; i++) q[i] = v;
    return CUDA_SUCCESS;
}

CUresult htod_now(CUdeviceptr d, const void* h, size_t n, void* s);

EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr d, const void* h, size_t n, void* s) {
    LOCK;
    NEED_CTX;
    CHECK_STREAM(s);
    CAPTURE_OR_RUN(s, htod_now(d, h, n, replay));
    CUresult r = htod_now(d, h, n, s);
    if (r == CUDA_SUCCESS && n > 0 && !pinned(h, n)) count_sync(SYNC_PAGEABLE_COPY, current->device);
    return r;
}

CUresult htod_now(CUdeviceptr d, const void* h, size_t n, void* s) {
    LOCK;
    NEED_CTX;
    if (n == 0) return CUDA_SUCCESS;
    if (h == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemcpyHtoD: null host pointer");
    std::string bad = check_range(d, n, "cuMemcpyHtoD destination");
    if (!bad.empty()) return fail(CUDA_ERROR_INVALID_VALUE, "%s", bad.c_str());
    if (CUresult r = order_access(s, find_in(live, d), WRITE, "cuMemcpyHtoD destination", -1, d, n)) return r;
    memcpy((void*)d, h, n);
    return CUDA_SUCCESS;
}

CUresult dtoh_now(void* h, CUdeviceptr d, size_t n, void* s);

EXPORT CUresult cuMemcpyDtoHAsync_v2(void* h, CUdeviceptr d, size_t n, void* s) {
    LOCK;
    NEED_CTX;
    CHECK_STREAM(s);
    CAPTURE_OR_RUN(s, dtoh_now(h, d, n, replay));
    CUresult r = dtoh_now(h, d, n, s);
    if (r == CUDA_SUCCESS && n > 0 && !pinned(h, n)) count_sync(SYNC_PAGEABLE_COPY, current->device);
    return r;
}

CUresult dtoh_now(void* h, CUdeviceptr d, size_t n, void* s) {
    LOCK;
    NEED_CTX;
    if (n == 0) return CUDA_SUCCESS;
    if (h == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemcpyDtoH: null host pointer");
    std::string bad = check_range(d, n, "cuMemcpyDtoH source");
    if (!bad.empty()) return fail(CUDA_ERROR_INVALID_VALUE, "%s", bad.c_str());
    if (CUresult r = order_access(s, find_in(live, d), READ, "cuMemcpyDtoH source", -1, d, n)) return r;
    memcpy(h, (const void*)d, n);
    return CUDA_SUCCESS;
}

CUresult dtod_now(CUdeviceptr d, CUdeviceptr src, size_t n, void* s);

EXPORT CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr d, CUdeviceptr src, size_t n, void* s) {
    LOCK;
    NEED_CTX;
    CHECK_STREAM(s);
    CAPTURE_OR_RUN(s, dtod_now(d, src, n, replay));
    return dtod_now(d, src, n, s);
}

CUresult dtod_now(CUdeviceptr d, CUdeviceptr src, size_t n, void* s) {
    LOCK;
    NEED_CTX;
    if (n == 0) return CUDA_SUCCESS;
    std::string bad = check_range(d, n, "cuMemcpyDtoD destination");
    if (bad.empty()) bad = check_range(src, n, "cuMemcpyDtoD source");
    if (!bad.empty()) return fail(CUDA_ERROR_INVALID_VALUE, "%s", bad.c_str());
    if (CUresult r = order_access(s, find_in(live, src), READ, "cuMemcpyDtoD source", -1, src, n)) return r;
    if (CUresult r = order_access(s, find_in(live, d), WRITE, "cuMemcpyDtoD destination", -1, d, n)) return r;
    if (!run_kernels()) return CUDA_SUCCESS;
    memmove((void*)d, (const void*)src, n);
    return CUDA_SUCCESS;
}

// ---- modules and launches -------------------------------------------------------------------------------------

EXPORT CUresult cuModuleLoadData(void** out, const void* image) {
    LOCK;
    NEED_CTX;
    REFUSED_IN_CAPTURE;
    if (out == nullptr || image == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuModuleLoadData: null");
    const std::string ptx((const char*)image);
    size_t vpos = ptx.find(".version");
    int major = 0, minor = 0;
    if (vpos == std::string::npos || sscanf(ptx.c_str() + vpos, ".version %d.%d", &major, &minor) != 2)
        return fail(CUDA_ERROR_INVALID_IMAGE, "cuModuleLoadData: the image is not PTX (no .version)");
    if (major * 10 + minor > 90)
        return fail(CUDA_ERROR_UNSUPPORTED_PTX_VERSION, "cuModuleLoadData: PTX ISA %d.%d is newer than this driver's 9.0",
                    major, minor);
    Module* mod = new Module();
    for (size_t at = ptx.find(".entry"); at != std::string::npos; at = ptx.find(".entry", at + 6)) {
        size_t name0 = ptx.find_first_not_of(" \t\r\n", at + 6);
        size_t name1 = ptx.find_first_of(" \t\r\n(", name0);
        size_t open = ptx.find('(', name1), close = ptx.find(')', open), body = ptx.find('{', close);
        if (name0 == std::string::npos || name1 == std::string::npos || open == std::string::npos ||
            close == std::string::npos || body == std::string::npos) {
            delete mod;
            return fail(CUDA_ERROR_INVALID_PTX, "cuModuleLoadData: malformed .entry");
        }
        std::string name = ptx.substr(name0, name1 - name0);
        std::string params = ptx.substr(open + 1, close - open - 1);
        std::string directives = ptx.substr(close + 1, body - close - 1);
        auto k = registry().find(name);
        if (k == registry().end()) {
            delete mod;
            return fail(CUDA_ERROR_INVALID_PTX, "cuModuleLoadData: entry %s has no host-compiled kernel in the emulator",
                        name.c_str());
        }
        std::vector<size_t> sizes;
        for (size_t q = params.find(".param"); q != std::string::npos; q = params.find(".param", q + 6)) {
            char kind = 0;
            int bits = 0;
            if (sscanf(params.c_str() + q, ".param .%c%d", &kind, &bits) != 2) {
                delete mod;
                return fail(CUDA_ERROR_INVALID_PTX, "cuModuleLoadData: entry %s: unsupported parameter declaration",
                            name.c_str());
            }
            sizes.push_back((size_t)bits / 8);
        }
        const emu::KernelInfo& ki = k->second;
        bool same = (int)sizes.size() == ki.nparams;
        for (int i = 0; same && i < ki.nparams; i++) same = sizes[i] == ki.sizes[i];
        if (!same) {
            std::string ptxs, cs;
            for (size_t s : sizes) ptxs += std::to_string(s) + " ";
            for (int i = 0; i < ki.nparams; i++) cs += std::to_string(ki.sizes[i]) + " ";
            delete mod;
            return fail(CUDA_ERROR_INVALID_PTX,
                        "cuModuleLoadData: entry %s: PTX parameter sizes [ %s] differ from the compiled kernel's [ %s]",
                        name.c_str(), ptxs.c_str(), cs.c_str());
        }
        mod->functions[name] = &ki;
        size_t mt = directives.find(".maxntid");
        int x = 1, y = 1, z = 1;
        if (mt != std::string::npos && sscanf(directives.c_str() + mt, ".maxntid %d , %d , %d", &x, &y, &z) >= 1) {
            mod->maxntid[name] = x * y * z;
        }
    }
    modules.insert(mod);
    *out = mod;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuModuleUnload(void* m) {
    LOCK;
    NEED_CTX;
    if (!modules.erase((Module*)m)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuModuleUnload: %p is not a live module", m);
    for (auto it = functions.begin(); it != functions.end();) {
        if ((*it)->module == (Module*)m) {
            delete *it;
            it = functions.erase(it);
        } else {
            ++it;
        }
    }
    delete (Module*)m;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuModuleGetFunction(void** f, void* m, const char* name) {
    LOCK;
    NEED_CTX;
    if (f == nullptr || name == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuModuleGetFunction: null");
    if (!modules.count((Module*)m)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuModuleGetFunction: %p is not a module", m);
    Module* mod = (Module*)m;
    auto it = mod->functions.find(name);
    if (it == mod->functions.end()) return fail(CUDA_ERROR_NOT_FOUND, "cuModuleGetFunction: no entry %s", name);
    auto mt = mod->maxntid.find(name);
    Function* fn = new Function{it->second, mod, mt == mod->maxntid.end() ? 1024 : mt->second};
    functions.insert(fn);
    *f = fn;
    return CUDA_SUCCESS;
}

CUresult launch_now(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                    unsigned shared, void* s, void** params, void** extra);

// A launch captured into a graph keeps a copy of its parameter values (as a real driver does at capture time), so
// the graph replays with the pointers and scalars of the capture whatever happens to the caller's arrays.
struct CapturedLaunch {
    void* f;
    unsigned g[3], b[3], shared;
    std::vector<std::vector<unsigned char>> values;
    std::vector<void*> pointers;
};

EXPORT CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                               unsigned shared, void* s, void** params, void** extra) {
    LOCK;
    NEED_CTX;
    CHECK_STREAM(s);
    if (Stream* st = capturing_stream(s)) {
        if (!functions.count((Function*)f))
            return fail(CUDA_ERROR_INVALID_HANDLE, "cuLaunchKernel: %p is not a function", f);
        const emu::KernelInfo& k = *((Function*)f)->kernel;
        if (extra != nullptr || (params == nullptr && k.nparams > 0))
            return fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel %s: bad kernelParams in a capture", k.name);
        auto c = std::make_shared<CapturedLaunch>(CapturedLaunch{f, {gx, gy, gz}, {bx, by, bz}, shared, {}, {}});
        for (int i = 0; i < k.nparams; i++) {
            if (params[i] == nullptr)
                return fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel %s: kernelParams[%d] is null", k.name, i);
            const unsigned char* v = (const unsigned char*)params[i];
            c->values.emplace_back(v, v + k.sizes[i]);
        }
        for (auto& v : c->values) c->pointers.push_back(v.data());
        if (!st->invalidated) {
            st->graph->ops.push_back([c](void* replay) {
                return launch_now(c->f, c->g[0], c->g[1], c->g[2], c->b[0], c->b[1], c->b[2], c->shared, replay,
                                  c->pointers.empty() ? nullptr : c->pointers.data(), nullptr);
            });
        }
        return CUDA_SUCCESS;
    }
    if (s == nullptr && captures > 0) {
        invalidate_captures();
        return fail(CUDA_ERROR_STREAM_CAPTURE_IMPLICIT, "cuLaunchKernel on the NULL stream during a capture");
    }
    return launch_now(f, gx, gy, gz, bx, by, bz, shared, s, params, extra);
}

CUresult launch_now(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                    unsigned shared, void* s, void** params, void** extra) {
    LOCK;
    NEED_CTX;
    if (!functions.count((Function*)f)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuLaunchKernel: %p is not a function", f);
    Function* fn = (Function*)f;
    const emu::KernelInfo& k = *fn->kernel;
    if (!modules.count(fn->module)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuLaunchKernel %s: module unloaded", k.name);
    CHECK_STREAM(s);
    unsigned long long threads = (unsigned long long)bx * by * bz;
    if (bx == 0 || by == 0 || bz == 0 || bx > 1024 || by > 1024 || bz > 64 || threads > 1024)
        return fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel %s: block (%u, %u, %u) is outside the device limits",
                    k.name, bx, by, bz);
    if (gx == 0 || gy == 0 || gz == 0 || gx > 2147483647u || gy > 65535 || gz > 65535)
        return fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel %s: grid (%u, %u, %u) is outside the device limits",
                    k.name, gx, gy, gz);
    if ((long long)threads > fn->maxntid)
        return fail(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "cuLaunchKernel %s: %llu threads per block, .maxntid is %d",
                    k.name, threads, fn->maxntid);
    if (shared > kMaxSharedPerBlock)
        return fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel %s: %u bytes of dynamic shared memory, limit %zu",
                    k.name, shared, kMaxSharedPerBlock);
    if (extra != nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel %s: 'extra' is not supported", k.name);
    if (params == nullptr && k.nparams > 0)
        return fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel %s: null kernelParams for %d parameters", k.name,
                    k.nparams);
    std::vector<const Alloc*> used;
    for (int i = 0; i < k.nparams; i++) {
        if (params[i] == nullptr)
            return fail(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel %s: kernelParams[%d] is null", k.name, i);
        if (!k.pointer[i]) continue;
        CUdeviceptr p = *(CUdeviceptr*)params[i];
        if (p == 0) continue;  // optional outputs (vmax, grad) are null; dereferencing one crashes like the GPU
        std::string bad = check_range(p, 0, "");
        if (!bad.empty())
            return fail(CUDA_ERROR_ILLEGAL_ADDRESS, "cuLaunchKernel %s: parameter %d%s", k.name, i, bad.c_str());
        used.push_back(find_in(live, p));
        if (CUresult r = order_access(s, used.back(), KERNEL, k.name, i, p, 0)) return r;
    }
    if (!run_kernels()) return CUDA_SUCCESS;
    in_launch = true;
    launch_invoke = k.invoke;
    launch_params = params;
    launch_name = k.name;
    emu::gridDim_ = dim3{gx, gy, gz};
    emu::blockDim_ = dim3{bx, by, bz};
    bool deadlock = false;
    for (unsigned z = 0; z < gz && !deadlock; z++) {
        for (unsigned y = 0; y < gy && !deadlock; y++) {
            for (unsigned x = 0; x < gx && !deadlock; x++) {
                emu::blockIdx_ = dim3{x, y, z};
                if (k.threaded) {
                    deadlock = !run_block_threaded((unsigned)threads, dim3{bx, by, bz});
                } else {
                    for (unsigned t = 0; t < threads; t++) {
                        emu::threadIdx_ = dim3{t % bx, (t / bx) % by, t / (bx * by)};
                        k.invoke(params);
                    }
                }
            }
        }
    }
    in_launch = false;
    if (deadlock)
        return fail(CUDA_ERROR_LAUNCH_FAILED, "cuLaunchKernel %s: threads of a block wait at different barriers",
                    k.name);
    for (const Alloc* a : used) {
        if (!red_zones_intact(*a)) {
            return fail(CUDA_ERROR_ILLEGAL_ADDRESS,
                        "cuLaunchKernel %s: out-of-bounds write past a %zu-byte allocation (red zone changed)", k.name,
                        a->size);
        }
    }
    return CUDA_SUCCESS;
}

// ---- stream capture and graphs --------------------------------------------------------------------------------

EXPORT CUresult cuStreamBeginCapture_v2(void* s, int mode) {
    LOCK;
    NEED_CTX;
    if (s == nullptr || !streams.count((Stream*)s))
        return fail(CUDA_ERROR_INVALID_VALUE, "cuStreamBeginCapture: %p is not a live stream (the NULL stream cannot "
                    "be captured)", s);
    if (mode != 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuStreamBeginCapture: only global mode (0) is emulated");
    Stream* st = (Stream*)s;
    if (st->capturing) return fail(CUDA_ERROR_ILLEGAL_STATE, "cuStreamBeginCapture: the stream already captures");
    st->capturing = true;
    st->invalidated = false;
    st->graph = new Graph();
    captures++;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuStreamEndCapture(void* s, void** graph) {
    LOCK;
    NEED_CTX;
    if (graph == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuStreamEndCapture: null result");
    Stream* st = capturing_stream(s);
    if (st == nullptr) return fail(CUDA_ERROR_ILLEGAL_STATE, "cuStreamEndCapture: the stream is not capturing");
    st->capturing = false;
    captures--;
    Graph* g = st->graph;
    st->graph = nullptr;
    if (st->invalidated) {
        delete g;
        *graph = nullptr;
        return fail(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, "cuStreamEndCapture: the capture was invalidated by a "
                    "call not permitted during it");
    }
    graphs.insert(g);
    *graph = g;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuStreamIsCapturing(void* s, int* status) {
    LOCK;
    NEED_CTX;
    CHECK_STREAM(s);
    if (status == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuStreamIsCapturing: null");
    Stream* st = capturing_stream(s);
    *status = st == nullptr ? 0 : st->invalidated ? 2 : 1;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuGraphInstantiateWithFlags(void** exec, void* graph, unsigned long long flags) {
    LOCK;
    NEED_CTX;
    REFUSED_IN_CAPTURE;
    if (exec == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuGraphInstantiate: null result");
    if (!graphs.count((Graph*)graph)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuGraphInstantiate: %p is not a graph", graph);
    if (flags != 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuGraphInstantiate: flags %llu are not emulated", flags);
    GraphExec* e = new GraphExec{((Graph*)graph)->ops};
    graph_execs.insert(e);
    *exec = e;
    return CUDA_SUCCESS;
}

// Replays the captured operations in order; each is validated again (a buffer freed since the capture fails here).
EXPORT CUresult cuGraphLaunch(void* exec, void* s) {
    LOCK;
    NEED_CTX;
    CHECK_STREAM(s);
    if (!graph_execs.count((GraphExec*)exec))
        return fail(CUDA_ERROR_INVALID_HANDLE, "cuGraphLaunch: %p is not an executable graph", exec);
    if (capturing_stream(s) != nullptr) return refused_in_capture("cuGraphLaunch into a capturing stream");
    size_t i = 0;
    for (const Op& op : ((GraphExec*)exec)->ops) {
        CUresult r = op(s);
        if (r != CUDA_SUCCESS) return fail(r, "cuGraphLaunch: node %zu of %zu failed", i, ((GraphExec*)exec)->ops.size());
        i++;
    }
    return CUDA_SUCCESS;
}

EXPORT CUresult cuGraphExecDestroy(void* exec) {
    LOCK;
    NEED_CTX;
    if (!graph_execs.erase((GraphExec*)exec))
        return fail(CUDA_ERROR_INVALID_HANDLE, "cuGraphExecDestroy: %p is not an executable graph", exec);
    delete (GraphExec*)exec;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuGraphDestroy(void* graph) {
    LOCK;
    NEED_CTX;
    if (!graphs.erase((Graph*)graph)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuGraphDestroy: %p is not a graph", graph);
    delete (Graph*)graph;
    return CUDA_SUCCESS;
}

// ---- multi-device: peer access, peer copies and cross-stream ordering (data-parallel all-reduce) ---------------
// Operations run to completion when issued, so a missing cross-stream wait cannot show in the results; instead the
// emulation keeps vector clocks and rejects what would be a race on a GPU. Each stream counts its operations
// (CHECK_STREAM); an event records its stream's clock; cuStreamWaitEvent merges that clock into the waiting stream
// and a host synchronisation into host_clock. A peer copy on stream S touching memory of another context must be
// ordered after every operation queued so far on that context's streams. Every copy, memset and kernel records the
// byte ranges it reads or writes (a kernel: from each pointer parameter to the end of its allocation, read and
// written); memory an operation on one stream wrote must not be used, and memory it read must not be written, by an
// operation on another stream not ordered after it (the copy stream of uploads, the all-reduce's peer copies).
// Both fail with CUDA_ERROR_ILLEGAL_STATE. Peer access is possible between distinct devices unless ANNEAL_CUDA_EMULATOR_PEER=0;
// a kernel on device A given a pointer into device B's memory is an illegal address unless A enabled access to B.

namespace {
constexpr CUresult kPeerUnsupported = 217;     // CUDA_ERROR_PEER_ACCESS_UNSUPPORTED
constexpr CUresult kPeerAlreadyEnabled = 704;  // CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED
constexpr CUresult kPeerNotEnabled = 705;      // CUDA_ERROR_PEER_ACCESS_NOT_ENABLED
std::map<uint64_t, uint64_t> host_clock;          // stream id -> operations the host has waited for
std::set<std::pair<Context*, Context*>> peer_on;  // (from, to): cuCtxEnablePeerAccess(to) with `from` current

bool peer_possible(int a, int b) {
    const char* s = getenv("ANNEAL_CUDA_EMULATOR_PEER");
    return a != b && !(s != nullptr && strcmp(s, "0") == 0);
}

uint64_t seen_by(Stream* s, uint64_t other) {
    if (s->id == other) return UINT64_MAX;
    auto a = s->clock.find(other);
    auto h = host_clock.find(other);
    return std::max(a == s->clock.end() ? 0 : a->second, h == host_clock.end() ? 0 : h->second);
}

void merge(std::map<uint64_t, uint64_t>& into, const std::map<uint64_t, uint64_t>& from) {
    for (const auto& kv : from) into[kv.first] = std::max(into[kv.first], kv.second);
}

Context* live_context(void* c) {
    for (Context* x : contexts) {
        if (x == c && x->refs > 0) return x;
    }
    return nullptr;
}

Alloc* live_alloc(CUdeviceptr p) {
    auto it = live.upper_bound(p);
    if (it == live.begin()) return nullptr;
    --it;
    return p >= it->second.base && p <= it->second.base + it->second.size ? &it->second : nullptr;
}

// The first stream of context c with operations that s is not ordered after; null when none.
Stream* unordered_stream(Stream* s, Context* c) {
    for (Stream* t : streams) {
        if (t != s && t->ctx == c && seen_by(s, t->id) < t->clock[t->id]) return t;
    }
    return nullptr;
}

void order_op(Stream* s) {
    if (s != nullptr) s->clock[s->id]++;
}

void order_record(Event* e, Stream* s) {
    e->clock.clear();
    if (s != nullptr) e->clock = s->clock;
}

void order_host_waits(Stream* s, Event* e) {
    if (s != nullptr) merge(host_clock, s->clock);
    if (e != nullptr) merge(host_clock, e->clock);
}

void peer_forget(Context* c) {
    for (auto it = peer_on.begin(); it != peer_on.end();) {
        it = it->first == c || it->second == c ? peer_on.erase(it) : std::next(it);
    }
}

// What an operation named `what` (the access's label in order_access) is, for the message of a later race.
const char* operation(Access access, const char* what) {
    if (access == KERNEL) return "a kernel";
    if (strncmp(what, "cuMemcpyHtoD", 12) == 0) return "a host-to-device copy";
    if (strncmp(what, "cuMemcpyDtoD", 12) == 0) return "a device-to-device copy";
    if (strncmp(what, "cuMemcpyDtoH", 12) == 0) return "a device-to-host copy";
    if (strncmp(what, "cuMemset", 8) == 0) return "a memset";
    return what;
}

// Checks an access to [lo, lo + n) of allocation a by an operation on `stream` against the uses of overlapping
// bytes by operations on other streams that this stream is not ordered after: reading or writing what such an
// operation wrote, or writing what it read, is a race on a GPU. n == 0 means from lo to the end of the allocation
// (a kernel's pointer parameter: its extent is unknown, and it may read and write). Then records the use, dropping
// uses every stream is ordered after (the host waited for them) and those of this stream it covers.
CUresult order_access(void* stream, const Alloc* a, Access access, const char* what, int param, CUdeviceptr lo,
                      size_t n) {
    if (a == nullptr) return CUDA_SUCCESS;
    if (access == KERNEL && a->ctx != current && !peer_on.count({current, a->ctx}))
        return fail(CUDA_ERROR_ILLEGAL_ADDRESS,
                    "%s: parameter %d points into memory of device %d, but peer access from device %d to it is not "
                    "enabled (cuCtxEnablePeerAccess)", what, param, a->ctx->device, current->device);
    Stream* s = (Stream*)stream;
    if (s == nullptr) return CUDA_SUCCESS;
    CUdeviceptr hi = n == 0 ? a->base + a->size : lo + n;
    bool write = access != READ;
    std::string where = param >= 0 ? std::string(" parameter ") + std::to_string(param) : std::string();
    for (const Alloc::Use& u : a->uses) {
        if (u.hi <= lo || hi <= u.lo || seen_by(s, u.stream) >= u.seq) continue;
        if (u.write)
            return fail(CUDA_ERROR_ILLEGAL_STATE,
                        "%s%s: device %d memory written by %s on another stream is used before this stream "
                        "waits for it (cuEventRecord there, cuStreamWaitEvent here): a race on a GPU", what,
                        where.c_str(), a->ctx->device, u.what);
        if (write)
            return fail(CUDA_ERROR_ILLEGAL_STATE,
                        "%s%s: device %d memory is overwritten while %s on another stream may still read it "
                        "(cuEventRecord there, cuStreamWaitEvent here): a race on a GPU", what, where.c_str(),
                        a->ctx->device, u.what);
    }
    auto done = [&](const Alloc::Use& u) {
        auto h = host_clock.find(u.stream);
        bool waited = h != host_clock.end() && h->second >= u.seq;
        bool covered = u.stream == s->id && lo <= u.lo && u.hi <= hi && (write || !u.write);
        return waited || covered;
    };
    a->uses.erase(std::remove_if(a->uses.begin(), a->uses.end(), done), a->uses.end());
    a->uses.push_back({s->id, s->clock[s->id], lo, hi, write, operation(access, what)});
    return CUDA_SUCCESS;
}
}  // namespace

EXPORT CUresult cuDeviceCanAccessPeer(int* can, CUdevice d, CUdevice peer) {
    LOCK;
    NEED_INIT;
    CHECK_DEVICE(d);
    CHECK_DEVICE(peer);
    if (can == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceCanAccessPeer: null");
    *can = peer_possible(d, peer) ? 1 : 0;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuCtxEnablePeerAccess(void* peer, unsigned flags) {
    LOCK;
    NEED_CTX;
    Context* to = live_context(peer);
    if (to == nullptr) return fail(CUDA_ERROR_INVALID_CONTEXT, "cuCtxEnablePeerAccess: %p is not a live context", peer);
    if (flags != 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuCtxEnablePeerAccess: flags must be 0, got %u", flags);
    if (!peer_possible(current->device, to->device))
        return fail(kPeerUnsupported, "cuCtxEnablePeerAccess: device %d cannot access device %d",
                    current->device, to->device);
    if (!peer_on.insert({current, to}).second)
        return fail(kPeerAlreadyEnabled, "cuCtxEnablePeerAccess: device %d -> %d already enabled",
                    current->device, to->device);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuCtxDisablePeerAccess(void* peer) {
    LOCK;
    NEED_CTX;
    Context* to = live_context(peer);
    if (to == nullptr) return fail(CUDA_ERROR_INVALID_CONTEXT, "cuCtxDisablePeerAccess: %p is not a live context", peer);
    if (!peer_on.erase({current, to}))
        return fail(kPeerNotEnabled, "cuCtxDisablePeerAccess: device %d -> %d is not enabled",
                    current->device, to->device);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuStreamWaitEvent(void* s, void* e, unsigned flags) {
    LOCK;
    NEED_CTX;
    CHECK_STREAM(s);
    if (!events.count((Event*)e)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuStreamWaitEvent: %p is not a live event", e);
    if (flags != 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuStreamWaitEvent: flags must be 0, got %u", flags);
    if (capturing_stream(s) != nullptr) {
        invalidate_captures();
        return fail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "cuStreamWaitEvent in a capture is not emulated");
    }
    if (s != nullptr && ((Event*)e)->recorded) merge(((Stream*)s)->clock, ((Event*)e)->clock);
    return CUDA_SUCCESS;
}

// Both ranges must be live allocations of the named contexts' devices (real drivers copy between devices without
// peer access too, staging through the host, so none is required here).
CUresult peer_copy(const char* call, CUdeviceptr dst, void* dst_ctx, CUdeviceptr src, void* src_ctx, size_t n,
                   Stream* s) {
    Context* dc = live_context(dst_ctx);
    Context* sc = live_context(src_ctx);
    if (dc == nullptr || sc == nullptr)
        return fail(CUDA_ERROR_INVALID_CONTEXT, "%s: %s context %p is not live", call, dc == nullptr ? "destination"
                    : "source", dc == nullptr ? dst_ctx : src_ctx);
    if (s != nullptr && s->ctx != current)
        return fail(CUDA_ERROR_INVALID_HANDLE, "%s: the stream belongs to device %d, the current context to device %d",
                    call, s->ctx->device, current->device);
    if (n == 0) return CUDA_SUCCESS;
    std::string bad = check_range(dst, n, "destination");
    if (bad.empty()) bad = check_range(src, n, "source");
    if (!bad.empty()) return fail(CUDA_ERROR_INVALID_VALUE, "%s %s", call, bad.c_str());
    Alloc* da = live_alloc(dst);
    Alloc* sa = live_alloc(src);
    if (da->ctx != dc || sa->ctx != sc)
        return fail(CUDA_ERROR_INVALID_VALUE, "%s: the %s 0x%llx is memory of device %d, not of the named context's "
                    "device %d", call, da->ctx != dc ? "destination" : "source", da->ctx != dc ? dst : src,
                    (da->ctx != dc ? da : sa)->ctx->device, (da->ctx != dc ? dc : sc)->device);
    if (s != nullptr) {
        for (Context* c : {sc, dc}) {
            Stream* t = c == s->ctx ? nullptr : unordered_stream(s, c);
            if (t != nullptr)
                return fail(CUDA_ERROR_ILLEGAL_STATE, "%s: %s device %d memory while a stream of device %d has %llu "
                            "operation(s) this stream does not wait for (cuEventRecord there, cuStreamWaitEvent "
                            "here): a race on a GPU", call, c == sc ? "reads" : "writes", c->device, c->device,
                            (unsigned long long)(t->clock[t->id] - seen_by(s, t->id)));
        }
        if (CUresult r = order_access(s, sa, READ, call, -1, src, n)) return r;
        if (CUresult r = order_access(s, da, WRITE, "a peer copy", -1, dst, n)) return r;
    }
    memmove((void*)dst, (const void*)src, n);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemcpyPeerAsync(CUdeviceptr dst, void* dst_ctx, CUdeviceptr src, void* src_ctx, size_t n, void* s) {
    LOCK;
    NEED_CTX;
    CHECK_STREAM(s);
    if (capturing_stream(s) != nullptr || (s == nullptr && captures > 0)) {
        invalidate_captures();
        return fail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "cuMemcpyPeerAsync in a capture is not emulated");
    }
    return peer_copy("cuMemcpyPeerAsync", dst, dst_ctx, src, src_ctx, n, (Stream*)s);
}

// Synchronous: ordered after all work queued before it, like a host synchronisation.
EXPORT CUresult cuMemcpyPeer(CUdeviceptr dst, void* dst_ctx, CUdeviceptr src, void* src_ctx, size_t n) {
    LOCK;
    NEED_CTX;
    REFUSED_IN_CAPTURE;
    CUresult r = peer_copy("cuMemcpyPeer", dst, dst_ctx, src, src_ctx, n, nullptr);
    if (r == CUDA_SUCCESS) count_sync(SYNC_MEMCPY_PEER, current->device);
    return r;
}
