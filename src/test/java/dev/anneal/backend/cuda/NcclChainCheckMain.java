package dev.anneal.backend.cuda;

import dev.anneal.backend.FloatArray;
import dev.anneal.distributed.Launch;
import dev.anneal.distributed.MpiProcessGroup;
import dev.anneal.distributed.NcclComm;
import java.time.Duration;
import java.util.List;

/**
 * The program {@link NcclChainAllReduceTest} starts on every rank with {@code mpirun}, one emulated CUDA device per
 * rank and the NCCL stand-in; it prints {@code RANK r ...} lines, which the test reads back. Modes:
 * <ul>
 *   <li>{@code sum PLANTED CHUNK N...}: for each N, every rank's gradient (random floats, the same seeds on every
 *       rank, so each rank also knows the others') in a buffer of N + 5 floats, summed over {@code [2, 2 + N)} by
 *       {@link NcclChainAllReduce} with chunks of CHUNK floats and the bug PLANTED, then compared bit for bit with
 *       the single-process loop {@code s = g0; s += g1; ...} (and the floats outside the range with the
 *       gradient): {@code RANK r OK N} or {@code RANK r MISMATCH N at i: expected x, got y}; also the synchronising
 *       calls the second sum of each size made ({@code RANK r SYNC N k}) and the all-reduce's description;</li>
 *   <li>{@code freed}: each rank sends a buffer it has freed to the next and receives into another it has freed,
 *       in one NCCL group (the stand-in must refuse).</li>
 * </ul>
 * Any exception prints {@code RANK r ERROR <message>} and ends the job through {@code MPI_Abort(1)}.
 */
public final class NcclChainCheckMain {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private NcclChainCheckMain() {
    }

    public static void main(String[] args) {
        MpiProcessGroup group = MpiProcessGroup.open(Launch.detect(), TIMEOUT);
        int rank = group.rank();
        boolean ok;
        try (CudaBackend backend = CudaBackend.open(0)) {
            ok = switch (args[0]) {
                case "sum" -> sums(group, backend, NcclChainAllReduce.Planted.valueOf(args[1]),
                        Long.parseLong(args[2]), sizes(args, 3));
                case "freed" -> freed(group, backend);
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            };
        } catch (RuntimeException | Error e) {
            say(rank, "ERROR " + e.getClass().getSimpleName() + ": " + e.getMessage());
            group.abort(1);
            return;
        }
        group.close();
        System.exit(ok ? 0 : 1);
    }

    private static boolean sums(MpiProcessGroup group, CudaBackend backend, NcclChainAllReduce.Planted planted,
                                long chunk, int[] sizes) {
        int rank = group.rank();
        int w = group.size();
        boolean ok = true;
        try (NcclChainAllReduce reduce = NcclChainAllReduce.open(backend, group, TIMEOUT, chunk, planted)) {
            say(rank, "DESCRIBE " + reduce.describe());
            for (int n : sizes) {
                float[][] g = PeerReplicas.data(n, w, n + 5);
                for (int call = 0; call < 2; call++) {
                    FloatArray buffer = Parity.put(backend, g[rank]);
                    EmulatedDriver.SyncCounts before = EmulatedDriver.syncCalls(1);
                    reduce.sum(List.of(buffer), 2, n);
                    EmulatedDriver.SyncCounts made = EmulatedDriver.syncCalls(1).minus(before);
                    float[] got = Parity.get(backend, buffer);
                    buffer.close();
                    String wrong = firstWrong(g, rank, got, 2, n);
                    ok &= wrong == null;
                    if (call == 1) {
                        say(rank, wrong == null ? "OK " + n : "MISMATCH " + n + " " + wrong);
                        say(rank, "SYNC " + n + " " + made.describe());
                    }
                }
            }
        }
        return ok;
    }

    /** Null when {@code got} holds the ordered sum inside {@code [offset, offset + n)} and g[rank] outside. */
    private static String firstWrong(float[][] g, int rank, float[] got, int offset, int n) {
        for (int i = 0; i < got.length; i++) {
            float want = g[rank][i];
            if (i >= offset && i < offset + n) {
                want = g[0][i];
                for (int k = 1; k < g.length; k++) {
                    want += g[k][i];
                }
            }
            if (Float.floatToIntBits(got[i]) != Float.floatToIntBits(want)) {
                return "at " + i + ": expected " + want + ", got " + got[i];
            }
        }
        return null;
    }

    private static boolean freed(MpiProcessGroup group, CudaBackend backend) {
        int rank = group.rank();
        int w = group.size();
        FloatArray a = backend.allocate(100);
        FloatArray b = backend.allocate(100);
        long from = backend.floats(a).span("a", 0, 100).address();
        long into = backend.floats(b).span("b", 0, 100).address();
        a.close();
        b.close();
        backend.makeCurrent();
        try (NcclComm comm = NcclComm.open(group, TIMEOUT)) {
            comm.groupStart();
            comm.send(from, 100, (rank + 1) % w, backend.streamAddress());
            comm.recv(into, 100, (rank + w - 1) % w, backend.streamAddress());
            comm.groupEnd();
        }
        say(rank, "SENT FROM FREED MEMORY");
        return false;
    }

    private static int[] sizes(String[] args, int from) {
        int[] n = new int[args.length - from];
        for (int i = 0; i < n.length; i++) {
            n[i] = Integer.parseInt(args[from + i]);
        }
        return n;
    }

    private static void say(int rank, String line) {
        System.out.println("RANK " + rank + " " + line);
        System.out.flush();
    }
}
