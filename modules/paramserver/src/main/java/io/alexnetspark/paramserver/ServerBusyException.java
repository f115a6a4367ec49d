package io.alexnetspark.paramserver;

/** A dedicated server refused a claim: it serves another job's run, which is still alive. */
public final class ServerBusyException extends ParameterServerException {

    private static final long serialVersionUID = 1L;

    public ServerBusyException(String message) {
        super(message);
    }
}
