package dev.anneal.backend.cpu;

import dev.anneal.backend.DropoutOps;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.LayerChecks;

/**
 * Inverted dropout with {@link Philox} masks, the CPU twin of {@code cuda-kernels/dropout.cu} (contract and
 * formulas in {@link DropoutOps}). Element {@code e} takes word {@code e % 4} of the Philox block at counter
 * {@code (e / 4, draw, stream)} under key {@code seed}, so one block serves four consecutive elements; blocks are
 * split over {@link CpuParallel}'s threads and each element's value depends only on (seed, stream, draw, e).
 */
final class CpuDropout implements DropoutOps {
    /** Elements per chunk below which dropout stays on the calling thread (a Philox block costs tens of ns). */
    static final int GRAIN = 1 << 15;
    /** {@code 2^-24}: a 24-bit integer times this is a float in {@code [0, 1)}, exactly. */
    private static final float TWO_POW_M24 = 0x1p-24f;

    @Override
    public void dropoutForward(FloatArray x, long xOffset, long n, float p, long seed, int stream, IntArray draws,
                               long drawsOffset, FloatArray mask, long maskOffset, FloatArray y, long yOffset) {
        LayerChecks.dropoutP(p);
        int count = CpuRanges.elements(n, 1, "dropoutForward n");
        float[] xa = CpuRanges.floats(x, xOffset, n, "dropoutForward x");
        float[] ma = CpuRanges.floats(mask, maskOffset, n, "dropoutForward mask");
        float[] ya = CpuRanges.floats(y, yOffset, n, "dropoutForward y");
        int draw = CpuRanges.ints(draws, drawsOffset, 1, "dropoutForward draws")[(int) drawsOffset];
        LayerChecks.dropoutForwardOverlaps(x, xOffset, n, mask, maskOffset, y, yOffset);
        int groups = (int) ((n + 3) / 4);
        int groupGrain = GRAIN / 4;
        CpuParallel.forRange(0, groups, groupGrain, (chunk, from, to) -> forward(xa, (int) xOffset, count, p, seed,
                stream, draw, ma, (int) maskOffset, ya, (int) yOffset, from, to));
    }

    /**
     * Philox blocks {@code [fromGroup, toGroup)}, that is elements {@code [4 fromGroup, min(4 toGroup, n))}: the
     * work of one thread. Any split of the blocks gives the same bits.
     */
    static void forward(float[] x, int xOff, int n, float p, long seed, int stream, int draw, float[] mask,
                        int mOff, float[] y, int yOff, int fromGroup, int toGroup) {
        float keep = 1f / (1f - p);
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        int[] words = new int[4];
        for (int g = fromGroup; g < toGroup; g++) {
            Philox.block(g, 0, draw, stream, k0, k1, words);
            int e0 = 4 * g;
            int len = Math.min(4, n - e0);
            for (int w = 0; w < len; w++) {
                int e = e0 + w;
                float u = (words[w] >>> 8) * TWO_POW_M24;
                float m = u >= p ? keep : 0f;
                mask[mOff + e] = m;
                y[yOff + e] = x[xOff + e] * m;
            }
        }
    }

    @Override
    public void multiply(FloatArray a, long aOffset, FloatArray b, long bOffset, long n) {
        int count = CpuRanges.elements(n, 1, "multiply n");
        float[] aa = CpuRanges.floats(a, aOffset, n, "multiply a");
        float[] ba = CpuRanges.floats(b, bOffset, n, "multiply b");
        LayerChecks.disjointUnlessSame(aa, aOffset, "multiply a", ba, bOffset, n, "b (unless it is a itself)");
        int ao = (int) aOffset;
        int bo = (int) bOffset;
        CpuParallel.forRange(0, count, CpuOps.CHEAP_GRAIN, (chunk, from, to) -> {
            for (int i = from; i < to; i++) {
                aa[ao + i] *= ba[bo + i];
            }
        });
    }

    @Override
    public void advance(IntArray counter, long offset) {
        CpuRanges.ints(counter, offset, 1, "advance counter")[(int) offset] += 1;
    }
}
