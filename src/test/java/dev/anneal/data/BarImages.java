package dev.anneal.data;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A small image task for tests of convolutional models: 8x8 grayscale images showing a vertical (class 0) or
 * horizontal (class 1) bar of 255, six pixels long at a random place, on uniform 0-59 noise. A CNN learns it to
 * over 90% test accuracy in three short epochs.
 */
public final class BarImages {
    private BarImages() {
    }

    /** {@code n} images {@code [n, 64]} as uint8 and their labels as little-endian int64, drawn from {@code r}. */
    private static byte[][] draw(int n, Random r) {
        byte[] x = new byte[n * 64];
        byte[] y = new byte[n * 8];
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(2);
            y[i * 8] = (byte) label;
            for (int p = 0; p < 64; p++) {
                x[i * 64 + p] = (byte) r.nextInt(60);
            }
            int at = 1 + r.nextInt(6);
            for (int k = 1; k < 7; k++) {
                x[i * 64 + (label == 1 ? at * 8 + k : k * 8 + at)] = (byte) 255;
            }
        }
        return new byte[][] {x, y};
    }

    /**
     * The arrays of an npz archive ({@link NpyFiles#npz}): {@code x_train [train, 8, 8]} uint8, {@code y_train}
     * int64, then {@code x_test} and {@code y_test}; the training images are drawn first, from
     * {@code new Random(seed)}.
     */
    public static Map<String, byte[]> arrays(int train, int test, long seed) {
        Random r = new Random(seed);
        byte[][] a = draw(train, r);
        byte[][] b = draw(test, r);
        Map<String, byte[]> arrays = new LinkedHashMap<>();
        arrays.put("x_train", NpyFiles.npy("|u1", "(" + train + ", 8, 8)", a[0]));
        arrays.put("y_train", NpyFiles.npy("<i8", "(" + train + ",)", a[1]));
        arrays.put("x_test", NpyFiles.npy("|u1", "(" + test + ", 8, 8)", b[0]));
        arrays.put("y_test", NpyFiles.npy("<i8", "(" + test + ",)", b[1]));
        return arrays;
    }
}
