package dev.anneal.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several JVMs under {@code mpirun} on this machine ({@link MpiRun}, {@link MpiCheckMain}): the ordered sum is
 * the single-process loop's bits on every rank, the collectives deliver what they promise, a silent peer turns
 * into a {@link CollectiveTimeout} and an abort, a killed rank ends the job. Skipped, with the reason, where Open
 * MPI is not installed.
 */
class MpiWorldTest {
    private static final int CHUNK = 1000;
    private static final int[] SIZES = {0, 3, 10_007, 262_147};

    private static Path shim;

    @BeforeAll
    static void buildShim() throws Exception {
        shim = MpiRun.shimOrSkip();
    }

    @Test
    void twoRanksSumInReplicaOrderAndShareBroadcastGatherAndBarrier() throws Exception {
        checkJob(2);
    }

    @Test
    void threeRanksSumInReplicaOrderAndShareBroadcastGatherAndBarrier() throws Exception {
        checkJob(3);
    }

    private static void checkJob(int ranks) throws Exception {
        String[] args = new String[2 + SIZES.length];
        args[0] = "check";
        args[1] = Integer.toString(CHUNK);
        for (int i = 0; i < SIZES.length; i++) {
            args[2 + i] = Integer.toString(SIZES[i]);
        }
        try (MpiRun job = MpiRun.start(shim, ranks, args)) {
            int status = job.waitFor(150);
            String output = job.output();
            assertEquals(0, status, output);

            List<Map<String, String>> world = facts(job.lines("WORLD "));
            assertEquals(ranks, world.size(), output);
            TreeSet<Integer> seen = new TreeSet<>();
            for (Map<String, String> w : world) {
                int rank = Integer.parseInt(w.get("rank"));
                seen.add(rank);
                assertEquals(Integer.toString(ranks), w.get("size"), output);
                assertEquals(Integer.toString(rank), w.get("localRank"), "one host: local rank = rank");
                assertEquals(Integer.toString(ranks), w.get("localSize"), output);
                assertTrue(w.get("version").startsWith("Open_MPI"), w.get("version"));
            }
            assertEquals(ranks, seen.size(), output);
            for (Map<String, String> b : facts(job.lines("BCAST "))) {
                assertEquals("0", b.get("wrongBytes"), output);
                assertEquals("10", b.get("position"), output);
                assertEquals("990", b.get("limit"), output);
            }
            assertEquals(ranks, job.lines("GATHER rank=").stream().filter(l -> l.endsWith("ok=true")).count(),
                    output);

            List<Map<String, String>> sums = facts(job.lines("SUM "));
            assertEquals(ranks * 2 * SIZES.length, sums.size(), output);
            for (Map<String, String> s : sums) {
                int buffers = ranks * Integer.parseInt(s.get("L"));
                int n = Integer.parseInt(s.get("n"));
                String where = s.toString();
                assertEquals("0", s.get("mismatches"), where);
                assertEquals("true", s.get("hashesEqual"), where);
                assertEquals(s.get("expectedEachWay"), s.get("sent"), where);
                assertEquals(s.get("expectedEachWay"), s.get("received"), where);
                if (n >= 10_007 && buffers >= 3) {
                    assertNotEquals("0", s.get("reverseOrderDiffers"), "the data must make the order visible: "
                            + where);
                }
                if (n >= 10_007 && buffers >= 4) {
                    assertNotEquals("0", s.get("treeOrderDiffers"), "a pairwise tree (MPI_Allreduce's recursive "
                            + "doubling) gives other bits: " + where);
                }
            }
        }
    }

    @Test
    void aSilentPeerTimesOutWithOneLineAndAbortEndsTheJob() throws Exception {
        try (MpiRun job = MpiRun.start(shim, 2, "timeout", "2000")) {
            Optional<MpiRun.Line> line = job.awaitLine(t -> t.startsWith("TIMEOUT "), 60);
            assertTrue(line.isPresent(), job.output());
            int status = job.waitFor(60);
            Matcher m = Pattern.compile("TIMEOUT elapsedMs=(\\d+) message=(.*)").matcher(line.get().text());
            assertTrue(m.matches(), line.get().text());
            long elapsed = Long.parseLong(m.group(1));
            assertTrue(elapsed >= 2000 && elapsed < 4000, "timed out after " + elapsed + " ms for a 2 s timeout");
            assertTrue(m.group(2).matches("collective 'gradient sum' timed out after 2 s on rank 0 \\(host \\S+\\) "
                    + "waiting for rank 1"), m.group(2));
            assertEquals(3, status, "MPI_Abort(3) is the job's status:\n" + job.output());
            long abortSeconds = TimeUnit.NANOSECONDS.toSeconds(job.exitNanos() - line.get().nanos());
            assertTrue(abortSeconds < 10, "the job ended " + abortSeconds + " s after the abort");
        }
    }

    @Test
    void aRankKilledWithSigkillEndsTheJobWithinSeconds() throws Exception {
        try (MpiRun job = MpiRun.start(shim, 3, "kill")) {
            for (int rank = 0; rank < 3; rank++) {
                String prefix = "PID rank=" + rank + " ";
                assertTrue(job.awaitLine(t -> t.startsWith(prefix), 60).isPresent(), job.output());
            }
            long pid = Long.parseLong(facts(job.lines("PID rank=1 ")).get(0).get("pid"));
            Thread.sleep(500);
            long killed = System.nanoTime();
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false),
                    "rank 1 (pid " + pid + ") was not there to kill:\n" + job.output());
            int status = job.waitFor(60);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(job.exitNanos() - killed);
            assertNotEquals(0, status, job.output());
            assertTrue(seconds < 10, "the job ended " + seconds + " s after the kill");
            assertEquals(List.of(), job.lines("BARRIER-PASSED"),
                    "ranks 0 and 2 must not pass a barrier without rank 1");
        }
    }

    /** "KEY a=1 b=x" -> {a=1, b=x}, one map per line. */
    private static List<Map<String, String>> facts(List<String> lines) {
        return lines.stream().map(line -> {
            Map<String, String> map = new HashMap<>();
            for (String word : line.split(" ")) {
                int eq = word.indexOf('=');
                if (eq > 0) {
                    map.put(word.substring(0, eq), word.substring(eq + 1));
                }
            }
            return map;
        }).toList();
    }
}
