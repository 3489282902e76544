package dev.anneal.parallel;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.backend.cuda.CudaBackend;
import dev.anneal.backend.cuda.CudaPeerAllReduce;
import java.util.List;
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
