package io.alexnetspark.data.layout;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lists the images of an input tree (on any Hadoop FileSystem) with their labels. Every list is
 * sorted by key, so the same tree always gives the same list: the base of deterministic shard
 * assignment. Hidden files ({@code .*}, {@code _*}) are ignored; every other file is an image
 * candidate (a text file named .JPEG is then counted as a bad image, not silently dropped).
 */
public final class LayoutScanner {
    /** The Kaggle/LOC validation label file: {@code ImageId,PredictionString} with the wnid first. */
    public static final String LOC_VAL_SOLUTION = "LOC_val_solution.csv";

    private final FileSystem fs;

    public LayoutScanner(FileSystem fs) {
        this.fs = fs;
    }

    /** The scan of a tree: its class index and its images per split (in split order: train, val). */
    public record Scan(ClassIndex classes, Map<String, List<SourceImage>> splits) {
    }

    /**
     * Scans a tree.
     *
     * @param classes the class index to label with, or {@code null} to derive it from the
     *                (training) class folder names
     */
    public Scan scan(Path root, DatasetLayout layout, ClassIndex classes) throws IOException {
        return scan(root, layout, classes, null);
    }

    /**
     * Scans a tree, with the ILSVRC-2012 devkit's validation labels.
     *
     * @param classes the class index to label with, or {@code null}: then the devkit's 1000 leaf
     *                classes (named by meta.mat's {@code words}) when a devkit is there, else the
     *                (training) class folder names
     * @param devkit  the devkit folder ({@code DIR/data/meta.mat} +
     *                {@code DIR/data/ILSVRC2012_validation_ground_truth.txt}, or both in {@code DIR});
     *                {@code null} to look for them in the input root
     */
    public Scan scan(Path root, DatasetLayout layout, ClassIndex classes, Path devkit) throws IOException {
        if (!fs.exists(root) || !fs.getFileStatus(root).isDirectory()) {
            throw new LayoutException("input root " + root + " is not a directory");
        }
        Map<String, List<SourceImage>> splits = new LinkedHashMap<>();
        if (layout == DatasetLayout.GENERIC) {
            if (devkit != null) {
                throw new LayoutException("a devkit (" + devkit + ") only applies to the ImageNet layout");
            }
            ClassIndex index = classes != null ? classes : classesFromFolders(root);
            splits.put("train", classFolders(root, "", index));
            return new Scan(index, splits);
        }
        Path train = new Path(root, "train");
        if (!fs.exists(train)) {
            throw new LayoutException("ImageNet layout: " + train + " not found (expected train/<wnid>/*.JPEG)");
        }
        DevkitLabels kit = devkit != null ? DevkitLabels.read(fs, devkit)
                : DevkitLabels.locate(fs, root).isPresent() ? DevkitLabels.read(fs, root) : null;
        ClassIndex index = classes != null ? classes : kit != null ? kit.meta().classIndex() : classesFromFolders(train);
        splits.put("train", classFolders(train, "train/", index));
        Path val = new Path(root, "val");
        if (fs.exists(val)) {
            splits.put("val", validation(root, val, index, kit, devkit != null));
        }
        return new Scan(index, splits);
    }

    /** A class index whose ids are the sub-folder names of {@code dir}, sorted. */
    public ClassIndex classesFromFolders(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        for (FileStatus s : list(dir)) {
            if (s.isDirectory()) {
                names.add(s.getPath().getName());
            }
        }
        if (names.isEmpty()) {
            throw new LayoutException("no class folders in " + dir);
        }
        return ClassIndex.of(names, Map.of());
    }

