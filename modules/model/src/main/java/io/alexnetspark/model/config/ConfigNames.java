package io.alexnetspark.model.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How enum constants are spelled in the configuration: lower case, words joined by '-'
 * ({@code DIVIDED_BY_N} is {@code divided-by-n}); read case-insensitively, '_' accepted for '-'.
 * The one parser for every enum the configuration names.
 */
public final class ConfigNames {

    private ConfigNames() {
    }

    /** The configuration's spelling of a constant. */
    public static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The constant of {@code type} spelled {@code name}.
     *
     * @throws IllegalArgumentException naming every accepted spelling
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (E e : type.getEnumConstants()) {
            if (of(e).equals(wanted)) {
                return e;
            }
        }
        throw new IllegalArgumentException("expected " + expected(type) + ", got '" + name + "'");
    }

    private static String expected(Class<? extends Enum<?>> type) {
        String[] names = Arrays.stream(type.getEnumConstants()).map(ConfigNames::of).toArray(String[]::new);
        if (names.length == 1) {
            return names[0];
        }
        return Arrays.stream(names, 0, names.length - 1).collect(Collectors.joining(", ")) + " or " + names[names.length - 1];
    }
}
