package dev.anneal.plot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.axis.ValueAxis;

/**
 * One swept key as a chart axis. Its distinct values, in numeric order when all are numbers, are either
 * categories (a grid's few values: one evenly spaced tick each, labelled with the value) or positions on a
 * number axis (many values, as a random search draws them), logarithmic when they are positive and span more
 * than two decades.
 */
final class SweepAxis {
    /** At most this many distinct values are shown as categories. */
    static final int MAX_CATEGORIES = 24;

    private final String name;
    private final List<String> distinct;
    private final boolean numeric;
    private final boolean categorical;
    private final boolean log;

    SweepAxis(String name, List<String> values, boolean forceCategorical) {
        this.name = name;
        this.numeric = values.stream().allMatch(SweepAxis::isNumber);
        List<String> d = new ArrayList<>(new LinkedHashSet<>(values));
        if (numeric) {
            d.sort(Comparator.comparingDouble(Double::parseDouble));
        }
        this.distinct = d;
        this.categorical = !numeric || forceCategorical || d.size() <= MAX_CATEGORIES && d.size() < values.size();
        double lo = numeric && !d.isEmpty() ? Double.parseDouble(d.get(0)) : 0;
        double hi = numeric && !d.isEmpty() ? Double.parseDouble(d.get(d.size() - 1)) : 0;
        this.log = numeric && lo > 0 && hi / lo > 100;
    }

    boolean categorical() {
        return categorical;
    }

    int size() {
        return distinct.size();
    }

    /** Where a value lies on the axis: its category index, else its number. */
    double position(String value) {
        return categorical ? distinct.indexOf(value) : Double.parseDouble(value);
    }

    ValueAxis axis() {
        if (categorical) {
            SymbolAxis a = new SymbolAxis(name, distinct.stream().map(SweepAxis::shortLabel).toArray(String[]::new));
            a.setGridBandsVisible(false);
            return a;
        }
        if (log) {
            LogAxis a = new LogAxis(name);
            a.setBase(10);
            return a;
        }
        NumberAxis a = new NumberAxis(name);
        a.setAutoRangeIncludesZero(false);
        return a;
    }

    static boolean isNumber(String s) {
        try {
            return Double.isFinite(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Numbers with four significant digits ({@code 3.594e-05}), anything else as written. */
    static String shortLabel(String s) {
        if (!isNumber(s)) {
            return s;
        }
        double v = Double.parseDouble(s);
        if (v == Math.rint(v) && Math.abs(v) < 1e6) {
            return Long.toString((long) v);
        }
        String t = String.format(java.util.Locale.ROOT, Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? "%.4g" : "%.3e", v);
        return t.contains("e") ? t : t.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
