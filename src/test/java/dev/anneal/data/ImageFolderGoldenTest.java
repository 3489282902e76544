package dev.anneal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader against Pillow 9.4: {@code src/test/resources/golden/imagefolder/generate.py} wrote the images and,
 * for each colour and target size, the levels of {@code Image.open(f).convert(mode).resize((w, h), BILINEAR)}.
 * Tolerance: 0 levels, every value exact, for PNG, BMP and GIF. JPEG is decoded by the JDK's libjpeg rather
 * than Pillow's libjpeg-turbo; on this file (4:2:0, quality 90) they agree exactly too with OpenJDK 17.0.15, so
 * {@link #JPEG_TOLERANCE} is 0; it is where to allow a level or two should another JDK's decoder differ.
 */
class ImageFolderGoldenTest {
    static final int JPEG_TOLERANCE = 0;
    private static final String DIR = "/golden/imagefolder/";

    @Test
    void everyCaseMatchesPillow(@TempDir Path tmp) throws IOException {
        JsonNode cases = golden().get("cases");
        assertTrue(cases.size() >= 80, "cases: " + cases.size());
        for (JsonNode c : cases) {
            String name = c.get("file").asText();
            Path file = copy(name, tmp);
            ImageFolderColor color = ImageFolderColor.of(c.get("color").asText());
            int h = c.get("height").asInt();
            int w = c.get("width").asInt();
            int[][] planes = ImageFolderReader.load(file, color, h, w);
            JsonNode expected = c.get("levels");
            assertEquals(color.channels() * h * w, expected.size(), name);
            int tolerance = name.endsWith(".jpg") ? JPEG_TOLERANCE : 0;
            int k = 0;
            for (int[] plane : planes) {
                assertEquals(h * w, plane.length);
                for (int level : plane) {
                    int want = expected.get(k).asInt();
                    int at = k++;
                    assertTrue(Math.abs(level - want) <= tolerance, () -> name + " " + color.key() + " " + h + "x"
                            + w + " value " + at + ": got " + level + ", Pillow " + want);
                }
            }
        }
    }

    @Test
    void theWholeReaderGivesPillowsLevelsOverTwoFiftyFive(@TempDir Path tmp) throws IOException {
        Path root = tmp.resolve("train");
        Files.createDirectories(root.resolve("a"));
        Files.createDirectories(root.resolve("b"));
        copy("rgb_40x30.png", root.resolve("b"));
        copy("palette_25x20.gif", root.resolve("a"));
        ImageFolderData data = ImageFolderReader.read(root, 28, 28, "rgb", null);
        assertEquals(List.of("a", "b"), data.classNames());
        int[] labels = data.labels();
        assertEquals(0, labels[0]);
        assertEquals(1, labels[1]);
        int per = data.featuresPerImage();
        String[] files = {"palette_25x20.gif", "rgb_40x30.png"};
        for (int i = 0; i < 2; i++) {
            JsonNode levels = find(files[i], "rgb", 28, 28);
            for (int k = 0; k < per; k++) {
                assertEquals(levels.get(k).asInt() / 255f, data.pixels()[i * per + k], files[i] + " value " + k);
            }
        }
    }

    private static JsonNode find(String file, String color, int h, int w) throws IOException {
        for (JsonNode c : golden().get("cases")) {
            if (c.get("file").asText().equals(file) && c.get("color").asText().equals(color)
                    && c.get("height").asInt() == h && c.get("width").asInt() == w) {
                return c.get("levels");
            }
        }
        throw new AssertionError("no golden case " + file + " " + color + " " + h + "x" + w);
    }

    private static JsonNode golden() throws IOException {
        try (InputStream in = ImageFolderGoldenTest.class.getResourceAsStream(DIR + "golden.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static Path copy(String name, Path dir) throws IOException {
        Path target = dir.resolve(name);
        if (!Files.exists(target)) {
            try (InputStream in = ImageFolderGoldenTest.class.getResourceAsStream(DIR + "images/" + name)) {
                Files.copy(in, target);
            }
        }
        return target;
    }
}
