package dev.anneal.backend.cuda;

import dev.anneal.backend.FloatArray;

/** A {@link FloatArray} in device memory of a {@link CudaBackend}. */
public final class CudaFloats extends DeviceBuffer implements FloatArray {
    CudaFloats(Owner owner, DevicePointer base, long length) {
        super(owner, base, length);
    }

    @Override
    String unit() {
        return "floats";
    }
}
