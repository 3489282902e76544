package dev.anneal.train;

import dev.anneal.data.Dataset;
import dev.anneal.data.Datasets;
import dev.anneal.data.Normalization;
import java.util.Random;

/**
 * Small two-channel 8x8 image sets that a convolution separates and no single pixel does: class 0 a vertical bar in
 * channel 0, class 1 a horizontal bar in channel 0, class 2 a vertical bar in channel 1, each at a random place,
 * in Gaussian noise; samples flattened in PyTorch's {@code (C, H, W)} order with shape {@code [2, 8, 8]}.
 */
final class SyntheticImages {
    static final int[] SHAPE = {2, 8, 8};

    private SyntheticImages() {
    }

    static Datasets of(int train, int test, long seed) {
        Random r = new Random(seed);
        return new Datasets(set(train, r), set(test, r), "synthetic images: " + train + " train, " + test + " test",
                Normalization.NONE);
    }

    private static Dataset set(int n, Random r) {
        int d = 2 * 64;
        float[] x = new float[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(3);
            y[i] = label;
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) (0.3 * r.nextGaussian());
            }
            int at = 1 + r.nextInt(6);
            int channel = label == 2 ? 1 : 0;
            for (int k = 1; k < 7; k++) {
                int h = label == 1 ? at : k;
                int w = label == 1 ? k : at;
                x[i * d + channel * 64 + h * 8 + w] += 1f;
            }
        }
        return new Dataset(x, y, d, 3).withShape(SHAPE);
    }
}
