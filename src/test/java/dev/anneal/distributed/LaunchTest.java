package dev.anneal.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.spec.BadInput;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LaunchTest {
    @Test
    void noLauncherVariablesMeanOneProcess() {
        Launch launch = Launch.fromEnvironment(Map.of("HOME", "/root"));
        assertEquals(new Launch(Launch.NONE, 0, 1, 0, ""), launch);
        assertFalse(launch.multiProcess());
    }

    @Test
    void openMpiRankSizeAndLocalRankAreRead() {
        Launch launch = Launch.fromEnvironment(Map.of("OMPI_COMM_WORLD_RANK", "2", "OMPI_COMM_WORLD_SIZE", "4",
                "OMPI_COMM_WORLD_LOCAL_RANK", "0", "PMIX_RANK", "2"));
        assertEquals(new Launch(Launch.OPEN_MPI, 2, 4, 0, ""), launch);
        assertTrue(launch.multiProcess());
    }

    @Test
    void mpirunWithOneProcessIsASingleProcess() {
        Launch launch = Launch.fromEnvironment(Map.of("OMPI_COMM_WORLD_RANK", "0", "OMPI_COMM_WORLD_SIZE", "1",
                "OMPI_COMM_WORLD_LOCAL_RANK", "0"));
        assertFalse(launch.multiProcess());
    }

    @Test
    void slurmWithPmixPrefersTheStepsTaskCount() {
        Launch launch = Launch.fromEnvironment(Map.of("SLURM_PROCID", "5", "SLURM_NTASKS", "16",
                "SLURM_STEP_NUM_TASKS", "8", "SLURM_LOCALID", "1", "PMIX_RANK", "5"));
        assertEquals(new Launch(Launch.SLURM, 5, 8, 1, ""), launch);
    }

    @Test
    void slurmWithoutPmixRunsAloneAndSaysWhy() {
        Launch launch = Launch.fromEnvironment(Map.of("SLURM_PROCID", "0", "SLURM_NTASKS", "4"));
        assertFalse(launch.multiProcess());
        assertEquals("Slurm reports 4 tasks (SLURM_NTASKS), but this process has no PMIX_RANK (not started by "
                + "srun --mpi=pmix): running as a single process", launch.note());
    }

    @Test
    void pmixRankDisagreeingWithSlurmIsRefused() {
        BadInput e = assertThrows(BadInput.class, () -> Launch.fromEnvironment(Map.of("SLURM_PROCID", "1",
                "SLURM_NTASKS", "4", "PMIX_RANK", "3")));
        assertEquals("launcher environment: PMIX_RANK=3 differs from SLURM_PROCID=1; start the job with "
                + "srun --mpi=pmix", e.getMessage());
    }

    @Test
    void aRankOutsideTheWorldIsRefused() {
        BadInput e = assertThrows(BadInput.class, () -> Launch.fromEnvironment(Map.of("OMPI_COMM_WORLD_RANK", "4",
                "OMPI_COMM_WORLD_SIZE", "4", "OMPI_COMM_WORLD_LOCAL_RANK", "0")));
        assertEquals("launcher environment: OMPI_COMM_WORLD_RANK=4 is not a rank of OMPI_COMM_WORLD_SIZE=4",
                e.getMessage());
    }

    @Test
    void aValueThatIsNotANumberIsNamed() {
        BadInput e = assertThrows(BadInput.class, () -> Launch.fromEnvironment(Map.of("OMPI_COMM_WORLD_RANK", "one",
                "OMPI_COMM_WORLD_SIZE", "2", "OMPI_COMM_WORLD_LOCAL_RANK", "0")));
        assertEquals("launcher environment: OMPI_COMM_WORLD_RANK=one is not a number", e.getMessage());
    }

    @Test
    void aMissingLocalRankIsNamed() {
        BadInput e = assertThrows(BadInput.class, () -> Launch.fromEnvironment(Map.of("OMPI_COMM_WORLD_RANK", "1",
                "OMPI_COMM_WORLD_SIZE", "2")));
        assertEquals("launcher environment: OMPI_COMM_WORLD_LOCAL_RANK is not set", e.getMessage());
    }
}
