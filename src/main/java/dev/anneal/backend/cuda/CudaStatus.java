package dev.anneal.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUresult;

/**
 * Whether CUDA can be used in this process and, if not, one line why; with what probing found on the way: the
 * CUDA version the driver supports, the devices, the PTX ISA version of the built kernels and whether cuBLAS
 * loaded. The reasons, first that applies:
 * <ol>
 *   <li>{@code no NVIDIA driver: libcuda.so.1 not found} (JCuda's driver bindings link it)</li>
 *   <li>{@code cuInit failed: CUDA_ERROR_...}</li>
 *   <li>{@code no CUDA device}</li>
 *   <li>{@code CUDA kernels missing from this build ...} (a jar not built by this pom), or the built PTX does not
 *       match the launchers</li>
 * </ol>
 * One more shows only when a device loads the kernels ({@link CudaBackend#open}): the PTX needs a newer driver.
 *
 * @param problem null when CUDA can be used, else the reason
 * @param driverVersion {@code cuDriverGetVersion} ({@code 12040} for CUDA 12.4), 0 when unknown
 * @param devices every device, in ordinal order; empty when none or no driver
 * @param ptxVersion the kernels' PTX ISA version ({@code "9.0"}), null when not built
 * @param ptxBuild the nvcc that built them, null when not built
 * @param cublasProblem null when JCuda's cuBLAS bindings loaded, else why not
 */
public record CudaStatus(String problem, int driverVersion, List<CudaDevice> devices, String ptxVersion,
                         String ptxBuild, String cublasProblem) {
    static final String NO_DEVICE = "no CUDA device";

    private static CudaStatus cached;

    public CudaStatus {
        devices = List.copyOf(devices);
    }

    /** The status of this process, probed once (the driver's state cannot change after a failed load). */
    public static synchronized CudaStatus probe() {
        if (cached == null) {
            PtxBundle ptx = PtxBundle.fromClasspath();
            cached = probe(Driver.loadProblem(), DeviceQueries.JCUDA, ptx, Cublas.loadProblem());
        }
        return cached;
    }

    static CudaStatus probe(String driverLoadProblem, DeviceQueries driver, PtxBundle ptx, String cublasProblem) {
        String problem = driverLoadProblem;
        int version = 0;
        List<CudaDevice> devices = new ArrayList<>();
        if (problem == null) {
            int init = driver.init();
            if (init == CUresult.CUDA_ERROR_NO_DEVICE) {
                problem = NO_DEVICE;
            } else if (init != CUresult.CUDA_SUCCESS) {
                problem = "cuInit failed: " + CUresult.stringFor(init);
            }
        }
        if (problem == null) {
            version = driver.driverVersion();
            int count = driver.deviceCount();
            for (int i = 0; i < count; i++) {
                devices.add(driver.device(i));
            }
            if (count == 0) {
                problem = NO_DEVICE;
            }
        }
        if (problem == null) {
            problem = ptx.problem();
        }
        return new CudaStatus(problem, version, devices, ptx.version(), ptx.buildInfo(), cublasProblem);
    }

    /** Whether CUDA can be used (a device may still refuse the kernels, see {@link CudaBackend#open}). */
    public boolean usable() {
        return problem == null;
    }

    /** {@code "CUDA 12.4"}, or {@code "none"} when the driver did not answer. */
    public String driver() {
        return driverVersion == 0 ? "none" : "CUDA " + Driver.cudaVersion(driverVersion);
    }

    /** {@code "PTX ISA 9.0 (nvcc: Build cuda_13.0...)"}, or the reason none were built. */
    public String kernels() {
        if (ptxVersion == null) {
            return PtxBundle.NOT_BUILT;
        }
        return "PTX ISA " + ptxVersion + (ptxBuild == null ? "" : " (" + ptxBuild + ")");
    }
}
