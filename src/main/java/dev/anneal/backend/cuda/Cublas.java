package dev.anneal.backend.cuda;

import jcuda.Pointer;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasStatus;
import jcuda.runtime.cudaStream_t;

/**
 * Optional cuBLAS SGEMM through JCuda's {@code JCublas2}, whose natives link {@code libcublas.so.12}; machines
 * with only CUDA 13's {@code libcublas.so.13}, or no toolkit at all, run Anneal's own SGEMM kernels instead.
 * One handle per backend, on the backend's stream, default math mode (full fp32, no TF32).
 *
 * <p>Row-major trick: cuBLAS is column-major, and a row-major {@code r x c} matrix is the column-major
 * {@code c x r} matrix of its transpose with the same leading dimension. So row-major
 * {@code C = op(A) op(B)} is column-major {@code C^T = op(B)^T op(A)^T}: call SGEMM with the operands swapped,
 * {@code (opB, opA, N, M, K, B, ldb, A, lda, C, ldc)}, each leading dimension a row stride ({@link ColumnMajor}).
 */
final class Cublas implements AutoCloseable {
    static final String NOT_FOUND = "libcublas.so.12 not found";

    private static final String LOAD_PROBLEM = load();

    private final cublasHandle handle;
    /** alpha and beta, rewritten per call (host pointer mode: cuBLAS reads them before {@code cublasSgemm} returns). */
    private final float[] alpha = new float[1];
    private final float[] beta = new float[1];
    private final Pointer alphaPointer = Pointer.to(alpha);
    private final Pointer betaPointer = Pointer.to(beta);

    private Cublas(cublasHandle handle) {
        this.handle = handle;
    }

    /** Null when the bindings loaded; otherwise why not, in one line. */
    static String loadProblem() {
        return LOAD_PROBLEM;
    }

    /** A handle on {@code stream} of the current context. */
    static Cublas create(CUstream stream) {
        if (LOAD_PROBLEM != null) {
            throw new IllegalStateException("cuBLAS did not load: " + LOAD_PROBLEM);
        }
        cublasHandle handle = new cublasHandle();
        check(JCublas2.cublasCreate(handle), "cublasCreate");
        Cublas c = new Cublas(handle);
        try {
            check(JCublas2.cublasSetStream(handle, new cudaStream_t(stream)), "cublasSetStream");
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Row-major {@code c = alpha op(a) op(b) + beta c} of {@code g} (with beta 0, C is not read). */
    void sgemm(SgemmLaunch g) {
        ColumnMajor cm = ColumnMajor.of(g);
        alpha[0] = g.alpha();
        beta[0] = g.beta();
        int status = JCublas2.cublasSgemm(handle, cm.opFirst(), cm.opSecond(), cm.m(), cm.n(), cm.k(),
                alphaPointer, g.b().pointer(), cm.ldFirst(), g.a().pointer(), cm.ldSecond(), betaPointer,
                g.c().pointer(), cm.ldc());
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw CudaException.cublas("cublasSgemm " + g.describe(), status);
        }
    }

    @Override
    public void close() {
        check(JCublas2.cublasDestroy(handle), "cublasDestroy");
    }

    /**
     * The column-major {@code cublasSgemm} arguments for a row-major product: first operand B, second A,
     * {@code m = N}, {@code n = M}; leading dimensions are row strides, at least 1 (cuBLAS rejects 0 even when
     * the dimension is empty).
     */
    record ColumnMajor(int opFirst, int opSecond, int m, int n, int k, int ldFirst, int ldSecond, int ldc) {
        static ColumnMajor of(SgemmLaunch g) {
            return new ColumnMajor(g.transB() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                    g.transA() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N, g.n(), g.m(), g.k(),
                    Math.max(1, g.ldb()), Math.max(1, g.lda()), Math.max(1, g.ldc()));
        }
    }

    private static void check(int status, String what) {
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw CudaException.cublas(what, status);
        }
    }

    private static String load() {
        try {
            JCublas2.setExceptionsEnabled(false);
            return null;
        } catch (LinkageError e) {
            return Driver.describeLinkError(e, "libcublas.so.12", NOT_FOUND, "JCuda's cuBLAS bindings did not load");
        }
    }
}
