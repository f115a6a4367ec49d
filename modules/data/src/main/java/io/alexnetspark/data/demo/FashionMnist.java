package io.alexnetspark.data.demo;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST (Zalando, MIT licence): 70,000 real 28x28 grey product photos in 10 balanced
 * classes, the demo's dataset. Fetched from Debian's {@code dataset-fashion-mnist} package, cached,
 * and written out as an image tree ({@code train/<class>/*.png}, {@code val/<class>/*.png}) that
 * {@code ingest} reads like any ImageNet-layout tree.
 */
public final class FashionMnist {

    /** Class names in label order, as the dataset defines them. */
    public static final List<String> CLASSES = List.of("t-shirt-top", "trouser", "pullover", "dress", "coat",
            "sandal", "shirt", "sneaker", "bag", "ankle-boot");

    /** Where Debian's package installs the files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
    private static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    private FashionMnist() {
    }

    /**
     * The folder holding the four IDX files: {@code cache} if it has them already, else Debian's
     * installed copy, else fetched with {@code apt-get download dataset-fashion-mnist} into
     * {@code cache}. Says on {@code log} what it used.
     *
     * @throws IOException naming what is missing when none of these works
     */
    public static Path fetch(Path cache, PrintStream log) throws IOException {
        if (hasAll(cache)) {
            log.println("fashion-mnist: cached in " + cache);
            return cache;
        }
        if (hasAll(DEBIAN_DIR)) {
            log.println("fashion-mnist: using Debian's installed copy in " + DEBIAN_DIR);
            return DEBIAN_DIR;
        }
        Path work = Files.createTempDirectory("fashion-mnist-deb");
        try {
            log.println("fashion-mnist: fetching Debian's package dataset-fashion-mnist (31 MB) with apt-get download");
            run(work, "apt-get", "download", "dataset-fashion-mnist");
            Path deb;
            try (var s = Files.list(work)) {
                deb = s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
                        .orElseThrow(() -> new IOException("apt-get download produced no .deb in " + work));
            }
            Path unpacked = work.resolve("x");
            run(work, "dpkg-deb", "-x", deb.toString(), unpacked.toString());
            Path files = unpacked.resolve(DEBIAN_DIR.toString().substring(1));
            Files.createDirectories(cache);
            for (String f : FILES) {
                Files.copy(files.resolve(f), cache.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
            log.println("fashion-mnist: cached in " + cache);
            return cache;
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Writes the first {@code trainPerClass} training and {@code valPerClass} test images of each
     * class as PNGs under {@code out/train/<class>/} and {@code out/val/<class>/} (the test set is the
     * validation split). Existing files are overwritten.
     *
     * @return images written
     */
    public static int writeImageTree(Path idxDir, Path out, int trainPerClass, int valPerClass) throws IOException {
        return write(idxDir.resolve(TRAIN_IMAGES), idxDir.resolve(TRAIN_LABELS), out.resolve("train"), trainPerClass)
                + write(idxDir.resolve(TEST_IMAGES), idxDir.resolve(TEST_LABELS), out.resolve("val"), valPerClass);
    }

    private static int write(Path images, Path labels, Path out, int perClass) throws IOException {
        for (String c : CLASSES) {
            Files.createDirectories(out.resolve(c));
        }
        int[] written = new int[CLASSES.size()];
        int total = 0;
        try (DataInputStream img = idx(images, 2051); DataInputStream lab = idx(labels, 2049)) {
            int n = img.readInt();
            int rows = img.readInt();
            int cols = img.readInt();
            if (lab.readInt() != n) {
                throw new IOException(images + " and " + labels + " disagree on the number of images");
            }
            byte[] pixels = new byte[rows * cols];
            for (int i = 0; i < n && total < perClass * CLASSES.size(); i++) {
                img.readFully(pixels);
                int label = lab.readUnsignedByte();
                if (label >= CLASSES.size()) {
                    throw new IOException(labels + ": label " + label + " at image " + i + " is out of range");
                }
                if (written[label] >= perClass) {
                    continue;
                }
                BufferedImage bi = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
                bi.getRaster().setDataElements(0, 0, cols, rows, pixels);
                ImageIO.write(bi, "png", out.resolve(CLASSES.get(label)).resolve(String.format("%05d.png", i)).toFile());
                written[label]++;
                total++;
            }
        }
        return total;
    }

    private static DataInputStream idx(Path file, int magic) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(Files.newInputStream(file))));
        int m = in.readInt();
        if (m != magic) {
            in.close();
            throw new IOException(file + " is not an IDX file of the expected kind (magic " + m + ", expected " + magic + ")");
        }
        return in;
    }

    private static boolean hasAll(Path dir) {
        return FILES.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
    }

    private static void run(Path dir, String... command) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("'" + command[0] + "' is needed to fetch the demo data (Debian/Ubuntu), or put "
                    + FILES + " (Fashion-MNIST's own release files) in the cache folder yourself", e);
        }
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes());
        }
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                String hint = output.contains("Unable to locate package")
                        ? " (the package lists are empty or old: run 'apt-get update' once, as root)" : "";
                throw new IOException(String.join(" ", command) + " failed: " + output.trim() + hint);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
