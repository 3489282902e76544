package dev.anneal.backend.cuda;

import dev.anneal.backend.StepGraph;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * An instantiated CUDA graph of one backend's stream capture: {@link #replay} is one {@code cuGraphLaunch} on the
 * backend's stream. The graph keeps the device pointers and scalar kernel arguments of the capture, so the buffers
 * it touches must stay allocated until it is closed.
 */
final class CudaGraph implements StepGraph {
    private final CUgraph graph;
    private final CUgraphExec exec;
    private final CudaBackend backend;
    private boolean closed;

    private CudaGraph(CUgraph graph, CUgraphExec exec, CudaBackend backend) {
        this.graph = graph;
        this.exec = exec;
        this.backend = backend;
    }

    /** Instantiates {@code graph}; destroys it when instantiation fails. */
    static CudaGraph instantiate(CUgraph graph, CudaBackend backend) {
        CUgraphExec exec = new CUgraphExec();
        int r = JCudaDriver.cuGraphInstantiate(exec, graph, 0);
        if (r != 0) {
            JCudaDriver.cuGraphDestroy(graph);
            Driver.check(r, "cuGraphInstantiate on " + backend.name());
        }
        return new CudaGraph(graph, exec, backend);
    }

    @Override
    public void replay() {
        if (closed) {
            throw new IllegalStateException("CUDA graph replayed after close()");
        }
        backend.makeCurrent();
        int result = JCudaDriver.cuGraphLaunch(exec, backend.stream());
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException("cuGraphLaunch on " + backend.name(), result);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        backend.makeCurrent();
        Driver.check(JCudaDriver.cuGraphExecDestroy(exec), "cuGraphExecDestroy on " + backend.name());
        Driver.check(JCudaDriver.cuGraphDestroy(graph), "cuGraphDestroy on " + backend.name());
    }
}
