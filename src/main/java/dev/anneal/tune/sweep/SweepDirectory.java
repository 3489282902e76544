package dev.anneal.tune.sweep;

import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/**
 * A sweep's directory: {@code sweep.yaml} (the spec, written first, atomically), {@code base.yaml} (the training
 * config the trials share), {@code trial-NNN/} (one ordinary run directory per trial), {@code sweep.csv},
 * {@code best.yaml}, {@code sweep.png}, {@code rungs.csv} (ASHA only), {@code logs/trial-NNN.log} (each trial's
 * {@code anneal train} output) and the lock files {@code .sweep.lock} (held by the running sweep) and
 * {@code .locks/trial-NNN.lock} (held by a trial's process).
 */
final class SweepDirectory implements AutoCloseable {
    private final Path root;
    private final int width;
    private FileChannel lockChannel;
    private FileLock lock;

    /** @param trials how many trials the sweep has (the width of the trial numbers) */
    SweepDirectory(Path root, long trials) {
        this.root = root;
        this.width = Math.max(3, Long.toString(Math.max(0, trials - 1)).length());
    }

    /** Claims a new sweep directory: it must be absent or empty. */
    static void requireNew(Path root) throws IOException {
        if (Files.exists(root)) {
            if (!Files.isDirectory(root)) {
                throw new BadInput(root + ": exists and is not a directory; pass another --out");
            }
            try (Stream<Path> s = Files.list(root)) {
                if (s.findAny().isPresent()) {
                    throw new BadInput(root + ": already holds files; to continue that sweep run anneal sweep "
                            + "--resume " + root + ", else pass another --out");
                }
            }
        }
        Files.createDirectories(root);
    }

    /** Takes the sweep's lock for as long as this object is open; another sweep running here is a BadInput. */
    SweepDirectory lock() throws IOException {
        lockChannel = FileChannel.open(root.resolve(".sweep.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = lockChannel.tryLock();
        if (lock == null) {
            lockChannel.close();
            throw new BadInput(root + ": another anneal sweep is running in this directory; wait for it or stop it");
        }
        return this;
    }

    Path root() {
        return root;
    }

    Path specFile() {
        return root.resolve("sweep.yaml");
    }

    Path baseConfig() {
        return root.resolve("base.yaml");
    }

    Path csv() {
        return root.resolve("sweep.csv");
    }

    Path best() {
        return root.resolve("best.yaml");
    }

    Path plot() {
        return root.resolve("sweep.png");
    }

    Path rungs() {
        return root.resolve("rungs.csv");
    }

    String trialName(int trial) {
        return "trial-" + String.format("%0" + width + "d", trial);
    }

    Path trialDir(int trial) {
        return root.resolve(trialName(trial));
    }

    Path log(int trial) {
        return root.resolve("logs").resolve(trialName(trial) + ".log");
    }

    Path trialLock(int trial) {
        return root.resolve(".locks").resolve(trialName(trial) + ".lock");
    }

    @Override
    public void close() throws IOException {
        if (lock != null) {
            lock.release();
            lockChannel.close();
        }
    }
}
