package dev.anneal.model;

/**
 * One named tensor of a model, by PyTorch's {@code state_dict} name ({@code 0.weight}, {@code 1.running_mean},
 * {@code 1.num_batches_tracked}) and shape ({@code [out, in]}, {@code [outC, inC, kH, kW]}, {@code []} for a
 * scalar), and where it lives: a {@link Kind#PARAMETER} at {@code offset} in the flat parameter buffer (and its
 * gradient at the same offset of the gradient buffer), a {@link Kind#BUFFER} at {@code offset} in the model's
 * state buffer (batch norm's running statistics), or the {@link Kind#COUNTER} of training forward passes that a
 * batch norm layer reports as its {@code num_batches_tracked} (an int64 scalar).
 */
public record NamedTensor(String name, int[] shape, Kind kind, long offset) {
    /** Where a tensor lives. */
    public enum Kind { PARAMETER, BUFFER, COUNTER }

    /** Elements: the product of the shape (1 for a scalar). */
    public long size() {
        long s = 1;
        for (int d : shape) {
            s *= d;
        }
        return s;
    }
}
