package dev.anneal.train;

/**
 * What {@code anneal eval} reports about a model on a labelled set: mean cross-entropy, accuracy and the confusion
 * matrix, from which the per-class scores follow as in scikit-learn's {@code classification_report}:
 * {@code precision_c = C[c][c] / sum_t C[t][c]}, {@code recall_c = C[c][c] / sum_p C[c][p]},
 * {@code F1_c = 2 P R / (P + R)}, each 0 where its denominator is 0 (sklearn's {@code zero_division} default);
 * macro averages are the plain means over classes, weighted averages weight each class by its support.
 *
 * @param loss mean cross-entropy over the set (summed in the trainer's evaluation batches: training's test_loss)
 * @param accuracy fraction classified correctly (the loss kernel's count: training's test_accuracy)
 * @param confusion {@code confusion[t][p]}: samples of true class {@code t} predicted as {@code p}
 */
public record ClassificationReport(double loss, double accuracy, long[][] confusion) {
    public int classes() {
        return confusion.length;
    }

    /** All samples: the sum of the confusion matrix. */
    public long samples() {
        long n = 0;
        for (long[] row : confusion) {
            for (long v : row) {
                n += v;
            }
        }
        return n;
    }

    /** Samples whose true class is {@code c}. */
    public long support(int c) {
        long n = 0;
        for (long v : confusion[c]) {
            n += v;
        }
        return n;
    }

    private long predictedAs(int c) {
        long n = 0;
        for (long[] row : confusion) {
            n += row[c];
        }
        return n;
    }

    public double precision(int c) {
        return ratio(confusion[c][c], predictedAs(c));
    }

    public double recall(int c) {
        return ratio(confusion[c][c], support(c));
    }

    public double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Which per-class score an average is over. */
    public enum Score { PRECISION, RECALL, F1 }

    /** The unweighted mean of {@code score} over the classes (sklearn's "macro avg"). */
    public double macro(Score score) {
        double sum = 0;
        for (int c = 0; c < classes(); c++) {
            sum += score(score, c);
        }
        return sum / classes();
    }

    /** The mean of {@code score} over the classes weighted by support (sklearn's "weighted avg"). */
    public double weighted(Score score) {
        double sum = 0;
        for (int c = 0; c < classes(); c++) {
            sum += score(score, c) * support(c);
        }
        long n = samples();
        return n == 0 ? 0 : sum / n;
    }

    public double score(Score score, int c) {
        return switch (score) {
            case PRECISION -> precision(c);
            case RECALL -> recall(c);
            case F1 -> f1(c);
        };
    }

    private static double ratio(long num, long den) {
        return den == 0 ? 0 : (double) num / den;
    }
}
