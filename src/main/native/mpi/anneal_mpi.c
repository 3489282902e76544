/*
 * anneal_mpi.c: the JNI shim under dev.anneal.distributed.MpiNative, over Open MPI's C API (any MPI-3 library).
 *
 * Every operation that waits on another rank is non-blocking here (MPI_Isend, MPI_Irecv, MPI_Ibcast,
 * MPI_Ibarrier, MPI_Iallgather) and returns a request handle; Java polls it with test() and owns the timeout.
 * A handle is a heap-allocated struct (the MPI_Request plus what must outlive the call, such as the value an
 * all-gather sends); test() frees it when it reports completion. Buffers are direct ByteBuffers, addressed as
 * (buffer, byte offset, byte count); MPI reads or writes them until the request completes.
 *
 * Errors: MPI_COMM_WORLD uses MPI_ERRORS_RETURN, and a failing call throws dev.anneal.distributed.MpiException
 * with the call's name and MPI_Error_string's text. Argument errors throw IllegalArgumentException.
 *
 * Before MPI_Init the process environment gets UCX_ERROR_SIGNALS="" (UCX must not replace the JVM's SIGSEGV,
 * SIGBUS, SIGFPE and SIGILL handlers) and, unless the user set it, OMPI_MCA_opal_signal="" (Open MPI then
 * installs no handler of its own; see docs/MPI-SHIM.md for what was measured).
 */
#include <jni.h>
#include <mpi.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXCEPTION_CLASS "dev/anneal/distributed/MpiException"

enum request_kind { KIND_SEND, KIND_RECEIVE, KIND_COLLECTIVE };

/* One outstanding non-blocking operation. */
struct request {
    MPI_Request mpi;
    enum request_kind kind;
    long long gather_value; /* the value an all-gather sends; must stay valid until completion */
};

static void throw_named(JNIEnv *env, const char *class_name, const char *message) {
    jclass cls = (*env)->FindClass(env, class_name);
    if (cls != NULL) {
        (*env)->ThrowNew(env, cls, message);
    }
}

/* Throws MpiException("<call>: <MPI's error string>") and returns 1 when code is not MPI_SUCCESS. */
static int failed(JNIEnv *env, int code, const char *call) {
    if (code == MPI_SUCCESS) {
        return 0;
    }
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) {
        snprintf(text, sizeof text, "MPI error code %d", code);
    }
    char message[MPI_MAX_ERROR_STRING + 64];
    snprintf(message, sizeof message, "%s: %s", call, text);
    throw_named(env, EXCEPTION_CLASS, message);
    return 1;
}

/* The address of bytes [offset, offset + count) of a direct buffer, or NULL with an exception pending. */
static void *buffer_range(JNIEnv *env, jobject buffer, jlong offset, jlong count) {
    char *base = (*env)->GetDirectBufferAddress(env, buffer);
    jlong capacity = (*env)->GetDirectBufferCapacity(env, buffer);
    if (base == NULL || capacity < 0) {
        throw_named(env, "java/lang/IllegalArgumentException", "the buffer is not a direct buffer");
        return NULL;
    }
    if (offset < 0 || count < 0 || count > INT_MAX || offset > capacity - count) {
        char message[160];
        snprintf(message, sizeof message, "byte range [%lld, %lld + %lld) outside the buffer's %lld bytes "
                 "(or over %d bytes)", (long long) offset, (long long) offset, (long long) count,
                 (long long) capacity, INT_MAX);
        throw_named(env, "java/lang/IllegalArgumentException", message);
        return NULL;
    }
    return base + offset;
}

static struct request *new_request(JNIEnv *env, enum request_kind kind) {
    struct request *r = calloc(1, sizeof *r);
    if (r == NULL) {
        throw_named(env, "java/lang/OutOfMemoryError", "MPI request handle");
        return NULL;
    }
    r->mpi = MPI_REQUEST_NULL;
    r->kind = kind;
    return r;
}

/* Returns the handle of r when code is MPI_SUCCESS; otherwise frees r, throws, and returns 0. */
static jlong started(JNIEnv *env, struct request *r, int code, const char *call) {
    if (failed(env, code, call)) {
        free(r);
        return 0;
    }
    return (jlong) (intptr_t) r;
}

