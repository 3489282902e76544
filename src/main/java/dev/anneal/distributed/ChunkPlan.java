package dev.anneal.distributed;

/**
 * How {@link OrderedSum} cuts {@code floats} elements into pipeline chunks: chunk {@code c} covers elements
 * {@code [c * chunkFloats, min(floats, (c + 1) * chunkFloats))}, so there are {@code ceil(floats / chunkFloats)}
 * chunks, all full but possibly the last.
 */
record ChunkPlan(int floats, int chunkFloats) {
    ChunkPlan {
        if (floats < 0) {
            throw new IllegalArgumentException("floats must be >= 0, got " + floats);
        }
        if (chunkFloats < 1) {
            throw new IllegalArgumentException("chunk size must be >= 1 float, got " + chunkFloats);
        }
    }

    int chunks() {
        return (int) ((floats + (long) chunkFloats - 1) / chunkFloats);
    }

    /** The first element of chunk {@code c}. */
    int first(int c) {
        return c * chunkFloats;
    }

    /** The number of elements of chunk {@code c}. */
    int length(int c) {
        return Math.min(chunkFloats, floats - first(c));
    }

    /**
     * The bytes rank {@code rank} of {@code size} sends in one {@link OrderedSum} of {@code floats} elements, and
     * also the bytes it receives: the whole vector once to or from each chain neighbour, {@code 4 n} per
     * neighbour: partial sums go from rank {@code r} to {@code r + 1}, the final sum comes back from
     * {@code r + 1} to {@code r}.
     */
    static long bytesEachWay(int rank, int size, int floats) {
        int neighbours = (rank > 0 ? 1 : 0) + (rank < size - 1 ? 1 : 0);
        return (long) Float.BYTES * floats * neighbours;
    }
}
