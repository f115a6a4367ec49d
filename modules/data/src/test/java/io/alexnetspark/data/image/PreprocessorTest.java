package io.alexnetspark.data.image;

import io.alexnetspark.data.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Decoding and the paper's preprocessing on real JPEGs (libjxl-testdata's flower, 2268x1512, in its variants). */
class PreprocessorTest {
    private final Preprocessor paper = new Preprocessor(PreprocessSettings.PAPER);

    private static byte[] flower(String name) throws IOException {
        return Files.readAllBytes(TestData.flower(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"flower.png.im_q85_420_progr.jpg", "flower.png.im_q85_422.jpg", "flower.png.im_q85_440.jpg",
            "flower.png.im_q85_rgb.jpg", "flower_small.q85_420_non_interleaved.jpg", "flower_cropped.jpg"})
    void realJpegVariantsBecome256SquareJpegs(String name) throws Exception {
        Preprocessor.Result r = paper.process(flower(name));
        assertThat(r.width()).isEqualTo(256);
        assertThat(r.height()).isEqualTo(256);
        assertThat(r.conversions()).isEmpty();
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(r.jpeg()));
        assertThat(back.getWidth()).isEqualTo(256);
        assertThat(back.getHeight()).isEqualTo(256);
    }

    @Test
    void theShorterSideGoesTo256KeepingTheAspectBeforeTheCrop() throws Exception {
        BufferedImage src = ImageDecoder.decode(flower("flower.png.im_q85_444.jpg")).image();
        assertThat(src.getWidth()).isEqualTo(2268);
        BufferedImage scaled = Preprocessor.resizeShorterSide(src, 256);
        assertThat(scaled.getHeight()).isEqualTo(256);
        assertThat(scaled.getWidth()).isEqualTo(384); // 2268 * 256 / 1512
        assertThat(scaled.getType()).isEqualTo(BufferedImage.TYPE_3BYTE_BGR);
        // A good filter keeps the picture: mean brightness of the scaled image matches the source's.
        assertThat(meanLuma(scaled)).isCloseTo(meanLuma(src), org.assertj.core.api.Assertions.within(2.0));
    }

    @Test
    void aGreyJpegIsConvertedToRgb() throws Exception {
        Preprocessor.Result r = paper.process(flower("flower.png.im_q85_gray.jpg"));
        assertThat(r.conversions()).containsExactly(Conversion.GREY_TO_RGB);
        BufferedImage back = ImageDecoder.decode(r.jpeg()).image();
        assertThat(back.getWidth()).isEqualTo(256);
        int p = back.getRGB(128, 128);
        assertThat(Math.abs((p >> 16 & 0xff) - (p & 0xff))).isLessThanOrEqualTo(2); // grey stays grey
    }

