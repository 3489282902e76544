package dev.anneal.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import jcuda.NativePointerObject;
import jcuda.Pointer;

/**
 * The parameters of one kernel launch, packed in order, each with its {@link ParamKind}; every value is checked
 * against {@link Kernel#params()} as it is added and {@link #done()} checks the count, so a launcher that packs
 * a different list fails on the host, with or without a GPU. {@link #pointer()} is {@code cuLaunchKernel}'s
 * {@code kernelParams}: one pointer per parameter, to its value.
 *
 * <p>Each value goes into an 8-byte slot of {@code slots} (parameter {@code i} at byte {@code 8 i}: a float or int
 * in its first 4 bytes, a long or device address in all 8). Two kinds:
 * <ul>
 *   <li>{@link #reusable}: the backend's, one per kernel, whose slots live in pinned host memory next to a
 *       {@code kernelParams} array that already points at them ({@link ArgumentBlocks}). A launch {@link #reset}s
 *       it and writes its values into the slots; nothing is allocated and JCuda marshals a single pointer. The
 *       driver copies the values at {@code cuLaunchKernel} (and at capture), so the next launch may rewrite them.
 *   <li>{@link #of}: a fresh set on the heap, what {@link Launcher#launch} returns for tests and planning; its
 *       {@link #pointer()} is built from the values when asked.
 * </ul>
 * Buffers are kept by reference (not formatted) for error messages ({@link #buffers}).
 */
final class KernelArgs {
    private final Kernel kernel;
    private final List<ParamKind> params;
    private final ByteBuffer slots;
    private final Span[] spans;
    private final Pointer kernelParams;
    private int count;
    private boolean done;

    private KernelArgs(Kernel kernel, ByteBuffer slots, Pointer kernelParams) {
        this.kernel = kernel;
        this.params = kernel.params();
        this.slots = slots;
        this.spans = new Span[params.size()];
        this.kernelParams = kernelParams;
    }

    /** A fresh, unshared set of {@code kernel}'s arguments. */
    static KernelArgs of(Kernel kernel) {
        return new KernelArgs(kernel, ByteBuffer.allocate(8 * kernel.params().size()).order(ByteOrder.nativeOrder()),
                null);
    }

    /**
     * Arguments written into {@code slots} (8 bytes per parameter, native byte order), passed to the driver as
     * {@code kernelParams}, a native array whose element {@code i} points at slot {@code i}.
     */
    static KernelArgs reusable(Kernel kernel, ByteBuffer slots, Pointer kernelParams) {
        if (slots.capacity() < 8 * kernel.params().size() || slots.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException(kernel.entry() + ": argument slots of " + slots.capacity()
                    + " bytes in " + slots.order());
        }
        return new KernelArgs(kernel, slots, kernelParams);
    }

    /** Empties a reusable set for the next launch (its slots are overwritten as the values are packed). */
    KernelArgs reset() {
        count = 0;
        done = false;
        return this;
    }

    KernelArgs f32(float v) {
        slots.putFloat(next(ParamKind.F32), v);
        return this;
    }

    KernelArgs i32(int v) {
        slots.putInt(next(ParamKind.I32), v);
        return this;
    }

    /** A C {@code int} flag: 1 or 0. */
    KernelArgs flag(boolean v) {
        return i32(v ? 1 : 0);
    }

    KernelArgs i64(long v) {
        slots.putLong(next(ParamKind.I64), v);
        return this;
    }

    KernelArgs ptr(Span s) {
        int at = next(ParamKind.PTR);
        slots.putLong(at, s.address());
        spans[at / 8] = s;
        return this;
    }

    /** Finishes packing; throws unless exactly the kernel's parameter list was packed. */
    KernelArgs done() {
        if (done) {
            throw new IllegalStateException(kernel.entry() + ": arguments already finished");
        }
        if (count != params.size()) {
            throw new IllegalStateException(kernel.entry() + " takes " + params + ", packed " + kinds());
        }
        done = true;
        return this;
    }

    Kernel kernel() {
        return kernel;
    }

    boolean isDone() {
        return done;
    }

    /** The kinds packed, in order. */
    List<ParamKind> kinds() {
        return params.subList(0, count);
    }

    /** The values packed: {@code Float}, {@code Integer}, {@code Long} or {@link Span}. */
    List<Object> values() {
        List<Object> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(switch (params.get(i)) {
                case F32 -> slots.getFloat(8 * i);
                case I32 -> slots.getInt(8 * i);
                case I64 -> slots.getLong(8 * i);
                case PTR -> spans[i];
            });
        }
        return out;
    }

    /** The {@code kernelParams} array for {@code cuLaunchKernel}. */
    Pointer pointer() {
        if (!done) {
            throw new IllegalStateException(kernel.entry() + ": arguments not finished");
        }
        if (kernelParams != null) {
            return kernelParams;
        }
        NativePointerObject[] each = new NativePointerObject[count];
        for (int i = 0; i < count; i++) {
            each[i] = switch (params.get(i)) {
                case F32 -> Pointer.to(new float[] {slots.getFloat(8 * i)});
                case I32 -> Pointer.to(new int[] {slots.getInt(8 * i)});
                case I64 -> Pointer.to(new long[] {slots.getLong(8 * i)});
                case PTR -> Pointer.to(spans[i].pointer());
            };
        }
        return Pointer.to(each);
    }

    /** The buffers, for error messages: {@code "scalars 16 floats, params 1000003 floats"}. */
    String buffers() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (params.get(i) == ParamKind.PTR) {
                out.add(spans[i].describe());
            }
        }
        return String.join(", ", out);
    }

    /** The byte offset of the next parameter's slot, after checking that it is of {@code kind}. */
    private int next(ParamKind kind) {
        if (done) {
            throw new IllegalStateException(kernel.entry() + ": arguments already finished");
        }
        int i = count;
        if (i >= params.size() || params.get(i) != kind) {
            throw new IllegalStateException(kernel.entry() + " parameter " + i + " is "
                    + (i < params.size() ? params.get(i) : "not there") + ", packed " + kind);
        }
        count++;
        return 8 * i;
    }
}
