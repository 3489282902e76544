package dev.anneal.backend.cuda;

import dev.anneal.backend.IntArray;

/** An {@link IntArray} (class labels) in device memory of a {@link CudaBackend}. */
public final class CudaInts extends DeviceBuffer implements IntArray {
    CudaInts(Owner owner, DevicePointer base, long length) {
        super(owner, base, length);
    }

    @Override
    String unit() {
        return "ints";
    }
}
