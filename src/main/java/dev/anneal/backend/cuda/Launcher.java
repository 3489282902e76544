package dev.anneal.backend.cuda;

/**
 * A typed launcher: a record holding one kernel's arguments by name and type, which picks its kernel and grid
 * ({@link Grid}) and packs its arguments in the kernel's order ({@link KernelArgs}). The backend packs into the
 * kernel's reusable argument block ({@link ArgumentBlocks}); {@link #launch} packs into a fresh set, for tests and
 * messages.
 */
interface Launcher {
    /** The kernel this launches. */
    Kernel kernel();

    /** The grid on a device with {@code multiprocessors} SMs. */
    Grid grid(int multiprocessors);

    /** Packs the arguments into {@code args}, which is {@link #kernel()}'s and empty; does not finish it. */
    void pack(KernelArgs args);

    /** The launch on a device with {@code multiprocessors} SMs, with its own copy of the arguments. */
    default Launch launch(int multiprocessors) {
        Kernel k = kernel();
        KernelArgs args = KernelArgs.of(k);
        pack(args);
        return new Launch(k, grid(multiprocessors), args.done());
    }
}
