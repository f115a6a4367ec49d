package io.alexnetspark.train.aeron;

/**
 * Every replica's loss or parameters became NaN/Inf in the same round: each was reset to the last
 * average and pushed it unchanged, so the round's average came back bit-identical to what it
 * pushed. Training further would repeat that forever; the job stops and says so. Thrown in a
 * replica task; the driver finds it by its marker in Spark's stage-failure message.
 */
public final class EveryReplicaDivergedException extends RuntimeException {

    private static final String MARKER = "diverged at epoch ";

    EveryReplicaDivergedException(int epoch, long round) {
        super(MARKER + (epoch + 1) + ", round " + round + ": every replica's loss or parameters became NaN/Inf; "
                + "lower the learning rate (training.learning-rate) or resume from an earlier checkpoint");
    }

    /** Whether {@code e} (a failed stage) was caused by this exception in a task. */
    static boolean isIn(Throwable e) {
        return messageIn(e) != null;
    }

    /** The exception's message as the stage failure carries it, or null. */
    static String messageIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            int at = m == null ? -1 : m.indexOf(MARKER);
            if (at >= 0) {
                int end = m.indexOf('\n', at);
                return m.substring(at, end < 0 ? m.length() : end);
            }
        }
        return null;
    }
}
