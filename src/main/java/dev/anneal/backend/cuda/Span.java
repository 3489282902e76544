package dev.anneal.backend.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * A range of device memory handed to a kernel or a copy: {@code count} elements of {@code unit} ({@code "floats"})
 * at {@code byteOffset} bytes into the allocation {@code base}, named for error messages ({@code "params"}). An
 * absent optional buffer is a null pointer ({@link #absent}), which the kernels test for. Nothing is formatted
 * until a message needs it ({@link #size}, {@link #describe}), and the {@link CUdeviceptr} of the range is made
 * only for the calls that take one ({@link #pointer}); a launch reads {@link #address}.
 */
record Span(String name, DevicePointer base, long byteOffset, long count, String unit) {
    static Span absent(String name) {
        return new Span(name, new DevicePointer(), 0, 0, null);
    }

    /** The device pointer of the first element, for JCuda calls. */
    CUdeviceptr pointer() {
        return byteOffset == 0 ? base : base.withByteOffset(byteOffset);
    }

    /** The device address of the first element (0 when absent), for a kernel's argument block. */
    long address() {
        return base.address() + byteOffset;
    }

    /** {@code "1000003 floats"}, or {@code "null"} when absent. */
    String size() {
        return unit == null ? "null" : count + " " + unit;
    }

    /** {@code "params 1000003 floats"}. */
    String describe() {
        return name + " " + size();
    }
}
