package dev.anneal.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where the bytes of each <em>stored</em> (uncompressed) entry lie inside a zip file, so that an {@code .npz}
 * written by {@code numpy.savez} can be memory-mapped in place ({@link java.util.zip.ZipFile} does not expose
 * entry offsets). Read from the zip's own records (PKWARE APPNOTE 6.3, sections 4.3.7, 4.3.12, 4.3.14-16 and
 * 4.5.3):
 *
 * <pre>
 * end of central directory   PK\5\6 at end - 22 - comment length: entries, directory size and offset
 * zip64 locator and end      PK\6\7 just before it -> PK\6\6: the 64-bit entries, size and offset
 * central directory header   PK\1\2 per entry: flags, method, sizes, name, extra (zip64 field 0x0001 holds the
 *                            sizes and the local header offset that are 0xFFFFFFFF above), local header offset
 * local file header          PK\3\4 at that offset: 30 bytes, name, extra; the data follows
 * </pre>
 *
 * Only entries that are stored, not encrypted, whose local header carries the same name and method, and whose
 * data lies inside the file are listed; anything else (a compressed entry, a malformed directory) is simply not
 * listed, and the caller reads that entry through {@code ZipFile} or says why it cannot be mapped.
 */
final class ZipDirectory {
    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    private static final long MAX_DIRECTORY = 64L << 20;

    /** A stored entry's data: {@code size} bytes from byte {@code offset} of the file. */
    record Stored(long offset, long size) {
    }

    private final Map<String, Stored> stored;

    private ZipDirectory(Map<String, Stored> stored) {
        this.stored = stored;
    }

    /** The stored entries of the zip file open in {@code ch}; empty when its directory cannot be read. */
    static ZipDirectory read(FileChannel ch) throws IOException {
        try {
            return new ZipDirectory(entries(ch));
        } catch (Malformed | java.io.EOFException e) {
            return new ZipDirectory(Map.of());
        }
    }

    /** The data of stored entry {@code name}, if it is one. */
    Optional<Stored> stored(String name) {
        return Optional.ofNullable(stored.get(name));
    }

    /** A record that is not what it should be: the directory is not used. */
    private static final class Malformed extends Exception {
        Malformed() {
            super(null, null, false, false);
        }
    }

    private static Map<String, Stored> entries(FileChannel ch) throws IOException, Malformed {
        long size = ch.size();
        int tail = (int) Math.min(size, 22 + 65535);
        ByteBuffer end = read(ch, size - tail, tail);
        int eocd = -1;
        for (int p = tail - 22; p >= 0; p--) {
            if (end.getInt(p) == EOCD && (end.getShort(p + 20) & 0xffff) == tail - 22 - p) {
                eocd = p;
                break;
            }
        }
        if (eocd < 0) {
            throw new Malformed();
        }
        long count = end.getShort(eocd + 10) & 0xffffL;
        long dirSize = end.getInt(eocd + 12) & 0xffffffffL;
        long dirOffset = end.getInt(eocd + 16) & 0xffffffffL;
        long eocdAt = size - tail + eocd;
        if (eocdAt >= 20) {
            ByteBuffer locator = read(ch, eocdAt - 20, 20);
            if (locator.getInt(0) == ZIP64_LOCATOR) {
                long at = locator.getLong(8);
                check(at >= 0 && at + 56 <= eocdAt);
                ByteBuffer z = read(ch, at, 56);
                check(z.getInt(0) == ZIP64_EOCD);
                count = z.getLong(32);
                dirSize = z.getLong(40);
                dirOffset = z.getLong(48);
            }
        }
        check(dirOffset >= 0 && dirSize >= 0 && dirSize <= MAX_DIRECTORY && dirOffset + dirSize <= eocdAt);
        ByteBuffer dir = read(ch, dirOffset, (int) dirSize);
        Map<String, Stored> out = new LinkedHashMap<>();
        int p = 0;
        for (long e = 0; e < count; e++) {
            check(p + 46 <= dir.limit() && dir.getInt(p) == CENTRAL);
            int flags = dir.getShort(p + 8) & 0xffff;
            int method = dir.getShort(p + 10) & 0xffff;
            long compressed = dir.getInt(p + 20) & 0xffffffffL;
            long uncompressed = dir.getInt(p + 24) & 0xffffffffL;
            int nameLength = dir.getShort(p + 28) & 0xffff;
            int extraLength = dir.getShort(p + 30) & 0xffff;
            int commentLength = dir.getShort(p + 32) & 0xffff;
            long local = dir.getInt(p + 42) & 0xffffffffL;
            int next = p + 46 + nameLength + extraLength + commentLength;
            check(next <= dir.limit());
            byte[] nameBytes = new byte[nameLength];
            dir.get(p + 46, nameBytes);
            for (int x = p + 46 + nameLength; x + 4 <= p + 46 + nameLength + extraLength; ) {
                int id = dir.getShort(x) & 0xffff;
                int len = dir.getShort(x + 2) & 0xffff;
                check(x + 4 + len <= p + 46 + nameLength + extraLength);
                if (id == 0x0001) {
                    int q = x + 4;
                    int stop = q + len;
                    if (uncompressed == 0xffffffffL) {
                        check(q + 8 <= stop);
                        uncompressed = dir.getLong(q);
                        q += 8;
                    }
                    if (compressed == 0xffffffffL) {
                        check(q + 8 <= stop);
                        compressed = dir.getLong(q);
                        q += 8;
                    }
                    if (local == 0xffffffffL) {
                        check(q + 8 <= stop);
                        local = dir.getLong(q);
                    }
                }
                x += 4 + len;
            }
            p = next;
            boolean encrypted = (flags & 1) != 0;
            if (method != 0 || encrypted || compressed != uncompressed) {
                continue;
            }
            String name = new String(nameBytes, (flags & 0x800) != 0 ? StandardCharsets.UTF_8
                    : StandardCharsets.ISO_8859_1);
            Stored s = local(ch, local, nameBytes, uncompressed, dirOffset);
            if (s != null) {
                out.put(name, s);
            }
        }
        return out;
    }

    /** The data of the entry whose local header is at {@code at}, or null when the header disagrees. */
    private static Stored local(FileChannel ch, long at, byte[] name, long size, long dirOffset) throws IOException {
        if (at < 0 || at + 30 > dirOffset) {
            return null;
        }
        ByteBuffer h = read(ch, at, 30);
        if (h.getInt(0) != LOCAL || (h.getShort(8) & 0xffff) != 0 || (h.getShort(6) & 1) != 0) {
            return null;
        }
        int nameLength = h.getShort(26) & 0xffff;
        int extraLength = h.getShort(28) & 0xffff;
        if (nameLength != name.length || at + 30 + nameLength > dirOffset) {
            return null;
        }
        ByteBuffer n = read(ch, at + 30, nameLength);
        for (int i = 0; i < nameLength; i++) {
            if (n.get(i) != name[i]) {
                return null;
            }
        }
        long data = at + 30 + nameLength + extraLength;
        if (data + size > dirOffset) {
            return null;
        }
        return new Stored(data, size);
    }

    private static void check(boolean ok) throws Malformed {
        if (!ok) {
            throw new Malformed();
        }
    }

    private static ByteBuffer read(FileChannel ch, long position, int bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                break;
            }
        }
        b.flip();
        if (b.limit() < bytes) {
            throw new java.io.EOFException("zip file ends early");
        }
        return b;
    }
}
