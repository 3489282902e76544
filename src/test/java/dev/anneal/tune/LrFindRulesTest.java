package dev.anneal.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The small rules of the range test on fixed numbers: smoothing, divergence stop, skipping, CLR bounds, spread. */
class LrFindRulesTest {
    @Test
    void smoothingStartsAtTheFirstLossAndBetaZeroIsRaw() {
        LossSmoother s = new LossSmoother(0.98);
        assertEquals(2.5, s.add(2.5), 1e-15);
        // avg = 0.98*0.05 + 0.02*1.5 = 0.079, corrected by 1 - 0.98^2 = 0.0396
        assertEquals(0.079 / 0.0396, s.add(1.5), 1e-12);
        double[] raw = {3, 1, 4, 1, 5};
        assertEquals(List.of(3.0, 1.0, 4.0, 1.0, 5.0), box(LossSmoother.smooth(raw, 0)));
    }

    @Test
    void divergenceStopsOnlyAboveStopDivTimesTheBestAndOnNonFiniteLoss() {
        DivergenceStop stop = new DivergenceStop(4);
        assertNull(stop.check(1.0, 1.0), "the first point never stops");
        assertNull(stop.check(0.5, 0.5));
        assertNull(stop.check(2.0, 2.0), "exactly 4x the best is not above it");
        assertNotNull(stop.check(2.0, 2.0000001));
        assertNotNull(new DivergenceStop(4).check(Double.NaN, 1.0));
        DivergenceStop never = new DivergenceStop(0);
        never.check(1, 1);
        assertNull(never.check(1e9, 1e9), "stop_div 0 never stops on the ratio");
        assertNotNull(never.check(Double.POSITIVE_INFINITY, 1), "but a non-finite loss still stops");
    }

    @Test
    void rampsHitBothEndsAndExpIsEvenInLogRate() {
        assertEquals(1e-7, Ramp.EXP.lr(1e-7, 10, 100, 0), 0.0);
        assertEquals(10, Ramp.EXP.lr(1e-7, 10, 100, 99), 1e-12);
        assertEquals(1e-3, Ramp.EXP.lr(1e-5, 1e-1, 5, 2), 1e-18);
        assertEquals(0.5, Ramp.LINEAR.lr(0, 1, 3, 1), 0.0);
        assertEquals(1, Ramp.LINEAR.lr(0.1, 1, 10, 9), 1e-15);
    }

    @Test
    void keptPointsSkipWithExplicitBoundsAndStopAtTheFirstNaN() {
        Curve c = curve(new double[] {5, 4, 3, 2, 1, Double.NaN, 1});
        assertEquals(5, KeptPoints.of(c, 0, 0).size());
        assertEquals(3, KeptPoints.of(c, 1, 3).size());
        assertEquals(1, KeptPoints.of(c, 1, 3).from());
        assertEquals(0, KeptPoints.of(c, 10, 5).size(), "more skipped than recorded leaves nothing, no error");
    }

    @Test
    void clrBoundsFromTheLossWhereItStartsToFallAndFastaisMinimumOverTen() {
        // smoothed loss: flat at 2, falls to 1 at index 6, then rises
        Curve c = curve(new double[] {2, 2, 1.95, 1.85, 1.5, 1.2, 1.0, 1.4, 3});
        Suggestions s = Suggestions.of(c, 0, 0);
        assertEquals("loss", s.clr().rule());
        assertEquals(lr(3), s.clr().baseLr(), 0.0, "first loss <= 2 - 0.1 x 1 = 1.9");
        assertEquals(lr(6) / 10, s.clr().maxLr(), 0.0, "the rate at the lowest smoothed loss / 10");
        assertEquals(s.clr().maxLr(), s.oneCycleMaxLr(), 0.0, "Smith 2018: one-cycle peaks at the test's maximum");
    }

    @Test
    void clrBoundsFollowTheAccuracyWhenEvaluated() {
        List<CurvePoint> pts = new ArrayList<>();
        double[] acc = {0.1, 0.1, 0.12, 0.5, 0.8, 0.85, 0.6};
        for (int i = 0; i < acc.length; i++) {
            pts.add(new CurvePoint(i, lr(i), 2 - 0.1 * i, 2 - 0.1 * i, 1, acc[i]));
        }
        ClrBounds b = ClrBounds.of(KeptPoints.of(new Curve(pts, false, "", 0), 0, 0));
        assertEquals("accuracy", b.rule());
        assertEquals(lr(3), b.baseLr(), 0.0, "first accuracy >= 0.1 + 0.1 x 0.75 = 0.175");
        assertEquals(lr(5), b.maxLr(), 0.0, "the peak");
    }

    @Test
    void clrBaseFallsBackToAQuarterOfMaxWhenTheLossNeverFalls() {
        Curve c = curve(new double[] {1, 1.1, 1.2, 1.3});
        ClrBounds b = ClrBounds.of(KeptPoints.of(c, 0, 0));
        assertEquals(lr(0) / 10, b.maxLr(), 0.0);
        assertEquals(lr(0) / 40, b.baseLr(), 0.0);
        assertTrue(b.rule().endsWith("max/4"));
    }

    @Test
    void aCurveThatNeverDivergesStillGetsEverySuggestion() {
        double[] losses = new double[40];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = 2.3 - 0.05 * i + 0.001 * Math.sin(i);
        }
        Suggestions s = Suggestions.of(curve(losses), 10, 5);
        for (double v : s.all().values()) {
            assertTrue(Double.isFinite(v) && v > 0, s.toString());
        }
    }

    @Test
    void spreadTakesTheLogMiddleOfAnEvenCount() {
        Spread odd = Spread.of(new double[] {3e-3, 1e-3, Double.NaN, 2e-3});
        assertEquals(1e-3, odd.min(), 0.0);
        assertEquals(2e-3, odd.median(), 0.0);
        assertEquals(3e-3, odd.max(), 0.0);
        assertEquals(2e-3, Spread.of(new double[] {1e-3, 4e-3}).median(), 1e-18);
        assertTrue(Double.isNaN(Spread.of(new double[] {Double.NaN}).median()));
    }

    private static double lr(int i) {
        return 1e-4 * Math.pow(10, i * 0.5);
    }

    private static Curve curve(double[] smoothed) {
        List<CurvePoint> pts = new ArrayList<>();
        for (int i = 0; i < smoothed.length; i++) {
            pts.add(new CurvePoint(i, lr(i), smoothed[i], smoothed[i], Double.NaN, Double.NaN));
        }
        return new Curve(pts, false, "", 0);
    }

    private static List<Double> box(double[] v) {
        List<Double> out = new ArrayList<>();
        for (double x : v) {
            out.add(x);
        }
        return out;
    }
}
