package dev.anneal.distributed;

import dev.anneal.spec.BadInput;
import java.util.Map;

/**
 * How this process was started, read from its launcher's environment:
 * <ul>
 *   <li>Open MPI {@code mpirun}: {@code OMPI_COMM_WORLD_RANK}, {@code OMPI_COMM_WORLD_SIZE},
 *       {@code OMPI_COMM_WORLD_LOCAL_RANK};</li>
 *   <li>Slurm {@code srun --mpi=pmix}: {@code SLURM_PROCID}, {@code SLURM_STEP_NUM_TASKS} (else
 *       {@code SLURM_NTASKS}), {@code SLURM_LOCALID}, and {@code PMIX_RANK}, which must equal the Slurm rank. Slurm
 *       variables without {@code PMIX_RANK} (a batch script running Anneal directly, or {@code srun} without PMIx)
 *       mean a single process; {@link #note()} then says so.</li>
 * </ul>
 * Anything else is a single process: rank 0 of 1. Values that are not numbers or not {@code 0 <= rank < size}
 * are {@link BadInput}.
 *
 * @param launcher  what started the process, in words ("Open MPI mpirun", "Slurm srun (PMIx)", "none")
 * @param rank      this process's rank in {@code 0..size-1}
 * @param size      the number of processes of the job
 * @param localRank this process's rank among those of the job on its machine
 * @param note      empty, or why launcher variables were present but the process still runs alone
 */
public record Launch(String launcher, int rank, int size, int localRank, String note) {
    public static final String OPEN_MPI = "Open MPI mpirun";
    public static final String SLURM = "Slurm srun (PMIx)";
    public static final String NONE = "none";

    /** This process's launch, from {@link System#getenv()}. */
    public static Launch detect() {
        return fromEnvironment(System.getenv());
    }

    /** True when the job has more than one process, so that training needs an {@link MpiWorld}. */
    public boolean multiProcess() {
        return size > 1;
    }

    static Launch fromEnvironment(Map<String, String> env) {
        if (env.containsKey("OMPI_COMM_WORLD_SIZE")) {
            int size = number(env, "OMPI_COMM_WORLD_SIZE");
            return checked(OPEN_MPI, number(env, "OMPI_COMM_WORLD_RANK"), size,
                    number(env, "OMPI_COMM_WORLD_LOCAL_RANK"), "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE");
        }
        if (env.containsKey("SLURM_PROCID")) {
            String sizeVariable = env.containsKey("SLURM_STEP_NUM_TASKS") ? "SLURM_STEP_NUM_TASKS" : "SLURM_NTASKS";
            int size = env.containsKey(sizeVariable) ? number(env, sizeVariable) : 1;
            int rank = number(env, "SLURM_PROCID");
            if (size > 1 && !env.containsKey("PMIX_RANK")) {
                return single("Slurm reports " + size + " tasks (" + sizeVariable + "), but this process has no "
                        + "PMIX_RANK (not started by srun --mpi=pmix): running as a single process");
            }
            if (size > 1 && number(env, "PMIX_RANK") != rank) {
                throw new BadInput("launcher environment: PMIX_RANK=" + env.get("PMIX_RANK")
                        + " differs from SLURM_PROCID=" + rank + "; start the job with srun --mpi=pmix");
            }
            int localRank = env.containsKey("SLURM_LOCALID") ? number(env, "SLURM_LOCALID") : 0;
            return checked(SLURM, rank, size, localRank, "SLURM_PROCID", sizeVariable);
        }
        return single("");
    }

    private static Launch single(String note) {
        return new Launch(NONE, 0, 1, 0, note);
    }

    private static Launch checked(String launcher, int rank, int size, int localRank, String rankVariable,
            String sizeVariable) {
        if (size < 1 || rank < 0 || rank >= size) {
            throw new BadInput("launcher environment: " + rankVariable + "=" + rank + " is not a rank of "
                    + sizeVariable + "=" + size);
        }
        if (localRank < 0 || localRank >= size) {
            throw new BadInput("launcher environment: local rank " + localRank + " is not a rank of a job of "
                    + size);
        }
        return size == 1 ? single("") : new Launch(launcher, rank, size, localRank, "");
    }

    private static int number(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null) {
            throw new BadInput("launcher environment: " + name + " is not set");
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new BadInput("launcher environment: " + name + "=" + value + " is not a number");
        }
    }
}
