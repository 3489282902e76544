package dev.anneal.data;

import dev.anneal.spec.BadInput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The dataset {@code csv}: tabular data, one sample per row of a {@link CsvTable}.
 *
 * <p>{@code data.path} is the training CSV, {@code data.test_path} the test CSV (same column names, any order);
 * {@code data.validation_split} holds out a stratified share of the training rows as the validation set
 * ({@link Datasets}); one of the two is needed. {@code data.label_column} names the label column; the features are
 * {@code data.feature_columns} in that order, else every other column in header order. Feature cells must be
 * decimal numbers ({@code 3}, {@code -0.5}, {@code 1e-3}; not empty, NaN or infinite). Labels: when every label
 * of both files is an integer, the labels are class indices ({@code classes = data.classes} or the largest + 1,
 * names {@code "0".."K-1"}); otherwise they are names, the classes are the training set's distinct labels in sorted
 * order (class {@code k} is the k-th name), and a test label the training set lacks is refused. With
 * {@code data.normalize}, each feature column {@code j} is standardised as {@code x = (v - mean_j) / std_j} with the
 * mean and sample standard deviation of the training rows (after any split), computed in double in row order; a
 * constant column ({@code std_j = 0}) is only centred, as scikit-learn's {@code StandardScaler} does. Each column
 * being its own channel, {@code data.normalize: per_channel} means the same here as {@code true}.
 */
