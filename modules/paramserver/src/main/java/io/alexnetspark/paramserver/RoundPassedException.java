package io.alexnetspark.paramserver;

/**
 * The server closed a later round while this worker waited for an earlier one: with a quorum
 * below the worker count, a round can close without a slow worker. The worker is not broken; it
 * catches up with {@link ParameterClient#pullLatest} and goes on from the round that returns.
 */
public final class RoundPassedException extends ParameterServerException {

    private final long awaited;
    private final long serverRound;

    public RoundPassedException(String message, long awaited, long serverRound) {
        super(message);
        this.awaited = awaited;
        this.serverRound = serverRound;
    }

    /** The round this worker pushed and waited for. */
    public long awaited() {
        return awaited;
    }

    /** A later round the server has already closed. */
    public long serverRound() {
        return serverRound;
    }
}
