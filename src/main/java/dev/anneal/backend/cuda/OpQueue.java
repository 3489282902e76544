package dev.anneal.backend.cuda;

import java.util.List;
import java.util.function.Function;

/**
 * Where the ops of a layer family ({@link CudaConv}, {@link CudaPool}, {@link CudaNorm}, {@link CudaDropout}) go:
 * {@code plan} checks the arguments on the host and returns the launchers ({@link CudaPlanner}); the backend
 * queues them on its stream, the test-only planned backend records them.
 */
@FunctionalInterface
interface OpQueue {
    void submit(Function<CudaPlanner, List<Launcher>> plan);
}
