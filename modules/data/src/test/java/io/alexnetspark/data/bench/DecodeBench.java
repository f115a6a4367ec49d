package io.alexnetspark.data.bench;

import io.alexnetspark.data.TestData;
import io.alexnetspark.data.image.BadImageException;
import io.alexnetspark.data.image.ImageDecoder;
import io.alexnetspark.data.image.PreprocessSettings;
import io.alexnetspark.data.image.Preprocessor;
import io.alexnetspark.data.image.TurboJpegDecoder;
import io.alexnetspark.data.ingest.Ingest;
import io.alexnetspark.data.ingest.IngestOptions;
import io.alexnetspark.data.layout.DatasetLayout;
import io.alexnetspark.data.manifest.Manifest;
import io.alexnetspark.data.pipeline.DecoderChoice;
import io.alexnetspark.data.pipeline.ImageTransform;
import io.alexnetspark.data.pipeline.PipelineSettings;
import io.alexnetspark.data.pipeline.ShardBatchIterator;
import io.alexnetspark.data.pipeline.ShardSource;
import io.alexnetspark.data.pipeline.TransformSettings;
import io.alexnetspark.data.shard.ImageRecord;
import io.alexnetspark.data.shard.ShardInfo;
import io.alexnetspark.data.shard.ShardReader;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The decoder benchmark behind BENCHMARKS.md section 4 (run by deploy/bench/decode-vs-djpeg.sh).
 *
 * <p>Input: ImageNet-sized (500x375) crops of real photos (libjxl-testdata's 2268x1512 flower
 * photo and its 676x449 room photo), ingested with the paper's preprocessing into 256x256 JPEG
 * shards; the shards' JPEGs are also written out for the reference decoders (djpeg, tjbench, PIL).
 * Then, one thread each: decode with the pipeline's decoder (ImageIO + TwelveMonkeys), with the
 * JDK's own reader, and with OpenCV's imdecode (libjpeg-turbo); decode + the paper's training
 * augmentation; and the whole ShardBatchIterator at batch 32 with 1 and 2 decoding workers.
 *
 * <p>Usage: {@code DecodeBench WORKDIR [SECONDS per measurement] [IMAGES]}
 */
public final class DecodeBench {
    private interface Decoder {
        BufferedImage decode(byte[] jpeg) throws Exception;

        interface Task {
            void run(byte[] jpeg) throws Exception;
        }
    }

