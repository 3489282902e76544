package dev.anneal.tune;

/**
 * The rate suggestions of fastai and Lightning, each a function of the rates {@code lrs} and smoothed losses
 * {@code losses} of the points kept after skipping (see {@link Suggestions}), transcribed step for step so that
 * the golden values of {@code src/test/resources/golden/lrfind/generate.py} (which transcribes the Python) match.
 * Each returns the suggested rate, or NaN when there are too few points for it.
 */
public final class LrSuggestions {
    /** fastai {@code slide}'s defaults. */
    public static final int SLIDE_LR_DIFF = 15;
    public static final double SLIDE_THRESH = .005;
    public static final double SLIDE_ADJUST_VALUE = 1.;

    private LrSuggestions() {
    }

    /**
     * fastai {@code valley} ({@code fastai/callback/schedule.py}, fastai 2.4+): the longest valley. {@code lds[i]}
     * is the length of the longest strictly decreasing subsequence of the losses ending at {@code i}
     * ({@code O(n^2)} dynamic programme); {@code max_end} is the first index with the largest {@code lds} and
     * {@code max_start = max_end - lds[max_end]}, both updated inside the inner loop exactly as fastai does (so
     * {@code max_start} keeps the length at the moment {@code max_end} moved). The suggestion lies two thirds
     * along: {@code idx = max_start + int(sections) + int(sections/2)}, {@code sections = (max_end - max_start)/3}.
     * As in Python, a negative {@code idx} (a valley from the very first point, of length 2) counts from the end.
     */
    public static double valley(double[] lrs, double[] losses) {
        int idx = valleyIndex(losses);
        return idx < 0 ? Double.NaN : lrs[idx];
    }

    /** The index {@link #valley} picks, Python's negative index resolved; -1 when there are no points. */
    public static int valleyIndex(double[] losses) {
        int n = losses.length;
        if (n == 0) {
            return -1;
        }
        int maxStart = 0;
        int maxEnd = 0;
        int[] lds = new int[n];
        java.util.Arrays.fill(lds, 1);
        for (int i = 1; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (losses[i] < losses[j] && lds[i] < lds[j] + 1) {
                    lds[i] = lds[j] + 1;
                }
                if (lds[maxEnd] < lds[i]) {
                    maxEnd = i;
                    maxStart = maxEnd - lds[maxEnd];
                }
            }
        }
        double sections = (maxEnd - maxStart) / 3.0;
        int idx = maxStart + (int) sections + (int) (sections / 2);
        return idx < 0 ? idx + n : idx;
    }

    /**
     * Steepest descent of the smoothed loss against the log rate (Lightning's {@code _LRFinder.suggestion}): the
     * rate at {@code argmin(numpy.gradient(losses, ln(lrs)))}. On an exponential ramp, where {@code ln lr} is evenly
     * spaced, this is exactly Lightning 1.x's {@code np.gradient(loss).argmin()} and pytorch-lr-finder's
     * {@code suggest_lr}; taking the log rate as coordinate keeps it meaningful on a linear ramp too. Needs 2 points.
     */
    public static double steep(double[] lrs, double[] losses) {
        if (losses.length < 2) {
            return Double.NaN;
        }
        return lrs[steepIndex(lrs, losses)];
    }

    /** The index {@link #steep} picks. */
    public static int steepIndex(double[] lrs, double[] losses) {
        double[] logLr = new double[lrs.length];
        for (int i = 0; i < lrs.length; i++) {
            logLr[i] = Math.log(lrs[i]);
        }
        return NumpyGradient.argmin(NumpyGradient.of(losses, logLr));
    }

    /**
     * fastai {@code minimum}: one tenth of the rate at the lowest loss ({@code lrs[losses.argmin()] / 10}), the
     * "minimum divided by 10" rule of fastai's course. Needs 1 point.
     */
    public static double minimum(double[] lrs, double[] losses) {
        return losses.length == 0 ? Double.NaN : lrs[NumpyGradient.argmin(losses)] / 10;
    }

    /**
     * fastai {@code slide} with {@code lr_diff = 15, thresh = .005, adjust_value = 1.}: with
     * {@code g = numpy.gradient(losses)}, start with the right index {@code r = -1} (the last point) and the left
     * {@code l = r - lr_diff}; while {@code l >= -n} and {@code |g[r] - g[l]| > thresh}, take {@code lrs[l]} and move
     * both one point left. The suggestion is the last rate taken (initially {@code lrs[-1 - lr_diff]}) times
     * {@code adjust_value}: the left end of the last interval over which the slope still changed by more than
     * {@code thresh}. Needs {@code lr_diff + 1} points (Python would fail on fewer).
     */
    public static double slide(double[] lrs, double[] losses) {
        return slide(lrs, losses, SLIDE_LR_DIFF, SLIDE_THRESH, SLIDE_ADJUST_VALUE);
    }

    public static double slide(double[] lrs, double[] losses, int lrDiff, double thresh, double adjustValue) {
        int n = losses.length;
        if (n < lrDiff + 1 || n < 2) {
            return Double.NaN;
        }
        double[] g = NumpyGradient.of(losses);
        int r = -1;
        int l = r - lrDiff;
        double localMinLr = lrs[n + l];
        while (l >= -n && Math.abs(g[n + r] - g[n + l]) > thresh) {
            localMinLr = lrs[n + l];
            r -= 1;
            l -= 1;
        }
        return localMinLr * adjustValue;
    }

    /**
     * The loss drawn at a rate that need not be a recorded point ({@code slide}'s): {@code numpy.interp} of
     * {@code log10(lr)} over {@code log10(lrs)}, clamped at the ends, as fastai plots it.
     */
    public static double lossAt(double lr, double[] lrs, double[] losses) {
        double x = Math.log10(lr);
        int n = lrs.length;
        if (x <= Math.log10(lrs[0])) {
            return losses[0];
        }
        for (int i = 1; i < n; i++) {
            double x1 = Math.log10(lrs[i]);
            if (x <= x1) {
                double x0 = Math.log10(lrs[i - 1]);
                return losses[i - 1] + (losses[i] - losses[i - 1]) * (x - x0) / (x1 - x0);
            }
        }
        return losses[n - 1];
    }
}