    private List<SourceImage> classFolders(Path dir, String keyPrefix, ClassIndex index) throws IOException {
        List<SourceImage> out = new ArrayList<>();
        for (FileStatus folder : list(dir)) {
            if (!folder.isDirectory()) {
                continue;
            }
            String wnid = folder.getPath().getName();
            ClassEntry cls = index.require(wnid, folder.getPath().toString());
            int before = out.size();
            for (FileStatus f : list(folder.getPath())) {
                if (f.isFile()) {
                    out.add(new SourceImage(f.getPath().toString(), keyPrefix + wnid + "/" + f.getPath().getName(),
                            wnid, cls.label()));
                }
            }
            if (out.size() == before) {
                throw new LayoutException("empty class folder: " + folder.getPath());
            }
        }
        if (out.isEmpty()) {
            throw new LayoutException("no class folders with images in " + dir);
        }
        out.sort(Comparator.comparing(SourceImage::key));
        return out;
    }

    /**
     * A validation folder: class folders, or flat images labelled by (in this order) an explicitly
     * given devkit, LOC_val_solution.csv, or a devkit found in the input root.
     */
    private List<SourceImage> validation(Path root, Path val, ClassIndex index, DevkitLabels kit, boolean kitGiven)
            throws IOException {
        FileStatus[] entries = list(val);
        boolean folders = Arrays.stream(entries).anyMatch(FileStatus::isDirectory);
        if (folders) {
            return classFolders(val, "val/", index);
        }
        Path csv = new Path(val, LOC_VAL_SOLUTION);
        if (!fs.exists(csv)) {
            csv = new Path(root, LOC_VAL_SOLUTION);
        }
        boolean useCsv = fs.exists(csv) && !kitGiven;
        if (!useCsv && kit == null) {
            throw new LayoutException("val/ holds images but no label file: expected " + new Path(val, LOC_VAL_SOLUTION)
                    + " or " + new Path(root, LOC_VAL_SOLUTION) + ", or the devkit's " + DevkitLabels.GROUND_TRUTH
                    + " + " + DevkitLabels.META + " (--devkit DIR, or in " + new Path(root, "data") + "), or val/<wnid>/ folders");
        }
        Map<String, String> labels = useCsv ? readLocSolution(csv) : null;
        String labelSource = useCsv ? csv.toString() : kit.groundTruthFile().toString();
        List<SourceImage> out = new ArrayList<>();
        for (FileStatus f : entries) {
            String name = f.getPath().getName();
            if (!f.isFile() || name.equals(LOC_VAL_SOLUTION)) {
                continue;
            }
            String wnid;
            if (useCsv) {
                String id = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
                wnid = labels.get(id);
                if (wnid == null) {
                    throw new LayoutException("no label for validation image " + f.getPath() + " in " + csv);
                }
            } else {
                wnid = kit.wnidOf(name, f.getPath().toString());
            }
            out.add(new SourceImage(f.getPath().toString(), "val/" + name, wnid, index.require(wnid, labelSource).label()));
        }
        if (out.isEmpty()) {
            throw new LayoutException("no validation images in " + val);
        }
        out.sort(Comparator.comparing(SourceImage::key));
        return out;
    }

    /** Parses {@code ImageId,PredictionString}: the first token of PredictionString is the wnid. */
    Map<String, String> readLocSolution(Path csv) throws IOException {
        Map<String, String> out = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(csv), StandardCharsets.UTF_8))) {
            String header = r.readLine();
            if (header == null || !header.replace("\uFEFF", "").trim().toLowerCase().startsWith("imageid,")) {
                throw new LayoutException(csv + ": expected the header ImageId,PredictionString, got " + header);
            }
            String line;
            int n = 1;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                int comma = line.indexOf(',');
                String[] tokens = comma < 0 ? new String[0] : line.substring(comma + 1).trim().split("\\s+");
                if (comma <= 0 || tokens.length == 0 || tokens[0].isEmpty()) {
                    throw new LayoutException(csv + " line " + n + ": expected ImageId,<wnid> ..., got '" + line + "'");
                }
                out.put(line.substring(0, comma).trim(), tokens[0]);
            }
        }
        return out;
    }

    private FileStatus[] list(Path dir) throws IOException {
        return Arrays.stream(fs.listStatus(dir))
                .filter(s -> !s.getPath().getName().startsWith(".") && !s.getPath().getName().startsWith("_"))
                .sorted(Comparator.comparing(s -> s.getPath().getName()))
                .toArray(FileStatus[]::new);
    }
}
