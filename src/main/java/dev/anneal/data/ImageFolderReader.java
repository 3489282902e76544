package dev.anneal.data;

import dev.anneal.spec.BadInput;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Reads an {@code image_folder} split, {@code ROOT/<class>/*.png}, into memory, as torchvision's
 * {@code ImageFolder(root, transform=Compose([Grayscale(), Resize((h, w)), ToTensor()]))} (or without
 * {@code Grayscale()} for RGB) would give it, image for image:
 * <ul>
 *   <li>listing, class order and file order: {@link ImageFolderScan} (sorted class folders, files sorted within
 *       each, non-image files skipped by extension);</li>
 *   <li>decoding: the JDK's {@link ImageIO} (PNG, JPEG, BMP, GIF; a GIF's first frame);</li>
 *   <li>colour conversion: {@link ImageFolderPixels} (Pillow's {@code convert('L')} / {@code convert('RGB')}:
 *       BT.601 luma {@code (19595 R + 38470 G + 7471 B + 0x8000) >> 16}, alpha dropped);</li>
 *   <li>resizing: {@link ImageFolderResize} (Pillow's {@code resize((w, h), BILINEAR)}, antialiased when
 *       shrinking), per plane in 8 bits;</li>
 *   <li>scaling: level {@code v} becomes {@code v / 255f}, as {@code ToTensor} does.</li>
 * </ul>
 * PNG, BMP and GIF give Pillow's values exactly. JPEG is decoded by the JDK's libjpeg, not Pillow's
 * libjpeg-turbo, and may differ from it by a level or two in some pixels.
 *
 * <p>Files are decoded on {@code threads} threads, each image written to its own slot, so the result is the same
 * for every thread count. When several files are bad, the first in read order is reported.
 */
public final class ImageFolderReader {
    private ImageFolderReader() {
    }

    /**
     * Reads one split with as many threads as there are processors.
     *
     * @param root the split's folder, one sub-folder per class
     * @param height rows of every image after resizing, &gt; 0
     * @param width columns of every image after resizing, &gt; 0
     * @param color {@code grayscale} (one channel) or {@code rgb} (three)
     * @param classNamesOrNull the training split's {@link ImageFolderData#classNames()}, to read a test split with
     *     the same labels (its folders must be the same set); {@code null} for the training split
     * @throws BadInput naming the folder or file and the fix: a missing root, no class folders, a class without
     *     images, test classes that differ, an unreadable or undecodable image, more pixels than one array holds
     */
    public static ImageFolderData read(Path root, int height, int width, String color,
                                       List<String> classNamesOrNull) {
        return read(root, height, width, color, classNamesOrNull, Runtime.getRuntime().availableProcessors());
    }

    /** {@link #read(Path, int, int, String, List)} on {@code threads} decoding threads. */
    public static ImageFolderData read(Path root, int height, int width, String color,
                                       List<String> classNamesOrNull, int threads) {
        if (height <= 0 || width <= 0 || threads <= 0) {
            throw new IllegalArgumentException("height, width and threads must be > 0, got " + height + ", "
                    + width + ", " + threads);
        }
        ImageFolderColor colour = ImageFolderColor.of(color);
        ImageFolderScan.Listing listing = ImageFolderScan.scan(root, classNamesOrNull);
        int n = listing.entries().size();
        int perImage = colour.channels() * height * width;
        if ((long) n * perImage > DataSpec.MAX_ARRAY) {
            throw new BadInput("image folder " + root + ": " + n + " images of " + colour.channels() + " x "
                    + height + " x " + width + " are more values than one array holds (" + DataSpec.MAX_ARRAY
                    + "): use a smaller image size or fewer images");
        }
        float[] pixels = new float[n * perImage];
        int[] labels = new int[n];
        decodeAll(listing.entries(), colour, height, width, pixels, labels, Math.min(threads, Math.max(1, n)));
        return new ImageFolderData(pixels, labels, n, colour.channels(), height, width, listing.classNames(),
                listing.skippedFiles());
    }

    private static void decodeAll(List<ImageFolderScan.Entry> entries, ImageFolderColor color, int height,
                                  int width, float[] pixels, int[] labels, int threads) {
        int n = entries.size();
        int perImage = color.channels() * height * width;
        AtomicInteger next = new AtomicInteger();
        AtomicInteger firstFailure = new AtomicInteger(Integer.MAX_VALUE);
        BadInput[] failures = new BadInput[n];
        Runnable worker = () -> {
            for (int i = next.getAndIncrement(); i < n && i < firstFailure.get(); i = next.getAndIncrement()) {
                ImageFolderScan.Entry entry = entries.get(i);
                try {
                    int[][] planes = load(entry.file(), color, height, width);
                    int offset = i * perImage;
                    for (int[] plane : planes) {
                        for (int p = 0; p < plane.length; p++) {
                            pixels[offset++] = plane[p] / 255f;
                        }
                    }
                    labels[i] = entry.label();
                } catch (BadInput e) {
                    failures[i] = e;
                    firstFailure.accumulateAndGet(i, Math::min);
                }
            }
        };
        runOn(worker, threads);
        int first = firstFailure.get();
        if (first != Integer.MAX_VALUE) {
            throw failures[first];
        }
    }

    /** Runs {@code worker} on {@code threads} threads (the caller's alone when 1) and waits for all. */
    private static void runOn(Runnable worker, int threads) {
        if (threads == 1) {
            worker.run();
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "image-folder-decode");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(worker));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decoding images", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * One image file as {@link #read} reads each of a folder ({@code anneal predict}): decoded, converted to
     * {@code color}, resized to {@code height x width}, levels / 255, channels first.
     *
     * @throws BadInput naming the file when it cannot be read or decoded
     */
    public static float[] readImage(Path file, int height, int width, String color) {
        int[][] planes = load(file, ImageFolderColor.of(color), height, width);
        float[] out = new float[planes.length * height * width];
        int offset = 0;
        for (int[] plane : planes) {
            for (int p = 0; p < plane.length; p++) {
                out[offset++] = plane[p] / 255f;
            }
        }
        return out;
    }

    /** Whether {@code name} ends in an image extension an image folder reads ({@code .png .jpg .jpeg .bmp .gif}). */
    public static boolean isImageName(String name) {
        return ImageFolderScan.isImageName(name);
    }

    /** One file decoded, converted and resized: its planes of {@code height * width} levels. */
    static int[][] load(Path file, ImageFolderColor color, int height, int width) {
        BufferedImage image = decode(file);
        int[][] planes = ImageFolderPixels.planes(image, color);
        for (int c = 0; c < planes.length; c++) {
            planes[c] = ImageFolderResize.resize(planes[c], image.getHeight(), image.getWidth(), height, width);
        }
        return planes;
    }

    /** The first image of {@code file}, decoded by ImageIO; a one-line {@link BadInput} naming it otherwise. */
    static BufferedImage decode(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            throw new BadInput(file + ": cannot be read (permission denied): make it readable or remove it");
        } catch (IOException e) {
            throw new BadInput(file + ": cannot be read (" + oneLine(e) + "): fix or remove the file");
        }
        // ImageIO.read closes the stream once a reader took it; an in-memory stream holds nothing else.
        ImageInputStream stream = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
        try {
            BufferedImage image = ImageIO.read(stream);
            if (image == null) {
                throw new BadInput(file + ": not a PNG, JPEG, BMP or GIF image (no decoder recognises its content"
                        + "): replace the file with a real image or remove it");
            }
            return image;
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadInput b) {
                throw b;
            }
            throw new BadInput(file + ": a corrupt or unsupported image (" + oneLine(e) + "): replace the file "
                    + "or remove it");
        }
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }
}
