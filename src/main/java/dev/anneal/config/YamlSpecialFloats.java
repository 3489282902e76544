package dev.anneal.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * A parser that reads YAML's special floats {@code .nan}, {@code .inf}, {@code +.inf} and {@code -.inf} (any of
 * the spellings {@code .nan .NaN .NAN .inf .Inf .INF}) as the doubles they are. Jackson's YAML parser resolves
 * them as floats but then fails to convert them ("Malformed numeric value '.nan'"); read as numbers, they reach
 * each key's own rule, which names the key and says why a non-finite value does not fit
 * ({@code optimizer.lr must be finite and >= 0, got NaN}).
 */
final class YamlSpecialFloats extends JsonParserDelegate {
    private static final Pattern SPECIAL = Pattern.compile("[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");

    YamlSpecialFloats(JsonParser d) {
        super(d);
    }

    /** The value of a special float token, or null when the current token is an ordinary one. */
    private Double special() throws IOException {
        if (currentToken() != JsonToken.VALUE_NUMBER_FLOAT) {
            return null;
        }
        String text = getText();
        if (text == null || !SPECIAL.matcher(text).matches()) {
            return null;
        }
        if (text.endsWith("n") || text.endsWith("N")) {
            return Double.NaN;
        }
        return text.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    @Override
    public NumberType getNumberType() throws IOException {
        return special() != null ? NumberType.DOUBLE : super.getNumberType();
    }

    @Override
    public NumberTypeFP getNumberTypeFP() throws IOException {
        return special() != null ? NumberTypeFP.DOUBLE64 : super.getNumberTypeFP();
    }

    @Override
    public Number getNumberValue() throws IOException {
        Double v = special();
        return v != null ? v : super.getNumberValue();
    }

    @Override
    public Number getNumberValueExact() throws IOException {
        Double v = special();
        return v != null ? v : super.getNumberValueExact();
    }

    @Override
    public Object getNumberValueDeferred() throws IOException {
        Double v = special();
        return v != null ? v : super.getNumberValueDeferred();
    }

    @Override
    public double getDoubleValue() throws IOException {
        Double v = special();
        return v != null ? v : super.getDoubleValue();
    }

    @Override
    public float getFloatValue() throws IOException {
        Double v = special();
        return v != null ? v.floatValue() : super.getFloatValue();
    }

    @Override
    public boolean isNaN() throws IOException {
        Double v = special();
        return v != null ? !Double.isFinite(v) : super.isNaN();
    }

    @Override
    public BigDecimal getDecimalValue() throws IOException {
        Double v = special();
        if (v != null) {
            throw new NumberFormatException(getText() + " has no decimal value");
        }
        return super.getDecimalValue();
    }
}
