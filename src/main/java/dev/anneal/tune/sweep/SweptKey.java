package dev.anneal.tune.sweep;

/** One config key of a sweep ({@code optimizer.lr}, {@code schedule.schedules[1].gamma}) and its values. */
record SweptKey(String key, ValueSpace space) {
}
