package io.alexnetspark.data.layout;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ILSVRC-2012 devkit's validation labels: {@code ILSVRC2012_validation_ground_truth.txt} (one
 * ILSVRC2012_ID per line; line i labels {@code ILSVRC2012_val_<i, 8 digits>.JPEG}) read through
 * {@code meta.mat} ({@link DevkitMeta}: ID -> wnid). The label a network learns is then the wnid's
 * position in the sorted class index, never the devkit ID.
 *
 * <p>Where the files are: a devkit folder as its tarball unpacks ({@code DIR/data/meta.mat},
 * {@code DIR/data/ILSVRC2012_validation_ground_truth.txt}) or the two files directly in
 * {@code DIR} (see {@link #locate}).
 */
public final class DevkitLabels {
    public static final String META = "meta.mat";
    public static final String GROUND_TRUTH = "ILSVRC2012_validation_ground_truth.txt";
    private static final Pattern VAL_NAME = Pattern.compile("ILSVRC2012_val_(\\d{8})(?:\\.[^.]*)?");

    private final DevkitMeta meta;
    private final Path groundTruthFile;
    private final int[] groundTruth;

    private DevkitLabels(DevkitMeta meta, Path groundTruthFile, int[] groundTruth) {
        this.meta = meta;
        this.groundTruthFile = groundTruthFile;
        this.groundTruth = groundTruth;
    }

    /**
     * Finds the devkit's two files in {@code dir/data/} or {@code dir/}.
     *
     * @return the folder holding both, or empty when neither is there
     * @throws LayoutException when one of the two is there without the other
     */
    public static Optional<Path> locate(FileSystem fs, Path dir) throws IOException {
        for (Path d : new Path[]{new Path(dir, "data"), dir}) {
            boolean meta = fs.exists(new Path(d, META));
            boolean truth = fs.exists(new Path(d, GROUND_TRUTH));
            if (meta && truth) {
                return Optional.of(d);
            }
            if (meta || truth) {
                throw new LayoutException("devkit files incomplete: " + new Path(d, meta ? META : GROUND_TRUTH)
                        + " is there but " + new Path(d, meta ? GROUND_TRUTH : META) + " is missing");
            }
        }
        return Optional.empty();
    }

    /**
     * Reads both files from a devkit folder ({@code dir/data/} or {@code dir/}).
     *
     * @throws LayoutException when they are missing or malformed, naming the file
     */
    public static DevkitLabels read(FileSystem fs, Path dir) throws IOException {
        Path data = locate(fs, dir).orElseThrow(() -> new LayoutException("no ILSVRC-2012 devkit in " + dir
                + ": expected " + new Path(new Path(dir, "data"), META) + " and "
                + new Path(new Path(dir, "data"), GROUND_TRUTH) + " (or both directly in " + dir + ")"));
        DevkitMeta meta = DevkitMeta.read(fs, new Path(data, META));
        Path gt = new Path(data, GROUND_TRUTH);
        return new DevkitLabels(meta, gt, readGroundTruth(fs, gt, meta));
    }

    private static int[] readGroundTruth(FileSystem fs, Path file, DevkitMeta meta) throws IOException {
        int[] ids = new int[1 << 16];
        int n = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                String t = line.strip();
                if (t.isEmpty()) {
                    continue;
                }
                int id;
                try {
                    id = Integer.parseInt(t);
                } catch (NumberFormatException e) {
                    throw new LayoutException(file + " line " + lineNo + ": expected an ILSVRC2012_ID, got '" + line + "'");
                }
                meta.require(id, file + " line " + lineNo);
                if (n == ids.length) {
                    ids = Arrays.copyOf(ids, n * 2);
                }
                ids[n++] = id;
            }
        }
        if (n == 0) {
            throw new LayoutException(file + " is empty: expected one ILSVRC2012_ID per validation image");
        }
        return Arrays.copyOf(ids, n);
    }

    /** The class names of meta.mat (a class index of its leaf classes). */
    public DevkitMeta meta() {
        return meta;
    }

    /** Number of labelled validation images (lines of the ground truth). */
    public int size() {
        return groundTruth.length;
    }

    /**
     * The wnid of a validation image by its file name ({@code ILSVRC2012_val_00000042.JPEG} takes
     * line 42 of the ground truth).
     *
     * @throws LayoutException when the name is not a devkit validation name or the ground truth is
     *                         too short for it
     */
    public String wnidOf(String fileName, String where) {
        Matcher m = VAL_NAME.matcher(fileName);
        if (!m.matches()) {
            throw new LayoutException("validation image " + where + " is not named ILSVRC2012_val_<8 digits>: "
                    + "the devkit's " + GROUND_TRUTH + " labels images by that number");
        }
        int number = Integer.parseInt(m.group(1));
        if (number < 1 || number > groundTruth.length) {
            throw new LayoutException(groundTruthFile + " has " + groundTruth.length + " labels, but " + where
                    + " needs line " + number + " (a short or wrong ground-truth file?)");
        }
        return meta.require(groundTruth[number - 1], groundTruthFile + " line " + number).wnid();
    }

    /** The ground-truth file read. */
    public Path groundTruthFile() {
        return groundTruthFile;
    }
}
