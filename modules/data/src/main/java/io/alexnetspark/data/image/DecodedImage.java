package io.alexnetspark.data.image;

import java.awt.image.BufferedImage;
import java.util.EnumSet;
import java.util.Set;

/**
 * A decoded image in 8-bit RGB ({@link BufferedImage#TYPE_3BYTE_BGR}, whose backing array the
 * pipeline reads directly), the format the decoder recognised and the repairs made on the way.
 *
 * @param image       the pixels, always TYPE_3BYTE_BGR
 * @param format      the decoder's format name, lower case ("jpeg", "png", ...)
 * @param conversions repairs applied
 */
public record DecodedImage(BufferedImage image, String format, Set<Conversion> conversions) {
    public DecodedImage {
        if (image.getType() != BufferedImage.TYPE_3BYTE_BGR) {
            throw new IllegalArgumentException("expected TYPE_3BYTE_BGR, got type " + image.getType());
        }
        conversions = conversions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(conversions));
    }

    /** Whether the source was a JPEG. */
    public boolean isJpeg() {
        return "jpeg".equals(format) || "jpg".equals(format);
    }
}
