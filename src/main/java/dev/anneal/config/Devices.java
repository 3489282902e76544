package dev.anneal.config;

import dev.anneal.spec.SpecException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The top-level {@code device} and {@code devices} keys: which devices, and how many replicas.
 *
 * <ul>
 *   <li>{@code device}: {@code auto | cpu | cuda | cuda:N | cuda:N,M,...} (a list of distinct GPU numbers).</li>
 *   <li>{@code devices}: the number of data-parallel replicas, &gt;= 1; default the length of a {@code device}
 *       list, else 1. With {@code auto | cpu | cuda} it means that many replicas ({@code cuda}: cuda:0 to
 *       cuda:N-1); a list must have exactly {@code devices} entries; {@code cuda:N} is one GPU.</li>
 * </ul>
 */
final class Devices {
    private static final Pattern DEVICE = Pattern.compile(
            "auto|cpu|cuda|cuda:(0|[1-9][0-9]{0,8})(,(0|[1-9][0-9]{0,8}))*");
    private static final Pattern LIST = Pattern.compile("cuda:[0-9]+(,[0-9]+)+");
    private static final Pattern NUMBERED = Pattern.compile("(?:cuda|gpu|nvidia)\\s*[:=_#-]?\\s*\\+?(\\d{1,9})");
    /** Separators users write between GPU numbers, with an optional repeated prefix: {@code 0, cuda:1}. */
    private static final Pattern LIST_SEPARATOR = Pattern.compile("\\s*[,;\\s]\\s*(?:(?:cuda|gpu|nvidia)\\s*:?\\s*)?");

    private Devices() {
    }

    /** The default of {@code devices}: the length of a {@code cuda:N,M,...} list, else 1. */
    static int defaultCount(String device) {
        return device != null && LIST.matcher(device).matches() ? device.split(",").length : 1;
    }

    /** Whether {@code device} names several GPUs ({@code cuda:N,M,...}). */
    static boolean isList(String device) {
        return LIST.matcher(device).matches();
    }

    /** Accepts the forms above with distinct numbers; anything else fails with the nearest valid form. */
    static void check(String device) {
        if (!DEVICE.matcher(device).matches()) {
            throw new SpecException("device", "must be auto | cpu | cuda | cuda:N | cuda:N,M,... (N a device number "
                    + ">= 0), got '" + device + "'" + nearest(device));
        }
        if (isList(device)) {
            Set<Integer> seen = new HashSet<>();
            for (int n : ordinals(device)) {
                if (!seen.add(n)) {
                    throw new SpecException("device", "names cuda:" + n + " twice in '" + device + "'; list each GPU "
                            + "once, e.g. cuda:" + distinctExample(device));
                }
            }
        }
    }

    /** {@code devices} against {@code device}: at least 1, and the length of a list. */
    static void checkCount(String device, int devices) {
        if (devices < 1) {
            throw new SpecException("devices", "must be >= 1 (replicas, one per device), got " + devices);
        }
        if (isList(device)) {
            int listed = ordinals(device).size();
            if (listed != devices) {
                throw new SpecException("devices", "is " + devices + " but device: " + device + " lists " + listed
                        + " GPUs; set devices: " + listed + ", list " + devices + " GPUs, or drop devices (it "
                        + "defaults to the list's length)");
            }
        } else if (devices > 1 && device.startsWith("cuda:")) {
            int first = ordinals(device).get(0);
            StringBuilder list = new StringBuilder("cuda:").append(first);
            for (int i = 1; i < devices; i++) {
                list.append(',').append(first + i);
            }
            throw new SpecException("devices", "is " + devices + " but device: " + device + " names one GPU; use "
                    + "device: cuda (cuda:0 to cuda:" + (devices - 1) + ") or list them, e.g. device: " + list);
        }
    }

    /** The GPU numbers of {@code cuda:N} or {@code cuda:N,M,...}. */
    static List<Integer> ordinals(String device) {
        List<Integer> out = new ArrayList<>();
        for (String s : device.substring("cuda:".length()).split(",")) {
            out.add(Integer.parseInt(s));
        }
        return out;
    }

    private static String distinctExample(String device) {
        List<Integer> distinct = new ArrayList<>(new java.util.LinkedHashSet<>(ordinals(device)));
        StringBuilder sb = new StringBuilder();
        for (int n : distinct) {
            sb.append(sb.length() == 0 ? "" : ",").append(n);
        }
        return sb.toString();
    }

    private static String nearest(String device) {
        String d = device.strip().toLowerCase(Locale.ROOT);
        if (DEVICE.matcher(d).matches()) {
            return "; did you mean " + d + "?";
        }
        Matcher numbered = NUMBERED.matcher(d);
        if (numbered.matches()) {
            return "; did you mean cuda:" + Integer.parseInt(numbered.group(1)) + "?";
        }
        String list = asList(d);
        if (list != null) {
            return "; did you mean " + list + "?";
        }
        if (d.startsWith("cuda") || d.startsWith("gpu") || d.startsWith("nvidia")) {
            return "; did you mean cuda (the first GPU) or cuda:N?";
        }
        return Nearest.to(d, List.of("auto", "cpu", "cuda")).map(n -> "; did you mean " + n + "?").orElse("");
    }

    /** {@code cuda:0, 1}, {@code cuda:0,cuda:1} or {@code gpu0,gpu1} as {@code cuda:0,1}; null if not a list. */
    private static String asList(String d) {
        Matcher first = Pattern.compile("(?:cuda|gpu|nvidia)\\s*:?\\s*(\\d{1,9})(.*)").matcher(d);
        if (!first.matches() || first.group(2).isBlank()) {
            return null;
        }
        StringBuilder out = new StringBuilder("cuda:").append(Integer.parseInt(first.group(1)));
        Matcher rest = Pattern.compile("\\G" + LIST_SEPARATOR.pattern() + "(\\d{1,9})").matcher(first.group(2));
        int end = 0;
        while (rest.find()) {
            out.append(',').append(Integer.parseInt(rest.group(1)));
            end = rest.end();
        }
        return end == first.group(2).length() ? out.toString() : null;
    }
}
