package io.alexnetspark.train;

/**
 * A run refused before it started because of its output folder: it holds another run, or (on
 * resume) a run with another configuration, dataset or code. The message names the folder, what
 * differs and the ways on.
 */
public final class RunFolderException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    RunFolderException(String message) {
        super(message);
    }
}
