package dev.anneal.model;

import dev.anneal.spec.Require;
import dev.anneal.spec.SpecException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of {@code model.layers} (a {@code type: sequential} model): a mapping with a {@code type} key and the
 * keys of that type, PyTorch's module of the same name with its defaults. Every record here is configuration only;
 * {@link ModelPlan} works out the shapes and {@link Sequential} runs the layers.
 */
public sealed interface LayerSpec {
    /** Every layer type by its config name ({@code model.layers[i].type}). */
    Map<String, Class<? extends LayerSpec>> TYPES = types();

    /** The config name of {@code spec}'s type: {@code conv2d}. */
    static String nameOf(LayerSpec spec) {
        for (Map.Entry<String, Class<? extends LayerSpec>> e : TYPES.entrySet()) {
            if (e.getValue() == spec.getClass()) {
                return e.getKey();
            }
        }
        throw new IllegalArgumentException("unknown layer " + spec);
    }

    private static Map<String, Class<? extends LayerSpec>> types() {
        Map<String, Class<? extends LayerSpec>> all = new LinkedHashMap<>();
        all.put("linear", Linear.class);
        all.put("conv2d", Conv2d.class);
        all.put("max_pool2d", MaxPool2d.class);
        all.put("avg_pool2d", AvgPool2d.class);
        all.put("batch_norm2d", BatchNorm2d.class);
        all.put("batch_norm1d", BatchNorm1d.class);
        all.put("dropout", Dropout.class);
        all.put("flatten", Flatten.class);
        all.put("relu", Relu.class);
        all.put("gelu", Gelu.class);
        all.put("tanh", Tanh.class);
        return Collections.unmodifiableMap(all);
    }

    /** The most units, channels or kernel extent a key takes. */
    long MAX_WIDTH = 1 << 20;

    /**
     * {@code linear} ({@code nn.Linear}): {@code out_features} (for the last layer it may be left out: the data's
     * classes), {@code bias} default true.
     */
    record Linear(Long outFeatures, Boolean bias) implements LayerSpec {
        public Linear {
            bias = bias == null ? Boolean.TRUE : bias;
            if (outFeatures != null && (outFeatures <= 0 || outFeatures > MAX_WIDTH)) {
                throw new SpecException("out_features", "must be a width in 1..1048576, got " + outFeatures);
            }
        }
    }

    /**
     * {@code conv2d} ({@code nn.Conv2d}, dilation 1, groups 1): {@code out_channels}, {@code kernel_size},
     * {@code stride} default 1, {@code padding} default 0 (each a whole number or {@code [h, w]}), {@code bias}
     * default true.
     */
    record Conv2d(Long outChannels, Size2d kernelSize, Size2d stride, Size2d padding, Boolean bias)
            implements LayerSpec {
        public Conv2d {
            long c = Require.positive("out_channels", outChannels);
            if (c > MAX_WIDTH) {
                throw new SpecException("out_channels", "must be at most 1048576, got " + c);
            }
            Require.present("kernel_size", kernelSize).atLeast("kernel_size", 1);
            stride = stride == null ? Size2d.of(1) : stride.atLeast("stride", 1);
            padding = padding == null ? Size2d.of(0) : padding.atLeast("padding", 0);
            bias = bias == null ? Boolean.TRUE : bias;
        }
    }

    /** {@code max_pool2d} ({@code nn.MaxPool2d}): {@code kernel_size}, {@code stride} default the kernel, {@code padding} 0. */
    record MaxPool2d(Size2d kernelSize, Size2d stride, Size2d padding) implements LayerSpec {
        public MaxPool2d {
            Require.present("kernel_size", kernelSize).atLeast("kernel_size", 1);
            stride = stride == null ? kernelSize : stride.atLeast("stride", 1);
            padding = padding == null ? Size2d.of(0) : padding.atLeast("padding", 0);
        }
    }

    /** {@code avg_pool2d} ({@code nn.AvgPool2d}, padding counted): the keys of {@link MaxPool2d}. */
    record AvgPool2d(Size2d kernelSize, Size2d stride, Size2d padding) implements LayerSpec {
        public AvgPool2d {
            Require.present("kernel_size", kernelSize).atLeast("kernel_size", 1);
            stride = stride == null ? kernelSize : stride.atLeast("stride", 1);
            padding = padding == null ? Size2d.of(0) : padding.atLeast("padding", 0);
        }
    }

    /** {@code batch_norm2d} ({@code nn.BatchNorm2d}): {@code momentum} default 0.1, {@code eps} default 1e-5. */
    record BatchNorm2d(Double momentum, Double eps) implements LayerSpec {
        public BatchNorm2d {
            momentum = momentum == null ? 0.1 : momentum;
            eps = eps == null ? 1e-5 : eps;
            Require.inClosed("momentum", momentum, 0.0, 1.0);
            Require.positive("eps", eps);
        }
    }

    /** {@code batch_norm1d} ({@code nn.BatchNorm1d} over {@code [N, C]} features): the keys of {@link BatchNorm2d}. */
    record BatchNorm1d(Double momentum, Double eps) implements LayerSpec {
        public BatchNorm1d {
            momentum = momentum == null ? 0.1 : momentum;
            eps = eps == null ? 1e-5 : eps;
            Require.inClosed("momentum", momentum, 0.0, 1.0);
            Require.positive("eps", eps);
        }
    }

    /** {@code dropout} ({@code nn.Dropout}): {@code p}, the probability of zeroing an element, default 0.5. */
    record Dropout(Double p) implements LayerSpec {
        public Dropout {
            p = p == null ? 0.5 : p;
            Require.inClosed("p", p, 0.0, 1.0);
        }
    }

    /** {@code flatten} ({@code nn.Flatten}): {@code [C, H, W]} to {@code C*H*W} features in that order. */
    record Flatten() implements LayerSpec {
    }

    /** {@code relu}: {@code max(z, 0)}. */
    record Relu() implements LayerSpec {
    }

    /** {@code gelu}: PyTorch's exact {@code nn.GELU()}. */
    record Gelu() implements LayerSpec {
    }

    /** {@code tanh}. */
    record Tanh() implements LayerSpec {
    }
}
