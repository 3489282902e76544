package dev.anneal.cli;

import dev.anneal.train.EvalMetrics;
import dev.anneal.train.TrainListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a training run: on a terminal a progress bar (me.tongfei progressbar) with loss, rate and samples/s; in
 * a log (no terminal, e.g. CI) a line every tenth of an epoch instead, so logs stay readable.
 */
final class ProgressReporter implements TrainListener {
    private final PrintWriter out;
    private final boolean terminal;
    private ProgressBar bar;
    private long stepsPerEpoch;
    private long lastLine;
    private double smoothedLoss = Double.NaN;

    ProgressReporter(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public void started(long update, long totalUpdates, long stepsPerEpoch, String description) {
        this.stepsPerEpoch = stepsPerEpoch;
        out.println("anneal: " + description + "; " + stepsPerEpoch + " updates per epoch, " + totalUpdates
                + " in all" + (update > 0 ? ", resuming at update " + update : ""));
        out.flush();
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(totalUpdates)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUpdateIntervalMillis(200)
                    .continuousUpdate().build();
            bar.stepTo(update);
        }
    }

    @Override
    public void stepped(long update, double loss, double lr, double samplesPerSecond) {
        if (loss > 0) {
            smoothedLoss = Double.isNaN(smoothedLoss) ? loss : 0.95 * smoothedLoss + 0.05 * loss;
        }
        String msg = String.format(Locale.ROOT, "loss %.4f lr %s %,.0f samples/s", smoothedLoss, rate(lr),
                samplesPerSecond);
        if (bar != null) {
            bar.stepTo(update);
            bar.setExtraMessage(msg);
        } else if (stepsPerEpoch >= 10 && update - lastLine >= stepsPerEpoch / 10) {
            lastLine = update;
            out.println("  update " + update + ": " + msg);
            out.flush();
        }
    }

    @Override
    public void skipped(long update, long inARow, String why) {
        message("update " + (update + 1) + " skipped: " + why + " (" + inARow + " in a row)");
    }

    @Override
    public void evaluated(EvalMetrics m) {
        String set = m.validated() ? "val" : "test";
        message(String.format(Locale.ROOT, "epoch %d: train loss %.4f, %s loss %.4f, %s accuracy %.2f%%, "
                        + "%,.0f samples/s, lr %s", m.epoch(), m.trainLoss(), set, m.loss(), set, m.accuracy() * 100,
                m.samplesPerSecond(), rate(m.lr())));
    }

    @Override
    public void checkpointed(Path checkpoint) {
        if (bar == null) {
            out.println("  checkpoint " + checkpoint);
            out.flush();
        }
    }

    @Override
    public void finished(EvalMetrics last) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    /**
     * A learning rate for people: three significant digits ({@code 0.0100}), in scientific notation below 1e-3 so
     * that the tiny rates at the end of a cosine still show ({@code 5.00e-04}, {@code 1.23e-06}), and {@code 0} for
     * exactly zero (never {@code 0.00}). Files (metrics.jsonl, the schedule CSV) keep full precision.
     */
    static String rate(double lr) {
        if (lr == 0) {
            return "0";
        }
        if (!Double.isFinite(lr)) {
            return Double.toString(lr);
        }
        return String.format(Locale.ROOT, Math.abs(lr) < 1e-3 ? "%.2e" : "%.3g", lr);
    }

    private void message(String line) {
        if (bar != null) {
            bar.pause();
            out.println(line);
            out.flush();
            bar.resume();
        } else {
            out.println(line);
            out.flush();
        }
    }
}
