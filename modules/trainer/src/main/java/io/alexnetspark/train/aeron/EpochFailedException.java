package io.alexnetspark.train.aeron;

import io.alexnetspark.train.EpochAttempt;

import java.util.List;
import java.util.Locale;

/**
 * An epoch that failed every attempt it was allowed (the message names the epoch, its attempts and
 * the last cause), or one that must not be tried again. The command line prints its message as the error.
 */
public final class EpochFailedException extends RuntimeException {

    private final List<EpochAttempt> attempts;

    EpochFailedException(int epoch, List<EpochAttempt> attempts, String why, Throwable last) {
        super(String.format(Locale.ROOT, "epoch %d failed after %d attempt%s: %s; last cause: %s", epoch + 1, attempts.size(),
                attempts.size() == 1 ? "" : "s", why, attempts.get(attempts.size() - 1).cause()), last);
        this.attempts = List.copyOf(attempts);
    }

    /** An epoch that must not be tried again (e.g. every replica diverged): {@code message} says why. */
    EpochFailedException(String message, List<EpochAttempt> attempts, Throwable cause) {
        super(message, cause);
        this.attempts = List.copyOf(attempts);
    }

    /** The epoch's attempts, the failed last one included. */
    public List<EpochAttempt> attempts() {
        return attempts;
    }
}