/* int[5]: world rank, world size, node-local rank, node-local size, provided thread level. */
JNIEXPORT jintArray JNICALL Java_dev_anneal_distributed_MpiNative_init(JNIEnv *env, jclass cls) {
    (void) cls;
    setenv("UCX_ERROR_SIGNALS", "", 1);
    setenv("OMPI_MCA_opal_signal", "", 0);
    int provided = 0;
    int code = MPI_Init_thread(NULL, NULL, MPI_THREAD_MULTIPLE, &provided);
    if (code != MPI_SUCCESS) {
        char message[96];
        snprintf(message, sizeof message, "MPI_Init_thread failed with error code %d", code);
        throw_named(env, EXCEPTION_CLASS, message);
        return NULL;
    }
    if (failed(env, MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler")) {
        return NULL;
    }
    int values[5] = {0, 0, 0, 0, provided};
    MPI_Comm node;
    if (failed(env, MPI_Comm_rank(MPI_COMM_WORLD, &values[0]), "MPI_Comm_rank")
            || failed(env, MPI_Comm_size(MPI_COMM_WORLD, &values[1]), "MPI_Comm_size")
            || failed(env, MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, values[0], MPI_INFO_NULL,
                                               &node), "MPI_Comm_split_type")) {
        return NULL;
    }
    int local_failed = failed(env, MPI_Comm_rank(node, &values[2]), "MPI_Comm_rank(node)")
            || failed(env, MPI_Comm_size(node, &values[3]), "MPI_Comm_size(node)");
    MPI_Comm_free(&node);
    if (local_failed) {
        return NULL;
    }
    jintArray result = (*env)->NewIntArray(env, 5);
    if (result != NULL) {
        (*env)->SetIntArrayRegion(env, result, 0, 5, values);
    }
    return result;
}

JNIEXPORT jstring JNICALL Java_dev_anneal_distributed_MpiNative_processorName(JNIEnv *env, jclass cls) {
    (void) cls;
    char name[MPI_MAX_PROCESSOR_NAME];
    int length = 0;
    if (failed(env, MPI_Get_processor_name(name, &length), "MPI_Get_processor_name")) {
        return NULL;
    }
    name[length < MPI_MAX_PROCESSOR_NAME ? length : MPI_MAX_PROCESSOR_NAME - 1] = '\0';
    return (*env)->NewStringUTF(env, name);
}

/* Callable before init. */
JNIEXPORT jstring JNICALL Java_dev_anneal_distributed_MpiNative_libraryVersion(JNIEnv *env, jclass cls) {
    (void) cls;
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    if (failed(env, MPI_Get_library_version(version, &length), "MPI_Get_library_version")) {
        return NULL;
    }
    /* Open MPI's string ends with a newline and may span lines; keep the first line. */
    version[length < MPI_MAX_LIBRARY_VERSION_STRING ? length : MPI_MAX_LIBRARY_VERSION_STRING - 1] = '\0';
    char *newline = strpbrk(version, "\r\n");
    if (newline != NULL) {
        *newline = '\0';
    }
    return (*env)->NewStringUTF(env, version);
}

JNIEXPORT jlong JNICALL Java_dev_anneal_distributed_MpiNative_isend(JNIEnv *env, jclass cls, jobject buffer,
        jlong offset, jlong bytes, jint destination, jint tag) {
    (void) cls;
    void *data = buffer_range(env, buffer, offset, bytes);
    struct request *r = data == NULL ? NULL : new_request(env, KIND_SEND);
    if (r == NULL) {
        return 0;
    }
    return started(env, r, MPI_Isend(data, (int) bytes, MPI_BYTE, destination, tag, MPI_COMM_WORLD, &r->mpi),
                   "MPI_Isend");
}

