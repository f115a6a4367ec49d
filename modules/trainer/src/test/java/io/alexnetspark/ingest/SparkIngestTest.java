package io.alexnetspark.ingest;

import io.alexnetspark.LocalSpark;
import io.alexnetspark.LoopbackHdfs;
import io.alexnetspark.data.demo.FashionMnist;
import io.alexnetspark.data.image.PreprocessSettings;
import io.alexnetspark.data.ingest.Ingest;
import io.alexnetspark.data.ingest.IngestOptions;
import io.alexnetspark.data.manifest.Manifest;
import io.alexnetspark.data.manifest.SplitManifest;
import io.alexnetspark.data.shard.ShardInfo;
import io.alexnetspark.data.shard.ShardReader;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Spark ingestion on local[2] (the trainer tests' shared context) over real photos (Debian's
 * Fashion-MNIST, written as an ImageNet-layout tree of PNGs) with broken files mixed in, into a real
 * HDFS (MiniDFSCluster): the same manifest as the local ingestion of the same tree to a local folder, a running context left running, and a re-run
 * that reuses every shard.
 */
class SparkIngestTest {
    static final PreprocessSettings KEEP = PreprocessSettings.originalSize(90);

    @TempDir
    static java.nio.file.Path tmp;
    static java.nio.file.Path tree;

    static MiniDFSCluster dfs;
    static String hdfsRoot;

    @BeforeAll
    static void buildTree() throws IOException {
        dfs = LoopbackHdfs.start(tmp.resolve("hdfs"));
        hdfsRoot = dfs.getFileSystem().getUri().toString();

        java.nio.file.Path idx = FashionMnist.fetch(
                java.nio.file.Path.of(System.getProperty("user.home"), ".cache", "alexnet-spark", "fashion-mnist"), System.err);
        tree = tmp.resolve("tree");
        FashionMnist.writeImageTree(idx, tree, 20, 6); // 200 train + 60 val real photos, as PNGs
        // Skipped and counted: a truncated JPEG of a real photo, an empty file, a text file.
        java.nio.file.Path bag = tree.resolve("train").resolve("bag");
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        try (var files = Files.list(bag)) {
            ImageIO.write(ImageIO.read(files.sorted().findFirst().orElseThrow().toFile()), "jpeg", jpeg);
        }
        byte[] whole = jpeg.toByteArray();
        Files.write(bag.resolve("truncated.JPEG"), Arrays.copyOf(whole, whole.length / 2));
        Files.write(bag.resolve("empty.JPEG"), new byte[0]);
        Files.writeString(tree.resolve("val").resolve("coat").resolve("404.JPEG"), "<html>404</html>\n");
    }

    @AfterAll
    static void stopHdfs() {
        if (dfs != null) {
            dfs.shutdown();
        }
    }

    /** The Spark runs write into HDFS (executors write the shards), the local reference to a local folder. */
    static String root(String out) {
        return out.equals("local") ? tmp.resolve(out).toUri().toString() : hdfsRoot + "/" + out;
    }

    static IngestOptions options(String out, ByteArrayOutputStream progress) {
        return IngestOptions.builder(tree.toString(), root(out))
                .dataset("fmnist").preprocessing(KEEP).imagesPerShard(24).seed(3).threads(2)
                .progress(progress == null ? null : new PrintStream(progress, true, StandardCharsets.UTF_8))
                .conf(new Configuration()).build();
    }

    /** The manifest without what differs between two runs: the time, and shard checksums (SequenceFile's random sync marker). */
    static Map<String, Object> content(Manifest m) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("classes", m.classes());
        c.put("preprocessing", m.preprocessing());
        for (Map.Entry<String, SplitManifest> e : m.splits().entrySet()) {
            SplitManifest s = e.getValue();
            c.put(e.getKey(), List.of(s.images(), s.sources(), s.classCounts(), s.skipped(), s.converted(),
                    s.shards().stream().map(i -> i.path() + " " + i.images() + " " + i.bytes()).toList()));
        }
        return c;
    }

    @Test
    void sparkIngestWritesTheLocalManifestKeepsTheRunningContextAndReRunsReuseEveryShard() throws IOException {
        Manifest local = Ingest.run(options("local", null));

        JavaSparkContext sc = LocalSpark.context();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        IngestOptions o = options("spark", progress);
        Manifest first = SparkIngest.run(o, Ingest.plan(o));
        assertThat(sc.sc().isStopped()).as("a running context is not ours to stop").isFalse();

        assertThat(content(first)).isEqualTo(content(local));
        SplitManifest train = first.splits().get("train");
        assertThat(train.sources()).isEqualTo(202);
        assertThat(train.images()).isEqualTo(200);
        assertThat(train.skipped()).containsOnlyKeys("DECODE_WARNING", "EMPTY_FILE");
        assertThat(train.converted()).containsOnlyKeys("GREY_TO_RGB", "REENCODED_FROM_OTHER_FORMAT");
        assertThat(first.splits().get("val").skipped()).containsOnlyKeys("NOT_AN_IMAGE");
        assertThat(first.splits().get("val").images()).isEqualTo(60);
        assertThat(train.shards()).hasSize(9); // 202 inputs / 24
        int shards = train.shards().size() + first.splits().get("val").shards().size();
        assertThat(progress.toString(StandardCharsets.UTF_8))
                .contains("ingest: " + shards + "/" + shards + " shards (0 reused), 263/263 images");

        Path root = new Path(root("spark"));
        FileSystem fs = root.getFileSystem(new Configuration());
        Map<String, Long> modified = new LinkedHashMap<>();
        for (SplitManifest s : first.splits().values()) {
            for (ShardInfo info : s.shards()) {
                assertThat(ShardReader.verify(fs, new Path(root, info.path()), info)).isNull();
                modified.put(info.path(), fs.getFileStatus(new Path(root, info.path())).getModificationTime());
            }
        }

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        IngestOptions o2 = options("spark", again);
        Manifest second = SparkIngest.run(o2, Ingest.plan(o2));
        assertThat(again.toString(StandardCharsets.UTF_8)).contains("ingest: " + shards + "/" + shards + " shards (" + shards + " reused)");
        // Reused, not rebuilt: a rebuilt shard would get a new random sync marker, so a new SHA-256.
        assertThat(second.splits().get("train").shards()).isEqualTo(train.shards());
        assertThat(second.splits().get("val").shards()).isEqualTo(first.splits().get("val").shards());
        for (SplitManifest s : second.splits().values()) {
            for (ShardInfo info : s.shards()) {
                assertThat(fs.getFileStatus(new Path(root, info.path())).getModificationTime()).isEqualTo(modified.get(info.path()));
            }
        }
    }
}
