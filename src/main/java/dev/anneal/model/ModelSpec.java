package dev.anneal.model;

import dev.anneal.spec.Require;
import dev.anneal.spec.SpecException;
import java.util.ArrayList;
import java.util.List;

/**
 * The config section {@code model}: the network between the data's samples and its classes.
 *
 * <ul>
 *   <li>{@code type: mlp} (the default), the short form of a multilayer perceptron: {@code hidden} widths,
 *       default [512, 256], may be empty (a linear model); {@code activation} relu | gelu | tanh, default relu.
 *       It is the sequential model {@code linear, act, linear, act, ..., linear} over the flattened sample.</li>
 *   <li>{@code type: sequential}: {@code layers}, a list of {@link LayerSpec}s run in order, PyTorch's
 *       {@code nn.Sequential} (its tensor names too: {@code 0.weight}, {@code 1.running_mean}).</li>
 * </ul>
 *
 * @param type {@code type}: {@code mlp} or {@code sequential}
 * @param hidden {@code hidden} ({@code mlp} only)
 * @param activation {@code activation} ({@code mlp} only)
 * @param init {@code init}: how weights start, for linear and conv2d layers with
 *     {@code fan_in = in_features} or {@code in_channels * kH * kW} and {@code fan_out = out_features} or
 *     {@code out_channels * kH * kW}: kaiming (He et al. 2015: weights N(0, 2/fan_in), biases 0) | xavier (Glorot
 *     and Bengio 2010: weights U(-a, a), a = sqrt(6/(fan_in+fan_out)), biases 0) | pytorch (PyTorch's defaults:
 *     weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in))), default kaiming; batch norm always starts at weight
 *     1, bias 0
 * @param layers {@code layers} ({@code sequential} only)
 */
public record ModelSpec(String type, List<Long> hidden, String activation, String init, List<LayerSpec> layers) {
    public ModelSpec {
        type = type == null ? "mlp" : type;
        init = init == null ? "kaiming" : init;
        Require.oneOf("type", type, "mlp", "sequential");
        if (type.equals("mlp")) {
            if (layers != null) {
                throw new SpecException("layers", "belongs to type: sequential; an mlp is described by hidden and "
                        + "activation");
            }
            hidden = hidden == null ? List.of(512L, 256L) : hidden;
            activation = activation == null ? "relu" : activation;
            for (int i = 0; i < hidden.size(); i++) {
                Long w = hidden.get(i);
                if (w == null || w <= 0 || w > LayerSpec.MAX_WIDTH) {
                    throw new SpecException("hidden[" + i + "]", "must be a width in 1..1048576, got " + w);
                }
            }
            hidden = List.copyOf(hidden);
            Require.oneOf("activation", activation, "relu", "gelu", "tanh");
        } else {
            for (String key : new String[] {"hidden", "activation"}) {
                if ((key.equals("hidden") ? hidden : activation) != null) {
                    throw new SpecException(key, "belongs to type: mlp; a sequential model lists its layers");
                }
            }
            if (layers == null || layers.isEmpty()) {
                throw new SpecException("layers", "is required for type: sequential: a list of layers such as "
                        + "{type: linear, out_features: 10}");
            }
            for (int i = 0; i < layers.size(); i++) {
                if (layers.get(i) == null) {
                    throw new SpecException("layers[" + i + "]", "must be a layer with a type key, got nothing");
                }
            }
            layers = List.copyOf(layers);
        }
        Require.oneOf("init", init, "kaiming", "xavier", "pytorch");
    }

    /** The defaults: the 784-512-256-10 model of the default job (widths from the data). */
    public static ModelSpec defaults() {
        return new ModelSpec(null, null, null, null, null);
    }

    /** An MLP through {@code hidden} widths with {@code activation} and {@code init}. */
    public static ModelSpec mlp(List<Long> hidden, String activation, String init) {
        return new ModelSpec("mlp", hidden, activation, init, null);
    }

    /** A sequential model of {@code layers} with {@code init}. */
    public static ModelSpec sequential(List<LayerSpec> layers, String init) {
        return new ModelSpec("sequential", null, null, init, layers);
    }

    /**
     * The layers this model runs: an MLP's {@code linear(h1), act, ..., linear(classes)} (the last width left to
     * the data's classes; the MLP reads each sample as its flat features), or the listed layers.
     */
    public List<LayerSpec> stack() {
        if (type.equals("sequential")) {
            return layers;
        }
        List<LayerSpec> out = new ArrayList<>();
        for (Long w : hidden) {
            out.add(new LayerSpec.Linear(w, true));
            out.add(switch (activation) {
                case "gelu" -> new LayerSpec.Gelu();
                case "tanh" -> new LayerSpec.Tanh();
                default -> new LayerSpec.Relu();
            });
        }
        out.add(new LayerSpec.Linear(null, true));
        return out;
    }
}
