package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.anneal.backend.ConvGeometry;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.PoolGeometry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the layer op families launch, checked with fake device pointers (no driver). */
class LayerLaunchesTest {
    private final PlannedBackend b = new PlannedBackend(132);

    @Test
    void convolutionGeometryGoesAsTwelveIntsInTheKernelsOrderBeforeTheBuffers() {
        ConvGeometry g = new ConvGeometry(3, 7, 5, 4, 5, 3, 2, 1, 2, 1);
        FloatArray x = b.allocate(2 * g.inSize() + 1);
        FloatArray col = b.allocate(2L * g.outH() * g.outW() * g.patch());
        b.conv().im2col(g, 2, x, 1, col, 0);
        Launch l = b.launches.get(0);
        assertEquals(Kernel.IM2COL, l.kernel());
        assertEquals(List.of(3, 7, 5, 5, 3, 2, 1, 2, 1, 4, 5, 2), l.args().values().subList(0, 12),
                "inC, inH, inW, kH, kW, strides, paddings, outH = (7 + 4 - 5) / 2 + 1, outW = 5, n");
        assertEquals("im2col, grid (8, 1) x 256 threads, buffers x 210 floats, col 1800 floats", l.describe());
    }

    @Test
    void poolingBackwardRunsOneThreadPerInputElement() {
        PoolGeometry g = new PoolGeometry(3, 40, 40, 2, 2, 2, 2, 0, 0);
        FloatArray dy = b.allocate(g.outSize());
        FloatArray dx = b.allocate(g.inSize());
        IntArray argmax = b.allocateInts(g.outSize());
        b.pool().maxPoolBackward(g, 1, dy, 0, argmax, 0, dx, 0);
        assertEquals(new Grid(19, 1, 256), b.launches.get(0).grid(), "4800 input elements / 256");
        assertEquals(List.of("dy", "argmax", "dx"), b.launches.get(0).args().values().subList(12, 15).stream()
                .map(o -> ((Span) o).name()).toList());
    }

    @Test
    void batchNormTrainingSumsIntoOneScratchOfDoublesThenNormalises() {
        int rows = 600;
        int c = 7;
        FloatArray x = b.allocate(rows * c);
        FloatArray y = b.allocate(rows * c);
        FloatArray p = b.allocate(4L * c);
        b.norm().batchNormTraining(new Mat(x, 0, rows, c), new Mat(p, 0, 1, c), new Mat(p, c, 1, c), 1e-5f, 0.1f, p,
                2L * c, 3L * c, b.allocate(2L * c), 0, new Mat(y, 0, rows, c));
        assertEquals(List.of(Kernel.BATCH_NORM_SUM_PARTIALS, Kernel.BATCH_NORM_MEAN, Kernel.BATCH_NORM_SQUARE_PARTIALS,
                Kernel.BATCH_NORM_STATS, Kernel.BATCH_NORM_NORMALIZE), b.launches.stream().map(Launch::kernel).toList());
        Span partials = (Span) b.launches.get(0).args().values().get(3);
        Span mean = (Span) b.launches.get(1).args().values().get(3);
        assertEquals("partials 21 doubles", partials.describe(), "3 blocks of 256 rows x 7 channels");
        assertEquals(8L * 2 * 21, mean.byteOffset(), "the mean after two sets of partials");
        assertEquals(List.of(1e-5f, 0.1f), b.launches.get(3).args().values().subList(4, 6), "eps, momentum");
        assertEquals(new Grid(1, 1, 256), b.launches.get(0).grid(), "one thread per (row block, channel)");
    }

    @Test
    void dropoutPacksTheDrawCounterBufferNotItsValueAndOneThreadPerFourElements() {
        FloatArray x = b.allocate(4097);
        IntArray draws = b.allocateInts(3);
        b.dropout().dropoutForward(x, 0, 4097, 0.25f, -5L, 9, draws, 2, b.allocate(4097), 0, x, 0);
        b.dropout().advance(draws, 2);
        Launch forward = b.launches.get(0);
        List<Object> v = forward.args().values();
        assertEquals(List.of(4097L, 0.25f, -5L, 9), v.subList(1, 5));
        assertEquals(8L, ((Span) v.get(5)).byteOffset(), "draws[2]: the kernel reads the draw at run time");
        assertEquals(new Grid(5, 1, 256), forward.grid(), "1025 Philox blocks of 4");
        assertEquals(new Grid(1, 1, 1), b.launches.get(1).grid());
    }

    @Test
    void emptyLayerWorkLaunchesNothing() {
        ConvGeometry g = new ConvGeometry(3, 7, 5, 4, 3, 3, 1, 1, 1, 1);
        FloatArray x = b.allocate(10);
        b.conv().im2col(g, 0, x, 0, b.allocate(0), 0);
        b.conv().toChannelsLast(0, 3, 2, 2, x, 0, b.allocate(0), 0);
        b.pool().avgPoolForward(new PoolGeometry(1, 2, 2, 2, 2, 2, 2, 0, 0), 0, x, 0, b.allocate(0), 0);
        b.dropout().dropoutForward(x, 0, 0, 0.5f, 1, 0, b.allocateInts(1), 0, b.allocate(0), 0, x, 0);
        b.dropout().multiply(x, 0, x, 0, 0);
        b.norm().batchNormInference(new Mat(x, 0, 0, 2), new Mat(x, 0, 1, 2), new Mat(x, 2, 1, 2), 0f, x, 4, 6,
                new Mat(x, 0, 0, 2));
        b.activation(dev.anneal.backend.Activation.GELU, new Mat(x, 0, 0, 3), new Mat(x, 0, 0, 3));
        assertEquals(List.of(), b.launches);
    }
}