    @Test
    void aCmykJpegIsConvertedToRgb() throws Exception {
        byte[] cmyk = TestData.cmykJpeg(TestData.dogs().get(0));
        Preprocessor.Result r = new Preprocessor(new PreprocessSettings(32, 32, 90, true, 1)).process(cmyk);
        assertThat(r.conversions()).containsExactly(Conversion.CMYK_TO_RGB);
        assertThat(r.width()).isEqualTo(32);
        // The colours survive: close to the same photo encoded as plain RGB.
        BufferedImage viaCmyk = ImageDecoder.decode(r.jpeg()).image();
        BufferedImage direct = TestData.dogs().get(0);
        double diff = 0;
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int a = viaCmyk.getRGB(x, y);
                int b = direct.getRGB(x, y);
                diff += Math.abs((a >> 16 & 0xff) - (b >> 16 & 0xff)) + Math.abs((a >> 8 & 0xff) - (b >> 8 & 0xff))
                        + Math.abs((a & 0xff) - (b & 0xff));
            }
        }
        assertThat(diff / (32 * 32 * 3)).isLessThan(25);
    }

    @Test
    void keepingTheOriginalSize() throws Exception {
        Preprocessor.Result r = new Preprocessor(PreprocessSettings.originalSize(85)).process(flower("flower_cropped.jpg"));
        assertThat(r.width()).isEqualTo(1040);
        assertThat(r.height()).isEqualTo(1040);
    }

    @Test
    void aTruncatedRealJpegIsSkippedAsADecodeWarning() throws IOException {
        byte[] full = flower("flower_small.q85_444_non_interleaved.jpg");
        byte[] cut = Arrays.copyOf(full, full.length / 2);
        assertThatThrownBy(() -> paper.process(cut)).isInstanceOfSatisfying(BadImageException.class,
                e -> assertThat(e.reason()).isIn(SkipReason.DECODE_WARNING, SkipReason.DECODE_ERROR));
    }

    /** The bytes with {@code junk} inserted before the first 0xFF {@code marker}. */
    private static byte[] junkBefore(byte[] jpeg, int marker, byte[] junk) {
        for (int i = 2; i < jpeg.length - 1; i++) {
            if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == marker) {
                byte[] out = new byte[jpeg.length + junk.length];
                System.arraycopy(jpeg, 0, out, 0, i);
                System.arraycopy(junk, 0, out, i, junk.length);
                System.arraycopy(jpeg, i, out, i + junk.length, jpeg.length - i);
                return out;
            }
        }
        throw new IllegalArgumentException("no marker " + Integer.toHexString(marker));
    }

    @Test
    void junkBetweenHeaderSegmentsIsSkippedAndCountedNotFatal() throws Exception {
        // libjpeg warns "Corrupt JPEG data: 3 extraneous bytes before marker 0xda" (and 0xdb), yet
        // every pixel decodes as in the clean file: such an image is kept, the repair counted.
        byte[] clean = flower("flower_cropped.jpg");
        BufferedImage reference = ImageDecoder.decode(clean).image();
        for (int marker : new int[]{0xda, 0xdb}) {
            DecodedImage d = ImageDecoder.decode(junkBefore(clean, marker, new byte[]{0x12, 0x34, 0x56}));
            assertThat(d.conversions()).containsExactly(Conversion.EXTRANEOUS_BYTES_SKIPPED);
            for (int y = 0; y < reference.getHeight(); y += 7) {
                for (int x = 0; x < reference.getWidth(); x += 7) {
                    assertThat(d.image().getRGB(x, y)).isEqualTo(reference.getRGB(x, y));
                }
            }
        }
        assertThat(paper.process(junkBefore(clean, 0xda, new byte[]{1, 2})).conversions())
                .containsExactly(Conversion.EXTRANEOUS_BYTES_SKIPPED);
        // Inside or at the end of entropy-coded data the same warning means lost data: still fatal.
        assertThat(ImageDecoder.skippedBetweenSegments("Corrupt JPEG data: 12 extraneous bytes before marker 0xd3")).isFalse();
        assertThat(ImageDecoder.skippedBetweenSegments("Corrupt JPEG data: 5 extraneous bytes before marker 0xd9")).isFalse();
        assertThat(ImageDecoder.skippedBetweenSegments("Corrupt JPEG data: premature end of data segment")).isFalse();
    }

    @Test
    void emptyTextAndGarbageAreSkippedWithTheirReasons() {
        assertThatThrownBy(() -> paper.process(new byte[0])).isInstanceOfSatisfying(BadImageException.class,
                e -> assertThat(e.reason()).isEqualTo(SkipReason.EMPTY_FILE));
        assertThatThrownBy(() -> paper.process("<html>404 Not Found</html>".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(BadImageException.class, e -> assertThat(e.reason()).isEqualTo(SkipReason.NOT_AN_IMAGE));
        byte[] header = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 2, 3};
        assertThatThrownBy(() -> paper.process(header)).isInstanceOfSatisfying(BadImageException.class,
                e -> assertThat(e.reason()).isIn(SkipReason.DECODE_ERROR, SkipReason.DECODE_WARNING));
    }

    @Test
    void aPngNamedJpegIsReencodedOrSkippedAsConfigured() throws Exception {
        byte[] png = TestData.png(TestData.cats().get(3));
        Preprocessor.Result r = new Preprocessor(new PreprocessSettings(32, 32, 90, true, 1)).process(png);
        assertThat(r.conversions()).contains(Conversion.REENCODED_FROM_OTHER_FORMAT);
        assertThat(ImageDecoder.decode(r.jpeg()).isJpeg()).isTrue();
        assertThatThrownBy(() -> new Preprocessor(new PreprocessSettings(32, 32, 90, false, 1)).process(png))
                .isInstanceOfSatisfying(BadImageException.class, e -> assertThat(e.reason()).isEqualTo(SkipReason.NOT_JPEG));
    }

    @Test
    void tooSmallImagesAreSkippedWhenAMinimumIsSet() {
        byte[] small = TestData.jpeg(TestData.dogs().get(1), 0.9f);
        assertThatThrownBy(() -> new Preprocessor(new PreprocessSettings(256, 256, 90, true, 64)).process(small))
                .isInstanceOfSatisfying(BadImageException.class, e -> assertThat(e.reason()).isEqualTo(SkipReason.TOO_SMALL));
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> new PreprocessSettings(256, 300, 90, true, 1)).hasMessageContaining("cropSize");
        assertThatThrownBy(() -> new PreprocessSettings(256, 256, 0, true, 1)).hasMessageContaining("jpegQuality");
    }

    private static double meanLuma(BufferedImage img) {
        double s = 0;
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                int p = img.getRGB(x, y);
                s += 0.299 * (p >> 16 & 0xff) + 0.587 * (p >> 8 & 0xff) + 0.114 * (p & 0xff);
            }
        }
        return s / (((img.getHeight() + 2) / 3) * ((img.getWidth() + 2) / 3));
    }
}
