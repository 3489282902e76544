package dev.anneal.backend.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * A device pointer whose address Java can read: JCuda keeps a {@link CUdeviceptr}'s value in a protected field,
 * which a subclass may read. The backend allocates into these ({@code cuMemAlloc} fills in any
 * {@code CUdeviceptr}), so that a launch can write a buffer's address straight into its kernel's argument block
 * ({@link ArgumentBlocks}) instead of having JCuda marshal a pointer object per parameter per launch.
 */
final class DevicePointer extends CUdeviceptr {
    /** The device address (0 for a null pointer), including any byte offset. */
    long address() {
        return getNativePointer() + getByteOffset();
    }
}
