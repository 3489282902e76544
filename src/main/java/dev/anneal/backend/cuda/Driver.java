package dev.anneal.backend.cuda;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * JCuda's driver bindings, loaded once per process. Loading them links {@code libcuda.so.1}; where it is missing
 * the load fails with an {@link UnsatisfiedLinkError}, which is how "no NVIDIA driver" shows. JCuda's own
 * exceptions stay off: every {@code CUresult} is checked and a failure named. Calls made per op or per step check
 * the code first and build their message only when it is not {@code CUDA_SUCCESS}
 * ({@code if (result != CUDA_SUCCESS) throw new CudaException(...)}); {@link #check} is for the rest, whose
 * message is a constant or whose call is rare (setup, close).
 */
final class Driver {
    static final String NO_DRIVER = "no NVIDIA driver: libcuda.so.1 not found";

    private static final String LOAD_PROBLEM = load();

    private Driver() {
    }

    /** Null when the bindings loaded; otherwise why not, in one line. */
    static String loadProblem() {
        return LOAD_PROBLEM;
    }

    /**
     * Throws a {@link CudaException} naming {@code what} unless {@code result} is {@code CUDA_SUCCESS}. The message
     * is an argument, so it is built before the call: use it on hot paths only with a constant.
     */
    static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException(what, result);
        }
    }

    /** {@code 12040} as {@code "12.4"}: the CUDA version a driver supports, from {@code cuDriverGetVersion}. */
    static String cudaVersion(int driverVersion) {
        return driverVersion / 1000 + "." + driverVersion % 1000 / 10;
    }

    private static String load() {
        try {
            JCudaDriver.setExceptionsEnabled(false);
            return null;
        } catch (LinkageError e) {
            return describeLinkError(e, "libcuda.so.1", NO_DRIVER, "JCuda's CUDA driver bindings did not load");
        }
    }

    /**
     * One line for a failed native load: {@code missing} when the message says that library could not be opened,
     * else {@code otherwise} with the most specific nested {@code UnsatisfiedLinkError} line of JCuda's message.
     */
    static String describeLinkError(Throwable e, String library, String missing, String otherwise) {
        String message = String.valueOf(e.getMessage());
        if (message.contains(library + ": cannot open shared object file")) {
            return missing;
        }
        String detail = message.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(message);
        for (String line : message.lines().toList()) {
            int at = line.indexOf("UnsatisfiedLinkError: ");
            if (at >= 0) {
                detail = line.substring(at + "UnsatisfiedLinkError: ".length()).strip();
            }
        }
        return otherwise + ": " + detail;
    }
}
