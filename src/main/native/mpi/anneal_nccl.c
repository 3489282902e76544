/*
 * anneal_nccl.c: the JNI natives of dev.anneal.distributed.NcclNative, compiled into libanneal_mpi.so beside the
 * MPI shim. NCCL is never linked: load() dlopen()s the library it is given (libnccl.so.2, or what
 * ANNEAL_NCCL_LIBRARY names; the Java side chooses) and resolves the few entry points Anneal calls. The NCCL types
 * are declared here from the public nccl.h (ncclUniqueId is 128 bytes, ncclComm_t a pointer, ncclResult_t an
 * int-sized enum with ncclSuccess = 0, ncclFloat32 = 7), so no NCCL header is needed to build.
 *
 * Device pointers and CUDA streams (cudaStream_t and CUstream are the same handle) arrive as Java longs. Every
 * NCCL call that fails throws dev.anneal.distributed.NcclException("<call>: <ncclGetErrorString>[: <detail>]"),
 * the detail coming from ncclGetLastError where the library has it (NCCL 2.13 and later).
 */
#include <jni.h>
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NCCL_EXCEPTION "dev/anneal/distributed/NcclException"
#define NCCL_UNIQUE_ID_BYTES 128

typedef int nccl_result;
typedef struct nccl_comm *nccl_comm;
typedef struct {
    char internal[NCCL_UNIQUE_ID_BYTES];
} nccl_unique_id;

enum { NCCL_SUCCESS = 0, NCCL_FLOAT32 = 7 };

/* The entry points, resolved by load(); handle is NULL until a load succeeded. */
static struct {
    void *handle;
    char version[64];
    nccl_result (*get_version)(int *);
    nccl_result (*get_unique_id)(nccl_unique_id *);
    nccl_result (*comm_init_rank)(nccl_comm *, int, nccl_unique_id, int);
    nccl_result (*send)(const void *, size_t, int, int, nccl_comm, void *);
    nccl_result (*recv)(void *, size_t, int, int, nccl_comm, void *);
    nccl_result (*group_start)(void);
    nccl_result (*group_end)(void);
    nccl_result (*comm_get_async_error)(nccl_comm, nccl_result *);
    nccl_result (*comm_abort)(nccl_comm);
    nccl_result (*comm_destroy)(nccl_comm);
    const char *(*get_error_string)(nccl_result);
    const char *(*get_last_error)(nccl_comm); /* optional */
} nccl;

static void throw_class(JNIEnv *env, const char *class_name, const char *message) {
    jclass cls = (*env)->FindClass(env, class_name);
    if (cls != NULL) {
        (*env)->ThrowNew(env, cls, message);
    }
}

/* Throws NcclException("<call>: <error string>[: <last error>]") and returns 1 when code is not ncclSuccess. */
static int nccl_failed(JNIEnv *env, nccl_result code, const char *call, nccl_comm comm) {
    if (code == NCCL_SUCCESS) {
        return 0;
    }
    const char *text = nccl.get_error_string != NULL ? nccl.get_error_string(code) : NULL;
    const char *detail = nccl.get_last_error != NULL ? nccl.get_last_error(comm) : NULL;
    char message[1024];
    snprintf(message, sizeof message, "%s: %s (ncclResult %d)%s%s", call, text != NULL ? text : "NCCL error", code,
             detail != NULL && detail[0] != '\0' ? ": " : "", detail != NULL ? detail : "");
    throw_class(env, NCCL_EXCEPTION, message);
    return 1;
}

static int not_loaded(JNIEnv *env) {
    if (nccl.handle != NULL) {
        return 0;
    }
    throw_class(env, "java/lang/IllegalStateException", "NCCL is not loaded (NcclNative.load first)");
    return 1;
}

static nccl_comm comm_of(JNIEnv *env, jlong handle) {
    if (handle == 0) {
        throw_class(env, "java/lang/IllegalArgumentException", "null NCCL communicator");
    }
    return (nccl_comm) (intptr_t) handle;
}

/* NCCL_VERSION(X,Y,Z): X*1000+Y*100+Z before 2.9, X*10000+Y*100+Z since. */
static void format_version(int code, char *out, size_t size) {
    if (code >= 10000) {
        snprintf(out, size, "%d.%d.%d", code / 10000, (code % 10000) / 100, code % 100);
    } else {
        snprintf(out, size, "%d.%d.%d", code / 1000, (code % 1000) / 100, code % 100);
    }
}

static jobjectArray pair(JNIEnv *env, const char *version, const char *error) {
    jclass string = (*env)->FindClass(env, "java/lang/String");
    if (string == NULL) {
        return NULL;
    }
    jobjectArray result = (*env)->NewObjectArray(env, 2, string, NULL);
    if (result == NULL) {
        return NULL;
    }
    if (version != NULL) {
        (*env)->SetObjectArrayElement(env, result, 0, (*env)->NewStringUTF(env, version));
    }
    if (error != NULL) {
        (*env)->SetObjectArrayElement(env, result, 1, (*env)->NewStringUTF(env, error));
    }
    return result;
}

