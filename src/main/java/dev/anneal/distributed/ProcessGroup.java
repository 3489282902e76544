package dev.anneal.distributed;

import java.util.List;

/**
 * The processes one training run spans (ranks {@code 0..size-1}, each with the same number of local replicas), and
 * the few collectives the trainer needs between them. A plain run is one process ({@link #SINGLE}); under
 * {@code mpirun} or {@code srun} the implementation is {@code dev.anneal.distributed.MpiProcessGroup}.
 *
 * <p>Every rank calls every collective in the same order with matching arguments (the trainer's control flow is
 * the same on every rank: it depends only on the config, the data and values the collectives make equal). A
 * collective that does not complete within the run's {@code train.collective_timeout} throws
 * {@link CollectiveFailure} naming it, the rank and the host.
 */
public interface ProcessGroup {
    /** One process: rank 0 of 1; every collective is the identity. */
    ProcessGroup SINGLE = new ProcessGroup() {
        @Override
        public int rank() {
            return 0;
        }

        @Override
        public int size() {
            return 1;
        }

        @Override
        public String describe() {
            return "1 process";
        }

        @Override
        public void orderedSum(List<float[]> local, int count, String what) {
            float[] s = local.get(0);
            for (int r = 1; r < local.size(); r++) {
                float[] b = local.get(r);
                for (int i = 0; i < count; i++) {
                    s[i] += b[i];
                }
            }
            for (int r = 1; r < local.size(); r++) {
                System.arraycopy(s, 0, local.get(r), 0, count);
            }
        }

        @Override
        public byte[][] allGather(byte[] mine, String what) {
            return new byte[][] {mine.clone()};
        }

        @Override
        public byte[] broadcast(byte[] fromRoot, String what) {
            return fromRoot.clone();
        }

    };

    /** This process's rank, {@code 0..size-1}. */
    int rank();

    /** The number of processes. */
    int size();

    /** One line for logs: {@code 3 processes (Open MPI 4.1.4), this is rank 1 on host-b}. */
    String describe();

    /**
     * The exact float sum over every replica of every rank, in global replica order (rank {@code k}'s local
     * replica {@code l} is replica {@code k x L + l}): afterwards {@code local.get(l)[i]} holds
     * {@code ((g_0[i] + g_1[i]) + g_2[i]) + ... + g_{W L - 1}[i]} for {@code i < count} on every rank, each
     * {@code +} one float addition, so the bits equal one process summing all {@code W x L} replicas in order.
     */
    void orderedSum(List<float[]> local, int count, String what);

    /** Every rank's {@code mine}, indexed by rank, on every rank. */
    byte[][] allGather(byte[] mine, String what);

    /** Rank 0's {@code fromRoot} on every rank (the argument is ignored on the others). */
    byte[] broadcast(byte[] fromRoot, String what);

    /** Whether this process writes the run's outputs (rank 0). */
    default boolean writes() {
        return rank() == 0;
    }
}
