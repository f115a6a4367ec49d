package io.alexnetspark.data.manifest;

import java.util.ArrayList;
import java.util.List;

/**
 * How many images were skipped (or converted) for one reason, with a few example keys.
 *
 * @param count    number of images
 * @param examples up to {@link #MAX_EXAMPLES} keys, for a human to look at
 */
public record ReasonCount(long count, List<String> examples) implements java.io.Serializable {
    /** How many example keys are kept per reason. */
    public static final int MAX_EXAMPLES = 5;

    public ReasonCount {
        examples = List.copyOf(examples);
    }

    /** One more image with this reason. */
    public ReasonCount plus(String key) {
        List<String> ex = new ArrayList<>(examples);
        if (ex.size() < MAX_EXAMPLES) {
            ex.add(key);
        }
        return new ReasonCount(count + 1, ex);
    }

    /** The sum of two counts, keeping the first examples. */
    public ReasonCount plus(ReasonCount other) {
        List<String> ex = new ArrayList<>(examples);
        for (String k : other.examples) {
            if (ex.size() < MAX_EXAMPLES) {
                ex.add(k);
            }
        }
        return new ReasonCount(count + other.count, ex);
    }

    /** No images. */
    public static ReasonCount none() {
        return new ReasonCount(0, List.of());
    }
}
