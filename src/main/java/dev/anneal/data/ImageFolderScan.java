package dev.anneal.data;

import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The listing of an image folder: which files are read, in which order, with which label. It follows
 * torchvision's {@code datasets.ImageFolder} ({@code find_classes} and {@code make_dataset}):
 * <ul>
 *   <li>classes are the sub-folders of the root, sorted by Unicode code point (Python's {@code sorted}); label
 *       {@code k} is the {@code k}-th name. Plain files in the root are ignored;</li>
 *   <li>a class's images are every file below its folder, sub-folders included (torchvision walks with
 *       {@code os.walk}, following links), whose name ends, ignoring case, in {@code .png .jpg .jpeg .bmp .gif};
 *       they are ordered as torchvision orders them: by the folder they are in (its path relative to the class
 *       folder, sorted by code point), then by file name;</li>
 *   <li>other files ({@code .DS_Store}, {@code Thumbs.db}, {@code labels.txt}) are skipped silently, as
 *       torchvision skips them, and counted. Unlike torchvision, names starting with a dot (hidden folders such
 *       as {@code .ipynb_checkpoints}, and macOS' {@code ._cat.png} resource forks) are skipped too, for classes
 *       and files alike.</li>
 * </ul>
 * Refused, each with one {@link BadInput} line: a missing root, a root that is a file, a root without class
 * folders, a class folder without images (torchvision refuses it too), a folder that cannot be listed, and,
 * for a split read against known classes, class folders that differ from them.
 */
final class ImageFolderScan {
    /** The extensions read (lower case, with the dot). */
    static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");
    private static final String LAYOUT = "one sub-folder per class holding its images, e.g. ROOT/cat/001.png";

    /**
     * One image to read.
     *
     * @param file its path
     * @param label its class index
     */
    record Entry(Path file, int label) {
    }

    /**
     * A folder's listing.
     *
     * @param classNames class folder names in label order
     * @param entries every image in read order
     * @param skippedFiles files in class folders that are not read
     */
    record Listing(List<String> classNames, List<Entry> entries, int skippedFiles) {
    }

    private ImageFolderScan() {
    }

    /**
     * Lists {@code root}.
     *
     * @param expectedClasses the training split's classes in label order, which this split's folder names must
     *     equal as a set (the labels then follow this list's order); {@code null} to take the classes from the
     *     folders
     */
    static Listing scan(Path root, List<String> expectedClasses) {
        List<String> classes = classFolders(root);
        if (expectedClasses != null) {
            requireSameClasses(root, classes, expectedClasses);
            classes = List.copyOf(expectedClasses);
        }
        List<Entry> entries = new ArrayList<>();
        int skipped = 0;
        for (int label = 0; label < classes.size(); label++) {
            Path folder = root.resolve(classes.get(label));
            ClassFiles files = classFiles(folder);
            if (files.images.isEmpty()) {
                throw new BadInput(folder + ": class folder '" + classes.get(label) + "' holds no images ("
                        + String.join(" ", EXTENSIONS) + (files.skipped > 0 ? "; " + files.skipped
                        + " other files skipped" : "") + "): add its images or remove the folder");
            }
            for (Path file : files.images) {
                entries.add(new Entry(file, label));
            }
            skipped += files.skipped;
        }
        return new Listing(classes, List.copyOf(entries), skipped);
    }

    /** The root's class folder names, sorted by code point. */
    static List<String> classFolders(Path root) {
        if (!Files.exists(root)) {
            throw new BadInput("image folder " + root + " does not exist: point the data path at a folder with "
                    + LAYOUT);
        }
        if (!Files.isDirectory(root)) {
            throw new BadInput("image folder " + root + " is a file, not a folder: point the data path at a "
                    + "folder with " + LAYOUT);
        }
        List<String> names = new ArrayList<>();
        int images = 0;
        try (DirectoryStream<Path> children = Files.newDirectoryStream(root)) {
            for (Path child : children) {
                String name = child.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                if (Files.isDirectory(child)) {
                    names.add(name);
                } else if (isImageName(name)) {
                    images++;
                }
            }
        } catch (IOException e) {
            throw new BadInput("image folder " + root + " cannot be listed (" + e + "): check its permissions");
        }
        if (names.isEmpty()) {
            throw new BadInput("image folder " + root + " has no class sub-folders" + (images > 0 ? " (its "
                    + images + " images lie directly in it)" : "") + ": it needs " + LAYOUT);
        }
        names.sort(ImageFolderScan::compareCodePoints);
        return List.copyOf(names);
    }

    private static void requireSameClasses(Path root, List<String> found, List<String> expected) {
        if (new TreeSet<>(found).equals(new TreeSet<>(expected)) && found.size() == expected.size()) {
            return;
        }
        Set<String> missing = new TreeSet<>(ImageFolderScan::compareCodePoints);
        missing.addAll(expected);
        found.forEach(missing::remove);
        Set<String> extra = new TreeSet<>(ImageFolderScan::compareCodePoints);
        extra.addAll(found);
        expected.forEach(extra::remove);
        throw new BadInput("image folder " + root + ": its class folders differ from the training split's "
                + expected + (missing.isEmpty() ? "" : ", missing " + missing) + (extra.isEmpty() ? ""
                : ", unexpected " + extra) + ": give it the same class folders (an empty class needs at least "
                + "one image)");
    }

    private record ClassFiles(List<Path> images, int skipped) {
    }

    private static ClassFiles classFiles(Path folder) {
        record Found(String dir, String name, Path file) {
        }
        List<Found> found = new ArrayList<>();
        int[] skipped = {0};
        try {
            Files.walkFileTree(folder, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            boolean hidden = !dir.equals(folder) && dir.getFileName().toString().startsWith(".");
                            return hidden ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            String name = file.getFileName().toString();
                            if (!name.startsWith(".") && isImageName(name)) {
                                found.add(new Found(relativeDir(folder, file), name, file));
                            } else {
                                skipped[0]++;
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                            throw e;
                        }
                    });
        } catch (FileSystemLoopException e) {
            throw new BadInput(e.getFile() + ": a link loops back to a folder above it: remove the link");
        } catch (IOException e) {
            throw new BadInput(folder + ": cannot be listed (" + e + "): check its permissions");
        }
        found.sort(Comparator.comparing(Found::dir, ImageFolderScan::compareCodePoints)
                .thenComparing(Found::name, ImageFolderScan::compareCodePoints));
        return new ClassFiles(found.stream().map(Found::file).toList(), skipped[0]);
    }

    private static String relativeDir(Path folder, Path file) {
        Path parent = folder.relativize(file.getParent());
        List<String> parts = new ArrayList<>();
        parent.forEach(p -> parts.add(p.toString()));
        return String.join("/", parts);
    }

    /** Whether {@code name} ends, ignoring case, in one of {@link #EXTENSIONS}. */
    static boolean isImageName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(lower::endsWith);
    }

    /** Python's string order: by Unicode code point (Java's {@code compareTo} orders UTF-16 units). */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
