/**
 * {@code anneal sweep}: grid and random search over any config keys, with asynchronous successive halving
 * ({@link dev.anneal.tune.sweep.Asha}) as optional early stopping. {@link dev.anneal.tune.sweep.SweepRunner} runs
 * the trials, each an ordinary run directory written by {@code anneal train} in its own JVM
 * ({@link dev.anneal.tune.sweep.TrialMain}), records them in {@code sweep.csv} and resumes an interrupted sweep
 * from what its directory holds ({@link dev.anneal.tune.sweep.SweepDirectory}).
 */
package dev.anneal.tune.sweep;
