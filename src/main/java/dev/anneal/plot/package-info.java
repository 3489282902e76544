/**
 * PNG charts (JFreeChart): {@link dev.anneal.plot.LinePlot} for schedule and training curves,
 * {@link dev.anneal.plot.MarkerPlot} for the LR range test (log-x, named markers, a second axis), and
 * {@link dev.anneal.plot.SweepPlot} for sweeps (heatmap, metric against one key, parallel coordinates).
 */
package dev.anneal.plot;
