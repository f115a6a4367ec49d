package io.alexnetspark.data.ingest;

import io.alexnetspark.data.TestData;
import io.alexnetspark.data.image.PreprocessSettings;
import io.alexnetspark.data.layout.DatasetLayout;
import io.alexnetspark.data.manifest.Manifest;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Ingest against hostile or flaky input: a decompression bomb, a read that fails once, an interrupted run's leftovers. */
class IngestHardeningTest {

    @TempDir
    java.nio.file.Path tmp;

    /** Names of files whose first open fails (test only: Hadoop makes file systems by reflection). */
    static final Set<String> FLAKY_ONCE = ConcurrentHashMap.newKeySet();

    /** The local file system, whose first open of a flaky file fails as a NameNode fail-over would. */
    public static final class FlakyLocal extends LocalFileSystem {
        public FlakyLocal() {
            super(new RawLocalFileSystem() {
                @Override
                public FSDataInputStream open(Path f, int bufferSize) throws IOException {
                    if (FLAKY_ONCE.remove(f.getName())) {
                        throw new IOException("simulated transient read error of " + f);
                    }
                    return super.open(f, bufferSize);
                }
            });
        }
    }

    /** A real JPEG whose frame header claims 30000 x 30000 pixels: 900 megapixels if decoded. */
    private static byte[] bomb(byte[] jpeg) {
        byte[] b = jpeg.clone();
        for (int i = 2; i + 8 < b.length; ) {
            int marker = b[i + 1] & 0xFF;
            int len = ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
            if (marker >= 0xC0 && marker <= 0xC2) {
                b[i + 5] = (byte) (30000 >> 8);
                b[i + 6] = (byte) (30000 & 0xFF);
                b[i + 7] = (byte) (30000 >> 8);
                b[i + 8] = (byte) (30000 & 0xFF);
                return b;
            }
            i += 2 + len;
        }
        throw new IllegalArgumentException("no SOF marker");
    }

    /** Ingests {@code tree} at original size through the flaky local file system. */
    private static Manifest ingest(java.nio.file.Path tree, java.nio.file.Path out, int threads, int readAttempts)
            throws IOException {
        Configuration conf = new Configuration();
        conf.set("fs.file.impl", FlakyLocal.class.getName());
        conf.setBoolean("fs.file.impl.disable.cache", true);
        return Ingest.run(IngestOptions.builder(tree.toUri().toString(), out.toUri().toString())
                .dataset("pets").layout(DatasetLayout.GENERIC).preprocessing(PreprocessSettings.originalSize(90))
                .imagesPerShard(4).threads(threads).readAttempts(readAttempts).progress(null).conf(conf).build());
    }

    @Test
    void aBombIsSkippedFromItsHeaderAFlakyReadIsRetriedAndLeftoversGo() throws Exception {
        java.nio.file.Path tree = TestData.writePetTree(tmp.resolve("pets"), 6, 100, "%d.jpg");
        java.nio.file.Path aCat;
        try (var s = Files.list(tree.resolve("cat"))) {
            aCat = s.sorted().findFirst().orElseThrow();
        }
        Files.write(tree.resolve("cat/bomb.jpg"), bomb(Files.readAllBytes(aCat)));
        java.nio.file.Path flaky;
        try (var s = Files.list(tree.resolve("dog"))) {
            flaky = s.sorted().findFirst().orElseThrow();
        }
        FLAKY_ONCE.add(flaky.getFileName().toString());

        // A killed ingest left a staging shard behind.
        java.nio.file.Path out = tmp.resolve("out");
        Files.createDirectories(out.resolve("train"));
        Files.write(out.resolve("train/_tmp.train-00000.seq.4f1c"), new byte[]{1, 2, 3});

        Manifest m = ingest(tree, out, 2, 3);

        Map<String, ?> skipped = m.splits().get("train").skipped();
        assertThat(skipped).containsOnlyKeys("TOO_LARGE");
        assertThat(m.splits().get("train").skipped().get("TOO_LARGE").examples()).anyMatch(k -> k.contains("bomb"));
        // The flaky file's first read failed; the retry read it: all 12 photos are in.
        assertThat(FLAKY_ONCE).isEmpty();
        assertThat(m.splits().get("train").images()).isEqualTo(12);
        try (var s = Files.walk(out)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("_tmp."));
        }
    }

    @Test
    void withOneReadAttemptATransientErrorIsCountedAsUnreadable() throws Exception {
        java.nio.file.Path tree = TestData.writePetTree(tmp.resolve("pets"), 2, 100, "%d.jpg");
        java.nio.file.Path flaky;
        try (var s = Files.list(tree.resolve("dog"))) {
            flaky = s.sorted().findFirst().orElseThrow();
        }
        FLAKY_ONCE.add(flaky.getFileName().toString());
        Manifest m = ingest(tree, tmp.resolve("out"), 1, 1);
        assertThat(m.splits().get("train").skipped()).containsOnlyKeys("UNREADABLE_FILE");
        assertThat(m.splits().get("train").images()).isEqualTo(3);
    }
}
