package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.distributed.NcclStatus;
import dev.anneal.distributed.ProcessGroup;
import dev.anneal.spec.BadInput;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link NcclChainAllReduce#ifRequested}: nothing happens with the switch off (the default) or in one process;
 * with {@code -Danneal.nccl=on}, a rank that cannot take part stops the run with one line naming it and why.
 */
class NcclSwitchTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final String before = System.getProperty(NcclStatus.PROPERTY);

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(NcclStatus.PROPERTY);
        } else {
            System.setProperty(NcclStatus.PROPERTY, before);
        }
    }

    @Test
    void offByDefaultAndInOneProcessNothingIsChosen() {
        try (CpuBackend a = new CpuBackend(); CpuBackend b = new CpuBackend()) {
            System.clearProperty(NcclStatus.PROPERTY);
            assertTrue(NcclChainAllReduce.ifRequested(List.of(a, b), new TwoRanks(), TIMEOUT).isEmpty());
            System.setProperty(NcclStatus.PROPERTY, "on");
            assertTrue(NcclChainAllReduce.ifRequested(List.of(a, b), ProcessGroup.SINGLE, TIMEOUT).isEmpty());
        }
    }

    @Test
    void onStopsWithTheRankThatCannotTakePartAndWhy() {
        System.setProperty(NcclStatus.PROPERTY, "on");
        try (CpuBackend a = new CpuBackend(); CpuBackend b = new CpuBackend()) {
            BadInput two = assertThrows(BadInput.class,
                    () -> NcclChainAllReduce.ifRequested(List.<Backend>of(a, b), new TwoRanks(), TIMEOUT));
            assertEquals("-Danneal.nccl=on, but on rank 0 this process has 2 replicas; the NCCL all-reduce takes one "
                    + "CUDA device per process (devices: 1, one process per GPU)", two.getMessage());
            BadInput cpu = assertThrows(BadInput.class,
                    () -> NcclChainAllReduce.ifRequested(List.<Backend>of(a), new TwoRanks(), TIMEOUT));
            assertEquals("-Danneal.nccl=on, but on rank 0 the replica is on cpu, not on a CUDA device",
                    cpu.getMessage());
            BadInput bad = assertThrows(BadInput.class, () -> {
                System.setProperty(NcclStatus.PROPERTY, "1");
                NcclChainAllReduce.ifRequested(List.<Backend>of(a), new TwoRanks(), TIMEOUT);
            });
            assertEquals("-Danneal.nccl must be off or on, got '1'", bad.getMessage());
        }
    }

    /** Rank 0 of two; the other rank reports no problem in the all-gather. */
    private record TwoRanks() implements ProcessGroup {
        @Override
        public int rank() {
            return 0;
        }

        @Override
        public int size() {
            return 2;
        }

        @Override
        public String describe() {
            return "2 processes (test)";
        }

        @Override
        public void orderedSum(List<float[]> local, int count, String what) {
            throw new UnsupportedOperationException();
        }

        @Override
        public byte[][] allGather(byte[] mine, String what) {
            return new byte[][] {mine.clone(), new byte[0]};
        }

        @Override
        public byte[] broadcast(byte[] fromRoot, String what) {
            return fromRoot.clone();
        }
    }
}
