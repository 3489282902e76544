package dev.anneal.backend.cuda;

/**
 * Device memory of 4-byte elements owned by one {@link CudaBackend}: its base pointer ({@code cuMemAlloc}, null for
 * length 0), its length in elements and whether it was closed. Offsets and lengths are checked against the length
 * (same rule and message as the CPU backend); a closed buffer cannot be used. Closing gives the memory back to
 * the owner; closing twice is harmless.
 */
abstract sealed class DeviceBuffer permits CudaFloats, CudaInts {
    static final int ELEMENT_BYTES = 4;

    /** Who frees the memory: the backend that allocated it (tests use buffers at fake addresses). */
    interface Owner {
        void free(DeviceBuffer buffer);

        /** The backend's name, {@code cuda:0}, for messages. */
        String name();
    }

    private final Owner owner;
    private final DevicePointer base;
    private final long length;
    private boolean closed;

    DeviceBuffer(Owner owner, DevicePointer base, long length) {
        this.owner = owner;
        this.base = base;
        this.length = length;
    }

    /** {@code floats} or {@code ints}. */
    abstract String unit();

    public final long length() {
        open();
        return length;
    }

    final Owner owner() {
        return owner;
    }

    /** The length, readable after close (for freeing and messages). */
    final long capacity() {
        return length;
    }

    /** The allocation itself, for {@code cuMemFree}. */
    final DevicePointer base() {
        return base;
    }

    final boolean isClosed() {
        return closed;
    }

    /** Elements {@code [offset, offset + count)} as a kernel argument named {@code name}. */
    final Span span(String name, long offset, long count) {
        checkRange(offset, count);
        return new Span(name, base, offset * ELEMENT_BYTES, count, unit());
    }

    /** Throws unless {@code [offset, offset + count)} lies inside the buffer. */
    final void checkRange(long offset, long count) {
        open();
        if (offset < 0 || count < 0 || offset + count > length) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + (offset + count) + ") of a buffer of "
                    + length);
        }
    }

    /** Marks the buffer closed without freeing (the owner freed it, or is about to). */
    final void markClosed() {
        closed = true;
    }

    public final void close() {
        if (!closed) {
            closed = true;
            owner.free(this);
        }
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException(owner.name() + " buffer of " + length + " " + unit() + " used after close()");
        }
    }

    @Override
    public String toString() {
        return owner.name() + " buffer of " + length + " " + unit() + (closed ? " (closed)" : "");
    }
}
