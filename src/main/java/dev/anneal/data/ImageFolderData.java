package dev.anneal.data;

import java.util.List;

/**
 * One split read by {@link ImageFolderReader} from {@code ROOT/<class>/...}: every image converted, resized and
 * scaled to {@code [0, 1]}, in a fixed order (classes in sorted order, files sorted within each class).
 *
 * @param pixels {@code n * channels * height * width} floats, NCHW: pixel (c, y, x) of image i is
 *     {@code pixels[((i * channels + c) * height + y) * width + x]}, an 8-bit level {@code v} stored as
 *     {@code v / 255f}
 * @param labels {@code n} class indices into {@code classNames}
 * @param n number of images
 * @param channels 1 for grayscale, 3 for RGB (planes in R, G, B order)
 * @param height rows of every image after resizing
 * @param width columns of every image after resizing
 * @param classNames the class folder names in label order (label {@code k} is {@code classNames.get(k)})
 * @param skippedFiles files inside the class folders that were not read because their extension is not an image
 *     extension or their name starts with a dot ({@code .DS_Store}, {@code Thumbs.db}, {@code notes.txt})
 */
public record ImageFolderData(float[] pixels, int[] labels, int n, int channels, int height, int width,
                              List<String> classNames, int skippedFiles) {
    public ImageFolderData {
        classNames = List.copyOf(classNames);
        if ((long) n * channels * height * width != pixels.length || labels.length != n) {
            throw new IllegalArgumentException(pixels.length + " pixels and " + labels.length + " labels for " + n
                    + " images of " + channels + " x " + height + " x " + width);
        }
    }

    /** Features per image: {@code channels * height * width}. */
    public int featuresPerImage() {
        return channels * height * width;
    }
}
