package io.alexnetspark.data.layout;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IOUtils;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.format.Mat5File;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.Char;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Sources;
import us.hebi.matlab.mat.types.Struct;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ILSVRC-2012 devkit's {@code data/meta.mat}: a MATLAB v5 file whose variable {@code synsets}
 * is a struct array (1860 x 1 in the real devkit) with the fields {@code ILSVRC2012_ID},
 * {@code WNID}, {@code words}, {@code gloss}, {@code num_children}, {@code children},
 * {@code wordnet_height} and {@code num_train_images}. Rows with an ILSVRC2012_ID of at most 1000
 * are the leaf classes that images are labelled with; the rest are their WordNet ancestors.
 *
 * <p>The devkit's ID order (1 = n02119789 kit fox, ...) follows the WordNet hierarchy. It is
 * <em>not</em> the standard label order: labels are the positions of the sorted wnids
 * ({@link ClassIndex}), so this class only maps IDs to wnids and names.
 */
public final class DevkitMeta {
    /** The devkit's leaf classes have IDs 1..1000. */
    public static final int LEAF_CLASSES = 1000;
    static final String VARIABLE = "synsets";

    /**
     * One row of {@code synsets}.
     *
     * @param id    ILSVRC2012_ID (1-based)
     * @param wnid  WordNet id
     * @param words human-readable names, comma-separated ("kit fox, Vulpes macrotis")
     */
    public record Synset(int id, String wnid, String words) {
    }

    private final Path file;
    private final Map<Integer, Synset> leaves;

    private DevkitMeta(Path file, Map<Integer, Synset> leaves) {
        this.file = file;
        this.leaves = leaves;
    }

    /**
     * Reads a meta.mat from any Hadoop FileSystem.
     *
     * @throws LayoutException naming the file when it is missing, not a MATLAB v5 file, or lacks
     *                         the {@code synsets} struct array or one of its fields
     */
    public static DevkitMeta read(FileSystem fs, Path file) throws IOException {
        if (!fs.exists(file)) {
            throw new LayoutException("devkit meta file not found: " + file);
        }
        long len = fs.getFileStatus(file).getLen();
        if (len > Integer.MAX_VALUE - 16) {
            throw new LayoutException(file + ": " + len + " bytes is too large for a devkit meta.mat");
        }
        // The real file is ~100 KB: read it whole, so MFL can parse from memory whatever the FileSystem.
        byte[] bytes = new byte[(int) len];
        try (FSDataInputStream in = fs.open(file)) {
            IOUtils.readFully(in, bytes, 0, bytes.length);
        }
        try (Mat5File mat = Mat5.newReader(Sources.wrap(bytes)).readMat()) {
            if (!(find(mat) instanceof Struct synsets)) {
                throw new LayoutException(file + ": no struct array '" + VARIABLE + "' (is this the devkit's data/meta.mat?)");
            }
            return new DevkitMeta(file, parse(file, synsets));
        } catch (LayoutException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new LayoutException(file + ": not a readable MATLAB v5 MAT-file (" + e + ")");
        }
    }

    private static Array find(Mat5File mat) {
        for (var entry : mat.getEntries()) {
            if (entry.getName().equals(VARIABLE)) {
                return entry.getValue();
            }
        }
        return null;
    }

    private static Map<Integer, Synset> parse(Path file, Struct synsets) {
        for (String field : List.of("ILSVRC2012_ID", "WNID", "words")) {
            if (!synsets.getFieldNames().contains(field)) {
                throw new LayoutException(file + ": '" + VARIABLE + "' has no field " + field + " (fields: "
                        + synsets.getFieldNames() + ")");
            }
        }
        Map<Integer, Synset> leaves = new TreeMap<>();
        int n = synsets.getNumElements();
        for (int i = 0; i < n; i++) {
            Array idArray = synsets.get("ILSVRC2012_ID", i);
            if (!(idArray instanceof Matrix m) || m.getNumElements() != 1) {
                throw new LayoutException(file + ": synsets(" + (i + 1) + ").ILSVRC2012_ID is not a number");
            }
            int id = m.getInt(0);
            if (id < 1 || id > LEAF_CLASSES) {
                continue; // an ancestor (1001..1860), not a label
            }
            String wnid = text(file, synsets, "WNID", i);
            Synset previous = leaves.put(id, new Synset(id, wnid, text(file, synsets, "words", i)));
            if (previous != null) {
                throw new LayoutException(file + ": ILSVRC2012_ID " + id + " appears twice (" + previous.wnid() + ", " + wnid + ")");
            }
        }
        if (leaves.isEmpty()) {
            throw new LayoutException(file + ": '" + VARIABLE + "' has no rows with ILSVRC2012_ID 1.." + LEAF_CLASSES);
        }
        return Collections.unmodifiableMap(leaves);
    }

    private static String text(Path file, Struct synsets, String field, int i) {
        Array a = synsets.get(field, i);
        if (!(a instanceof Char c)) {
            throw new LayoutException(file + ": synsets(" + (i + 1) + ")." + field + " is not text");
        }
        return c.getString().strip();
    }

    /** The file read. */
    public Path file() {
        return file;
    }

    /** The leaf classes by ILSVRC2012_ID, in ID order. */
    public Map<Integer, Synset> leaves() {
        return leaves;
    }

    /** The leaf class with this ID, or a clear error naming the file and {@code where} it was asked for. */
    public Synset require(int id, String where) {
        Synset s = leaves.get(id);
        if (s == null) {
            throw new LayoutException(where + ": ILSVRC2012_ID " + id + " is not a leaf class in " + file
                    + " (which has " + leaves.size() + " with IDs 1.." + LEAF_CLASSES + ")");
        }
        return s;
    }

    /** A class index of the leaf wnids (labels = sorted positions) named by their {@code words}. */
    public ClassIndex classIndex() {
        List<String> wnids = new ArrayList<>();
        Map<String, String> names = new TreeMap<>();
        for (Synset s : leaves.values()) {
            wnids.add(s.wnid());
            names.put(s.wnid(), s.words());
        }
        return ClassIndex.of(wnids, names);
    }
}
