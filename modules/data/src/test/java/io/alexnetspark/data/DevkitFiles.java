package io.alexnetspark.data;

import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.format.Mat5File;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Struct;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Writes ILSVRC-2012 devkit files for tests, with MFL (the library the product reads them with).
 *
 * <p>The synsets come from Debian's darknet {@code imagenet.labels.list} + {@code imagenet.shortnames.list},
 * whose first 1000 lines are in the devkit's ILSVRC2012_ID order (line 1 = ID 1 = n02119789 kit fox,
 * line 490 = n01751748 sea snake, the class of ILSVRC2012_val_00000001). The next 860 lines stand in
 * for the real file's 860 ancestor synsets (IDs 1001..1860): same count, fields and MATLAB types
 * ({@code ILSVRC2012_ID}, {@code num_children}, {@code wordnet_height}, {@code num_train_images}:
 * double scalars; {@code WNID}, {@code words}, {@code gloss}: char rows; {@code children}: a double
 * row vector), not the real WordNet ancestors.
 */
public final class DevkitFiles {
    /** Synsets in the real meta.mat. */
    public static final int SYNSETS = 1860;

    private DevkitFiles() {
    }

    /** The first {@code n} wnids of darknet's list: ID i is element i - 1. */
    public static List<String> wnidsInIdOrder(int n) throws IOException {
        return Files.readAllLines(TestData.darknetImagenetLists()[0]).stream().limit(n).map(String::strip)
                .collect(Collectors.toList());
    }

    /** Writes {@code meta.mat} with {@code synsets} rows (the first 1000 are the leaf classes). */
    public static void writeMeta(Path file, int synsets) throws IOException {
        Path[] lists = TestData.darknetImagenetLists();
        List<String> wnids = Files.readAllLines(lists[0]);
        List<String> names = Files.readAllLines(lists[1]);
        Struct s = Mat5.newStruct(synsets, 1);
        for (int i = 0; i < synsets; i++) {
            int id = i + 1;
            boolean leaf = id <= 1000;
            s.set("ILSVRC2012_ID", i, Mat5.newScalar(id));
            s.set("WNID", i, Mat5.newString(wnids.get(i).strip()));
            s.set("words", i, Mat5.newString(names.get(i).strip()));
            s.set("gloss", i, Mat5.newString("test gloss of " + names.get(i).strip()));
            s.set("num_children", i, Mat5.newScalar(leaf ? 0 : 2));
            Matrix children = Mat5.newMatrix(1, leaf ? 0 : 2);
            if (!leaf) {
                children.setDouble(0, 1 + (2 * i) % 1000);
                children.setDouble(1, 1 + (2 * i + 1) % 1000);
            }
            s.set("children", i, children);
            s.set("wordnet_height", i, Mat5.newScalar(leaf ? 0 : 1 + i % 5));
            s.set("num_train_images", i, Mat5.newScalar(leaf ? 1300 : 0));
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Mat5File mat = Mat5.newMatFile()) {
            mat.addArray("synsets", s);
            Mat5.writeToFile(mat, file.toFile());
        }
    }

    /** Writes the ground truth: one ID per line, line i for ILSVRC2012_val_&lt;i&gt;. */
    public static void writeGroundTruth(Path file, List<Integer> ids) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, ids.stream().map(String::valueOf).collect(Collectors.joining("\n", "", "\n")));
    }
}
