package dev.anneal.model;

import dev.anneal.backend.Activation;
import java.util.Arrays;

/**
 * One layer of a {@link ModelPlan}: its place in the stack (its module index, which names its tensors), its
 * config, and the per-sample shapes it maps: {@code [D]} features or {@code [C, H, W]} images (PyTorch's order;
 * inside the model images are stored channels last).
 *
 * @param index the module index in the {@code nn.Sequential}
 * @param spec the layer's config
 * @param in the shape of one input sample
 * @param out the shape of one output sample
 * @param inFeatures for {@code linear}, the input width; for {@code conv2d}, the input channels; else 0
 * @param fused the activation of the next layer when this {@code linear} or {@code conv2d} runs it fused (one
 *     bias-and-activation pass); for a {@code max_pool2d} after {@code conv2d, relu}, the ReLU, which it applies
 *     after pooling instead (see {@link ModelPlan}); else null
 * @param absorbed whether this activation layer runs fused inside the layer before or after it
 * @param biasInPool for a {@code conv2d} with a bias followed by a {@code max_pool2d} (directly or after a
 *     {@code relu}): the conv writes its output without the bias and the pool adds it as it reads
 *     ({@link dev.anneal.backend.PoolOps#maxPoolBiasForward}, the same bits); for that {@code max_pool2d}: it
 *     adds the conv's bias; else false
 */
public record PlannedLayer(int index, LayerSpec spec, int[] in, int[] out, int inFeatures, Activation fused,
                           boolean absorbed, boolean biasInPool) {
    public String type() {
        return LayerSpec.nameOf(spec);
    }

    /** Floats of one output sample. */
    public long outSize() {
        return ModelPlan.size(out);
    }

    /** Floats of one input sample. */
    public long inSize() {
        return ModelPlan.size(in);
    }

    /** The key of this layer in the config: {@code model.layers[3]} (an MLP's layers have none of their own). */
    public String key() {
        return "model.layers[" + index + "]";
    }

    /** Trainable parameters: weight and bias. */
    public long parameters() {
        long p = 0;
        for (NamedTensor t : ModelPlan.tensorsOf(this, 0, 0)) {
            p += t.kind() == NamedTensor.Kind.PARAMETER ? t.size() : 0;
        }
        return p;
    }

    /** {@code [32, 14, 14]}. */
    static String shape(int[] s) {
        return Arrays.toString(s);
    }
}
