package dev.anneal.backend.cuda;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.backend.cpu.CpuGemm;
import dev.anneal.backend.cpu.CpuParallel;
import dev.anneal.spec.BadInput;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The config's {@code device} and {@code devices} turned into backends, one per data-parallel replica, and the
 * one line that says what runs:
 * <ul>
 *   <li>{@code cpu}: the CPU backend, {@code devices} times (replicas on threads);</li>
 *   <li>{@code auto}: {@code cuda:0} to {@code cuda:N-1} when CUDA can be used, N devices exist and each loads the
 *       kernels, else N CPU replicas, the note saying why ({@code "cpu (auto: no NVIDIA driver: libcuda.so.1 not
 *       found); SGEMM ..."});</li>
 *   <li>{@code cuda} ({@code cuda:0} to {@code cuda:N-1}), {@code cuda:N} (one GPU), {@code cuda:N,M,...} (those
 *       GPUs, in replica order): those GPUs, or a {@link BadInput} with the reason (exit 2); past the last device
 *       it says how many there are.</li>
 * </ul>
 * When opening a GPU fails after others were opened, those are closed before falling back or failing.
 */
public final class DeviceChoice {
    /** The backend and the note printed after {@code "anneal: device "}. */
    public record Choice(Backend backend, String note) {
    }

    /** One backend per replica, in replica order, and the note printed after {@code "anneal: device "}. */
    public record Choices(List<Backend> backends, String note) {
        public Choices {
            backends = List.copyOf(backends);
        }
    }

    private DeviceChoice() {
    }

    /** The backend for one device: {@code device} is {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N}. */
    public static Choice open(String device) {
        return open(device, CudaStatus::probe, CudaBackend::open);
    }

    static Choice open(String device, Supplier<CudaStatus> status, IntFunction<Backend> cuda) {
        Choices c = openAll(device, 1, status, cuda);
        return new Choice(c.backends().get(0), c.note());
    }

    /**
     * One backend per replica for {@code devices} replicas ({@code auto}, {@code cpu}, {@code cuda},
     * {@code cuda:N} with one replica, {@code cuda:N,M,...} with one replica per listed GPU).
     */
    public static Choices openAll(String device, int devices) {
        return openAll(device, devices, 0, CudaStatus::probe, CudaBackend::open);
    }

    /**
     * The same for one process of a multi-process run that is {@code localRank}-th on its machine: {@code auto}
     * and {@code cuda} then mean that process's own GPUs, {@code cuda:(localRank x devices)} onwards, so that the
     * processes on one machine do not share a GPU; a GPU named explicitly stays what it names.
     */
    public static Choices openAll(String device, int devices, int localRank) {
        return openAll(device, devices, Math.multiplyExact(localRank, devices), CudaStatus::probe,
                CudaBackend::open);
    }

    static Choices openAll(String device, int devices, Supplier<CudaStatus> status, IntFunction<Backend> cuda) {
        return openAll(device, devices, 0, status, cuda);
    }

    /** {@link #openAll(String, int)} with {@code auto} and {@code cuda} starting at GPU {@code first}. */
    static Choices openAll(String device, int devices, int first, Supplier<CudaStatus> status,
                           IntFunction<Backend> cuda) {
        if (devices < 1) {
            throw new BadInput("devices must be >= 1, got " + devices);
        }
        if (device.equals("cpu")) {
            return cpu(devices, "");
        }
        boolean auto = device.equals("auto");
        List<Integer> ordinals = ordinals(device, devices, first);
        CudaStatus s = status.get();
        String reason = s.problem();
        int available = s.devices().size();
        if (reason == null && devices > 1 && (auto || device.equals("cuda")) && first + devices > available) {
            reason = devices + " replicas need " + (first + devices) + " CUDA devices: " + count(available);
        }
        for (int k : ordinals) {
            if (reason == null && k >= available) {
                reason = "no device cuda:" + k + ": " + count(available);
            }
        }
        if (reason == null) {
            List<Backend> opened = new ArrayList<>();
            int at = ordinals.get(0);
            try {
                for (int k : ordinals) {
                    at = k;
                    opened.add(cuda.apply(k));
                }
                return new Choices(opened, note(opened, s, ordinals));
            } catch (CudaUnavailable e) {
                closeAll(opened, e);
                reason = e.reason();
            } catch (CudaException e) {
                closeAll(opened, e);
                reason = "setting up cuda:" + at + " failed: " + e.getMessage();
            } catch (RuntimeException | Error e) {
                closeAll(opened, e);
                throw e;
            }
        }
        if (auto) {
            return cpu(devices, " (auto: " + reason + ")");
        }
        String what = devices > 1 && !device.contains(",") ? device + " (devices: " + devices + ")" : device;
        throw new BadInput("device " + what + " cannot be used: " + reason + "; use device: cpu, or auto to fall "
                + "back to the CPU");
    }

    /** {@code "there are 2 CUDA devices: cuda:0 to cuda:1"}, {@code "there is 1 CUDA device: cuda:0"}. */
    static String count(int devices) {
        if (devices == 0) {
            return "there is no CUDA device";
        }
        if (devices == 1) {
            return "there is 1 CUDA device: cuda:0";
        }
        return "there are " + devices + " CUDA devices: cuda:0 to cuda:" + (devices - 1);
    }

    /**
     * The GPU of each replica: {@code auto} and {@code cuda} are cuda:first to cuda:first+N-1, {@code cuda:N} is
     * GPU N (one replica), {@code cuda:N,M,...} those GPUs (one replica each, distinct).
     */
    static List<Integer> ordinals(String device, int devices, int first) {
        if (device.equals("auto") || device.equals("cuda")) {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < devices; i++) {
                out.add(first + i);
            }
            return out;
        }
        List<Integer> listed = listed(device);
        if (listed.size() == 1 && devices > 1) {
            throw new BadInput("device " + device + " names one GPU but devices is " + devices + "; use device: cuda "
                    + "(cuda:0 to cuda:" + (devices - 1) + ") or list the GPUs, e.g. cuda:0,1");
        }
        if (listed.size() != devices) {
            throw new BadInput("device " + device + " lists " + listed.size() + " GPUs but devices is " + devices
                    + "; list one GPU per replica");
        }
        if (new HashSet<>(listed).size() != listed.size()) {
            throw new BadInput("device " + device + " names a GPU twice; list each GPU once");
        }
        return listed;
    }

    private static List<Integer> listed(String device) {
        if (device.startsWith("cuda:") && device.length() > 5) {
            List<Integer> out = new ArrayList<>();
            for (String part : device.substring(5).split(",", -1)) {
                if (part.isEmpty() || part.length() > 9 || !part.chars().allMatch(Character::isDigit)) {
                    out = null;
                    break;
                }
                out.add(Integer.parseInt(part));
            }
            if (out != null) {
                return out;
            }
        }
        throw new BadInput("device must be auto | cpu | cuda | cuda:N | cuda:N,M,..., got '" + device + "'");
    }

    private static void closeAll(List<Backend> opened, Throwable cause) {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
        opened.clear();
    }

    private static String note(List<Backend> opened, CudaStatus s, List<Integer> ordinals) {
        Set<String> gemm = new LinkedHashSet<>();
        for (Backend b : opened) {
            gemm.add(b instanceof CudaBackend c ? c.gemmImplementation() : "?");
        }
        String sgemm = "; SGEMM " + String.join(", ", gemm);
        if (ordinals.size() == 1) {
            int k = ordinals.get(0);
            return "cuda:" + k + " (" + s.devices().get(k).describe() + ", driver " + s.driver() + ")" + sgemm;
        }
        StringBuilder names = new StringBuilder("cuda:");
        Set<String> kinds = new LinkedHashSet<>();
        List<String> each = new ArrayList<>();
        for (int k : ordinals) {
            names.append(names.length() > 5 ? "," : "").append(k);
            String d = s.devices().get(k).describe();
            kinds.add(d);
            each.add("cuda:" + k + " " + d);
        }
        String described = kinds.size() == 1 ? ordinals.size() + " x " + kinds.iterator().next()
                : String.join("; ", each);
        return names + " (" + described + ", driver " + s.driver() + ")" + sgemm;
    }

    private static Choices cpu(int replicas, String why) {
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            backends.add(new CpuBackend());
        }
        String what = replicas == 1 ? "cpu" : "cpu x " + replicas + " replicas";
        return new Choices(backends, what + why + "; SGEMM " + CpuGemm.implementation() + ", "
                + CpuParallel.threads() + " threads");
    }
}
