package io.alexnetspark.data.image;

/** Why an input image was left out of the shards. Counted per reason in the manifest. */
public enum SkipReason {
    /** A zero-byte file. */
    EMPTY_FILE,
    /** No image reader recognises the bytes (text, HTML error pages, ...): ImageIO returns null. */
    NOT_AN_IMAGE,
    /** The decoder threw: the data is damaged beyond reading. */
    DECODE_ERROR,
    /**
     * The decoder warned (e.g. "Missing EOI marker", "premature end of data segment"): a truncated
     * or damaged JPEG. ImageIO still returns pixels for these, partly grey; they are not trusted.
     */
    DECODE_WARNING,
    /** Decodable, but not a JPEG (e.g. a PNG named .JPEG) and the settings say to skip those. */
    NOT_JPEG,
    /** Smaller than the configured minimum side. */
    TOO_SMALL,
    /** The file could not be read from its file system (after the retries). */
    UNREADABLE_FILE,
    /** More pixels than {@code data.ingest.max-pixels}, seen in the header before decoding (a decompression bomb). */
    TOO_LARGE
}
