package io.alexnetspark.data.ingest;

import io.alexnetspark.data.TestData;
import io.alexnetspark.data.image.PreprocessSettings;
import io.alexnetspark.data.layout.DatasetLayout;
import io.alexnetspark.data.layout.LayoutException;
import io.alexnetspark.data.manifest.Manifest;
import io.alexnetspark.data.manifest.ManifestIO;
import io.alexnetspark.data.pipeline.PipelineSettings;
import io.alexnetspark.data.pipeline.ShardBatchIterator;
import io.alexnetspark.data.pipeline.ShardSource;
import io.alexnetspark.data.pipeline.TransformSettings;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A generic class tree of real photos, ingested to the local file system at original size. */
class LocalIngestTest {
    @TempDir
    java.nio.file.Path tmp;

    private java.nio.file.Path tree() throws IOException {
        return TestData.writePetTree(tmp.resolve("pets"), 10, 100, "%d.jpg");
    }

    @Test
    void aGenericTreeAtOriginalSizeOnFileUris() throws IOException {
        java.nio.file.Path out = tmp.resolve("out");
        Configuration conf = new Configuration();
        Manifest m = Ingest.run(IngestOptions.builder(tree().toUri().toString(), out.toUri().toString())
                .dataset("pets").layout(DatasetLayout.GENERIC).preprocessing(PreprocessSettings.originalSize(90))
                .imagesPerShard(8).threads(2).progress(null).conf(conf).build());
        assertThat(m.classes()).extracting(c -> c.wnid()).containsExactly("cat", "dog");
        assertThat(m.splits()).containsOnlyKeys("train");
        assertThat(m.shards("train")).hasSize(3);
        assertThat(m.splits().get("train").images()).isEqualTo(20);
        Path root = new Path(out.toUri());
        FileSystem fs = root.getFileSystem(conf);
        assertThat(ManifestIO.read(fs, root)).isEqualTo(m);

        // CIFAR-style: 32x32 crops of the 32x32 photos with a 4-pixel border.
        TransformSettings t = new TransformSettings(0, 32, 32, 4, TransformSettings.Mode.TRAIN, true, 0,
                TransformSettings.IMAGENET_MEAN);
        int rows = 0;
        try (ShardBatchIterator it = new ShardBatchIterator(ShardSource.fromManifest(m, root, "train"), conf,
                new PipelineSettings(6, 2, t, 1, 1, 2, 4, true), java.util.List.of("cat", "dog"))) {
            assertThat(it.getLabels()).containsExactly("cat", "dog");
            while (it.hasNext()) {
                DataSet ds = it.next();
                assertThat(ds.getFeatures().shape()).containsExactly(6, 3, 32, 32);
                rows += 6;
            }
        }
        assertThat(rows).isEqualTo(18); // drop-last: 20 -> 3 full batches of 6
    }

    @Test
    void aLayoutErrorStopsBeforeAnythingIsWritten() throws IOException {
        java.nio.file.Path root = tree();
        Files.createDirectories(root.resolve("ferret"));
        java.nio.file.Path out = tmp.resolve("out");
        assertThatThrownBy(() -> Ingest.run(IngestOptions.builder(root.toUri().toString(), out.toUri().toString())
                .layout(DatasetLayout.GENERIC).progress(null).build()))
                .isInstanceOf(LayoutException.class).hasMessageContaining("empty class folder").hasMessageContaining("ferret");
        assertThat(out).doesNotExist();
    }
}
