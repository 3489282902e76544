package dev.anneal.tune;

/**
 * {@code numpy.gradient(f)} and {@code numpy.gradient(f, x)} (edge_order 1), operation for operation, so that
 * suggestions match the Python peers' argmin even at near ties. Interior points use second-order central
 * differences, the ends one-sided first differences. With coordinates {@code x} whose differences are all equal
 * numpy takes the uniform path {@code (f[i+1] - f[i-1]) / (2 h)}; otherwise, with {@code d1 = x[i]-x[i-1]},
 * {@code d2 = x[i+1]-x[i]}:
 *
 * <pre>g[i] = a f[i-1] + b f[i] + c f[i+1],  a = -d2/(d1 (d1+d2)),  b = (d2-d1)/(d1 d2),  c = d1/(d2 (d1+d2))</pre>
 */
final class NumpyGradient {
    private NumpyGradient() {
    }

    /** {@code numpy.gradient(f)}: unit spacing; needs at least 2 values. */
    static double[] of(double[] f) {
        int n = f.length;
        requireTwo(n);
        double[] g = new double[n];
        for (int i = 1; i < n - 1; i++) {
            g[i] = (f[i + 1] - f[i - 1]) / 2.0;
        }
        g[0] = f[1] - f[0];
        g[n - 1] = f[n - 1] - f[n - 2];
        return g;
    }

    /** {@code numpy.gradient(f, x)}: coordinates {@code x}, same length, at least 2 values. */
    static double[] of(double[] f, double[] x) {
        int n = f.length;
        requireTwo(n);
        if (x.length != n) {
            throw new IllegalArgumentException("f has " + n + " values but x " + x.length);
        }
        double[] dx = new double[n - 1];
        boolean uniform = true;
        for (int i = 0; i < n - 1; i++) {
            dx[i] = x[i + 1] - x[i];
            uniform &= dx[i] == dx[0];
        }
        double[] g = new double[n];
        if (uniform) {
            double h = dx[0];
            for (int i = 1; i < n - 1; i++) {
                g[i] = (f[i + 1] - f[i - 1]) / (2. * h);
            }
            g[0] = (f[1] - f[0]) / h;
            g[n - 1] = (f[n - 1] - f[n - 2]) / h;
            return g;
        }
        for (int i = 1; i < n - 1; i++) {
            double d1 = dx[i - 1];
            double d2 = dx[i];
            double a = -(d2) / (d1 * (d1 + d2));
            double b = (d2 - d1) / (d1 * d2);
            double c = d1 / (d2 * (d1 + d2));
            g[i] = a * f[i - 1] + b * f[i] + c * f[i + 1];
        }
        g[0] = (f[1] - f[0]) / dx[0];
        g[n - 1] = (f[n - 1] - f[n - 2]) / dx[n - 2];
        return g;
    }

    /** The first index of the smallest value (numpy's argmin; NaN never occurs here). */
    static int argmin(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] < v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static void requireTwo(int n) {
        if (n < 2) {
            throw new IllegalArgumentException("a gradient needs at least 2 values, got " + n);
        }
    }
}
