package dev.anneal.parallel;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.backend.cuda.CudaBackend;
import dev.anneal.backend.cuda.CudaPeerAllReduce;
import dev.anneal.backend.cuda.NcclChainAllReduce;
import dev.anneal.distributed.ProcessGroup;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The choice behind {@link AllReduce#create}; {@code allowPeer = false} lets tests force the host-staged path. */
final class AllReduces {
    private AllReduces() {
    }

    static AllReduce create(List<Backend> backends, boolean allowPeer) {
        List<Backend> list = List.copyOf(backends);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("an all-reduce needs at least one replica");
        }
        if (list.size() == 1) {
            return new SingleReplica(list.get(0));
        }
        if (list.stream().allMatch(b -> b instanceof CpuBackend)) {
            return new InMemoryAllReduce(list);
        }
        if (list.stream().allMatch(b -> b instanceof CudaBackend)) {
            if (!allowPeer) {
                return new HostStagedAllReduce(list, "peer copies turned off");
            }
            String problem = CudaPeerAllReduce.peerProblem(list);
            if (problem == null) {
                return new PeerCopies(CudaPeerAllReduce.open(list));
            }
            return new HostStagedAllReduce(list, problem);
        }
        return new HostStagedAllReduce(list, "mixed backends "
                + list.stream().map(Backend::name).collect(Collectors.joining(", ")));
    }

    static AllReduce create(List<Backend> backends, ProcessGroup group, Duration timeout) {
        if (group.size() == 1) {
            return create(backends, true);
        }
        Optional<NcclChainAllReduce> nccl = NcclChainAllReduce.ifRequested(backends, group, timeout);
        return nccl.<AllReduce>map(Nccl::new).orElseGet(() -> new CrossProcessAllReduce(backends, group));
    }

    /** The NCCL chain across processes behind the {@link AllReduce} interface (one replica per process). */
    private record Nccl(NcclChainAllReduce nccl) implements AllReduce {
        @Override
        public void sum(List<dev.anneal.backend.FloatArray> buffers, long offset, long n) {
            nccl.sum(buffers, offset, n);
        }

        @Override
        public String describe() {
            return nccl.describe();
        }

        @Override
        public void close() {
            nccl.close();
        }
    }

    /** The CUDA peer-copy all-reduce behind the {@link AllReduce} interface. */
    private record PeerCopies(CudaPeerAllReduce peer) implements AllReduce {
        @Override
        public void sum(List<dev.anneal.backend.FloatArray> buffers, long offset, long n) {
            peer.sum(buffers, offset, n);
        }

        @Override
        public String describe() {
            return peer.describe();
        }

        @Override
        public void close() {
            peer.close();
        }
    }

    /** One replica: the sum over one replica is its own buffer, so nothing happens (after the argument checks). */
    private record SingleReplica(Backend backend) implements AllReduce {
        @Override
        public void sum(List<dev.anneal.backend.FloatArray> buffers, long offset, long n) {
            Replicas.check(1, buffers, offset, n);
        }

        @Override
        public String describe() {
            return "none (1 replica on " + backend.name() + ")";
        }

        @Override
        public void close() {
        }
    }
}
