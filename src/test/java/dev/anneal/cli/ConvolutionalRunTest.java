package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.data.BarImages;
import dev.anneal.data.NpyFiles;
import dev.anneal.train.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A convolutional model through the command line on 8x8 grayscale images in an npz archive ({@code [N, 8, 8]}, so
 * samples of shape {@code [1, 8, 8]}): train prints the summary and learns, the checkpoint holds batch norm's
 * statistics, eval and predict rebuild the model from the run's config, and a kernel larger than the images is one
 * line naming the layer's key.
 */
class ConvolutionalRunTest {
    private static final String CONFIG = """
            optimizer: {type: adamw, lr: 0.01}
            model:
              type: sequential
              init: pytorch
              layers:
                - {type: conv2d, out_channels: 4, kernel_size: KERNEL, padding: 1}
                - {type: batch_norm2d}
                - {type: relu}
                - {type: max_pool2d, kernel_size: 2}
                - {type: flatten}
                - {type: dropout, p: 0.1}
                - {type: linear}
            data: {dataset: npz, path: DATA, batch_size: 16, eval_batch_size: 64}
            train: {epochs: 3, seed: 2, checkpoint_every: 10}
            """;

    @TempDir
    Path dir;

    /** 300 training and 100 test images of bars ({@link BarImages}), the test images also alone in x.npy. */
    private Path data() throws IOException {
        Map<String, byte[]> arrays = BarImages.arrays(300, 100, 4);
        Files.write(dir.resolve("x.npy"), arrays.get("x_test"));
        return NpyFiles.npz(dir.resolve("bars.npz"), arrays, false);
    }

    private Path config(String kernel) throws IOException {
        Path c = dir.resolve("cnn-" + kernel + ".yaml");
        Files.writeString(c, CONFIG.replace("KERNEL", kernel).replace("DATA", data().toString()));
        return c;
    }

    @Test
    void trainEvalAndPredictACnnOnImageArrays() throws IOException {
        Path run = dir.resolve("run");
        CliRun r = CliRun.of("train", "--config", config("3").toString(), "--run-dir", run.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("anneal: model for samples [1, 8, 8]:"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches(" +0 +conv2d +\\[4, 8, 8] +40")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches(" +total +(\\d+)")), r.out());
        EvalTail done = EvalTail.of(r.out());
        assertTrue(done.accuracy() > 90, r.out());

        Path newest;
        try (var s = Files.list(run.resolve("checkpoints"))) {
            newest = s.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().reduce((a, b) -> b)
                    .orElseThrow();
        }
        Map<String, Safetensors.Tensor> saved = Safetensors.read(newest.resolve("model.safetensors"));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked", "6.weight", "6.bias"), List.copyOf(saved.keySet()));
        // 300 samples in batches of 16: 19 steps an epoch, 3 epochs.
        assertEquals(57, saved.get("1.num_batches_tracked").longs()[0]);

        CliRun eval = CliRun.of("eval", run.toString());
        assertEquals(0, eval.status(), eval.err());
        Path preds = dir.resolve("preds.csv");
        CliRun predict = CliRun.of("predict", run.toString(), "--input", dir.resolve("x.npy").toString(), "--output",
                preds.toString());
        assertEquals(0, predict.status(), predict.err());
        assertEquals(101, Files.readAllLines(preds).size());
    }

    @Test
    void aKernelLargerThanTheImagesIsOneLineNamingTheLayer() throws IOException {
        CliRun r = CliRun.of("train", "--config", config("11").toString(), "--run-dir", dir.resolve("bad").toString());
        assertEquals(2, r.status(), r.err() + r.out());
        assertEquals("anneal: model.layers[0].kernel_size: 11 does not fit the 8x8 input of this layer (10x10 padded)"
                + " (data: samples [1, 8, 8], 2 classes)\n", r.err());
    }

    /** The test accuracy in percent of {@code anneal: done: test accuracy 97.00%, ...}. */
    private record EvalTail(double accuracy) {
        static EvalTail of(String out) {
            var m = java.util.regex.Pattern.compile("test accuracy ([0-9.]+)%").matcher(out);
            double last = -1;
            while (m.find()) {
                last = Double.parseDouble(m.group(1));
            }
            return new EvalTail(last);
        }
    }
}
