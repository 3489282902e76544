package dev.anneal.model;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;

/**
 * What every layer of one {@link Sequential} shares: the backend, the flat parameter and gradient buffers (each
 * layer's weight and bias at the same offsets in both), the state buffer of batch norm's running statistics, the
 * device counter of training forward passes (the dropout draw number), the dropout seed, the replica index (which
 * separates the replicas' dropout streams) and the most rows one pass takes ({@code rows}), which sizes every
 * layer's buffers.
 */
record ModelBuffers(Backend backend, FloatArray params, FloatArray grads, FloatArray state, IntArray counter,
                    long dropoutSeed, int replica, int rows) {
}