/*
 * String[2]: {version, null} once the library at path is loaded and every entry point resolved, else
 * {null, why}. Loads once per process: later calls return the first library's version whatever the path.
 * A library that exports annealFakeNccl (the test stand-in, src/test/native/fake_nccl.cpp) has "-anneal-fake"
 * appended to its version, so that it is never mistaken for NCCL.
 */
JNIEXPORT jobjectArray JNICALL Java_dev_anneal_distributed_NcclNative_load(JNIEnv *env, jclass cls, jstring path_) {
    (void) cls;
    if (nccl.handle != NULL) {
        return pair(env, nccl.version, NULL);
    }
    const char *path = (*env)->GetStringUTFChars(env, path_, NULL);
    if (path == NULL) {
        return NULL;
    }
    char error[1024];
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *why = dlerror();
        snprintf(error, sizeof error, "%s", why != NULL ? why : "dlopen failed");
        (*env)->ReleaseStringUTFChars(env, path_, path);
        return pair(env, NULL, error);
    }
    __typeof__(nccl) resolved;
    memset(&resolved, 0, sizeof resolved);
    jobjectArray failure = NULL;
    do {
        /* Each failure leaves the loop with failure set (no return here: path must be released). */
#define TRY(field, symbol)                                                                        \
        *(void **) (&resolved.field) = dlsym(handle, symbol);                                     \
        if (resolved.field == NULL) {                                                             \
            snprintf(error, sizeof error, "%s has no %s (Anneal needs NCCL 2.7 or later)", path, symbol); \
            failure = pair(env, NULL, error);                                                     \
            break;                                                                                \
        }
        TRY(get_version, "ncclGetVersion")
        TRY(get_unique_id, "ncclGetUniqueId")
        TRY(comm_init_rank, "ncclCommInitRank")
        TRY(send, "ncclSend")
        TRY(recv, "ncclRecv")
        TRY(group_start, "ncclGroupStart")
        TRY(group_end, "ncclGroupEnd")
        TRY(comm_get_async_error, "ncclCommGetAsyncError")
        TRY(comm_abort, "ncclCommAbort")
        TRY(comm_destroy, "ncclCommDestroy")
        TRY(get_error_string, "ncclGetErrorString")
#undef TRY
        *(void **) (&resolved.get_last_error) = dlsym(handle, "ncclGetLastError");
        int code = 0;
        nccl_result r = resolved.get_version(&code);
        if (r != NCCL_SUCCESS) {
            const char *text = resolved.get_error_string(r);
            snprintf(error, sizeof error, "ncclGetVersion in %s failed: %s", path, text != NULL ? text : "?");
            failure = pair(env, NULL, error);
            break;
        }
        format_version(code, resolved.version, sizeof resolved.version);
        if (dlsym(handle, "annealFakeNccl") != NULL) {
            strncat(resolved.version, "-anneal-fake", sizeof resolved.version - strlen(resolved.version) - 1);
        }
    } while (0);
    (*env)->ReleaseStringUTFChars(env, path_, path);
    if (failure != NULL || (*env)->ExceptionCheck(env)) {
        dlclose(handle);
        return failure;
    }
    resolved.handle = handle;
    nccl = resolved;
    return pair(env, nccl.version, NULL);
}

/* ncclGetUniqueId: the 128 bytes rank 0 makes and every rank passes to initRank. */
JNIEXPORT jbyteArray JNICALL Java_dev_anneal_distributed_NcclNative_uniqueId(JNIEnv *env, jclass cls) {
    (void) cls;
    if (not_loaded(env)) {
        return NULL;
    }
    nccl_unique_id id;
    memset(&id, 0, sizeof id);
    if (nccl_failed(env, nccl.get_unique_id(&id), "ncclGetUniqueId", NULL)) {
        return NULL;
    }
    jbyteArray out = (*env)->NewByteArray(env, NCCL_UNIQUE_ID_BYTES);
    if (out != NULL) {
        (*env)->SetByteArrayRegion(env, out, 0, NCCL_UNIQUE_ID_BYTES, (const jbyte *) id.internal);
    }
    return out;
}

/* ncclCommInitRank (blocks until every rank joined); the communicator's handle. Uses the current CUDA device. */
JNIEXPORT jlong JNICALL Java_dev_anneal_distributed_NcclNative_initRank(JNIEnv *env, jclass cls, jbyteArray id_,
        jint nranks, jint rank) {
    (void) cls;
    if (not_loaded(env)) {
        return 0;
    }
    if (id_ == NULL || (*env)->GetArrayLength(env, id_) != NCCL_UNIQUE_ID_BYTES) {
        throw_class(env, "java/lang/IllegalArgumentException", "an NCCL unique id is 128 bytes");
        return 0;
    }
    nccl_unique_id id;
    (*env)->GetByteArrayRegion(env, id_, 0, NCCL_UNIQUE_ID_BYTES, (jbyte *) id.internal);
    nccl_comm comm = NULL;
    if (nccl_failed(env, nccl.comm_init_rank(&comm, nranks, id, rank), "ncclCommInitRank", NULL)) {
        return 0;
    }
    return (jlong) (intptr_t) comm;
}

