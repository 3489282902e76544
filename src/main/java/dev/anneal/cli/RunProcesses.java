package dev.anneal.cli;

import dev.anneal.config.AnnealConfig;
import dev.anneal.config.ConfigError;
import dev.anneal.distributed.Launch;
import dev.anneal.distributed.MpiProcessGroup;
import dev.anneal.distributed.ProcessGroup;
import dev.anneal.io.IoProblems;
import dev.anneal.spec.BadInput;
import dev.anneal.spec.SpecException;
import dev.anneal.train.TrainingStopped;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The processes an {@code anneal train} spans: one, or every rank of the job {@code mpirun} / {@code srun} started
 * ({@link Launch#detect}), joined through MPI once the config has been read (so a bad config is reported by every
 * rank without starting MPI at all). Rank 0 alone prints progress and writes the run directory; an error on any
 * rank is printed as one line naming the rank and its host and ends the whole job at once ({@code MPI_Abort}) with
 * the exit code it would have had alone (2 for bad input, 1 otherwise), so no rank is left waiting.
 */
final class RunProcesses implements AutoCloseable {
    private final ProcessGroup group;
    private final MpiProcessGroup mpi;
    private final String note;

    private RunProcesses(ProcessGroup group, MpiProcessGroup mpi, String note) {
        this.group = group;
        this.mpi = mpi;
        this.note = note;
    }

    /**
     * This process's place in the run of {@code cfg}: {@link ProcessGroup#SINGLE} unless a launcher started
     * several; then MPI is initialised, with {@code train.collective_timeout} on every collective, and the config is
     * checked for the whole job ({@link AnnealConfig#acrossProcesses}).
     */
    static RunProcesses join(AnnealConfig cfg) {
        Launch launch = Launch.detect();
        if (!launch.multiProcess()) {
            return new RunProcesses(ProcessGroup.SINGLE, null, launch.note());
        }
        try {
            cfg.acrossProcesses(launch.size());
        } catch (SpecException e) {
            throw new BadInput(e.getMessage() + " (with " + launch.size() + " processes x devices " + cfg.devices()
                    + " replicas)");
        }
        Duration timeout = Duration.ofMillis(Math.round(cfg.train().collectiveTimeout() * 1000));
        MpiProcessGroup mpi = MpiProcessGroup.open(launch, timeout);
        return new RunProcesses(mpi, mpi, launch.note());
    }

    /**
     * What the launcher's environment says beyond the rank, for the run's log: e.g. Slurm variables without PMIx
     * (a batch script running Anneal directly is one process); empty when nothing.
     */
    String note() {
        return note == null ? "" : note;
    }

    ProcessGroup group() {
        return group;
    }

    /** This process's rank among those on its machine (which GPUs {@code device: cuda} means); 0 alone. */
    int localRank() {
        return mpi == null ? 0 : mpi.localRank();
    }

    /** {@code out} on rank 0; elsewhere a writer that drops everything (one progress display per job). */
    PrintWriter output(PrintWriter out) {
        return group.writes() ? out : new PrintWriter(Writer.nullWriter());
    }

    /** Rank 0's {@code path} on every rank (a default run directory names rank 0's clock). */
    Path agree(Path path) {
        if (group.size() == 1) {
            return path;
        }
        byte[] mine = group.writes() ? path.toString().getBytes(StandardCharsets.UTF_8) : new byte[0];
        return Path.of(new String(group.broadcast(mine, "run directory"), StandardCharsets.UTF_8));
    }

    /**
     * One line on the gradient sums of the {@code updates} updates this process ran, from every rank's
     * {@link MpiProcessGroup#sumTotals} (an all-gather, so every rank must call it, after training): the time per
     * update inside the sum (which includes waiting for slower ranks) and the bytes each rank sent and received
     * per update. Empty alone or without updates (on every rank alike).
     */
    Optional<String> gradientSums(long updates) {
        if (mpi == null || updates <= 0) {
            return Optional.empty();
        }
        MpiProcessGroup.SumTotals mine = mpi.sumTotals();
        ByteBuffer b = ByteBuffer.allocate(3 * Long.BYTES);
        b.putLong(mine.nanos()).putLong(mine.bytesSent()).putLong(mine.bytesReceived());
        byte[][] all = group.allGather(b.array(), "gradient sum totals");
        StringBuilder ms = new StringBuilder();
        StringBuilder traffic = new StringBuilder();
        for (int r = 0; r < all.length; r++) {
            ByteBuffer t = ByteBuffer.wrap(all[r]);
            double nanos = t.getLong();
            double sent = t.getLong();
            double received = t.getLong();
            ms.append(r == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.2f", nanos / updates * 1e-6));
            traffic.append(r == 0 ? "" : ", ").append(String.format(Locale.ROOT, "rank %d %.3f/%.3f", r,
                    sent / updates * 1e-6, received / updates * 1e-6));
        }
        return Optional.of("gradient sums (ordered chain over " + all.length + " processes, " + updates
                + " updates): ms per update on ranks 0.." + (all.length - 1) + ": " + ms + "; MB sent/received per "
                + "update: " + traffic);
    }

    /**
     * Runs {@code body}; over several processes a failure is printed to {@code err} as one line naming this rank
     * and host, then every process of the job is ended with its exit code. Alone, a failure propagates as usual.
     */
    int run(Callable<Integer> body, PrintWriter err) throws Exception {
        try {
            try {
                return body.call();
            } catch (IOException e) {
                throw new BadInput(IoProblems.describe(e));
            } catch (UncheckedIOException e) {
                throw new BadInput(IoProblems.describe(e.getCause()));
            }
        } catch (Exception | Error e) {
            if (mpi == null) {
                throw e;
            }
            boolean badInput = e instanceof BadInput || e instanceof ConfigError;
            boolean known = badInput || e instanceof TrainingStopped
                    || e instanceof dev.anneal.distributed.CollectiveFailure;
            err.println("anneal: rank " + mpi.rank() + " of " + mpi.size() + " (host " + mpi.host() + "): "
                    + (known ? e.getMessage() : e.toString()));
            if (!known) {
                e.printStackTrace(err);
            }
            err.flush();
            mpi.abort(badInput ? Main.BAD_INPUT : 1);
            throw e;
        }
    }

    /** Leaves the job: every rank waits for the others, then MPI is finalised. */
    @Override
    public void close() {
        if (mpi != null) {
            mpi.close();
        }
    }
}
