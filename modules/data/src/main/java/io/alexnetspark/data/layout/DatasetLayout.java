package io.alexnetspark.data.layout;

/** The input tree layouts ingestion accepts. */
public enum DatasetLayout {
    /**
     * ILSVRC-2012: {@code train/<wnid>/*.JPEG}, and optionally {@code val/} as either
     * {@code val/<wnid>/*} or {@code val/*.JPEG} with {@code LOC_val_solution.csv} (in {@code val/}
     * or the root).
     */
    IMAGENET,
    /** Any {@code <class>/<image>} tree; class ids are the folder names; one split named "train". */
    GENERIC
}
