package dev.anneal.data;

import dev.anneal.spec.BadInput;
import java.util.Locale;

/** The colour an image-folder dataset is converted to: one grayscale plane or three RGB planes. */
public enum ImageFolderColor {
    GRAYSCALE("grayscale", 1),
    RGB("rgb", 3);

    private final String key;
    private final int channels;

    ImageFolderColor(String key, int channels) {
        this.key = key;
        this.channels = channels;
    }

    /** The config spelling: {@code grayscale} or {@code rgb}. */
    public String key() {
        return key;
    }

    /** Planes per image: 1 or 3. */
    public int channels() {
        return channels;
    }

    /**
     * The colour named {@code key} ({@code grayscale} or {@code rgb}, any case).
     *
     * @throws BadInput for any other name
     */
    public static ImageFolderColor of(String key) {
        for (ImageFolderColor c : values()) {
            if (c.key.equals(key == null ? null : key.toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw new BadInput("image colour '" + key + "' is not one of grayscale, rgb");
    }
}
