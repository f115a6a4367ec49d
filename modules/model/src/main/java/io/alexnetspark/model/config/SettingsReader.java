package io.alexnetspark.model.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import java.util.List;
import java.util.function.Function;

/**
 * Typed, range-checked reads from a {@link Config}. Every failure becomes an
 * {@link InvalidConfigException} that names the key and says what was expected.
 */
public final class SettingsReader {

    private final Config config;

    public SettingsReader(Config config) {
        this.config = config;
    }

    public int intAtLeast(String key, int min) {
        requireWhole(key);
        int v = read(key, () -> config.getInt(key));
        if (v < min) {
            throw new InvalidConfigException(key, "must be >= " + min + ", got " + v);
        }
        return v;
    }

    public long longValue(String key) {
        requireWhole(key);
        return read(key, () -> config.getLong(key));
    }

    /** A whole number: 2.9 is refused, not read as 2. */
    private void requireWhole(String key) {
        Number n = read(key, () -> config.getNumber(key));
        double d = n.doubleValue();
        if (!(n instanceof Integer || n instanceof Long) && (Double.isNaN(d) || Double.isInfinite(d) || d != Math.rint(d))) {
            throw new InvalidConfigException(key, "must be a whole number, got " + read(key, () -> config.getValue(key).unwrapped()));
        }
    }

    /** An enum constant by its configuration spelling ({@link ConfigNames}). */
    public <E extends Enum<E>> E choice(String key, Class<E> type) {
        return choice(key, name -> ConfigNames.parse(type, name));
    }

    public double doubleIn(String key, double min, boolean minInclusive, double max, boolean maxInclusive) {
        double v = read(key, () -> config.getDouble(key));
        boolean ok = !Double.isNaN(v)
                && (minInclusive ? v >= min : v > min)
                && (maxInclusive ? v <= max : v < max);
        if (!ok) {
            throw new InvalidConfigException(key, "must be in " + (minInclusive ? "[" : "(") + min + ", " + max
                    + (maxInclusive ? "]" : ")") + ", got " + v);
        }
        return v;
    }

    public double positive(String key) {
        return doubleIn(key, 0, false, Double.MAX_VALUE, true);
    }

    public <T> T choice(String key, Function<String, T> parser) {
        String raw = read(key, () -> config.getString(key));
        try {
            return parser.apply(raw);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(key, e.getMessage());
        }
    }

    public List<String> strings(String key) {
        return read(key, () -> config.getStringList(key));
    }

    public List<Integer> ints(String key) {
        return read(key, () -> config.getIntList(key));
    }

    public boolean bool(String key) {
        return read(key, () -> config.getBoolean(key));
    }

    public double doubleValue(String key) {
        return read(key, () -> config.getDouble(key));
    }

    public List<Double> doubles(String key) {
        return read(key, () -> config.getDoubleList(key));
    }

    public String string(String key) {
        return read(key, () -> config.getString(key));
    }

    /** A duration with its unit ({@code 60s}, {@code 500ms}): a bare number is refused, not read as milliseconds. */
    public java.time.Duration duration(String key) {
        Object raw = read(key, () -> config.getValue(key).unwrapped());
        if (raw instanceof Number || String.valueOf(raw).trim().matches("[+-]?[0-9.]+")) {
            throw new InvalidConfigException(key, "needs a unit, e.g. " + raw + "s or " + raw + "ms, got " + raw);
        }
        return read(key, () -> config.getDuration(key));
    }

    private interface Read<T> {
        T get();
    }

    private static <T> T read(String key, Read<T> read) {
        try {
            return read.get();
        } catch (ConfigException.Missing e) {
            throw new InvalidConfigException(key, "missing");
        } catch (ConfigException.WrongType e) {
            throw new InvalidConfigException(key, "wrong type: " + e.getMessage());
        } catch (ConfigException e) {
            throw new InvalidConfigException(key, e.getMessage());
        }
    }
}