/* The communicator of a send or receive of count floats, or NULL with a Java exception pending. */
static nccl_comm transfer_comm(JNIEnv *env, jlong comm_, jlong count) {
    nccl_comm comm = not_loaded(env) ? NULL : comm_of(env, comm_);
    if (comm != NULL && count < 0) {
        throw_class(env, "java/lang/IllegalArgumentException", "negative count");
        return NULL;
    }
    return comm;
}

/* ncclSend of count floats at the device address buffer to peer, queued on stream. */
JNIEXPORT void JNICALL Java_dev_anneal_distributed_NcclNative_send(JNIEnv *env, jclass cls, jlong buffer, jlong count,
        jint peer, jlong comm_, jlong stream) {
    (void) cls;
    nccl_comm comm = transfer_comm(env, comm_, count);
    if (comm == NULL) {
        return;
    }
    nccl_failed(env, nccl.send((const void *) (intptr_t) buffer, (size_t) count, NCCL_FLOAT32, peer, comm,
                               (void *) (intptr_t) stream), "ncclSend", comm);
}

/* ncclRecv of count floats into the device address buffer from peer, queued on stream. */
JNIEXPORT void JNICALL Java_dev_anneal_distributed_NcclNative_recv(JNIEnv *env, jclass cls, jlong buffer, jlong count,
        jint peer, jlong comm_, jlong stream) {
    (void) cls;
    nccl_comm comm = transfer_comm(env, comm_, count);
    if (comm == NULL) {
        return;
    }
    nccl_failed(env, nccl.recv((void *) (intptr_t) buffer, (size_t) count, NCCL_FLOAT32, peer, comm,
                               (void *) (intptr_t) stream), "ncclRecv", comm);
}

JNIEXPORT void JNICALL Java_dev_anneal_distributed_NcclNative_groupStart(JNIEnv *env, jclass cls) {
    (void) cls;
    if (!not_loaded(env)) {
        nccl_failed(env, nccl.group_start(), "ncclGroupStart", NULL);
    }
}

JNIEXPORT void JNICALL Java_dev_anneal_distributed_NcclNative_groupEnd(JNIEnv *env, jclass cls) {
    (void) cls;
    if (!not_loaded(env)) {
        nccl_failed(env, nccl.group_end(), "ncclGroupEnd", NULL);
    }
}

/* ncclCommGetAsyncError: null while the communicator is healthy, else the error's text. */
JNIEXPORT jstring JNICALL Java_dev_anneal_distributed_NcclNative_asyncError(JNIEnv *env, jclass cls, jlong comm_) {
    (void) cls;
    nccl_comm comm = not_loaded(env) ? NULL : comm_of(env, comm_);
    if (comm == NULL) {
        return NULL;
    }
    nccl_result async = NCCL_SUCCESS;
    if (nccl_failed(env, nccl.comm_get_async_error(comm, &async), "ncclCommGetAsyncError", comm)
            || async == NCCL_SUCCESS) {
        return NULL;
    }
    const char *text = nccl.get_error_string(async);
    const char *detail = nccl.get_last_error != NULL ? nccl.get_last_error(comm) : NULL;
    char message[1024];
    snprintf(message, sizeof message, "%s (ncclResult %d)%s%s", text != NULL ? text : "NCCL error", async,
             detail != NULL && detail[0] != '\0' ? ": " : "", detail != NULL ? detail : "");
    return (*env)->NewStringUTF(env, message);
}

/* ncclCommAbort: frees the communicator without waiting for its pending operations (they are cancelled). */
JNIEXPORT void JNICALL Java_dev_anneal_distributed_NcclNative_abort(JNIEnv *env, jclass cls, jlong comm_) {
    (void) cls;
    nccl_comm comm = not_loaded(env) ? NULL : comm_of(env, comm_);
    if (comm != NULL) {
        nccl_failed(env, nccl.comm_abort(comm), "ncclCommAbort", NULL);
    }
}

/* ncclCommDestroy: frees the communicator once its queued operations completed. */
JNIEXPORT void JNICALL Java_dev_anneal_distributed_NcclNative_destroy(JNIEnv *env, jclass cls, jlong comm_) {
    (void) cls;
    nccl_comm comm = not_loaded(env) ? NULL : comm_of(env, comm_);
    if (comm != NULL) {
        nccl_failed(env, nccl.comm_destroy(comm), "ncclCommDestroy", NULL);
    }
}