public final class CsvDatasets {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,9}");

    private CsvDatasets() {
    }

    /** Loads {@code spec} ({@code csv}); {@code seed} seeds the validation split. */
    public static Datasets load(DataSpec spec, long seed) {
        return load(spec, seed, new ColumnStats[1]);
    }

    /**
     * The feature transform of a csv run ({@code RUN/data.json}): the feature column names in the order the model
     * takes them and, when {@code data.normalize} is on, each column's mean and sample standard deviation over the
     * training rows (after any split), exactly the doubles {@link #load} standardised with; both arrays null when
     * the columns are not standardised. A column is mapped as {@code x = (v - mean) / (std > 0 ? std : 1)}.
     */
    public record ColumnStats(List<String> names, double[] mean, double[] std) {
        public ColumnStats {
            names = List.copyOf(names);
            if ((mean == null) != (std == null) || mean != null && (mean.length != names.size()
                    || std.length != names.size())) {
                throw new IllegalArgumentException(names.size() + " columns but statistics " + (mean == null ? null
                        : mean.length) + ", " + (std == null ? null : std.length));
            }
        }

        /** Whether the columns are standardised ({@code data.normalize}). */
        public boolean standardised() {
            return mean != null;
        }
    }

    /** The sets {@link #load} returns and the column statistics they were standardised with. */
    public record Loaded(Datasets data, ColumnStats columns) {
    }

    /** {@link #load}, bit for bit, and its {@link ColumnStats}. */
    public static Loaded loadWithColumns(DataSpec spec, long seed) {
        ColumnStats[] columns = new ColumnStats[1];
        Datasets data = load(spec, seed, columns);
        return new Loaded(data, columns[0]);
    }

    /**
     * New inputs ({@code anneal predict}): the run's feature columns of {@code input} (by name, any order, other
     * columns ignored), row-major {@code N x D}, standardised with the saved {@code columns} statistics exactly as
     * {@link #load} standardised the training and test rows.
     *
     * @throws BadInput when {@code input} lacks a feature column or a cell is not a number
     */
    public static float[] inputs(ColumnStats columns, Path input) {
        CsvTable table = CsvTable.read(input);
        double[] x = values(table, columns.names(), "a feature column of the run");
        standardiseWith(columns, x);
        return toFloats(x);
    }

    /**
     * {@link #load(DataSpec, long)} with a trained run's columns ({@code RUN/data.json}): its feature columns, by
     * name, standardised with its statistics instead of the training rows' own.
     */
    public static Datasets load(DataSpec spec, long seed, ColumnStats fixed) {
        return load(spec, seed, new ColumnStats[1], fixed);
    }

    private static Datasets load(DataSpec spec, long seed, ColumnStats[] columnsOut) {
        return load(spec, seed, columnsOut, null);
    }

    private static Datasets load(DataSpec spec, long seed, ColumnStats[] columnsOut, ColumnStats fixed) {
        CsvTable trainTable = CsvTable.read(Path.of(spec.path()));
        if (spec.testPath() == null && spec.validationSplit() == null) {
            throw new BadInput(trainTable.file() + ": a CSV dataset needs a test set: set data.test_path to the "
                    + "test CSV or hold out part of the training rows with data.validation_split: 0.1");
        }
        CsvTable testTable = spec.testPath() == null ? null : CsvTable.read(Path.of(spec.testPath()));
        List<String> features = fixed == null ? featureColumns(spec, trainTable) : runColumns(fixed, trainTable);
        double[] trainX = values(trainTable, features);
        double[] testX = testTable == null ? null : values(testTable, features);
        String[] trainLabels = labelCells(trainTable, spec.labelColumn());
        String[] testLabels = testTable == null ? new String[0] : labelCells(testTable, spec.labelColumn());
        Labels labels = Labels.of(spec, trainTable, trainLabels, testTable, testLabels);
        int[] trainY = labels.train();
        int[] testY = labels.test();
        int d = features.size();
        double[] validationX = null;
        int[] validationY = null;
        if (spec.validationSplit() != null) {
            Splits split = Splits.stratified(trainY, labels.names().size(), spec.validationSplit(), seed,
                    trainTable.file().toString());
            validationX = rows(trainX, d, split.heldOut());
            validationY = Splits.select(trainY, split.heldOut());
            trainX = rows(trainX, d, split.kept());
            trainY = Splits.select(trainY, split.kept());
        }
        double[][] stats;
        if (fixed != null) {
            stats = new double[][] {fixed.mean(), fixed.std()};
            for (double[] x : new double[][] {trainX, validationX, testX}) {
                standardiseWith(fixed, x);
            }
        } else {
            stats = spec.normalizes() ? standardise(trainX, d, validationX, testX) : new double[2][];
        }
        columnsOut[0] = new ColumnStats(features, stats[0], stats[1]);
        int classes = labels.names().size();
        Dataset train = new Dataset(toFloats(trainX), trainY, d, classes);
        Dataset validation = validationX == null ? null : new Dataset(toFloats(validationX), validationY, d, classes);
        Dataset test = testX == null ? null : new Dataset(toFloats(testX), testY, d, classes);
        return new Datasets(train, test, Datasets.describe(DataSpec.CSV, train, validation, test), Normalization.NONE,
                labels.names(), validation);
    }

    /** A run's feature columns, each of which {@code table} must have. */
    private static List<String> runColumns(ColumnStats run, CsvTable table) {
        for (String c : run.names()) {
            table.column(c, "a feature column of the run");
        }
        return run.names();
    }

    /** Rows {@code x} (null: none) of the run's columns, standardised in place with its statistics, if it has them. */
    private static void standardiseWith(ColumnStats columns, double[] x) {
        if (x == null || !columns.standardised()) {
            return;
        }
        int d = columns.names().size();
        for (int j = 0; j < d; j++) {
            double mean = columns.mean()[j];
            double divisor = columns.std()[j] > 0 ? columns.std()[j] : 1;
            for (int k = j; k < x.length; k += d) {
                x[k] = (x[k] - mean) / divisor;
            }
        }
    }

    private static List<String> featureColumns(DataSpec spec, CsvTable table) {
        table.column(spec.labelColumn(), "data.label_column");
        if (spec.featureColumns() != null) {
            for (String c : spec.featureColumns()) {
                table.column(c, "data.feature_columns");
            }
            return spec.featureColumns();
        }
        List<String> all = new ArrayList<>(table.header());
        all.remove(spec.labelColumn());
        if (all.isEmpty()) {
            throw new BadInput(table.file() + " has only the label column " + spec.labelColumn() + "; it needs at "
                    + "least one feature column");
        }
        return all;
    }

    /** The feature cells of {@code table}, row-major in {@code columns} order. */
    private static double[] values(CsvTable table, List<String> columns) {
        return values(table, columns, "a feature column of the training CSV");
    }

    private static double[] values(CsvTable table, List<String> columns, String what) {
        int[] idx = new int[columns.size()];
        for (int j = 0; j < idx.length; j++) {
            idx[j] = table.column(columns.get(j), what);
        }
        List<String[]> rows = table.rows();
        if ((long) rows.size() * idx.length > DataSpec.MAX_ARRAY) {
            throw new BadInput(table.file() + " has " + rows.size() + " x " + idx.length + " cells, more than one "
                    + "array holds; use fewer rows");
        }
        double[] x = new double[rows.size() * idx.length];
        for (int r = 0; r < rows.size(); r++) {
            for (int j = 0; j < idx.length; j++) {
                String cell = rows.get(r)[idx[j]];
                if (!NUMBER.matcher(cell).matches()) {
                    throw new BadInput(table.file() + ": line " + table.lines()[r] + ", column " + columns.get(j)
                            + ": '" + cell + "' is not a number; feature cells must be numeric (or leave the column "
                            + "out with data.feature_columns)");
                }
                x[r * idx.length + j] = Double.parseDouble(cell);
            }
        }
        return x;
    }

    private static String[] labelCells(CsvTable table, String column) {
        int c = table.column(column, "data.label_column");
        String[] out = new String[table.rows().size()];
        for (int r = 0; r < out.length; r++) {
            out[r] = table.rows().get(r)[c];
        }
        return out;
    }

    /** Class indices of both files and the class names. */
    private record Labels(int[] train, int[] test, List<String> names) {
        static Labels of(DataSpec spec, CsvTable trainTable, String[] train, CsvTable testTable, String[] test) {
            boolean integers = allIntegers(train) && allIntegers(test);
            if (integers) {
                int[] a = indices(train, trainTable);
                int[] b = indices(test, testTable);
                int max = Math.max(max(a), max(b));
                int classes = spec.classes() != null ? spec.classes() : max + 1;
                if (spec.classes() == null && classes < 2) {
                    throw new BadInput(trainTable.file() + ": every label is " + max + ", so there is one class; "
                            + "classification needs at least two (or set data.classes)");
                }
                below(a, classes, trainTable);
                below(b, classes, testTable);
                return new Labels(a, b, Datasets.numberedClasses(classes));
            }
            List<String> names = new ArrayList<>(new TreeSet<>(List.of(train)));
            if (names.size() < 2) {
                throw new BadInput(trainTable.file() + ": every label is '" + names.get(0) + "', so there is one "
                        + "class; classification needs at least two");
            }
            if (spec.classes() != null && spec.classes() != names.size()) {
                throw new BadInput(trainTable.file() + " has " + names.size() + " distinct labels " + names
                        + " but data.classes is " + spec.classes() + "; remove data.classes");
            }
            return new Labels(named(train, names, trainTable), named(test, names, testTable), names);
        }

        private static boolean allIntegers(String[] labels) {
            for (String s : labels) {
                if (!INTEGER.matcher(s).matches()) {
                    return false;
                }
            }
            return true;
        }

        private static int[] indices(String[] labels, CsvTable table) {
            int[] out = new int[labels.length];
            for (int r = 0; r < labels.length; r++) {
                out[r] = Integer.parseInt(labels[r]);
                if (out[r] < 0) {
                    throw new BadInput(table.file() + ": line " + table.lines()[r] + ": label " + out[r]
                            + " is negative; integer labels must be class indices 0..K-1");
                }
            }
            return out;
        }

        private static void below(int[] labels, int classes, CsvTable table) {
            for (int r = 0; r < labels.length; r++) {
                if (labels[r] >= classes) {
                    throw new BadInput(table.file() + ": line " + table.lines()[r] + ": label " + labels[r]
                            + " is out of range 0.." + (classes - 1) + " (data.classes: " + classes + ")");
                }
            }
        }

        private static int max(int[] v) {
            int m = -1;
            for (int x : v) {
                m = Math.max(m, x);
            }
            return m;
        }

        private static int[] named(String[] labels, List<String> names, CsvTable table) {
            int[] out = new int[labels.length];
            for (int r = 0; r < labels.length; r++) {
                int k = names.indexOf(labels[r]);
                if (k < 0) {
                    throw new BadInput(table.file() + ": line " + table.lines()[r] + ": label '" + labels[r]
                            + "' does not occur in the training set " + names + "; the test set can only use its "
                            + "classes");
                }
                out[r] = k;
            }
            return out;
        }
    }

    private static double[] rows(double[] x, int d, int[] indices) {
        double[] out = new double[indices.length * d];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(x, indices[k] * d, out, k * d, d);
        }
        return out;
    }

    /**
     * Standardises every column of {@code train} and of the {@code others} (validation, test; null ones skipped)
     * in place with {@code train}'s mean and sample standard deviation (a constant column is only centred); returns
     * {means, stds}.
     */
    static double[][] standardise(double[] train, int d, double[]... others) {
        int n = train.length / d;
        double[] means = new double[d];
        double[] stds = new double[d];
        for (int j = 0; j < d; j++) {
            double sum = 0;
            for (int r = 0; r < n; r++) {
                sum += train[r * d + j];
            }
            double mean = sum / n;
            double ss = 0;
            for (int r = 0; r < n; r++) {
                double dv = train[r * d + j] - mean;
                ss += dv * dv;
            }
            double std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
            means[j] = mean;
            stds[j] = std;
            double divisor = std > 0 ? std : 1;
            for (double[] x : all(train, others)) {
                for (int k = j; x != null && k < x.length; k += d) {
                    x[k] = (x[k] - mean) / divisor;
                }
            }
        }
        return new double[][] {means, stds};
    }

    private static double[][] all(double[] first, double[][] rest) {
        double[][] out = new double[rest.length + 1][];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    private static float[] toFloats(double[] x) {
        float[] f = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            f[k] = (float) x[k];
        }
        return f;
    }
}
