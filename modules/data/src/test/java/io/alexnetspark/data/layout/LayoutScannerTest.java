package io.alexnetspark.data.layout;

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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The accepted input layouts (file contents do not matter here: only names and folders). */
class LayoutScannerTest {
    @TempDir
    java.nio.file.Path dir;
    FileSystem fs;
    LayoutScanner scanner;

    @BeforeEach
    void setUp() throws IOException {
        fs = FileSystem.getLocal(new Configuration());
        scanner = new LayoutScanner(fs);
    }

    private void touch(String rel) throws IOException {
        java.nio.file.Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "x");
    }

    private Path root() {
        return new Path(dir.toUri());
    }

    @Test
    void imagenetTrainFoldersAndValWithLocSolution() throws IOException {
        touch("train/n02123045/b.JPEG");
        touch("train/n02123045/a.JPEG");
        touch("train/n02085620/c.JPEG");
        touch("train/n02085620/.DS_Store");
        touch("val/ILSVRC2012_val_00000001.JPEG");
        touch("val/ILSVRC2012_val_00000002.JPEG");
        Files.writeString(dir.resolve("LOC_val_solution.csv"), "ImageId,PredictionString\n"
                + "ILSVRC2012_val_00000002,n02123045 1 2 3 4 n02123045 5 6 7 8\n"
                + "ILSVRC2012_val_00000001,n02085620 10 20 30 40\n"
                + "ILSVRC2012_val_00000003,n02085620 1 1 1 1\n");

        LayoutScanner.Scan scan = scanner.scan(root(), DatasetLayout.IMAGENET, null);
        assertThat(scan.classes().entries()).extracting(ClassEntry::wnid).containsExactly("n02085620", "n02123045");
        assertThat(scan.splits()).containsOnlyKeys("train", "val");
        assertThat(scan.splits().get("train")).extracting(SourceImage::key)
                .containsExactly("train/n02085620/c.JPEG", "train/n02123045/a.JPEG", "train/n02123045/b.JPEG");
        assertThat(scan.splits().get("train")).extracting(SourceImage::label).containsExactly(0, 1, 1);
        assertThat(scan.splits().get("val")).extracting(SourceImage::key, SourceImage::wnid, SourceImage::label)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("val/ILSVRC2012_val_00000001.JPEG", "n02085620", 0),
                        org.assertj.core.groups.Tuple.tuple("val/ILSVRC2012_val_00000002.JPEG", "n02123045", 1));
    }

    @Test
    void valAsClassFoldersAndAGivenClassIndexLabelsByIt() throws IOException {
        touch("train/b/1.JPEG");
        touch("val/b/2.JPEG");
        ClassIndex index = ClassIndex.of(List.of("c", "b", "a"), Map.of("b", "bee"));
        LayoutScanner.Scan scan = scanner.scan(root(), DatasetLayout.IMAGENET, index);
        assertThat(scan.classes().size()).isEqualTo(3);
        assertThat(scan.splits().get("val")).singleElement().satisfies(s -> {
            assertThat(s.key()).isEqualTo("val/b/2.JPEG");
            assertThat(s.label()).isEqualTo(1);
        });
    }

    @Test
    void aMissingValidationLabelFileIsAClearError() throws IOException {
        touch("train/a/1.JPEG");
        touch("val/ILSVRC2012_val_00000001.JPEG");
        assertThatThrownBy(() -> scanner.scan(root(), DatasetLayout.IMAGENET, null))
                .isInstanceOf(LayoutException.class).hasMessageContaining("LOC_val_solution.csv");
    }

    @Test
    void aValidationImageWithoutALabelIsAClearError() throws IOException {
        touch("train/a/1.JPEG");
        touch("val/ILSVRC2012_val_00000009.JPEG");
        Files.writeString(dir.resolve("val/LOC_val_solution.csv"), "ImageId,PredictionString\nILSVRC2012_val_00000001,a 1 2 3 4\n");
        assertThatThrownBy(() -> scanner.scan(root(), DatasetLayout.IMAGENET, null))
                .isInstanceOf(LayoutException.class).hasMessageContaining("ILSVRC2012_val_00000009");
    }

    @Test
    void anEmptyClassFolderIsAClearError() throws IOException {
        touch("train/a/1.JPEG");
        Files.createDirectories(dir.resolve("train/b"));
        assertThatThrownBy(() -> scanner.scan(root(), DatasetLayout.IMAGENET, null))
                .isInstanceOf(LayoutException.class).hasMessageContaining("empty class folder").hasMessageContaining("train/b");
    }

    @Test
    void aFolderOutsideTheClassIndexIsAClearError() throws IOException {
        touch("train/zzz/1.JPEG");
        ClassIndex index = ClassIndex.of(List.of("a"), Map.of());
        assertThatThrownBy(() -> scanner.scan(root(), DatasetLayout.IMAGENET, index))
                .isInstanceOf(LayoutException.class).hasMessageContaining("'zzz'");
    }

    @Test
    void aMissingTrainFolderIsAClearError() {
        assertThatThrownBy(() -> scanner.scan(root(), DatasetLayout.IMAGENET, null))
                .isInstanceOf(LayoutException.class).hasMessageContaining("train");
    }

    @Test
    void aGenericClassTree() throws IOException {
        touch("tulip/x.jpg");
        touch("rose/y.png");
        touch("rose/z.jpg");
        LayoutScanner.Scan scan = scanner.scan(root(), DatasetLayout.GENERIC, null);
        assertThat(scan.classes().entries()).extracting(ClassEntry::wnid).containsExactly("rose", "tulip");
        assertThat(scan.splits().get("train")).extracting(SourceImage::key).containsExactly("rose/y.png", "rose/z.jpg", "tulip/x.jpg");
    }

    @Test
    void theIlsvrcClassIndexFromDarknetsListsGivesTheStandardLabels() throws IOException {
        java.nio.file.Path[] lists = io.alexnetspark.data.TestData.darknetImagenetLists();
        ClassIndex index = ClassIndex.fromParallelLists(fs, new Path(lists[0].toUri()), new Path(lists[1].toUri()), 1000);
        assertThat(index.size()).isEqualTo(1000);
        // The standard ILSVRC-2012 labels: sorted wnids; 0 is tench, 999 toilet tissue.
        assertThat(index.entries().get(0)).isEqualTo(new ClassEntry(0, "n01440764", "tench"));
        assertThat(index.entries().get(999).wnid()).isEqualTo("n15075141");
        assertThat(index.byWnid("n02085620")).get().extracting(ClassEntry::label).isEqualTo(151); // Chihuahua
        assertThat(index.byWnid("n02123045")).get().extracting(ClassEntry::label).isEqualTo(281); // tabby cat
    }
}
