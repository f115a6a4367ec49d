package io.alexnetspark.data.image;

/**
 * How ingestion prepares each image, as the paper does by default: rescale so that the shorter
 * side is 256, take the central 256x256, re-encode as JPEG.
 *
 * @param shorterSide      target length of the shorter side; 0 keeps the original size (and then no crop)
 * @param cropSize         side of the central square crop; 0 keeps the whole rescaled image
 * @param jpegQuality      1..100
 * @param convertNonJpeg   re-encode decodable non-JPEG files (PNG named .JPEG, ...) instead of skipping them
 * @param minSide          images whose shorter side is below this are skipped ({@link SkipReason#TOO_SMALL})
 * @param maxPixels        images with more pixels are skipped from their header, before decoding
 *                         ({@link SkipReason#TOO_LARGE}: a decompression bomb would exhaust the heap); 0: the default
 */
public record PreprocessSettings(int shorterSide, int cropSize, int jpegQuality, boolean convertNonJpeg, int minSide,
                                 long maxPixels)
        implements java.io.Serializable {

    /** Pillow's limit (89.5 megapixels, ~268 MB decoded as RGB); ImageNet's largest photos are far below it. */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

    /** With the default pixel limit. */
    public PreprocessSettings(int shorterSide, int cropSize, int jpegQuality, boolean convertNonJpeg, int minSide) {
        this(shorterSide, cropSize, jpegQuality, convertNonJpeg, minSide, DEFAULT_MAX_PIXELS);
    }

    /** The paper's settings: shorter side 256, centre crop 256x256, quality 90. */
    public static final PreprocessSettings PAPER = new PreprocessSettings(256, 256, 90, true, 1);

    public PreprocessSettings {
        if (shorterSide < 0 || cropSize < 0) {
            throw new IllegalArgumentException("shorterSide and cropSize must be >= 0");
        }
        if (shorterSide == 0 && cropSize != 0) {
            throw new IllegalArgumentException("keeping the original size (shorterSide 0) needs cropSize 0");
        }
        if (cropSize > shorterSide) {
            throw new IllegalArgumentException("cropSize " + cropSize + " exceeds shorterSide " + shorterSide);
        }
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("jpegQuality must be in 1..100, got " + jpegQuality);
        }
        if (minSide < 1) {
            throw new IllegalArgumentException("minSide must be >= 1, got " + minSide);
        }
        if (maxPixels == 0) {
            maxPixels = DEFAULT_MAX_PIXELS; // manifests written before the limit existed
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be >= 1, got " + maxPixels);
        }
    }

    /** Keeps every image at its original size (only decoded, checked, converted to RGB and re-encoded). */
    public static PreprocessSettings originalSize(int jpegQuality) {
        return new PreprocessSettings(0, 0, jpegQuality, true, 1);
    }

    /** Whether images keep their original size. */
    public boolean keepOriginalSize() {
        return shorterSide == 0;
    }
}
