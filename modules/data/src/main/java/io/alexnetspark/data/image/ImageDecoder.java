package io.alexnetspark.data.image;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.spi.IIORegistry;
import javax.imageio.stream.ImageInputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decodes image bytes to 8-bit RGB through ImageIO (with TwelveMonkeys' JPEG plug-in on the
 * class path, which also reads CMYK/YCCK and many damaged-but-valid JPEGs the JDK rejects).
 *
 * <p>ImageIO reports bad input in three different ways, all treated as "bad": {@code null} (no
 * reader knows the bytes), an exception, and — for a truncated JPEG — only a warning, with pixels
 * returned anyway. Warnings are therefore collected and turn the image into a
 * {@link SkipReason#DECODE_WARNING}. Two exceptions, because they leave every pixel as intended:
 * <ul>
 *   <li>colour-profile warnings (TwelveMonkeys says "No embedded ICC color profile, will convert
 *       using inaccurate CMYK to RGB conversion" for most CMYK files) describe colour accuracy, not
 *       damaged data, and are ignored;</li>
 *   <li>"Corrupt JPEG data: N extraneous bytes before marker 0xXX" where 0xXX starts a header
 *       segment (not a restart marker RST0-7 or the end marker EOI, which follow entropy-coded
 *       data): junk between two segments, which libjpeg skips. Measured on a real photo with junk
 *       inserted before its DQT and its SOS segments: 0 pixels differ from the clean decode.
 *       Counted as {@link Conversion#EXTRANEOUS_BYTES_SKIPPED}.</li>
 * </ul>
 * Every other warning ("Premature end of JPEG file", "premature end of data segment", junk
 * before a restart marker inside a scan, ...) comes with damaged pixels and skips the image.
 */
public final class ImageDecoder {
    /** Warnings about colour management only; the pixel data is complete. */
    private static final java.util.regex.Pattern BENIGN_WARNING =
            java.util.regex.Pattern.compile("(?i)\\bICC\\b|colou?r profile");
    /** libjpeg's JWRN_EXTRANEOUS_DATA; group 1 is the marker that followed the junk. */
    private static final java.util.regex.Pattern EXTRANEOUS =
            java.util.regex.Pattern.compile("Corrupt JPEG data: \\d+ extraneous bytes before marker 0x([0-9a-fA-F]{2})");

    /** Whether a warning is junk skipped between header segments (not inside or at the end of a scan). */
    static boolean skippedBetweenSegments(String warning) {
        java.util.regex.Matcher m = EXTRANEOUS.matcher(warning);
        if (!m.find()) {
            return false;
        }
        int marker = Integer.parseInt(m.group(1), 16);
        return !(marker >= 0xd0 && marker <= 0xd7) && marker != 0xd9;
    }

    static {
        // ImageIO's default disk cache writes temp files for every stream: slow and pointless for byte arrays.
        ImageIO.setUseCache(false);
        // ImageIO finds plug-ins once, through the class loader that first touches it; in a Spark
        // executor the job jar sits in a child loader that scan does not see. Register explicitly
        // (re-registering the same class replaces the earlier instance; it orders itself before the JDK's).
        IIORegistry.getDefaultInstance().registerServiceProvider(new JPEGImageReaderSpi());
    }

    private ImageDecoder() {
    }

    /** Decodes and converts to RGB, or says why it cannot; with the default pixel limit. */
    public static DecodedImage decode(byte[] bytes) throws BadImageException {
        return decode(bytes, PreprocessSettings.DEFAULT_MAX_PIXELS);
    }

    /**
     * Decodes and converts to RGB, or says why it cannot. An image of more than {@code maxPixels}
     * is refused from its header, before a byte of pixels is allocated.
     */
    public static DecodedImage decode(byte[] bytes, long maxPixels) throws BadImageException {
        if (bytes.length == 0) {
            throw new BadImageException(SkipReason.EMPTY_FILE, "zero bytes");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new BadImageException(SkipReason.NOT_AN_IMAGE, "no image reader recognises the data");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            boolean[] junkSkipped = {false};
            IIOReadWarningListener listener = (source, warning) -> {
                if (skippedBetweenSegments(warning)) {
                    junkSkipped[0] = true;
                } else if (!BENIGN_WARNING.matcher(warning).find()) {
                    warnings.add(warning);
                }
            };
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener(listener);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > maxPixels) {
                    throw new BadImageException(SkipReason.TOO_LARGE, reader.getWidth(0) + "x" + reader.getHeight(0) + " = "
                            + pixels + " pixels, more than the limit " + maxPixels + " (data.ingest.max-pixels)");
                }
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                boolean cmyk = isCmyk(reader);
                BufferedImage raw = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new BadImageException(SkipReason.DECODE_WARNING, String.join("; ", warnings));
                }
                if (raw == null) {
                    throw new BadImageException(SkipReason.NOT_AN_IMAGE, "the reader returned no image");
                }
                Set<Conversion> conversions = EnumSet.noneOf(Conversion.class);
                if (cmyk) {
                    conversions.add(Conversion.CMYK_TO_RGB);
                }
                if (junkSkipped[0]) {
                    conversions.add(Conversion.EXTRANEOUS_BYTES_SKIPPED);
                }
                return new DecodedImage(toRgb(raw, conversions), format, conversions);
            } finally {
                reader.removeIIOReadWarningListener(listener);
                reader.dispose();
            }
        } catch (BadImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new BadImageException(SkipReason.DECODE_ERROR, e.toString(), e);
        }
    }

    private static boolean isCmyk(ImageReader reader) {
        try {
            ImageTypeSpecifier raw = reader.getRawImageType(0);
            return raw != null && raw.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK;
        } catch (IOException | RuntimeException e) {
            return false; // not knowing is fine: the pixels come out as RGB either way
        }
    }

    /** Returns the image as TYPE_3BYTE_BGR, noting grey and alpha repairs. */
    static BufferedImage toRgb(BufferedImage src, Set<Conversion> conversions) {
        if (src.getType() == BufferedImage.TYPE_3BYTE_BGR) {
            return src;
        }
        if (src.getColorModel().getNumColorComponents() == 1) {
            conversions.add(Conversion.GREY_TO_RGB);
        }
        boolean alpha = src.getColorModel().hasAlpha();
        if (alpha) {
            conversions.add(Conversion.ALPHA_DROPPED);
        }
        BufferedImage rgb = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = rgb.createGraphics();
        try {
            if (alpha) {
                g.setColor(Color.WHITE);
                g.fillRect(0, 0, rgb.getWidth(), rgb.getHeight());
            }
            g.drawImage(src, 0, 0, null);
        } finally {
            g.dispose();
        }
        return rgb;
    }
}
