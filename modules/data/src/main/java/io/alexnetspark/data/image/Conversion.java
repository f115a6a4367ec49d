package io.alexnetspark.data.image;

/** A repair applied to an input image on its way into a shard. Counted per kind in the manifest. */
public enum Conversion {
    /** One grey channel copied to R, G and B. */
    GREY_TO_RGB,
    /** CMYK or YCCK JPEG converted to RGB. */
    CMYK_TO_RGB,
    /** An alpha channel dropped (composited on white). */
    ALPHA_DROPPED,
    /** Not a JPEG (e.g. a PNG named .JPEG): decoded and re-encoded as JPEG. */
    REENCODED_FROM_OTHER_FORMAT,
    /**
     * Junk bytes between two header segments ("Corrupt JPEG data: N extraneous bytes before marker
     * 0xda"), skipped by the decoder: outside the entropy-coded data, they cannot change a pixel.
     */
    EXTRANEOUS_BYTES_SKIPPED
}
