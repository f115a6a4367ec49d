package io.alexnetspark.paramserver;

/** A transport failure or time-out of the parameter server or its client. */
public class ParameterServerException extends RuntimeException {

    public ParameterServerException(String message) {
        super(message);
    }

    public ParameterServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
