package dev.anneal.config;

/**
 * Recognises the files most often passed by mistake where text is expected, by their leading bytes: images,
 * archives, checkpoints, documents, executables and text in encodings other than UTF-8.
 */
final class BinaryFormats {
    private record Signature(String name, int[] magic) {
    }

    private static final Signature[] SIGNATURES = {
        new Signature("a PNG image", new int[] {0x89, 'P', 'N', 'G'}),
        new Signature("a JPEG image", new int[] {0xff, 0xd8, 0xff}),
        new Signature("a GIF image", new int[] {'G', 'I', 'F', '8'}),
        new Signature("gzip-compressed data", new int[] {0x1f, 0x8b}),
        new Signature("a zip archive", new int[] {'P', 'K', 0x03, 0x04}),
        new Signature("bzip2-compressed data", new int[] {'B', 'Z', 'h'}),
        new Signature("xz-compressed data", new int[] {0xfd, '7', 'z', 'X', 'Z', 0x00}),
        new Signature("zstd-compressed data", new int[] {0x28, 0xb5, 0x2f, 0xfd}),
        new Signature("a PDF document", new int[] {'%', 'P', 'D', 'F'}),
        new Signature("an ELF executable", new int[] {0x7f, 'E', 'L', 'F'}),
        new Signature("a Java class file", new int[] {0xca, 0xfe, 0xba, 0xbe}),
        new Signature("a NumPy array", new int[] {0x93, 'N', 'U', 'M', 'P', 'Y'}),
        new Signature("an IDX label file", new int[] {0, 0, 0x08, 0x01}),
        new Signature("an IDX image file", new int[] {0, 0, 0x08, 0x03}),
        new Signature("UTF-32 text", new int[] {0xff, 0xfe, 0, 0}),
        new Signature("UTF-32 text", new int[] {0, 0, 0xfe, 0xff}),
        new Signature("UTF-16 text", new int[] {0xff, 0xfe}),
        new Signature("UTF-16 text", new int[] {0xfe, 0xff}),
    };

    private BinaryFormats() {
    }

    /** What {@code bytes} are, e.g. "a PNG image", or null when they start like no known binary format. */
    static String name(byte[] bytes) {
        for (Signature s : SIGNATURES) {
            if (startsWith(bytes, s.magic())) {
                return s.name();
            }
        }
        return null;
    }

    private static boolean startsWith(byte[] bytes, int[] magic) {
        if (bytes.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((bytes[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
