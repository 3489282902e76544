package dev.anneal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Pillow's bilinear resample on planes small enough to check by hand. */
class ImageFolderResizeTest {
    @Test
    void halvingAveragesEachPairUnderTheWidenedTriangle() {
        // 4 -> 2: scale 2, support 2; output 0 is centred at 1.0 and reads inputs 0..2 with weights
        // f((x - 1 + 0.5) / 2) = 0.75, 0.75, 0.25 -> /1.75: (3*10 + 3*20 + 30) / 7 = 120/7 = 17.14 -> 17;
        // output 1 (centre 3.0) reads 1..3 with 0.25, 0.75, 0.75: (20 + 3*30 + 3*40) / 7 = 230/7 = 32.86 -> 33.
        int[] out = ImageFolderResize.resize(new int[] {10, 20, 30, 40}, 1, 4, 1, 2);
        assertArrayEquals(new int[] {17, 33}, out);
    }

    @Test
    void doublingInterpolatesWithHalfPixelCentresAndClampedEdges() {
        // 2 -> 4: centres 0.25, 0.75, 1.25, 1.75: 0 (clamped), 0.25*100 = 25 -> levels 0, 25, 75, 100.
        int[] out = ImageFolderResize.resize(new int[] {0, 100}, 1, 2, 1, 4);
        assertArrayEquals(new int[] {0, 25, 75, 100}, out);
    }

    @Test
    void verticalPassWorksOnColumns() {
        int[] out = ImageFolderResize.resize(new int[] {0, 200, 100, 0}, 2, 2, 4, 2);
        assertArrayEquals(new int[] {0, 200, 25, 150, 75, 50, 100, 0}, out);
    }

    @Test
    void sameSizeIsACopyAndAConstantStaysConstant() {
        int[] in = {1, 2, 3, 4, 5, 6};
        int[] same = ImageFolderResize.resize(in, 2, 3, 2, 3);
        assertArrayEquals(in, same);
        same[0] = 99;
        assertEquals(1, in[0]);
        int[] flat = new int[37 * 23];
        java.util.Arrays.fill(flat, 201);
        for (int level : ImageFolderResize.resize(flat, 37, 23, 28, 28)) {
            assertEquals(201, level);
        }
        for (int level : ImageFolderResize.resize(flat, 37, 23, 5, 61)) {
            assertEquals(201, level);
        }
    }

    @Test
    void clip8RoundsAndClamps() {
        assertEquals(0, ImageFolderResize.clip8(-5));
        assertEquals(255, ImageFolderResize.clip8(256 << ImageFolderResize.PRECISION_BITS));
        assertEquals(7, ImageFolderResize.clip8((7 << ImageFolderResize.PRECISION_BITS) + 3));
    }
}
