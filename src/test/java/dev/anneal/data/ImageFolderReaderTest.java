package dev.anneal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layout, order, labels, NCHW output, skipping, thread-count independence and every bad-input line. */
class ImageFolderReaderTest {
    @TempDir
    Path tmp;

    @Test
    void classesAndFilesAreSortedAndLabelledInOrder() throws IOException {
        Path root = tmp.resolve("train");
        // class order by code point: "B" < "a" < "é"; files: "10" < "2" (strings), sub-folder files after the
        // folder's own (torchvision's sorted os.walk)
        ImageFolderImages.gray(root.resolve("a/2.png"), 3, 3, 20, "png");
        ImageFolderImages.gray(root.resolve("a/10.png"), 3, 3, 10, "png");
        ImageFolderImages.gray(root.resolve("a/zz/1.png"), 3, 3, 30, "png");
        ImageFolderImages.gray(root.resolve("B/x.BMP"), 3, 3, 40, "bmp");
        ImageFolderImages.gray(root.resolve("é/y.JPG"), 3, 3, 50, "jpg");
        ImageFolderImages.grayGif(root.resolve("é/z.gif"), 3, 3, 60);
        Files.writeString(root.resolve("a/.DS_Store"), "junk");
        Files.writeString(root.resolve("a/Thumbs.db"), "junk");
        Files.writeString(root.resolve("a/._2.png"), "macOS resource fork, not an image");
        Files.writeString(root.resolve("README.txt"), "root files are not classes");
        Files.createDirectories(root.resolve(".ipynb_checkpoints"));

        ImageFolderData data = ImageFolderReader.read(root, 2, 2, "grayscale", null);

        assertEquals(List.of("B", "a", "é"), data.classNames());
        assertArrayEquals(new int[] {0, 1, 1, 1, 2, 2}, data.labels());
        assertEquals(6, data.n());
        assertEquals(1, data.channels());
        assertEquals(3, data.skippedFiles());
        int[] expected = {40, 10, 20, 30, 50, 60};
        for (int i = 0; i < 6; i++) {
            for (int k = 0; k < 4; k++) {
                assertEquals(expected[i] / 255f, data.pixels()[i * 4 + k], 1.5f / 255, "image " + i);
            }
        }
    }

    @Test
    void rgbIsChannelMajorPerImage() {
        Path root = tmp.resolve("train");
        ImageFolderImages.rgb(root.resolve("c/0.png"), 2, 2, 200);
        ImageFolderData data = ImageFolderReader.read(root, 2, 2, "rgb", null);
        assertEquals(3, data.channels());
        float[] p = data.pixels();
        // R plane = x, G plane = y, B plane = 200; each row-major (y, x)
        float[] want = {0, 1, 0, 1, 0, 0, 1, 1, 200, 200, 200, 200};
        for (int k = 0; k < want.length; k++) {
            assertEquals(want[k] / 255f, p[k], "value " + k);
        }
    }

    @Test
    void aTestSplitTakesTheTrainingLabels() {
        Path test = tmp.resolve("test");
        ImageFolderImages.gray(test.resolve("cat/0.png"), 4, 4, 1, "png");
        ImageFolderImages.gray(test.resolve("dog/0.png"), 4, 4, 2, "png");
        ImageFolderData data = ImageFolderReader.read(test, 4, 4, "grayscale", List.of("dog", "cat"));
        assertEquals(List.of("dog", "cat"), data.classNames());
        assertArrayEquals(new int[] {0, 1}, data.labels());
        assertEquals(2 / 255f, data.pixels()[0]);
    }

    @Test
    void theResultDoesNotDependOnTheThreadCount() {
        Path root = tmp.resolve("train");
        for (int i = 0; i < 40; i++) {
            ImageFolderImages.rgb(root.resolve("c" + (i % 3) + "/" + i + ".png"), 5 + i % 7, 4 + i % 5, i * 5);
        }
        ImageFolderData one = ImageFolderReader.read(root, 3, 4, "rgb", null, 1);
        for (int threads : new int[] {2, 5, 16}) {
            ImageFolderData many = ImageFolderReader.read(root, 3, 4, "rgb", null, threads);
            assertArrayEquals(one.pixels(), many.pixels());
            assertArrayEquals(one.labels(), many.labels());
        }
    }

