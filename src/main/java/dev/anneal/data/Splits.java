package dev.anneal.data;

import dev.anneal.spec.BadInput;
import java.util.Arrays;

/**
 * A stratified hold-out split ({@code data.validation_split}): from each class, {@code round(share x count)}
 * samples, chosen by a seeded Fisher-Yates shuffle of that class's indices (stream {@value #STREAM} of
 * {@code train.seed}), are held out; both parts keep the original sample order. Class proportions are kept as
 * closely as the counts allow (scikit-learn's {@code train_test_split(stratify=y)} rounds the same way per class,
 * not globally).
 *
 * @param kept indices that stay in the training set, ascending
 * @param heldOut indices held out, ascending
 */
public record Splits(int[] kept, int[] heldOut) {
    /** The SplitMix64 stream of the split, apart from the epoch order's. */
    static final long STREAM = 0x5eed5717L;

    /**
     * Splits {@code labels} (each in {@code [0, classes)}) holding out {@code share} of each class.
     *
     * @param source named when the split would leave either part empty
     */
    public static Splits stratified(int[] labels, int classes, double share, long seed, String source) {
        int[][] byClass = new int[classes][];
        int[] counts = new int[classes];
        for (int y : labels) {
            counts[y]++;
        }
        for (int c = 0; c < classes; c++) {
            byClass[c] = new int[counts[c]];
            counts[c] = 0;
        }
        for (int i = 0; i < labels.length; i++) {
            byClass[labels[i]][counts[labels[i]]++] = i;
        }
        boolean[] held = new boolean[labels.length];
        int heldCount = 0;
        for (int c = 0; c < classes; c++) {
            int[] idx = byClass[c];
            SplitMix64 rng = new SplitMix64(SplitMix64.derive(SplitMix64.derive(seed, STREAM), c));
            for (int i = idx.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
            int take = (int) Math.round(share * idx.length);
            for (int k = 0; k < take; k++) {
                held[idx[k]] = true;
            }
            heldCount += take;
        }
        if (heldCount == 0 || heldCount == labels.length) {
            throw new BadInput(source + ": validation_split " + share + " of " + labels.length + " samples leaves "
                    + (heldCount == 0 ? "no validation sample" : "no training sample") + "; change "
                    + "data.validation_split or give a test set with data.test_path");
        }
        int[] kept = new int[labels.length - heldCount];
        int[] out = new int[heldCount];
        int a = 0;
        int b = 0;
        for (int i = 0; i < labels.length; i++) {
            if (held[i]) {
                out[b++] = i;
            } else {
                kept[a++] = i;
            }
        }
        return new Splits(kept, out);
    }

    /** {@code labels} at {@code indices}. */
    static int[] select(int[] labels, int[] indices) {
        int[] out = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            out[k] = labels[indices[k]];
        }
        return out;
    }

    @Override
    public String toString() {
        return "Splits[kept " + kept.length + ", held out " + heldOut.length + " " + Arrays.toString(
                Arrays.copyOf(heldOut, Math.min(5, heldOut.length))) + "...]";
    }
}
