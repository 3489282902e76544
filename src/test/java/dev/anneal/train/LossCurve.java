package dev.anneal.train;

import java.util.ArrayList;
import java.util.List;

/** A listener that records each data step's mean loss and rate, for tests that compare training runs. */
public final class LossCurve implements TrainListener {
    public final List<Double> losses = new ArrayList<>();
    public final List<Double> rates = new ArrayList<>();

    @Override
    public void stepped(long update, double loss, double lr, double samplesPerSecond) {
        losses.add(loss);
        rates.add(lr);
    }
}
