package dev.anneal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.anneal.spec.SpecException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdamBetasTest {
    /** NaN fails every comparison: the check must accept what is in range, not reject what is out of it. */
    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, -0.1, 1.0, Double.POSITIVE_INFINITY})
    void eachBetaOutsideZeroToOneIsRefusedAtItsIndex(double bad) {
        SpecException first = assertThrows(SpecException.class, () -> AdamBetas.check(Arrays.asList(bad, 0.999)));
        assertEquals("betas[0]", first.key());
        assertEquals("must be in [0, 1), got " + bad, first.problem());
        SpecException second = assertThrows(SpecException.class, () -> AdamBetas.check(Arrays.asList(0.9, bad)));
        assertEquals("betas[1]", second.key());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 0.5, 0.999999})
    void betasInsideTheRangeAreKept(double ok) {
        assertEquals(List.of(ok, ok), AdamBetas.check(List.of(ok, ok)));
    }
}
