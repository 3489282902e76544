package dev.anneal.tune.sweep;

import java.util.List;

/**
 * How a sweep runs, which does not change its results: trials at once, CPU threads per trial (Anneal's pool and
 * OpenBLAS; fixed when the sweep starts, since OpenBLAS's sums depend on its thread count) and the devices that
 * trials take turns on ({@code cuda:0}, ...; empty: the config's {@code device}).
 */
record SweepSettings(int parallel, int trialThreads, List<String> devices) {
    SweepSettings {
        devices = List.copyOf(devices);
    }
}