    public static void main(String[] args) throws Exception {
        java.nio.file.Path work = java.nio.file.Path.of(args[0]);
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        int count = args.length > 2 ? Integer.parseInt(args[2]) : 400;
        opencv_core.setNumThreads(1);
        Configuration conf = new Configuration();

        java.nio.file.Path input = inputTree(work.resolve("input"), count);
        double ingest1 = ingest(input, work.resolve("shards-1"), 1, conf);
        double ingest2 = ingest(input, work.resolve("shards-2"), 2, conf);
        Path root = new Path(work.resolve("shards-2").toUri());
        FileSystem fs = root.getFileSystem(conf);
        Manifest m = io.alexnetspark.data.manifest.ManifestIO.read(fs, root);
        List<byte[]> jpegs = new ArrayList<>();
        for (ShardInfo s : m.shards("train")) {
            try (ShardReader r = ShardReader.open(fs, conf, new Path(root, s.path()), s)) {
                ImageRecord rec;
                while ((rec = r.read()) != null) {
                    jpegs.add(rec.jpeg());
                }
            }
        }
        java.nio.file.Path out = Files.createDirectories(work.resolve("jpeg256"));
        long bytes = 0;
        for (int i = 0; i < jpegs.size(); i++) {
            Files.write(out.resolve(String.format("%05d.jpg", i)), jpegs.get(i));
            bytes += jpegs.get(i).length;
        }
        System.out.printf(Locale.ROOT, "corpus: %d JPEGs of 256x256 (mean %.1f KB), from %d 500x375 inputs%n",
                jpegs.size(), bytes / 1024.0 / jpegs.size(), count);
        System.out.printf(Locale.ROOT, "ingest (paper preprocessing: Lanczos 256 + centre crop + q90): 1 thread %.1f img/s, 2 threads %.1f img/s%n",
                ingest1, ingest2);
        preprocessComparison(input, seconds);

        ImageReader jdk = jdkReader();
        Decoder pipeline = b -> ImageDecoder.decode(b).image();
        Decoder jdkDecoder = b -> {
            try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(b))) {
                jdk.setInput(in, true, true);
                return jdk.read(0);
            }
        };
        Decoder opencv = DecodeBench::opencvDecode;
        ImageTransform train = new ImageTransform(TransformSettings.paperTrain());
        float[] buf = new float[train.exampleSize()];
        Random random = new Random(1);

        report("decode: ImageIO + TwelveMonkeys (the fallback decoder)", rate(jpegs, seconds, b -> pipeline.decode(b)));
        report("decode: JDK ImageIO reader (libjpeg 6b)", rate(jpegs, seconds, b -> jdkDecoder.decode(b)));
        report("decode: OpenCV imdecode (libjpeg-turbo)", rate(jpegs, seconds, b -> opencv.decode(b)));
        var turbo = TurboJpegDecoder.get();
        if (turbo.isPresent()) {
            report("decode: libjpeg-turbo (Debian's TurboJPEG JNI binding), new image each",
                rate(jpegs, seconds, b -> turbo.get().decode(b)));
            report("decode: libjpeg-turbo, reusing the thread's handle and image (the pipeline's way)",
                    rate(jpegs, seconds, b -> turbo.get().decodeReusing(b)));
        } else {
            System.out.println("decode: libjpeg-turbo unavailable: " + TurboJpegDecoder.unavailableReason());
        }
        report("decode + augment (227 crop, flip, PCA, mean): ImageIO decoder",
                rate(jpegs, seconds, b -> train.apply(pipeline.decode(b), random, buf, 0)));
        report("decode + augment: OpenCV decoder",
                rate(jpegs, seconds, b -> train.apply(opencv.decode(b), random, buf, 0)));
        if (turbo.isPresent()) {
            report("decode + augment: libjpeg-turbo decoder",
                    rate(jpegs, seconds, b -> train.apply(turbo.get().decodeReusing(b), random, buf, 0)));
        }
        verifyCost(work, jpegs, conf, turbo.isPresent() ? turbo.get()::decode : pipeline::decode);
        for (DecoderChoice choice : turbo.isPresent() ? List.of(DecoderChoice.IMAGEIO, DecoderChoice.TURBOJPEG)
                : List.of(DecoderChoice.IMAGEIO)) {
            for (int workers : new int[]{1, 2}) {
                report("ShardBatchIterator (" + choice.name().toLowerCase(Locale.ROOT) + "), batch 32, " + workers
                                + " decoding worker(s)",
                        pipelineRate(ShardSource.fromManifest(m, root, "train"), conf, workers, seconds, choice));
            }
        }
    }

    /**
     * The cost of data.pipeline.verify-before-use: a 128 MB shard of the corpus' JPEGs (repeated),
     * its SHA-256 verification pass (page cache warm: the file was just written) beside decoding
     * all its records on one core.
     */
    private static void verifyCost(java.nio.file.Path work, List<byte[]> jpegs, Configuration conf, Decoder decoder)
            throws Exception {
        FileSystem local = FileSystem.getLocal(conf).getRawFileSystem();
        Path file = new Path(work.resolve("verify-128m.seq").toUri());
        ShardInfo info;
        try (var w = io.alexnetspark.data.shard.ShardWriter.create(local, conf, file)) {
            long bytes = 0;
            for (int i = 0; bytes < (128L << 20); i++) {
                byte[] j = jpegs.get(i % jpegs.size());
                w.append(new ImageRecord(0, "n00000000", "k" + i, j));
                bytes += j.length + 30;
            }
            info = w.commit("verify-128m.seq");
        }
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 3; rep++) {
            long t0 = System.nanoTime();
            if (ShardReader.verify(local, file, info) != null) {
                throw new IllegalStateException("the shard does not verify");
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        long t0 = System.nanoTime();
        long n = 0;
        try (ShardReader r = ShardReader.open(local, conf, file, info)) {
            ImageRecord rec;
            while ((rec = r.read()) != null) {
                decoder.decode(rec.jpeg());
                n++;
            }
        }
        double decode = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "verify before use: SHA-256 pass over a %.0f MB shard (%d records) %.2f s (%.0f MB/s);"
                        + " reading + decoding its records on one core %.1f s: +%.1f%%%n",
                info.bytes() / 1048576.0, n, best, info.bytes() / 1048576.0 / best, decode, 100 * best / decode);
        local.delete(file, false);
    }

    /** One thread: the paper's preprocessing of the 500x375 inputs with our Lanczos vs TwelveMonkeys' ResampleOp (replaced). */
    private static void preprocessComparison(java.nio.file.Path input, double seconds) throws Exception {
        List<byte[]> inputs = new ArrayList<>();
        try (var files = Files.walk(input)) {
            for (java.nio.file.Path p : files.filter(Files::isRegularFile).sorted().limit(100).toList()) {
                inputs.add(Files.readAllBytes(p));
            }
        }
        Preprocessor ours = new Preprocessor(PreprocessSettings.PAPER);
        report("ingest preprocessing, 1 thread: decode + our Lanczos-3 + crop + q90 encode",
                rate(inputs, seconds, b -> ours.process(b)));
        report("ingest preprocessing, 1 thread: the same with TwelveMonkeys' ResampleOp (before)",
                rate(inputs, seconds, b -> {
                    BufferedImage img = ImageDecoder.decode(b).image();
                    int w = (int) Math.round(img.getWidth() * 256.0 / img.getHeight());
                    BufferedImage raw = new com.twelvemonkeys.image.ResampleOp(w, 256,
                            com.twelvemonkeys.image.ResampleOp.FILTER_LANCZOS).filter(img, null);
                    BufferedImage scaled = raw;
                    if (raw.getType() != BufferedImage.TYPE_3BYTE_BGR) {
                        scaled = new BufferedImage(raw.getWidth(), raw.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
                        scaled.getGraphics().drawImage(raw, 0, 0, null);
                    }
                    Preprocessor.encodeJpeg(Preprocessor.centreCrop(scaled, 256, 256), 90);
                }));
    }

    private static void report(String what, double imagesPerSecond) {
        System.out.printf(Locale.ROOT, "%-72s %8.1f img/s%n", what, imagesPerSecond);
    }

    /** Single-threaded images per second over the corpus, after a warm-up of a third of the time. */
    private static double rate(List<byte[]> jpegs, double seconds, Decoder.Task task) throws Exception {
        loop(jpegs, seconds / 3, task);
        return loop(jpegs, seconds, task);
    }

    private static double loop(List<byte[]> jpegs, double seconds, Decoder.Task task) throws Exception {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long n = 0;
        while (System.nanoTime() < end) {
            for (byte[] b : jpegs) {
                task.run(b);
                n++;
            }
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    private static double pipelineRate(List<ShardSource> shards, Configuration conf, int workers, double seconds,
                                       DecoderChoice decoder) {
        PipelineSettings s = new PipelineSettings(32, 2, TransformSettings.paperTrain(), 1, workers, 4, 1024, false)
                .withDecoder(decoder);
        try (ShardBatchIterator it = new ShardBatchIterator(shards, conf, s, null)) {
            drain(it, seconds / 3);
            return drain(it, seconds);
        }
    }

    private static double drain(ShardBatchIterator it, double seconds) {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long n = 0;
        while (System.nanoTime() < end) {
            if (!it.hasNext()) {
                it.reset();
                continue;
            }
            n += it.next().numExamples();
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    static BufferedImage opencvDecode(byte[] jpeg) throws BadImageException {
        try (BytePointer p = new BytePointer(jpeg); Mat raw = new Mat(1, jpeg.length, opencv_core.CV_8UC1, p);
             Mat img = opencv_imgcodecs.imdecode(raw, opencv_imgcodecs.IMREAD_COLOR)) {
            if (img.empty()) {
                throw new BadImageException(io.alexnetspark.data.image.SkipReason.DECODE_ERROR, "OpenCV could not decode");
            }
            // OpenCV's BGR interleaved rows are exactly TYPE_3BYTE_BGR's layout: one copy.
            BufferedImage bi = new BufferedImage(img.cols(), img.rows(), BufferedImage.TYPE_3BYTE_BGR);
            img.data().get(((DataBufferByte) bi.getRaster().getDataBuffer()).getData());
            return bi;
        }
    }

    private static ImageReader jdkReader() {
        for (var it = ImageIO.getImageReadersByFormatName("jpeg"); it.hasNext(); ) {
            ImageReader r = it.next();
            if (r.getClass().getName().startsWith("com.sun.")) {
                return r;
            }
        }
        throw new IllegalStateException("no JDK JPEG reader");
    }

    private static double ingest(java.nio.file.Path input, java.nio.file.Path out, int threads, Configuration conf) throws IOException {
        long t0 = System.nanoTime();
        Manifest m = Ingest.run(IngestOptions.builder(input.toUri().toString(), out.toUri().toString())
                .layout(DatasetLayout.GENERIC).preprocessing(PreprocessSettings.PAPER).imagesPerShard(100)
                .threads(threads).progress(null).conf(conf).build());
        return m.splits().get("train").sources() / ((System.nanoTime() - t0) / 1e9);
    }

    /** 500x375 crops (ImageNet's typical size) of two real photos at seeded offsets, some mirrored, as q90 JPEGs. */
    static java.nio.file.Path inputTree(java.nio.file.Path root, int count) throws IOException {
        java.nio.file.Path jxl = TestData.flower("flower.png").getParent().getParent();
        BufferedImage[] photos = {ImageIO.read(jxl.resolve("flower/flower.png").toFile()), ImageIO.read(jxl.resolve("hdr_room.png").toFile())};
        String[] names = {"flower", "room"};
        Random r = new Random(7);
        for (int i = 0; i < count; i++) {
            int k = i % 4 == 3 ? 1 : 0;
            BufferedImage src = photos[k];
            int x = r.nextInt(src.getWidth() - 500 + 1);
            int y = r.nextInt(src.getHeight() - 375 + 1);
            BufferedImage crop = new BufferedImage(500, 375, BufferedImage.TYPE_INT_RGB);
            boolean mirror = r.nextBoolean();
            for (int yy = 0; yy < 375; yy++) {
                for (int xx = 0; xx < 500; xx++) {
                    crop.setRGB(mirror ? 499 - xx : xx, yy, src.getRGB(x + xx, y + yy));
                }
            }
            java.nio.file.Path dir = Files.createDirectories(root.resolve(names[k]));
            Files.write(dir.resolve(String.format("%05d.jpg", i)), TestData.jpeg(crop, 0.9f));
        }
        return root;
    }
}
