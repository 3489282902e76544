package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code data.dataset: image_folder} end to end: class folders of PNGs train, with a separate test folder or a
 * validation split, to a model that separates two visibly different classes; bad keys are one line.
 */
class ImageFolderTrainTest {
    @TempDir
    Path dir;

    /** Class "dark" images are mostly black, class "light" mostly white, with noise: any model should separate them. */
    private Path folder(String name, int perClass, long seed) throws IOException {
        Random r = new Random(seed);
        Path root = dir.resolve(name);
        for (String cls : new String[] {"dark", "light"}) {
            Files.createDirectories(root.resolve(cls));
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(12, 10, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 10; y++) {
                    for (int x = 0; x < 12; x++) {
                        int base = cls.equals("dark") ? 40 : 215;
                        int v = Math.max(0, Math.min(255, base + (int) (r.nextGaussian() * 40)));
                        img.getRaster().setSample(x, y, 0, v);
                    }
                }
                ImageIO.write(img, "png", root.resolve(cls).resolve(String.format("%03d.png", i)).toFile());
            }
        }
        return root;
    }

    private Path config(String data) throws IOException {
        Path c = dir.resolve("c.yaml");
        Files.writeString(c, "optimizer: {type: adam, lr: 0.01}\nschedule: {type: constant}\nmodel: {hidden: [8]}\n"
                + "train: {epochs: 3}\ndata: " + data + "\n");
        return c;
    }

    @Test
    void imageFoldersTrainWithATestFolderOrAValidationSplit() throws IOException {
        Path train = folder("train", 24, 1);
        Path test = folder("test", 8, 2);
        Path c = config("{dataset: image_folder, path: " + train + ", test_path: " + test
                + ", image_size: [8, 8], batch_size: 8}");
        CliRun r = CliRun.of("train", "--config", c.toString(), "--run-dir", dir.resolve("run").toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("image_folder: 48 train, 16 test, 64 features, 2 classes"), r.out());
        assertTrue(r.out().contains("test accuracy 100.00%"), r.out());

        Path split = config("{dataset: image_folder, path: " + train + ", validation_split: 0.25, image_size: [10, 12],"
                + " color: rgb, batch_size: 8}");
        CliRun s = CliRun.of("train", "--config", split.toString(), "--run-dir", dir.resolve("split").toString());
        assertEquals(0, s.status(), s.err() + s.out());
        assertTrue(s.out().contains("image_folder: 36 train, 12 validation, 360 features, 2 classes"), s.out());
        assertTrue(s.out().contains("val accuracy") && s.out().contains("; no test set after"), s.out());
    }

    @Test
    void missingKeysAndMismatchedFoldersAreOneLine() throws IOException {
        Path train = folder("train", 3, 1);
        String[][] cases = {
            {"{dataset: image_folder, path: " + train + ", validation_split: 0.5}", "data.image_size is required"},
            {"{dataset: image_folder, path: " + train + ", image_size: [8], validation_split: 0.5}",
                "data.image_size must be [height, width]"},
            {"{dataset: image_folder, path: " + train + ", image_size: [8, 8], color: cmyk, validation_split: 0.5}",
                "data.color"},
            {"{dataset: image_folder, path: " + train + ", image_size: [8, 8]}", "set data.test_path"},
            {"{dataset: mnist, image_size: [8, 8]}", "data.image_size only applies to dataset image_folder"},
        };
        for (String[] k : cases) {
            CliRun r = CliRun.of("train", "--config", config(k[0]).toString(), "--run-dir",
                    dir.resolve("bad").toString());
            assertEquals(2, r.status(), k[0] + ": " + r.err() + r.out());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(k[1]), k[0] + " -> " + r.err());
            assertFalse(r.err().contains("Exception"), r.err());
            assertFalse(Files.exists(dir.resolve("bad")), "nothing written for " + k[0]);
        }
    }
}
