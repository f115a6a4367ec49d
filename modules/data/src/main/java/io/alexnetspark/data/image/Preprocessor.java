package io.alexnetspark.data.image;


import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Set;

/**
 * Ingestion's per-image work: decode (to RGB), rescale the shorter side with a Lanczos-3 filter ({@link Lanczos}),
 * centre-crop, re-encode as JPEG. Stateless and thread-safe.
 */
public final class Preprocessor {
    /**
     * Names the algorithm (not the settings): part of every shard's fingerprint, so shards made by
     * an older preprocessor (v1: TwelveMonkeys' ResampleOp) are rebuilt, not mixed with new ones.
     */
    public static final String VERSION = "preprocess-v2-lanczos3";

    static {
        ImageIO.setUseCache(false);
    }

    private final PreprocessSettings settings;

    public Preprocessor(PreprocessSettings settings) {
        this.settings = settings;
    }

    /**
     * The result for one image.
     *
     * @param jpeg        the encoded output
     * @param width       its width
     * @param height      its height
     * @param conversions repairs applied to the input
     */
    public record Result(byte[] jpeg, int width, int height, Set<Conversion> conversions) {
    }

    /** Prepares one image, or says why it is skipped. */
    public Result process(byte[] input) throws BadImageException {
        DecodedImage decoded = ImageDecoder.decode(input, settings.maxPixels());
        Set<Conversion> conversions = decoded.conversions().isEmpty()
                ? EnumSet.noneOf(Conversion.class) : EnumSet.copyOf(decoded.conversions());
        if (!decoded.isJpeg()) {
            if (!settings.convertNonJpeg()) {
                throw new BadImageException(SkipReason.NOT_JPEG, "a " + decoded.format() + " file");
            }
            conversions.add(Conversion.REENCODED_FROM_OTHER_FORMAT);
        }
        BufferedImage img = decoded.image();
        if (Math.min(img.getWidth(), img.getHeight()) < settings.minSide()) {
            throw new BadImageException(SkipReason.TOO_SMALL, img.getWidth() + "x" + img.getHeight());
        }
        if (!settings.keepOriginalSize()) {
            int[] size = shorterSideSize(img.getWidth(), img.getHeight(), settings.shorterSide());
            int cw = settings.cropSize() > 0 ? settings.cropSize() : size[0];
            int ch = settings.cropSize() > 0 ? settings.cropSize() : size[1];
            if (size[0] == img.getWidth() && size[1] == img.getHeight()) {
                img = cw == size[0] && ch == size[1] ? img : centreCrop(img, cw, ch);
            } else {
                // Rescale and centre crop in one pass: only the kept pixels are computed.
                img = Lanczos.resizeAndCrop(img, size[0], size[1], (size[0] - cw) / 2, (size[1] - ch) / 2, cw, ch);
            }
        }
        return new Result(encodeJpeg(img, settings.jpegQuality()), img.getWidth(), img.getHeight(), conversions);
    }

    /** The size that makes the shorter side {@code side}, keeping the aspect ratio: {width, height}. */
    static int[] shorterSideSize(int w, int h, int side) {
        if (w <= h) {
            return new int[]{side, Math.max(side, (int) Math.round((double) h * side / w))};
        }
        return new int[]{Math.max(side, (int) Math.round((double) w * side / h)), side};
    }

    /** Scales so that the shorter side is {@code side}, keeping the aspect ratio (Lanczos-3). */
    public static BufferedImage resizeShorterSide(BufferedImage src, int side) {
        int[] size = shorterSideSize(src.getWidth(), src.getHeight(), side);
        if (size[0] == src.getWidth() && size[1] == src.getHeight()) {
            return src;
        }
        return Lanczos.resizeAndCrop(src, size[0], size[1], 0, 0, size[0], size[1]);
    }

    /** The central {@code width x height} region (a copy, so the rest can be freed). */
    public static BufferedImage centreCrop(BufferedImage src, int width, int height) {
        if (src.getWidth() < width || src.getHeight() < height) {
            throw new IllegalArgumentException("cannot crop " + width + "x" + height + " from "
                    + src.getWidth() + "x" + src.getHeight());
        }
        int x = (src.getWidth() - width) / 2;
        int y = (src.getHeight() - height) / 2;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        out.setData(src.getData(new java.awt.Rectangle(x, y, width, height)).createTranslatedChild(0, 0));
        return out;
    }

    /** Encodes RGB pixels as a baseline JPEG of the given quality (1..100). */
    public static byte[] encodeJpeg(BufferedImage img, int quality) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IllegalStateException("no JPEG writer in this JVM");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(img.getWidth() * img.getHeight() / 4 + 1024);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding to memory failed", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
