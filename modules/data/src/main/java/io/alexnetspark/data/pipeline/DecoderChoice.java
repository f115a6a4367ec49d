package io.alexnetspark.data.pipeline;

import io.alexnetspark.data.image.ImageDecoder;
import io.alexnetspark.data.image.TurboJpegDecoder;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Locale;

/** Which JPEG decoder the input pipeline uses ({@code data.pipeline.decoder}). */
public enum DecoderChoice {
    /** libjpeg-turbo when its Debian binding is installed, else ImageIO. */
    AUTO,
    /** libjpeg-turbo ({@link TurboJpegDecoder}); an error when it is not installed. */
    TURBOJPEG,
    /** ImageIO with TwelveMonkeys ({@link ImageDecoder}), pure Java plus the JDK's libjpeg. */
    IMAGEIO;

    /** Parses {@code auto|turbojpeg|imageio}. */
    public static DecoderChoice parse(String s) {
        return io.alexnetspark.model.config.ConfigNames.parse(DecoderChoice.class, s);
    }

    /**
     * A decoder of shard JPEGs to RGB. The image may be reused by the same thread's next call
     * (libjpeg-turbo reuses its output buffer): use it before decoding the next.
     */
    public interface Decoder {
        BufferedImage decode(byte[] jpeg) throws IOException;
    }

    /**
     * The decoder this choice means on this machine.
     *
     * @throws IllegalStateException for TURBOJPEG when libjpeg-turbo's binding cannot be loaded
     */
    public Decoder resolve() {
        if (this == IMAGEIO) {
            return DecoderChoice::imageIo;
        }
        var turbo = TurboJpegDecoder.get();
        if (turbo.isPresent()) {
            return turbo.get()::decodeReusing;
        }
        if (this == TURBOJPEG) {
            throw new IllegalStateException("data.pipeline.decoder = turbojpeg, but libjpeg-turbo cannot be loaded: "
                    + TurboJpegDecoder.unavailableReason());
        }
        return DecoderChoice::imageIo;
    }

    private static BufferedImage imageIo(byte[] jpeg) throws IOException {
        try {
            return ImageDecoder.decode(jpeg).image();
        } catch (io.alexnetspark.data.image.BadImageException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
