package dev.anneal.distributed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The program {@link MpiWorldTest} starts on every rank with {@code mpirun}; it prints one line per fact it
 * checked, which the test reads back. Modes:
 * <ul>
 *   <li>{@code check CHUNK_FLOATS N...}: world facts, barrier, broadcast, gatherLongs, then for L = 1 and 2 and
 *       each N an {@link OrderedSum} of random floats compared bit for bit with a single-process loop over all
 *       W*L buffers in order;</li>
 *   <li>{@code timeout TIMEOUT_MS}: rank 0 sums 4 Mi floats while the other ranks never take part; it prints the
 *       {@link CollectiveTimeout} and calls abort(3);</li>
 *   <li>{@code kill}: every rank prints its pid; rank 1 sleeps 60 s, the others wait for it at a barrier (60 s),
 *       while the test kills rank 1;</li>
 *   <li>{@code bench L N CHUNK_FLOATS REPEATS}: time of an ordered sum (the median of REPEATS after 3 warm-up
 *       calls).</li>
 * </ul>
 */
public final class MpiCheckMain {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private MpiCheckMain() {
    }

    public static void main(String[] args) throws Exception {
        Launch launch = Launch.detect();
        MpiWorld world = MpiWorld.open(launch);
        String mode = args[0];
        boolean ok = switch (mode) {
            case "check" -> check(world, Integer.parseInt(args[1]), sizes(args, 2));
            case "timeout" -> timeout(world, Long.parseLong(args[1]));
            case "kill" -> kill(world);
            case "bench" -> bench(world, Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                    Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        };
        world.close();
        System.exit(ok ? 0 : 1);
    }

    private static int[] sizes(String[] args, int from) {
        int[] n = new int[args.length - from];
        for (int i = 0; i < n.length; i++) {
            n[i] = Integer.parseInt(args[from + i]);
        }
        return n;
    }

    private static boolean check(MpiWorld world, int chunk, int[] sizes) {
        int r = world.rank();
        int w = world.size();
        say("WORLD rank=%d size=%d localRank=%d localSize=%d host=%s version=%s", r, w, world.localRank(),
                world.localSize(), world.host(), world.libraryVersion().replace(' ', '_'));
        world.barrier(TIMEOUT, "start");
        boolean ok = broadcastAndGather(world);
        for (int locals = 1; locals <= 2; locals++) {
            OrderedSum sum = new OrderedSum(world, locals, chunk, TIMEOUT, "gradient sum");
            for (int n : sizes) {
                ok &= orderedSum(world, sum, locals, chunk, n);
            }
        }
        return ok;
    }

    private static boolean broadcastAndGather(MpiWorld world) {
        int r = world.rank();
        int root = world.size() - 1;
        ByteBuffer buffer = ByteBuffer.allocateDirect(1000);
        for (int i = 0; i < buffer.capacity(); i++) {
            buffer.put(i, (byte) (r == root ? i * 7 + 3 : -1));
        }
        buffer.position(10).limit(990);
        world.broadcast(buffer, root, TIMEOUT, "broadcast");
        int wrong = 0;
        ByteBuffer whole = buffer.duplicate().clear();
        for (int i = 0; i < whole.capacity(); i++) {
            byte expected = (byte) (r == root || (i >= 10 && i < 990) ? i * 7 + 3 : -1);
            wrong += whole.get(i) == expected ? 0 : 1;
        }
        say("BCAST rank=%d root=%d wrongBytes=%d position=%d limit=%d", r, root, wrong, buffer.position(),
                buffer.limit());
        long[] gathered = world.gatherLongs(1_000_000_007L * r - 5, TIMEOUT, "gather");
        boolean gatherOk = gathered.length == world.size();
        for (int k = 0; k < gathered.length && gatherOk; k++) {
            gatherOk = gathered[k] == 1_000_000_007L * k - 5;
        }
        say("GATHER rank=%d ok=%b", r, gatherOk);
        world.barrier(TIMEOUT, "after gather");
        return wrong == 0 && gatherOk && buffer.position() == 10 && buffer.limit() == 990;
    }

    /** Random floats of mixed magnitudes (1e-6 to 1e6, both signs), a function of (global replica, n). */
    static float[] replica(int global, int n) {
        SplittableRandom random = new SplittableRandom(0x5EEDL * 1_000_003L + global * 7919L + n);
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (float) ((2 * random.nextDouble() - 1) * Math.pow(10, random.nextInt(-6, 7)));
        }
        return g;
    }

