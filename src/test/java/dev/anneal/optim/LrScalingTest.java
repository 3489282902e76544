package dev.anneal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.spec.SpecException;
import org.junit.jupiter.api.Test;

class LrScalingTest {

    @Test
    void noneKeepsTheRateAtAnyBatch() {
        assertEquals("none", LrScaling.NONE.rule());
        assertFalse(LrScaling.NONE.linear());
        assertEquals(1.0, LrScaling.NONE.factor(1));
        assertEquals(1.0, LrScaling.NONE.factor(8192));
        assertEquals("none", LrScaling.NONE.describe(8192));
    }

    @Test
    void linearFactorIsGlobalBatchOverReferenceBatch() {
        LrScaling goyal = new LrScaling("linear", 256L);
        assertTrue(goyal.linear());
        // Goyal et al.: lr 0.1 at 256, so 8192 samples per update (256 GPUs x 32) train at 3.2.
        assertEquals(32.0, goyal.factor(8192));
        assertEquals(3.2, 0.1 * goyal.factor(8192), 1e-15);
        assertEquals(0.5, goyal.factor(128));
        assertEquals(1.0, goyal.factor(256));
        assertEquals(1.0 / 3.0, new LrScaling("linear", 3L).factor(1));
        assertEquals("linear x32 (global batch 8192 / reference_batch 256)", goyal.describe(8192));
        assertEquals("linear x0.5 (global batch 128 / reference_batch 256)", goyal.describe(128));
        assertThrows(IllegalArgumentException.class, () -> goyal.factor(0));
    }

    @Test
    void invalidCombinationsNameTheKey() {
        SpecException missing = assertThrows(SpecException.class, () -> new LrScaling("linear", null));
        assertEquals("reference_batch", missing.key());
        SpecException stray = assertThrows(SpecException.class, () -> new LrScaling(null, 256L));
        assertEquals("reference_batch", stray.key());
        assertEquals("applies only with lr_scaling: linear; remove it or set lr_scaling: linear", stray.problem());
        SpecException zero = assertThrows(SpecException.class, () -> new LrScaling("linear", 0L));
        assertEquals("must be > 0, got 0", zero.problem());
        SpecException rule = assertThrows(SpecException.class, () -> new LrScaling("sqrt", null));
        assertEquals("lr_scaling", rule.key());
        assertEquals("must be one of none | linear, got 'sqrt'", rule.problem());
    }
}
