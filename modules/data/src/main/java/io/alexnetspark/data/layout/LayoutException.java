package io.alexnetspark.data.layout;

/** The input tree does not have the expected layout (missing label file, empty class folder, ...). */
public class LayoutException extends RuntimeException {
    public LayoutException(String message) {
        super(message);
    }
}
