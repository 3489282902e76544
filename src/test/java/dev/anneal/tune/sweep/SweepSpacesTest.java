package dev.anneal.tune.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Grid enumeration, NumPy's linspace/logspace, seeded random draws and the forms a swept key's values take. */
class SweepSpacesTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden/sweep/numpy_spaces.csv");

    @Test
    void linspaceAndLogspaceGiveNumpysValues() throws IOException {
        List<String> lines = Files.readAllLines(GOLDEN);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            String[] expected = f[4].split(" ");
            ValueSpace.ValueList got = (ValueSpace.ValueList) SpaceParser.parse(f[0] + "(" + f[1] + ", " + f[2] + ", "
                    + f[3] + ")", "test");
            assertEquals(expected.length, got.values().size(), line);
            for (int i = 0; i < expected.length; i++) {
                double want = Double.parseDouble(expected[i]);
                double have = got.values().get(i).asDouble();
                if (f[0].equals("linspace")) {
                    assertEquals(want, have, 0.0, line + " [" + i + "]");
                } else {
                    // NumPy's SIMD pow is not correctly rounded (10^-5 comes out as 9.999999999999999e-06 here);
                    // ours is (integral exponents) or within an ulp (Math.pow).
                    assertTrue(Math.abs(want - have) <= 2 * Math.ulp(want), line + " [" + i + "]: " + have);
                }
            }
        }
    }

    @Test
    void integralExponentsOfLogspaceAreExactPowersOfTen() {
        ValueSpace.ValueList v = (ValueSpace.ValueList) SpaceParser.parse("logspace(-5, 0, 6)", "test");
        assertEquals(List.of("1.0E-5", "1.0E-4", "0.001", "0.01", "0.1", "1.0"),
                v.values().stream().map(SetValues::text).toList());
    }

    @Test
    void gridRunsTheLastKeyFastestInTheGivenOrder() {
        List<SweptKey> keys = List.of(new SweptKey("optimizer.lr", SpaceParser.parse("[1e-4, 3e-4, 1e-3]", "t")),
                new SweptKey("schedule.gamma", SpaceParser.parse("[0.9, 0.95]", "t")));
        assertEquals(6, GridSearch.size(keys));
        List<Trial> trials = GridSearch.trials(keys);
        assertEquals(List.of(List.of("1.0E-4", "0.9"), List.of("1.0E-4", "0.95"), List.of("3.0E-4", "0.9"),
                List.of("3.0E-4", "0.95"), List.of("0.001", "0.9"), List.of("0.001", "0.95")),
                trials.stream().map(Trial::values).toList());
        assertEquals(List.of("optimizer.lr=0.001", "schedule.gamma=0.95"),
                trials.get(5).assignments(List.of("optimizer.lr", "schedule.gamma")));
    }

    @Test
    void theSeedArticlesGridHasAHundredTrials() {
        List<SweptKey> keys = List.of(new SweptKey("optimizer.lr", SpaceParser.parse("logspace(-5, 0, 10)", "t")),
                new SweptKey("schedule.gamma", SpaceParser.parse("linspace(0.1, 0.9, 10)", "t")));
        assertEquals(100, GridSearch.trials(keys).size());
    }

    @Test
    void setValuesReadBackToTheSameNode() {
        for (String yaml : List.of("1e-4", "0.1", "100", "adamw", "'123'", "[30, 60]", "{type: linear, steps: 10}",
                "true", "'true'", "-0.0", "1.0E10")) {
            JsonNode node = SetValues.read(yaml);
            assertEquals(node, SetValues.read(SetValues.text(node)), yaml + " -> " + SetValues.text(node));
        }
    }

    @Test
    void randomSearchIsReproducibleBySeedAndStaysInItsRanges() {
        List<SweptKey> keys = List.of(new SweptKey("optimizer.lr", SpaceParser.parse("loguniform(1e-5, 1e-1)", "t")),
                new SweptKey("schedule.gamma", SpaceParser.parse("uniform(0.5, 0.99)", "t")),
                new SweptKey("train.epochs", SpaceParser.parse("int_uniform(1, 4)", "t")),
                new SweptKey("optimizer.type", SpaceParser.parse("choice(sgd, adam, adamw)", "t")));
        List<Trial> a = RandomSearch.trials(keys, 200, 7);
        assertEquals(a, RandomSearch.trials(keys, 200, 7));
        assertNotEquals(a, RandomSearch.trials(keys, 200, 8));
        assertEquals(a.subList(0, 20), RandomSearch.trials(keys, 20, 7), "a longer search extends a shorter one");
        boolean[] epochSeen = new boolean[5];
        int lowDecade = 0;
        for (Trial t : a) {
            double lr = Double.parseDouble(t.values().get(0));
            double gamma = Double.parseDouble(t.values().get(1));
            int epochs = Integer.parseInt(t.values().get(2));
            assertTrue(lr >= 1e-5 && lr < 1e-1, "lr " + lr);
            assertTrue(gamma >= 0.5 && gamma < 0.99, "gamma " + gamma);
            assertTrue(epochs >= 1 && epochs <= 4, "epochs " + epochs);
            assertTrue(List.of("sgd", "adam", "adamw").contains(t.values().get(3)));
            epochSeen[epochs] = true;
            lowDecade += lr < 1e-4 ? 1 : 0;
        }
        assertTrue(epochSeen[1] && epochSeen[4], "both ends of int_uniform are drawn");
        // log-uniform: a quarter of the draws in each of the four decades (50 expected of 200)
        assertTrue(lowDecade > 25 && lowDecade < 80, "draws in [1e-5, 1e-4): " + lowDecade);
    }

    @Test
    void malformedSpacesAreRefusedWithTheFormExpected() {
        assertEquals("--grid optimizer.lr=logspace(-5,0): logspace takes (start, stop, num), e.g. logspace(-5, 0, 10) "
                + "for 1e-5 to 1", assertThrows(BadInput.class,
                () -> SpaceParser.parse("logspace(-5,0)", "--grid optimizer.lr=logspace(-5,0)")).getMessage());
        assertThrows(BadInput.class, () -> SpaceParser.parse("linspace(0, 1, 2.5)", "t"));
        assertThrows(BadInput.class, () -> SpaceParser.parse("linspace(0, 1, 0)", "t"));
        assertThrows(BadInput.class, () -> SpaceParser.parse("[]", "t"));
        assertThrows(BadInput.class, () -> SpaceParser.parse("loguniform(0, 1)", "t"));
        assertThrows(BadInput.class, () -> SpaceParser.parse("uniform(1, 1)", "t"));
        assertThrows(BadInput.class, () -> SpaceParser.parse("gaussian(0, 1)", "t"));
        assertThrows(BadInput.class, () -> SpaceParser.parse("[1, 2", "t"));
        assertThrows(BadInput.class, () -> GridSearch.size(List.of(new SweptKey("optimizer.lr",
                SpaceParser.parse("uniform(0, 1)", "t")))));
    }

    @Test
    void aSpaceReadsBackFromItsText() {
        for (String s : List.of("[1e-4, 3e-4]", "logspace(-5, 0, 10)", "uniform(0.1, 0.9)", "loguniform(1.0E-5, 0.1)",
                "int_uniform(1, 8)", "choice(sgd, adam)")) {
            ValueSpace space = SpaceParser.parse(s, "t");
            assertEquals(space, SpaceParser.parse(space.text(), "t"), s);
        }
    }
}
