package io.alexnetspark.data.image;

/** An input image that cannot be used, with the reason it is counted under. */
public class BadImageException extends Exception {
    private final SkipReason reason;

    public BadImageException(SkipReason reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    public BadImageException(SkipReason reason, String detail, Throwable cause) {
        super(reason + ": " + detail, cause);
        this.reason = reason;
    }

    /** The reason it is counted under. */
    public SkipReason reason() {
        return reason;
    }
}
