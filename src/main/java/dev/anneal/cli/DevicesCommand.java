package dev.anneal.cli;

import dev.anneal.backend.cpu.CpuGemm;
import dev.anneal.backend.cpu.CpuParallel;
import dev.anneal.backend.cuda.CudaBackend;
import dev.anneal.backend.cuda.CudaDevice;
import dev.anneal.backend.cuda.CudaException;
import dev.anneal.backend.cuda.CudaStatus;
import dev.anneal.backend.cuda.CudaUnavailable;
import dev.anneal.distributed.MpiShim;
import dev.anneal.distributed.NcclStatus;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code anneal devices}: the CUDA driver, the kernels' PTX version, whether cuBLAS loaded, that cuDNN is not used
 * ({@link #CUDNN}), every GPU (name, compute capability, memory) with whether Anneal can run on it, the CPU, and a
 * last line saying whether CUDA is on or, where it is off, why. Where CUDA is usable each device is opened once, so
 * "ready" means the driver accepted the kernels, whether the MPI shim for multi-process runs loaded, and why not.
 * Exits 0 either way: this is a report, not a check.
 */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the CUDA devices and say whether Anneal can use them (and why not).")
final class DevicesCommand implements Callable<Integer> {
    /**
     * Why there is no cuDNN: convolutions run as Anneal's own PTX kernels (im2col and col2im around the SGEMM, the
     * same ops as the CPU twins, so CUDA and CPU runs agree), and no cuDNN binding is loaded: JCuda's Java binding,
     * jcudnn, is published on Maven Central up to 11.7.0 (cuDNN 8), not for the CUDA 12 JCuda this build uses.
     */
    static final String CUDNN = "cuDNN: not used: Anneal's own PTX kernels run every convolution (im2col + SGEMM); "
            + "no cuDNN binding is loaded (JCuda's jcudnn jar stops at 11.7.0, cuDNN 8, on Maven Central)";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CudaStatus status = CudaStatus.probe();
        out.println("driver: " + status.driver());
        out.println("kernels: " + status.kernels());
        out.println("cuBLAS: " + (status.cublasProblem() == null ? "loaded" : "not loaded (" + status.cublasProblem()
                + ")"));
        out.println(CUDNN);
        String firstProblem = status.problem();
        for (CudaDevice d : status.devices()) {
            String state = status.usable() ? tryOpen(d) : "not usable: " + status.problem();
            if (d.ordinal() == 0 && status.usable() && !state.startsWith("ready")) {
                firstProblem = state.substring("not usable: ".length());
            }
            out.println(d.id() + ": " + d.describe() + "; " + state);
        }
        out.println("cpu: SGEMM " + CpuGemm.implementation() + ", " + CpuParallel.threads() + " threads");
        MpiShim.Status mpi = MpiShim.load();
        out.println("MPI: " + (mpi.loaded() ? "shim loaded (" + mpi.version().orElse("?").lines().findFirst()
                .orElse("?").trim() + "): mpirun -np N anneal train runs one model over N processes"
                : "not available: " + mpi.reason() + " (anneal train runs in one process)"));
        if (mpi.loaded()) {
            out.println(NcclStatus.describe());
        }
        out.println(firstProblem == null ? "CUDA: on (device: auto runs on cuda:0)"
                : "CUDA: off: " + firstProblem + " (device: auto runs on the CPU)");
        out.flush();
        return 0;
    }

    private static String tryOpen(CudaDevice d) {
        try (CudaBackend b = CudaBackend.open(d.ordinal())) {
            return "ready, SGEMM " + b.gemmImplementation();
        } catch (CudaUnavailable e) {
            return "not usable: " + e.reason();
        } catch (CudaException e) {
            return "not usable: setting up " + d.id() + " failed: " + e.getMessage();
        }
    }
}
