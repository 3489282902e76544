package dev.anneal.backend.cuda;

import jcuda.Pointer;

/** A pointer to host memory from {@code cuMemAllocHost} whose address Java can read (see {@link DevicePointer}). */
final class HostPointer extends Pointer {
    /** The host address of the allocation (0 before it is made). */
    long address() {
        return getNativePointer() + getByteOffset();
    }
}
