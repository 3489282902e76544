package dev.anneal.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.driver.JCudaDriver;

/**
 * Every kernel's argument block, packed once per backend and reused by every launch of that kernel: one
 * allocation of pinned host memory ({@code cuMemAllocHost}, whose address Java can read) holding, per kernel with
 * {@code n} parameters, {@code cuLaunchKernel}'s {@code kernelParams} array ({@code n} pointers, written here once)
 * followed by the {@code n} 8-byte slots they point at. A launch writes only the values into the slots
 * ({@link KernelArgs#reusable}); JCuda then passes one plain pointer instead of marshalling an array of pointer
 * objects and a Java array per scalar. A few KiB in all. Not thread-safe, like the backend.
 */
final class ArgumentBlocks implements AutoCloseable {
    private final HostPointer host = new HostPointer();
    private final KernelArgs[] args = new KernelArgs[Kernel.values().length];
    private boolean allocated;

    /** Allocates and lays out the blocks; the backend's context must be current. */
    ArgumentBlocks() {
        long total = 0;
        for (Kernel k : Kernel.values()) {
            total += 16L * k.params().size();
        }
        Driver.check(JCudaDriver.cuMemAllocHost(host, total), "cuMemAllocHost of " + total
                + " bytes for kernel arguments");
        allocated = true;
        ByteBuffer all = host.getByteBuffer(0, total).order(ByteOrder.nativeOrder());
        long base = host.address();
        long at = 0;
        for (Kernel k : Kernel.values()) {
            int n = k.params().size();
            long slots = at + 8L * n;
            for (int i = 0; i < n; i++) {
                all.putLong((int) (at + 8L * i), base + slots + 8L * i);
            }
            args[k.ordinal()] = KernelArgs.reusable(k, host.getByteBuffer(slots, 8L * n)
                    .order(ByteOrder.nativeOrder()), host.withByteOffset(at));
            at += 16L * n;
        }
    }

    /** {@code kernel}'s arguments, emptied for a launch. */
    KernelArgs args(Kernel kernel) {
        return args[kernel.ordinal()].reset();
    }

    @Override
    public void close() {
        if (allocated) {
            allocated = false;
            Driver.check(JCudaDriver.cuMemFreeHost(host), "cuMemFreeHost of the kernel arguments");
        }
    }
}
