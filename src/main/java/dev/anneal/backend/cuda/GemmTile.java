package dev.anneal.backend.cuda;

/**
 * The output tiles of {@code cuda-kernels/matmul.cu}: each block of 256 threads computes {@code rows x cols}
 * elements of C ({@code sgemm_<rows>x<cols>_<nn|nt|tn|tt>}). Listed in order of preference when two tiles pad C
 * equally (larger tiles load fewer bytes of A and B per output): 128 x 128, 64 x 64, 128 x 32, 32 x 32.
 */
enum GemmTile {
    T128X128(128, 128, Kernel.SGEMM_128X128_NN, Kernel.SGEMM_128X128_NT, Kernel.SGEMM_128X128_TN,
            Kernel.SGEMM_128X128_TT),
    T64X64(64, 64, Kernel.SGEMM_64X64_NN, Kernel.SGEMM_64X64_NT, Kernel.SGEMM_64X64_TN, Kernel.SGEMM_64X64_TT),
    T128X32(128, 32, Kernel.SGEMM_128X32_NN, Kernel.SGEMM_128X32_NT, Kernel.SGEMM_128X32_TN,
            Kernel.SGEMM_128X32_TT),
    T32X32(32, 32, Kernel.SGEMM_32X32_NN, Kernel.SGEMM_32X32_NT, Kernel.SGEMM_32X32_TN, Kernel.SGEMM_32X32_TT);

    private final int rows;
    private final int cols;
    private final Kernel nn;
    private final Kernel nt;
    private final Kernel tn;
    private final Kernel tt;

    GemmTile(int rows, int cols, Kernel nn, Kernel nt, Kernel tn, Kernel tt) {
        this.rows = rows;
        this.cols = cols;
        this.nn = nn;
        this.nt = nt;
        this.tn = tn;
        this.tt = tt;
    }

    /** Rows of C per block. */
    int rows() {
        return rows;
    }

    /** Columns of C per block. */
    int cols() {
        return cols;
    }

    /** The kernel of this tile for the transpose case. */
    Kernel kernel(boolean transA, boolean transB) {
        if (transA) {
            return transB ? tt : tn;
        }
        return transB ? nt : nn;
    }

    /** Blocks down C: {@code ceil(M / rows)}, at least 1. */
    long rowTiles(int m) {
        return Math.max(1, ceilDiv(m, rows));
    }

    /** Blocks across C: {@code ceil(N / cols)}, at least 1. */
    long colTiles(int n) {
        return Math.max(1, ceilDiv(n, cols));
    }

    /** Blocks covering an M x N result. */
    long tiles(int m, int n) {
        return rowTiles(m) * colTiles(n);
    }

    /** Elements the blocks compute, C's padding included: {@code tiles * rows * cols}. */
    long paddedArea(int m, int n) {
        return tiles(m, n) * rows * cols;
    }

    /** {@code "32x32"}. */
    String shape() {
        return rows + "x" + cols;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
