package dev.anneal.data;

import static dev.anneal.spec.Saturating.plus;
import static dev.anneal.spec.Saturating.times;

import dev.anneal.spec.BadInput;
import dev.anneal.spec.Format;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether the features of an {@code npz} / {@code npy} dataset are memory-mapped ({@link MappedFeatures}) or read
 * into the heap, from {@code data.memory_map} and the arrays' headers, before any data is read. With
 * {@code E} the elements of the training and test feature arrays together and {@code heap}
 * {@link Runtime#maxMemory()}:
 *
 * <ul>
 *   <li>{@code auto}: map when {@code 4E > heap / 4} (the float32 features would take more than a quarter of
 *       the heap) or when one array has more elements than one Java array holds ({@link DataSpec#MAX_ARRAY});</li>
 *   <li>{@code true}: always map;</li>
 *   <li>{@code false}: never; when one array has more elements than a Java array holds, or reading them into
 *       memory (the float32 features and, while they are converted, the raw values: 1 byte per element for
 *       {@code uint8}, else 4) would take more than 90% of the heap, the data is refused in one line naming
 *       {@code data.memory_map}.</li>
 * </ul>
 *
 * A compressed {@code .npz} entry ({@code numpy.savez_compressed}) cannot be mapped: where it would be, it is
 * refused in one line that says to save the arrays with {@code numpy.savez} or as {@code .npy} files.
 */
final class MemoryMapChoice {
    /** {@code auto} maps when the float32 features would take more than this share of the heap. */
    static final double AUTO_SHARE = 0.25;
    /** {@code false} refuses data whose in-memory reading would take more than this share of the heap. */
    static final double HEAP_SHARE = 0.9;

    private MemoryMapChoice() {
    }

    /**
     * Whether to map the feature arrays {@code features} (their headers; nulls are skipped) under {@code mode}
     * ({@code data.memory_map}) in a JVM whose heap may grow to {@code maxHeap} bytes.
     *
     * @throws BadInput when {@code mode} is {@code false} and the features do not fit
     */
    static boolean decide(String mode, long maxHeap, Npy.Layout... features) {
        long elements = 0;
        long inMemory = 0;
        Npy.Layout widest = null;
        List<String> named = new ArrayList<>();
        for (Npy.Layout x : features) {
            if (x == null) {
                continue;
            }
            long e = elements(x);
            elements = plus(elements, e);
            inMemory = plus(inMemory, times(e, Float.BYTES + (x.dtype().unsignedByte() ? 1 : Float.BYTES)));
            widest = widest == null || e > elements(widest) ? x : widest;
            named.add(x.source() + " (shape " + Npy.shapeText(x.shape()) + " of " + x.dtype().numpyName() + ")");
        }
        boolean oversized = widest != null && elements(widest) > DataSpec.MAX_ARRAY;
        return switch (mode) {
            case DataSpec.MAP_ALWAYS -> true;
            case DataSpec.MAP_NEVER -> {
                if (oversized) {
                    throw new BadInput("data.memory_map: false, but " + widest.source() + " has shape "
                            + Npy.shapeText(widest.shape()) + ", " + elements(widest) + " values, more than one "
                            + "Java array holds (" + DataSpec.MAX_ARRAY + "); set data.memory_map: auto to train "
                            + "from the memory-mapped file");
                }
                if (inMemory > HEAP_SHARE * maxHeap) {
                    throw new BadInput("data.memory_map: false, but reading " + String.join(" and ", named)
                            + " into memory takes about " + Format.bytes(inMemory) + " (the float32 features and "
                            + "the raw values), more than this JVM may use (" + Format.bytes((long) (HEAP_SHARE
                            * maxHeap)) + " of its " + Format.bytes(maxHeap) + " heap); set data.memory_map: auto "
                            + "to train from the memory-mapped files, or raise the heap with ANNEAL_JAVA_OPTS=-Xmx...");
                }
                yield false;
            }
            default -> oversized || times(elements, Float.BYTES) > AUTO_SHARE * maxHeap;
        };
    }

    /**
     * The one-line refusal of a compressed entry {@code source} that {@code mode} would map.
     *
     * @param x the entry's header
     */
    static BadInput compressed(String mode, Npy.Layout x, long maxHeap) {
        if (DataSpec.MAP_ALWAYS.equals(mode)) {
            return new BadInput(x.source() + " is compressed (numpy.savez_compressed), so data.memory_map: true "
                    + "cannot map it; save the arrays with numpy.savez (uncompressed) or as .npy files "
                    + "(data.dataset: npy), or set data.memory_map: auto");
        }
        return new BadInput(x.source() + " is compressed (numpy.savez_compressed) and too large to read into the "
                + "heap (shape " + Npy.shapeText(x.shape()) + " of " + x.dtype().numpyName() + ", about "
                + Format.bytes(times(elements(x), Float.BYTES)) + " as float32; the heap is " + Format.bytes(maxHeap)
                + "); "
                + "save the arrays with numpy.savez (uncompressed), which is memory-mapped, or as .npy files with "
                + "data.dataset: npy");
    }

    /** The elements of {@code x}: the product of its shape. */
    static long elements(Npy.Layout x) {
        return x.dataBytes() / x.dtype().size();
    }



}
