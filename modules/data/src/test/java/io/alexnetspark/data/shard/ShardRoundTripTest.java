package io.alexnetspark.data.shard;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shard file format on the local file system: round trip, atomic commit, checksums. */
class ShardRoundTripTest {
    @TempDir
    java.nio.file.Path dir;
    Configuration conf;
    FileSystem fs;

    @BeforeEach
    void setUp() throws IOException {
        conf = new Configuration();
        // The raw local FS: no .crc side files, so a flipped byte reaches our own check.
        fs = FileSystem.getLocal(conf).getRawFileSystem();
    }

    private List<ImageRecord> records(int n) {
        Random r = new Random(7);
        List<ImageRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[100 + r.nextInt(5000)];
            r.nextBytes(b);
            out.add(new ImageRecord(i % 3, "n0000000" + (i % 3), "train/k" + i + ".JPEG", b));
        }
        return out;
    }

    private Path target() {
        return new Path(dir.toUri().toString() + "/train/" + ShardFormat.shardName("train", 0, 1));
    }

    private ShardInfo write(List<ImageRecord> recs) throws IOException {
        try (ShardWriter w = ShardWriter.create(fs, conf, target())) {
            for (ImageRecord r : recs) {
                w.append(r);
            }
            return w.commit("train/" + target().getName());
        }
    }

    @Test
    void recordsComeBackInOrderAndVerify() throws IOException {
        List<ImageRecord> recs = records(50);
        ShardInfo info = write(recs);
        assertThat(info.images()).isEqualTo(50);
        assertThat(info.bytes()).isEqualTo(Files.size(java.nio.file.Path.of(target().toUri())));
        assertThat(info.sha256()).hasSize(64);
        assertThat(ShardReader.verify(fs, target(), info)).isNull();

        List<ImageRecord> back = new ArrayList<>();
        try (ShardReader r = ShardReader.open(fs, conf, target(), info)) {
            ImageRecord rec;
            while ((rec = r.read()) != null) {
                back.add(rec);
            }
        }
        assertThat(back).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(back.get(i).key()).isEqualTo(recs.get(i).key());
            assertThat(back.get(i).label()).isEqualTo(recs.get(i).label());
            assertThat(back.get(i).wnid()).isEqualTo(recs.get(i).wnid());
            assertThat(back.get(i).jpeg()).isEqualTo(recs.get(i).jpeg());
        }
    }

    @Test
    void nothingIsVisibleBeforeCommitAndAnAbandonedShardLeavesNoTrace() throws IOException {
        try (ShardWriter w = ShardWriter.create(fs, conf, target())) {
            for (ImageRecord r : records(5)) {
                w.append(r);
            }
            assertThat(fs.exists(target())).isFalse();
            // The temporary file is hidden from listings that skip _-files (like the layout scanner and Hadoop's input formats).
            assertThat(fs.listStatus(target().getParent())).allMatch(s -> ShardWriter.isTemporary(s.getPath().getName()));
        } // closed without commit, as after an exception
        assertThat(fs.exists(target())).isFalse();
        assertThat(fs.listStatus(target().getParent())).isEmpty();
    }

    @Test
    void aCommitReplacesAStaleShard() throws IOException {
        ShardInfo first = write(records(3));
        ShardInfo second = write(records(7));
        assertThat(second.images()).isEqualTo(7);
        assertThat(second.sha256()).isNotEqualTo(first.sha256());
        assertThat(ShardReader.verify(fs, target(), second)).isNull();
    }

    @Test
    void aFlippedByteIsAClearErrorNamingTheShard() throws IOException {
        ShardInfo info = write(records(20));
        java.nio.file.Path file = java.nio.file.Path.of(target().toUri());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x01; // inside some record's JPEG bytes: SequenceFile itself cannot notice
        Files.write(file, bytes);

        assertThat(ShardReader.verify(fs, target(), info)).startsWith("SHA-256");
        assertThatThrownBy(() -> {
            try (ShardReader r = ShardReader.open(fs, conf, target(), info)) {
                while (r.read() != null) {
                    // drain
                }
            }
        }).isInstanceOf(ShardCorruptException.class)
                .hasMessageContaining(info.path())
                .hasMessageContaining("SHA-256");
    }

    @Test
    void aTruncatedShardIsDetectedOnOpen() throws IOException {
        ShardInfo info = write(records(20));
        java.nio.file.Path file = java.nio.file.Path.of(target().toUri());
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> ShardReader.open(fs, conf, target(), info))
                .isInstanceOf(ShardCorruptException.class).hasMessageContaining("length");
    }

    @Test
    void aFileThatIsNotAShardIsRefused() throws IOException {
        java.nio.file.Path file = dir.resolve("junk.seq");
        Files.writeString(file, "not a sequence file at all");
        assertThatThrownBy(() -> ShardReader.open(fs, conf, new Path(file.toUri())))
                .isInstanceOf(ShardCorruptException.class).hasMessageContaining("junk.seq");
    }
}