    @Test
    void aMissingRootOrAFileRootIsRefused() throws IOException {
        assertLine(tmp.resolve("nope"), "does not exist");
        Path file = Files.writeString(tmp.resolve("file.png"), "x");
        assertLine(file, "is a file, not a folder");
    }

    @Test
    void aRootWithoutClassFoldersIsRefused() {
        Path root = tmp.resolve("flat");
        ImageFolderImages.gray(root.resolve("0.png"), 2, 2, 0, "png");
        String line = assertLine(root, "has no class sub-folders");
        assertTrue(line.contains("1 images lie directly in it"), line);
    }

    @Test
    void aClassWithoutImagesIsRefused() throws IOException {
        Path root = tmp.resolve("train");
        ImageFolderImages.gray(root.resolve("cat/0.png"), 2, 2, 0, "png");
        Files.createDirectories(root.resolve("dog"));
        Files.writeString(root.resolve("dog/notes.txt"), "x");
        String line = assertLine(root, "class folder 'dog' holds no images");
        assertTrue(line.contains("1 other files skipped") && line.contains(root.resolve("dog").toString()), line);
    }

    @Test
    void testClassesThatDifferAreRefused() {
        Path test = tmp.resolve("test");
        ImageFolderImages.gray(test.resolve("cat/0.png"), 2, 2, 0, "png");
        ImageFolderImages.gray(test.resolve("bird/0.png"), 2, 2, 0, "png");
        BadInput e = assertThrows(BadInput.class,
                () -> ImageFolderReader.read(test, 2, 2, "grayscale", List.of("cat", "dog")));
        assertTrue(e.getMessage().contains("missing [dog]") && e.getMessage().contains("unexpected [bird]"),
                e.getMessage());
    }

    @Test
    void aCorruptImageIsNamedAndTheFirstBadFileWinsWhateverTheThreads() throws IOException {
        Path root = tmp.resolve("train");
        for (int i = 0; i < 30; i++) {
            ImageFolderImages.gray(root.resolve("c/" + (char) ('a' + i % 26) + i + ".png"), 3, 3, i, "png");
        }
        Path notImage = Files.writeString(root.resolve("c/b5.png"), "this is text with a .png name");
        byte[] png = Files.readAllBytes(root.resolve("c/a0.png"));
        Path truncated = Files.write(root.resolve("c/c7.png"), java.util.Arrays.copyOf(png, png.length / 2));
        for (int threads : new int[] {1, 2, 8}) {
            BadInput e = assertThrows(BadInput.class,
                    () -> ImageFolderReader.read(root, 2, 2, "grayscale", null, threads));
            assertTrue(e.getMessage().startsWith(notImage.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("not a PNG, JPEG, BMP or GIF image"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        Files.delete(notImage);
        BadInput e = assertThrows(BadInput.class, () -> ImageFolderReader.read(root, 2, 2, "grayscale", null));
        assertTrue(e.getMessage().startsWith(truncated + ": a corrupt or unsupported image"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void anUnknownColourIsRefused() {
        Path root = tmp.resolve("train");
        ImageFolderImages.gray(root.resolve("c/0.png"), 2, 2, 0, "png");
        BadInput e = assertThrows(BadInput.class, () -> ImageFolderReader.read(root, 2, 2, "cmyk", null));
        assertTrue(e.getMessage().contains("grayscale, rgb"), e.getMessage());
        assertEquals(3, ImageFolderReader.read(root, 2, 2, "RGB", null).channels());
    }

    private static String assertLine(Path root, String fragment) {
        BadInput e = assertThrows(BadInput.class, () -> ImageFolderReader.read(root, 2, 2, "grayscale", null));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertTrue(e.getMessage().contains(root.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        return e.getMessage();
    }
}
