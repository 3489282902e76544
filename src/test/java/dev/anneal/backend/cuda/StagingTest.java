package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link Staging} on the emulated driver: small uploads on the compute stream, large ones through the copy stream
 * and the landing buffers, in chunks across both halves, every byte arriving in call order; and the two ordering
 * bugs the copy stream makes possible (copying from the landing buffer before the transfer into it is waited for,
 * rewriting a landing half while the compute stream may still read it), which the emulated driver's per-stream
 * clocks must reject. Runs only under the emulator.
 */
@Tag("emulator")
class StagingTest {
    /** Small halves so that a few uploads cross them: 64 Ki floats each. */
    private static final long HALF = 256 << 10;
    private static final int LARGE = (int) (Staging.OVERLAP_MIN_BYTES / 4) * 3;
    private CUcontext context;
    private final CUstream stream = new CUstream();

    @BeforeEach
    void open() {
        context = RawDriver.openEmulated();
        RawDriver.ok(JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_DEFAULT));
    }

    @AfterEach
    void close() {
        if (context != null) {
            JCudaDriver.cuStreamDestroy(stream);
            RawDriver.release(context);
        }
    }

    @Test
    void uploadsArriveInCallOrderWhicheverStreamCarriesThem() {
        int n = 150_000;
        CUdeviceptr dst = RawDriver.alloc(n);
        Random random = new Random(7);
        float[] expected = new float[n];
        try (Staging staging = new Staging(stream, HALF)) {
            // Overlapping writes of both kinds in an order where any reordering changes the result: large
            // (copy stream), small (compute stream) into the middle of it, large again over part of both.
            int[][] writes = {{0, LARGE}, {100, 1000}, {LARGE / 2, LARGE}, {LARGE, 10_000}, {n - LARGE, LARGE},
                {5, 7}, {0, n}, {n - 3000, 3000}};
            for (int[] w : writes) {
                float[] values = new float[w[1]];
                for (int i = 0; i < values.length; i++) {
                    values[i] = random.nextFloat();
                }
                upload(staging, values, dst, w[0]);
                System.arraycopy(values, 0, expected, w[0], w[1]);
            }
            float[] got = new float[n];
            staging.download(dst, 4L * n, (buf, at, count) -> buf.asFloatBuffer().get(got, (int) (at / 4), count / 4));
            assertArrayEquals(expected, got);
            long large = 4L * (LARGE * 3 + n);
            assertEquals(large, staging.overlappedBytes(), "the uploads of at least " + Staging.OVERLAP_MIN_BYTES
                    + " bytes, and only those, go through the copy stream");
        } finally {
            JCudaDriver.cuMemFree(dst);
        }
    }

    @Test
    void turnedOffEveryUploadGoesOnTheComputeStream() {
        System.setProperty(Staging.COPY_STREAM_PROPERTY, "off");
        CUdeviceptr dst = RawDriver.alloc(LARGE);
        try (Staging staging = new Staging(stream, HALF)) {
            float[] values = new float[LARGE];
            java.util.Arrays.fill(values, 3f);
            upload(staging, values, dst, 0);
            float[] got = new float[LARGE];
            staging.download(dst, 4L * LARGE, (buf, at, count) -> buf.asFloatBuffer().get(got, (int) (at / 4),
                    count / 4));
            assertArrayEquals(values, got);
            assertEquals(0, staging.overlappedBytes());
        } finally {
            System.clearProperty(Staging.COPY_STREAM_PROPERTY);
            JCudaDriver.cuMemFree(dst);
        }
    }

    @Test
    void copyingFromTheLandingBufferBeforeTheTransferIsARace() {
        CUdeviceptr dst = RawDriver.alloc(LARGE);
        try (Staging staging = new Staging(stream, HALF, Staging.Planted.NO_WAIT_FOR_LANDING)) {
            CudaException e = assertThrows(CudaException.class, () -> upload(staging, new float[LARGE], dst, 0));
            assertEquals(CUresult.CUDA_ERROR_ILLEGAL_STATE, e.result(), e.getMessage());
            assertTrue(e.getMessage().contains("upload landing buffer"), e.getMessage());
        } finally {
            JCudaDriver.cuMemFree(dst);
        }
    }

    @Test
    void rewritingALandingHalfBeforeItsCopiesAreDoneIsARace() {
        CUdeviceptr dst = RawDriver.alloc(LARGE);
        try (Staging staging = new Staging(stream, HALF, Staging.Planted.NO_WAIT_FOR_HALF)) {
            // Each upload fills most of a half: the second moves to half 1, the third back to half 0, whose
            // landing buffer the compute stream's first copy read.
            upload(staging, new float[LARGE], dst, 0);
            upload(staging, new float[LARGE], dst, 0);
            CudaException e = assertThrows(CudaException.class, () -> upload(staging, new float[LARGE], dst, 0));
            assertEquals(CUresult.CUDA_ERROR_ILLEGAL_STATE, e.result(), e.getMessage());
            assertTrue(e.getMessage().startsWith("cuMemcpyHtoDAsync"), e.getMessage());
        } finally {
            JCudaDriver.cuMemFree(dst);
        }
    }

    private static void upload(Staging staging, float[] values, CUdeviceptr dst, int at) {
        staging.upload(dst.withByteOffset(4L * at), 4L * values.length,
                (buf, from, count) -> buf.asFloatBuffer().put(values, (int) (from / 4), count / 4));
    }
}