JNIEXPORT jlong JNICALL Java_dev_anneal_distributed_MpiNative_irecv(JNIEnv *env, jclass cls, jobject buffer,
        jlong offset, jlong bytes, jint source, jint tag) {
    (void) cls;
    void *data = buffer_range(env, buffer, offset, bytes);
    struct request *r = data == NULL ? NULL : new_request(env, KIND_RECEIVE);
    if (r == NULL) {
        return 0;
    }
    return started(env, r, MPI_Irecv(data, (int) bytes, MPI_BYTE, source, tag, MPI_COMM_WORLD, &r->mpi),
                   "MPI_Irecv");
}

JNIEXPORT jlong JNICALL Java_dev_anneal_distributed_MpiNative_ibcast(JNIEnv *env, jclass cls, jobject buffer,
        jlong offset, jlong bytes, jint root) {
    (void) cls;
    void *data = buffer_range(env, buffer, offset, bytes);
    struct request *r = data == NULL ? NULL : new_request(env, KIND_COLLECTIVE);
    if (r == NULL) {
        return 0;
    }
    return started(env, r, MPI_Ibcast(data, (int) bytes, MPI_BYTE, root, MPI_COMM_WORLD, &r->mpi), "MPI_Ibcast");
}

JNIEXPORT jlong JNICALL Java_dev_anneal_distributed_MpiNative_ibarrier(JNIEnv *env, jclass cls) {
    (void) cls;
    struct request *r = new_request(env, KIND_COLLECTIVE);
    if (r == NULL) {
        return 0;
    }
    return started(env, r, MPI_Ibarrier(MPI_COMM_WORLD, &r->mpi), "MPI_Ibarrier");
}

/* Every rank contributes one long; rank r's lands in bytes [8r, 8r + 8) of out (native order). */
JNIEXPORT jlong JNICALL Java_dev_anneal_distributed_MpiNative_iallgatherLong(JNIEnv *env, jclass cls,
        jlong value, jobject out) {
    (void) cls;
    int size = 0;
    if (failed(env, MPI_Comm_size(MPI_COMM_WORLD, &size), "MPI_Comm_size")) {
        return 0;
    }
    void *data = buffer_range(env, out, 0, (jlong) size * (jlong) sizeof(long long));
    struct request *r = data == NULL ? NULL : new_request(env, KIND_COLLECTIVE);
    if (r == NULL) {
        return 0;
    }
    r->gather_value = (long long) value;
    return started(env, r, MPI_Iallgather(&r->gather_value, 1, MPI_LONG_LONG, data, 1, MPI_LONG_LONG,
                                          MPI_COMM_WORLD, &r->mpi), "MPI_Iallgather");
}

/*
 * -1 while the operation is pending; once it completed: the bytes received for a receive, 0 otherwise, and the
 * handle is freed (it must not be used again).
 */
JNIEXPORT jlong JNICALL Java_dev_anneal_distributed_MpiNative_test(JNIEnv *env, jclass cls, jlong handle) {
    (void) cls;
    struct request *r = (struct request *) (intptr_t) handle;
    if (r == NULL) {
        throw_named(env, "java/lang/IllegalArgumentException", "null MPI request handle");
        return 0;
    }
    int done = 0;
    MPI_Status status;
    if (failed(env, MPI_Test(&r->mpi, &done, &status), "MPI_Test")) {
        return 0;
    }
    if (!done) {
        return -1;
    }
    jlong received = 0;
    if (r->kind == KIND_RECEIVE) {
        int count = 0;
        if (failed(env, MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count")) {
            free(r);
            return 0;
        }
        received = count;
    }
    free(r);
    return received;
}

/* Ends every process of the job (MPI_Abort on MPI_COMM_WORLD); returns only if MPI_Abort itself fails. */
JNIEXPORT void JNICALL Java_dev_anneal_distributed_MpiNative_abort(JNIEnv *env, jclass cls, jint code) {
    (void) cls;
    failed(env, MPI_Abort(MPI_COMM_WORLD, code), "MPI_Abort");
}

JNIEXPORT void JNICALL Java_dev_anneal_distributed_MpiNative_finalizeMpi(JNIEnv *env, jclass cls) {
    (void) cls;
    failed(env, MPI_Finalize(), "MPI_Finalize");
}