    private static boolean orderedSum(MpiWorld world, OrderedSum sum, int locals, int chunk, int n) {
        int r = world.rank();
        int w = world.size();
        float[][] all = new float[w * locals][];
        for (int g = 0; g < all.length; g++) {
            all[g] = replica(g, n);
        }
        List<ByteBuffer> mine = new ArrayList<>();
        for (int l = 0; l < locals; l++) {
            ByteBuffer b = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(all[r * locals + l]);
            mine.add(b);
        }
        OrderedSum.Traffic traffic = sum.sum(mine, n);

        float[] inOrder = new float[n];
        float[] reverseOrder = new float[n];
        float[] treeOrder = new float[n];
        float[] level = new float[all.length];
        for (int i = 0; i < n; i++) {
            float s = all[0][i];
            for (int g = 1; g < all.length; g++) {
                s += all[g][i];
            }
            inOrder[i] = s;
            float t = all[all.length - 1][i];
            for (int g = all.length - 2; g >= 0; g--) {
                t = all[g][i] + t;
            }
            reverseOrder[i] = t;
            for (int g = 0; g < all.length; g++) {
                level[g] = all[g][i];
            }
            treeOrder[i] = pairwise(level, all.length);
        }
        int mismatches = 0;
        int reverseDiffers = 0;
        int treeDiffers = 0;
        for (int l = 0; l < locals; l++) {
            FloatBuffer f = mine.get(l).asFloatBuffer();
            for (int i = 0; i < n; i++) {
                mismatches += Float.floatToRawIntBits(f.get(i)) == Float.floatToRawIntBits(inOrder[i]) ? 0 : 1;
            }
        }
        for (int i = 0; i < n; i++) {
            reverseDiffers += Float.floatToRawIntBits(reverseOrder[i]) == Float.floatToRawIntBits(inOrder[i]) ? 0 : 1;
            treeDiffers += Float.floatToRawIntBits(treeOrder[i]) == Float.floatToRawIntBits(inOrder[i]) ? 0 : 1;
        }
        long hash = hash(mine.get(0).asFloatBuffer(), n);
        long[] hashes = world.gatherLongs(hash, TIMEOUT, "result hash");
        boolean hashesEqual = true;
        for (long h : hashes) {
            hashesEqual &= h == hash;
        }
        say("SUM W=%d L=%d n=%d chunk=%d rank=%d mismatches=%d treeOrderDiffers=%d reverseOrderDiffers=%d "
                + "hashesEqual=%b sent=%d received=%d expectedEachWay=%d", w, locals, n, chunk, r, mismatches,
                treeDiffers, reverseDiffers, hashesEqual, traffic.bytesSent(), traffic.bytesReceived(),
                ChunkPlan.bytesEachWay(r, w, n));
        return mismatches == 0 && hashesEqual;
    }

    /**
     * The pairwise tree of recursive doubling, as an MPI_Allreduce may sum: level by level, {@code v[k] = v[2k] +
     * v[2k+1]} (an odd last one carried up), until one value is left.
     */
    static float pairwise(float[] v, int count) {
        while (count > 1) {
            int half = 0;
            for (int k = 0; k + 1 < count; k += 2) {
                v[half++] = v[k] + v[k + 1];
            }
            if (count % 2 == 1) {
                v[half++] = v[count - 1];
            }
            count = half;
        }
        return v[0];
    }

    private static long hash(FloatBuffer f, int n) {
        long h = 1125899906842597L;
        for (int i = 0; i < n; i++) {
            h = 31 * h + Float.floatToRawIntBits(f.get(i));
        }
        return h;
    }

    private static boolean timeout(MpiWorld world, long timeoutMs) throws InterruptedException {
        if (world.rank() != 0) {
            Thread.sleep(120_000);
            return false;
        }
        int n = 4 << 20;
        ByteBuffer b = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        OrderedSum sum = new OrderedSum(world, 1, OrderedSum.DEFAULT_CHUNK_FLOATS, Duration.ofMillis(timeoutMs),
                "gradient sum");
        long start = System.nanoTime();
        try {
            sum.sum(List.of(b), n);
            say("NO-TIMEOUT");
            return false;
        } catch (CollectiveTimeout e) {
            say("TIMEOUT elapsedMs=%d message=%s", (System.nanoTime() - start) / 1_000_000, e.getMessage());
            System.out.flush();
            world.abort(3);
            return false;
        }
    }

    private static boolean kill(MpiWorld world) throws InterruptedException {
        say("PID rank=%d pid=%d", world.rank(), ProcessHandle.current().pid());
        System.out.flush();
        if (world.rank() == 1) {
            Thread.sleep(60_000);
        }
        world.barrier(TIMEOUT, "waiting to be killed");
        say("BARRIER-PASSED rank=%d", world.rank());
        return false;
    }

    private static boolean bench(MpiWorld world, int locals, int n, int chunk, int repeats) {
        List<ByteBuffer> mine = new ArrayList<>();
        for (int l = 0; l < locals; l++) {
            ByteBuffer b = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(replica(world.rank() * locals + l, n));
            mine.add(b);
        }
        OrderedSum sum = new OrderedSum(world, locals, chunk, TIMEOUT, "bench");
        long[] nanos = new long[repeats];
        for (int k = -3; k < repeats; k++) {
            world.barrier(TIMEOUT, "bench");
            long start = System.nanoTime();
            sum.sum(mine, n);
            if (k >= 0) {
                nanos[k] = System.nanoTime() - start;
            }
        }
        Arrays.sort(nanos);
        say("BENCH W=%d L=%d n=%d chunk=%d rank=%d medianMs=%.3f minMs=%.3f sent=%d", world.size(), locals, n,
                chunk, world.rank(), nanos[repeats / 2] / 1e6, nanos[0] / 1e6, sum.lastTraffic().bytesSent());
        return true;
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(format, args));
    }
}
