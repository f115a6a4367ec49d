package io.alexnetspark.paramserver;

/** A wait of the client ended because its owner asked it to stop (see {@link ParameterClient#abortWhen}). */
public final class AbortedException extends ParameterServerException {

    public AbortedException(String message) {
        super(message);
    }
}
