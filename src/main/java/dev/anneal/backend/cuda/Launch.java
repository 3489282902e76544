package dev.anneal.backend.cuda;

/** One kernel launch, ready for {@code cuLaunchKernel}: the kernel, its geometry and its packed arguments. */
record Launch(Kernel kernel, Grid grid, KernelArgs args) {
    Launch {
        if (args.kernel() != kernel || !args.isDone()) {
            throw new IllegalArgumentException("arguments for " + args.kernel().entry() + " (finished: "
                    + args.isDone() + ") launched as " + kernel.entry());
        }
    }

    /** {@code "adam_step, grid (528, 1) x 256 threads, buffers scalars 16 floats, params 1000003 floats, ..."}. */
    String describe() {
        return describe(kernel, grid, args);
    }

    /** The same for a launch made without a {@code Launch} record (the backend's, from reusable arguments). */
    static String describe(Kernel kernel, Grid grid, KernelArgs args) {
        return kernel.entry() + ", " + grid + ", buffers " + args.buffers();
    }
}
