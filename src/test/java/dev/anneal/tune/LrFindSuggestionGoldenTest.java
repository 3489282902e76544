package dev.anneal.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The suggestions against golden values from {@code golden/lrfind/generate.py}, which transcribes fastai's
 * {@code valley}, {@code slide}, {@code minimum} and Lightning's steepest descent: every curve (typical, noisy,
 * never diverging, strictly decreasing, linear ramp, NaN tail, 2 and 12 points) under five skip pairs, including
 * skips of 0 that must keep every point.
 */
class LrFindSuggestionGoldenTest {
    private static JsonNode golden() throws IOException {
        try (InputStream in = LrFindSuggestionGoldenTest.class.getResourceAsStream("/golden/lrfind/suggestions.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static double[] values(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).isNull() ? Double.NaN : array.get(i).asDouble();
        }
        return out;
    }

    /** A curve whose smoothed losses are the golden ones (the smoother is checked on its own). */
    private static Curve curve(JsonNode c) {
        double[] lrs = values(c.get("lrs"));
        double[] losses = values(c.get("losses"));
        double[] smoothed = values(c.get("smoothed"));
        List<CurvePoint> points = new ArrayList<>();
        for (int i = 0; i < lrs.length; i++) {
            points.add(new CurvePoint(i, lrs[i], losses[i], smoothed[i], Double.NaN, Double.NaN));
        }
        return new Curve(points, false, "", 0);
    }

    @Test
    void smoothedLossesMatchTheBiasCorrectedAverageOfThePeers() throws IOException {
        JsonNode g = golden();
        double beta = g.get("beta").asDouble();
        int checked = 0;
        for (JsonNode c : g.get("curves")) {
            double[] expected = values(c.get("smoothed"));
            double[] actual = LossSmoother.smooth(values(c.get("losses")), beta);
            for (int i = 0; i < expected.length; i++) {
                if (Double.isNaN(expected[i])) {
                    assertTrue(Double.isNaN(actual[i]), c.get("name") + " point " + i);
                } else {
                    assertEquals(expected[i], actual[i], 1e-13 * Math.abs(expected[i]), c.get("name") + " point " + i);
                    checked++;
                }
            }
        }
        assertTrue(checked > 500, "checked " + checked);
    }

    @Test
    void everySuggestionEqualsThePythonTranscription() throws IOException {
        int cases = 0;
        for (JsonNode c : golden().get("curves")) {
            Curve curve = curve(c);
            for (JsonNode k : c.get("cases")) {
                int s0 = k.get("skip_start").asInt();
                int s1 = k.get("skip_end").asInt();
                String where = c.get("name").asText() + " skip " + s0 + "/" + s1;
                Suggestions s = Suggestions.of(curve, s0, s1);
                assertEquals(k.get("points").asInt(), s.points(), where + " points");
                for (String name : Suggestions.NAMES) {
                    JsonNode e = k.get(name);
                    double actual = s.byName(name);
                    if (e.isNull()) {
                        assertTrue(Double.isNaN(actual), where + " " + name + " should have no value, got " + actual);
                    } else {
                        assertEquals(e.asDouble(), actual, 0.0, where + " " + name);
                    }
                }
                cases++;
            }
        }
        assertEquals(40, cases);
    }

    @Test
    void skipsOfZeroKeepEveryPoint() throws IOException {
        for (JsonNode c : golden().get("curves")) {
            Curve curve = curve(c);
            int finite = 0;
            while (finite < curve.points().size() && Double.isFinite(curve.points().get(finite).smoothedLoss())) {
                finite++;
            }
            assertEquals(finite, KeptPoints.of(curve, 0, 0).size(), c.get("name").asText());
        }
    }

    @Test
    void valleyOfTwoFallingPointsTakesTheLastAsPythonsNegativeIndexDoes() {
        assertEquals(0.01, LrSuggestions.valley(new double[] {1e-3, 1e-2}, new double[] {2.0, 1.5}), 0.0);
    }

    @Test
    void slideNeedsSixteenPointsAndSteepTwo() {
        double[] lrs = new double[15];
        double[] losses = new double[15];
        for (int i = 0; i < 15; i++) {
            lrs[i] = Math.pow(10, -4 + i * 0.2);
            losses[i] = 2 - 0.1 * i;
        }
        assertTrue(Double.isNaN(LrSuggestions.slide(lrs, losses)));
        assertTrue(Double.isNaN(LrSuggestions.steep(new double[] {1e-3}, new double[] {1.0})));
        assertEquals(1e-4, LrSuggestions.minimum(new double[] {1e-3}, new double[] {1.0}), 1e-20);
    }
}
