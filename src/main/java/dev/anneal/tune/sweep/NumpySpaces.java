package dev.anneal.tune.sweep;

/**
 * {@code numpy.linspace} and {@code numpy.logspace} with NumPy's arithmetic, so that a grid written as in the
 * seed article ({@code logspace(-5, 0, 10)}, {@code linspace(0.1, 0.9, 10)}) holds the values NumPy gives.
 *
 * <p>NumPy (numpy/core/function_base.py, {@code endpoint=True}): {@code step = (stop - start) / (num - 1)},
 * {@code y[i] = i * step + start}, and the last value is set to {@code stop} exactly; {@code num = 1} gives
 * {@code [start]}. {@code logspace(a, b, n) = 10 ** linspace(a, b, n)}; an integral exponent is turned into the
 * double nearest to {@code 10^e} (as C's correctly rounded {@code pow} gives it), any other through
 * {@link Math#pow}, which is within one ulp of it.
 */
final class NumpySpaces {
    private NumpySpaces() {
    }

    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            y[i] = step == 0 ? (double) i / (num - 1) * (stop - start) + start : i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }

    static double[] logspace(double start, double stop, int num) {
        double[] y = linspace(start, stop, num);
        for (int i = 0; i < num; i++) {
            y[i] = tenTo(y[i]);
        }
        return y;
    }

    private static double tenTo(double e) {
        if (e == Math.rint(e) && Math.abs(e) < 400) {
            return Double.parseDouble("1e" + (long) e);
        }
        return Math.pow(10, e);
    }
}
