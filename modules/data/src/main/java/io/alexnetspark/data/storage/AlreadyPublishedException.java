package io.alexnetspark.data.storage;

import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.Path;

/** Another writer published under the name first: this writer lost the race and changed nothing. */
public final class AlreadyPublishedException extends FileAlreadyExistsException {

    private final transient Path target;

    public AlreadyPublishedException(Path target) {
        this(target, target + " exists already: another writer published it first (nothing of this write was kept)");
    }

    /** With a message that says what was taken, by whom if known. */
    public AlreadyPublishedException(Path target, String message) {
        super(message);
        this.target = target;
    }

    /** The name that was taken. */
    public Path target() {
        return target;
    }
}
