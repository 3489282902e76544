package dev.anneal.train;

/** The evaluation metrics a run can watch (plateau schedule, early stopping, best checkpoint), by config name. */
final class MonitoredMetric {
    static final String[] NAMES = {"test_loss", "test_accuracy"};

    private MonitoredMetric() {
    }

    /** Whether higher values are better: accuracy yes, loss no (Keras' {@code mode="auto"} rule). */
    static boolean higherIsBetter(String name) {
        return name.equals("test_accuracy");
    }

    /** The value of metric {@code name} in {@code m}. */
    static double of(String name, EvalMetrics m) {
        return name.equals("test_accuracy") ? m.testAccuracy() : m.testLoss();
    }
}
