/**
 * Models over one flat parameter buffer: {@link dev.anneal.model.Sequential}, a stack of
 * {@link dev.anneal.model.Layer}s (linear, conv2d, pooling, batch norm, dropout, flatten, activations) with
 * PyTorch's {@code nn.Sequential} tensor names, planned from the data's sample shape by
 * {@link dev.anneal.model.ModelPlan} and configured by {@link dev.anneal.model.ModelSpec} ({@code type: mlp} is the
 * short form of a sequential MLP).
 */
package dev.anneal.model;
