package dev.anneal.config;

import java.util.Collection;
import java.util.Optional;

/** The closest name to a misspelt one, by edit distance, for "did you mean" hints. */
public final class Nearest {
    private Nearest() {
    }

    /** The candidate nearest to {@code wrong}, if one is close enough to be a plausible typo. */
    public static Optional<String> to(String wrong, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(wrong.toLowerCase(), c.toLowerCase());
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        int allowed = Math.max(2, wrong.length() / 2);
        return best != null && bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /** A hint such as {@code "; did you mean t_max?"}, or the valid names when none is close. */
    static String hint(String wrong, Collection<String> candidates) {
        return to(wrong, candidates).map(n -> "; did you mean " + n + "?")
                .orElse("; valid: " + String.join(", ", candidates));
    }

    /** Damerau-Levenshtein distance (optimal string alignment): transposed letters count once. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
