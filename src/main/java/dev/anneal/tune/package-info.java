/**
 * Tuning the learning rate: {@link dev.anneal.tune.RangeTest} runs the LR range test of Smith 2017 ("Cyclical
 * Learning Rates for Training Neural Networks", section 3.3) through the ordinary {@code Trainer} on a throwaway
 * copy of a config, {@link dev.anneal.tune.LossSmoother} smooths its losses as fastai and Lightning do, and
 * {@link dev.anneal.tune.LrSuggestions} and {@link dev.anneal.tune.ClrBounds} turn the curve into rates.
 * {@code anneal lr-find} is the command.
 */
package dev.anneal.tune;
