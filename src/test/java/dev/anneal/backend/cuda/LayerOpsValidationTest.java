package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.anneal.backend.Activation;
import dev.anneal.backend.Backend;
import dev.anneal.backend.ConvGeometry;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.PoolGeometry;
import dev.anneal.backend.cpu.CpuBackend;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The layer op families on CUDA refuse what their CPU twins refuse: overlaps, shapes, batch-norm and dropout
 * parameters with the same exception and message; negative counts and ranges outside a buffer with the same
 * exception (the messages name each backend's own limits). The allowed in-place forms pass on both.
 */
class LayerOpsValidationTest {
    private static final ConvGeometry CONV = new ConvGeometry(3, 6, 5, 4, 3, 3, 1, 1, 1, 1);
    private static final PoolGeometry POOL = new PoolGeometry(3, 6, 5, 2, 2, 2, 2, 0, 0);

    @Test
    void everyBadCallFailsAsOnTheCpuWithTheSameMessage() {
        CpuTwinFailures.assertSameFailures(badCalls());
    }

    @Test
    void negativeCountsAndRangesOutsideABufferFailWithTheSameExceptionType() {
        Map<String, Consumer<Backend>> calls = new LinkedHashMap<>();
        calls.put("im2col n < 0", b -> b.conv().im2col(CONV, -1, b.allocate(90), 0, b.allocate(900), 0));
        calls.put("im2col col too short", b -> b.conv().im2col(CONV, 1, b.allocate(90), 0, b.allocate(809), 0));
        calls.put("maxPoolForward argmax too short", b -> b.pool().maxPoolForward(POOL, 1, b.allocate(90), 0,
                b.allocate(18), 0, b.allocateInts(17), 0));
        calls.put("maxPoolBiasForward bias too short", b -> b.pool().maxPoolBiasForward(POOL, 1, b.allocate(90), 0,
                b.allocate(2), 0, b.allocate(18), 0, b.allocateInts(18), 0));
        calls.put("avgPoolBackward dx offset", b -> b.pool().avgPoolBackward(POOL, 1, b.allocate(18), 0,
                b.allocate(90), 1));
        calls.put("batchNormTraining saved too short", b -> {
            FloatArray s = b.allocate(16);
            b.norm().batchNormTraining(new Mat(b.allocate(12), 0, 4, 3), new Mat(s, 0, 1, 3), new Mat(s, 3, 1, 3),
                    1e-5f, 0.1f, s, 6, 9, b.allocate(5), 0, new Mat(b.allocate(12), 0, 4, 3));
        });
        calls.put("dropout n < 0", b -> b.dropout().dropoutForward(b.allocate(4), 0, -1, 0.5f, 1, 0,
                b.allocateInts(1), 0, b.allocate(4), 0, b.allocate(4), 0));
        calls.put("dropout draws offset", b -> b.dropout().dropoutForward(b.allocate(4), 0, 4, 0.5f, 1, 0,
                b.allocateInts(1), 1, b.allocate(4), 0, b.allocate(4), 0));
        calls.put("advance outside", b -> b.dropout().advance(b.allocateInts(2), 2));
        CpuTwinFailures.assertSameExceptionTypes(calls);
    }

    @Test
    void theInPlaceFormsPassOnBoth() {
        for (Consumer<Backend> call : List.<Consumer<Backend>>of(
                b -> {
                    FloatArray x = b.allocate(12);
                    b.activation(Activation.TANH, new Mat(x, 0, 3, 4), new Mat(x, 0, 3, 4));
                },
                b -> {
                    FloatArray x = b.allocate(12);
                    FloatArray p = b.allocate(12);
                    b.norm().batchNormInference(new Mat(x, 0, 4, 3), new Mat(p, 0, 1, 3), new Mat(p, 3, 1, 3), 0f,
                            p, 6, 9, new Mat(x, 0, 4, 3));
                },
                b -> {
                    FloatArray p = b.allocate(24);
                    FloatArray g = b.allocate(12);
                    b.norm().batchNormBackward(new Mat(b.allocate(12), 0, 4, 3), new Mat(g, 0, 4, 3),
                            new Mat(p, 0, 1, 3), p, 3, new Mat(g, 0, 4, 3), new Mat(p, 9, 1, 3),
                            new Mat(p, 12, 1, 3));
                },
                b -> {
                    FloatArray x = b.allocate(9);
                    b.dropout().dropoutForward(x, 1, 8, 0.5f, 1, 0, b.allocateInts(1), 0, b.allocate(8), 0, x, 1);
                    b.dropout().multiply(x, 1, x, 1, 8);
                    b.dropout().advance(b.allocateInts(1), 0);
                })) {
            call.accept(new CpuBackend());
            call.accept(new PlannedBackend(132));
        }
    }

    @Test
    void theBatchNormScratchHoldsTwoSetsOfBlockPartialsAndTwoDoublesPerChannel() {
        assertEquals(1, NormLaunches.blocks(2));
        assertEquals(1, NormLaunches.blocks(256));
        assertEquals(2, NormLaunches.blocks(257));
        assertEquals(391, NormLaunches.blocks(100_000));
        assertEquals(2 * 391 * 32 + 2 * 32, NormLaunches.scratch(100_000, 32));
    }

    private static Map<String, Consumer<Backend>> badCalls() {
        Map<String, Consumer<Backend>> calls = new LinkedHashMap<>();
        int x = (int) CONV.inSize();
        int col = CONV.outH() * CONV.outW() * CONV.patch();
        calls.put("im2col col overlaps x", b -> {
            FloatArray buf = b.allocate(x + col);
            b.conv().im2col(CONV, 1, buf, 0, buf, x - 1);
        });
        calls.put("col2im dx overlaps col", b -> {
            FloatArray buf = b.allocate(x + col);
            b.conv().col2im(CONV, 1, buf, 1, buf, col);
        });
        calls.put("toChannelsLast bad shape", b -> b.conv().toChannelsLast(1, 0, 2, 2, b.allocate(4), 0,
                b.allocate(4), 0));
        calls.put("toChannelsFirst y is x", b -> {
            FloatArray buf = b.allocate(12);
            b.conv().toChannelsFirst(1, 3, 2, 2, buf, 0, buf, 0);
        });
        int px = (int) POOL.inSize();
        int py = (int) POOL.outSize();
        calls.put("maxPoolForward y overlaps x", b -> {
            FloatArray buf = b.allocate(px + py);
            b.pool().maxPoolForward(POOL, 1, buf, 0, buf, px - 2, b.allocateInts(py), 0);
        });
        calls.put("maxPoolBiasForward y overlaps x", b -> {
            FloatArray buf = b.allocate(px + py);
            b.pool().maxPoolBiasForward(POOL, 1, buf, 0, b.allocate(3), 0, buf, px - 2, b.allocateInts(py), 0);
        });
        calls.put("maxPoolBiasForward y overlaps bias", b -> {
            FloatArray buf = b.allocate(px + py + 3);
            b.pool().maxPoolBiasForward(POOL, 1, buf, 0, buf, px + py - 1, buf, px, b.allocateInts(py), 0);
        });
        calls.put("maxPoolBackward dx overlaps dy", b -> {
            FloatArray buf = b.allocate(px + py);
            b.pool().maxPoolBackward(POOL, 1, buf, 0, b.allocateInts(py), 0, buf, py - 1);
        });
        calls.put("avgPoolForward y overlaps x", b -> {
            FloatArray buf = b.allocate(px + py);
            b.pool().avgPoolForward(POOL, 1, buf, 3, buf, 0);
        });
        calls.put("avgPoolBackward dx overlaps dy", b -> {
            FloatArray buf = b.allocate(px + py);
            b.pool().avgPoolBackward(POOL, 1, buf, px, buf, 1);
        });
        calls.put("batchNormTraining one row", b -> training(b, 1, 3, 1e-5f, 0.1f, 0));
        calls.put("batchNormTraining eps NaN", b -> training(b, 4, 3, Float.NaN, 0.1f, 0));
        calls.put("batchNormTraining momentum inf", b -> training(b, 4, 3, 1e-5f, Float.POSITIVE_INFINITY, 0));
        calls.put("batchNormTraining running var overlaps mean", b -> training(b, 4, 3, 1e-5f, 0.1f, 1));
        calls.put("batchNormTraining saved overlaps running", b -> training(b, 4, 3, 1e-5f, 0.1f, 2));
        calls.put("batchNormTraining y is x", b -> {
            FloatArray p = b.allocate(16);
            Mat xm = new Mat(b.allocate(12), 0, 4, 3);
            b.norm().batchNormTraining(xm, new Mat(p, 0, 1, 3), new Mat(p, 3, 1, 3), 1e-5f, 0.1f, p, 6, 9,
                    b.allocate(6), 0, xm);
        });
        calls.put("batchNormTraining gamma of 2", b -> {
            FloatArray p = b.allocate(16);
            b.norm().batchNormTraining(new Mat(b.allocate(12), 0, 4, 3), new Mat(p, 0, 1, 2), new Mat(p, 3, 1, 3),
                    1e-5f, 0.1f, p, 6, 9, b.allocate(6), 0, new Mat(b.allocate(12), 0, 4, 3));
        });
        calls.put("batchNormTraining saved overlaps x", b -> {
            FloatArray x2 = b.allocate(18);
            FloatArray p = b.allocate(16);
            b.norm().batchNormTraining(new Mat(x2, 0, 4, 3), new Mat(p, 0, 1, 3), new Mat(p, 3, 1, 3), 1e-5f, 0.1f,
                    p, 6, 9, x2, 10, new Mat(b.allocate(12), 0, 4, 3));
        });
        calls.put("batchNormInference y overlaps x", b -> {
            FloatArray x2 = b.allocate(13);
            FloatArray p = b.allocate(12);
            b.norm().batchNormInference(new Mat(x2, 0, 4, 3), new Mat(p, 0, 1, 3), new Mat(p, 3, 1, 3), 1e-5f, p,
                    6, 9, new Mat(x2, 1, 4, 3));
        });
        calls.put("batchNormInference y overlaps running", b -> {
            FloatArray p = b.allocate(30);
            b.norm().batchNormInference(new Mat(b.allocate(12), 0, 4, 3), new Mat(p, 0, 1, 3), new Mat(p, 3, 1, 3),
                    1e-5f, p, 6, 9, new Mat(p, 10, 4, 3));
        });
        calls.put("batchNormBackward one row", b -> backward(b, 1, 0));
        calls.put("batchNormBackward dx overlaps dy", b -> backward(b, 4, 1));
        calls.put("batchNormBackward dGamma overlaps dBeta", b -> backward(b, 4, 2));
        calls.put("batchNormBackward dx overlaps saved", b -> backward(b, 4, 3));
        calls.put("batchNormBackward dBeta of 2", b -> backward(b, 4, 4));
        calls.put("dropout p 1.5", b -> dropout(b, 1.5f, 0));
        calls.put("dropout p NaN", b -> dropout(b, Float.NaN, 0));
        calls.put("dropout y overlaps x", b -> dropout(b, 0.5f, 1));
        calls.put("dropout mask overlaps x", b -> dropout(b, 0.5f, 2));
        calls.put("dropout mask overlaps y", b -> dropout(b, 0.5f, 3));
        calls.put("multiply a overlaps b", b -> {
            FloatArray buf = b.allocate(10);
            b.dropout().multiply(buf, 0, buf, 2, 8);
        });
        calls.put("activation out overlaps z", b -> {
            FloatArray buf = b.allocate(13);
            b.activation(Activation.RELU, new Mat(buf, 0, 3, 4), new Mat(buf, 1, 3, 4));
        });
        calls.put("activation out shape", b -> b.activation(Activation.RELU, new Mat(b.allocate(12), 0, 3, 4),
                new Mat(b.allocate(12), 0, 4, 3)));
        return calls;
    }

    /** A training forward over {@code rows x c} with one planted problem: 1 running var on mean, 2 saved on it. */
    private static void training(Backend b, int rows, int c, float eps, float momentum, int problem) {
        FloatArray p = b.allocate(5L * c + 2);
        FloatArray saved = problem == 2 ? p : b.allocate(2L * c);
        long varOffset = problem == 1 ? 2L * c + 1 : 3L * c;
        b.norm().batchNormTraining(new Mat(b.allocate((long) rows * c), 0, rows, c), new Mat(p, 0, 1, c),
                new Mat(p, c, 1, c), eps, momentum, p, 2L * c, varOffset, saved, problem == 2 ? 3L * c : 0,
                new Mat(b.allocate((long) rows * c), 0, rows, c));
    }

    /** A backward pass over {@code rows x 3} with one planted problem (1 to 4, 0 for none but the rows). */
    private static void backward(Backend b, int rows, int problem) {
        FloatArray dy = b.allocate(rows * 3L + 1);
        FloatArray p = b.allocate(40);
        Mat dx = problem == 1 ? new Mat(dy, 1, rows, 3) : new Mat(b.allocate(rows * 3L), 0, rows, 3);
        Mat dGamma = new Mat(p, 9, 1, 3);
        Mat dBeta = problem == 2 ? new Mat(p, 11, 1, 3) : new Mat(p, 12, 1, problem == 4 ? 2 : 3);
        FloatArray saved = problem == 3 ? dx.data() : p;
        long savedOffset = problem == 3 ? dx.offset() + 2 : 3;
        b.norm().batchNormBackward(new Mat(b.allocate(rows * 3L), 0, rows, 3), new Mat(dy, 0, rows, 3),
                new Mat(p, 0, 1, 3), saved, savedOffset, dx, dGamma, dBeta);
    }

    /** Dropout over 8 elements with one planted problem: 1 y overlaps x, 2 mask overlaps x, 3 mask overlaps y. */
    private static void dropout(Backend b, float p, int problem) {
        FloatArray buf = b.allocate(40);
        IntArray draws = b.allocateInts(1);
        long y = problem == 1 ? 4 : 10;
        long mask = problem == 2 ? 6 : problem == 3 ? 14 : 20;
        b.dropout().dropoutForward(buf, 0, 8, p, 7L, 0, draws, 0, buf, mask, buf, y);
    }
}
