package io.alexnetspark.data.layout;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The mapping label -> wnid -> name. Labels are the positions of the wnids in sorted order, which
 * for the 1000 ILSVRC-2012 classes gives the standard 0..999 labels used by every published model.
 */
public final class ClassIndex {
    private final List<ClassEntry> entries;
    private final Map<String, ClassEntry> byWnid = new HashMap<>();

    private ClassIndex(List<ClassEntry> entries) {
        this.entries = List.copyOf(entries);
        for (ClassEntry e : entries) {
            byWnid.put(e.wnid(), e);
        }
    }

    /** Sorts the wnids to assign labels; {@code names} maps wnid -> name (a wnid without one is its own name). */
    public static ClassIndex of(Collection<String> wnids, Map<String, String> names) {
        TreeSet<String> sorted = new TreeSet<>(wnids);
        if (sorted.size() != wnids.size()) {
            throw new LayoutException("duplicate class ids in the class list");
        }
        if (sorted.isEmpty()) {
            throw new LayoutException("no classes");
        }
        List<ClassEntry> out = new ArrayList<>();
        for (String w : sorted) {
            out.add(new ClassEntry(out.size(), w, names.getOrDefault(w, w)));
        }
        return new ClassIndex(out);
    }

    /** Rebuilds an index from its manifest entries (labels as stored). */
    public static ClassIndex fromEntries(List<ClassEntry> entries) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).label() != i) {
                throw new LayoutException("class index out of order at position " + i + ": " + entries.get(i));
            }
        }
        return new ClassIndex(entries);
    }

    /**
     * Reads two parallel line lists: wnids and names (e.g. darknet's {@code imagenet.labels.list} and
     * {@code imagenet.shortnames.list}, whose first 1000 lines are the ILSVRC-2012 classes).
     *
     * @param limit how many lines to take (1000 for ILSVRC-2012 from darknet's 21,842-line files)
     */
    public static ClassIndex fromParallelLists(FileSystem fs, Path wnidFile, Path nameFile, int limit) throws IOException {
        List<String> wnids = readLines(fs, wnidFile, limit);
        List<String> names = readLines(fs, nameFile, limit);
        if (wnids.size() != names.size()) {
            throw new LayoutException(wnidFile + " has " + wnids.size() + " lines but " + nameFile + " has " + names.size());
        }
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < wnids.size(); i++) {
            map.put(wnids.get(i), names.get(i));
        }
        return of(wnids, map);
    }

    /** Reads a two-column file, {@code wnid<TAB or space>name} per line (the name may contain spaces). */
    public static ClassIndex fromTable(FileSystem fs, Path file) throws IOException {
        List<String> wnids = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        for (String line : readLines(fs, file, Integer.MAX_VALUE)) {
            String[] parts = line.split("[\t ]", 2);
            wnids.add(parts[0]);
            names.put(parts[0], parts.length > 1 ? parts[1].trim() : parts[0]);
        }
        return of(wnids, names);
    }

    private static List<String> readLines(FileSystem fs, Path file, int limit) throws IOException {
        if (!fs.exists(file)) {
            throw new LayoutException("class list not found: " + file);
        }
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
            String line;
            while (out.size() < limit && (line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    out.add(line.strip());
                }
            }
        }
        return out;
    }

    /** All classes in label order. */
    public List<ClassEntry> entries() {
        return entries;
    }

    /** Number of classes (the network's output width). */
    public int size() {
        return entries.size();
    }

    /** The class of a wnid, if listed. */
    public Optional<ClassEntry> byWnid(String wnid) {
        return Optional.ofNullable(byWnid.get(wnid));
    }

    /** The class of a wnid, or a clear error naming where it was found. */
    public ClassEntry require(String wnid, String foundIn) {
        ClassEntry e = byWnid.get(wnid);
        if (e == null) {
            throw new LayoutException("class '" + wnid + "' (from " + foundIn + ") is not in the class index of "
                    + size() + " classes");
        }
        return e;
    }
}
