package io.alexnetspark.data.ingest;

import io.alexnetspark.data.layout.ClassEntry;
import io.alexnetspark.data.layout.LayoutScanner;
import io.alexnetspark.data.layout.SourceImage;
import io.alexnetspark.data.manifest.Manifest;
import io.alexnetspark.data.manifest.ManifestIO;
import io.alexnetspark.data.manifest.ReasonCount;
import io.alexnetspark.data.manifest.SplitManifest;
import io.alexnetspark.data.shard.ShardInfo;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Ingestion in three steps: {@link #plan} (scan the input tree, cut it into shard tasks),
 * run the tasks (here {@link #runLocal} on a thread pool, reusing finished shards; the trainer's
 * {@code SparkIngest} runs the same {@link ShardTask}s through {@link ShardTaskRunner} in Spark
 * executors), then {@link #finish} (write the manifest from the results). {@link #run} does all
 * three locally.
 */
public final class Ingest {
    private Ingest() {
    }

    /**
     * Ingests on a local thread pool and returns the manifest it wrote to {@code output/manifest.json}.
     *
     * @throws io.alexnetspark.data.layout.LayoutException when the input tree is not of the layout
     * @throws IOException when reading the tree or writing shards fails (finished shards stay
     *                     and are reused by the next run)
     */
    public static Manifest run(IngestOptions o) throws IOException {
        return runLocal(o, plan(o));
    }

    /**
     * What an ingestion will do: the input tree scanned and cut into shard tasks (nothing written).
     *
     * @param source      the qualified input root
     * @param root        the qualified dataset root
     * @param classes     the class index
     * @param tasks       the shard tasks per split, in split order
     * @param totalImages input files over all splits
     */
    public record Plan(String source, Path root, List<ClassEntry> classes, Map<String, List<ShardTask>> tasks,
                       long totalImages) {
        /** Shard tasks over all splits. */
        public int totalShards() {
            return tasks.values().stream().mapToInt(List::size).sum();
        }

        /** Every shard task, split after split. */
        public List<ShardTask> allTasks() {
            List<ShardTask> all = new ArrayList<>();
            tasks.values().forEach(all::addAll);
            return all;
        }
    }

    /** Scans the input tree and plans the shards (the driver's part of a distributed ingestion). */
    public static Plan plan(IngestOptions o) throws IOException {
        Path source = new Path(o.source());
        FileSystem inFs = source.getFileSystem(o.conf());
        source = inFs.makeQualified(source);
        Path root = new Path(o.output());
        root = root.getFileSystem(o.conf()).makeQualified(root);
        Path devkit = null;
        if (o.devkit() != null) {
            devkit = new Path(o.devkit());
            devkit = devkit.getFileSystem(o.conf()).makeQualified(devkit);
        }

        LayoutScanner.Scan scan = new LayoutScanner(inFs).scan(source, o.layout(), o.classes(), devkit);
        Map<String, List<ShardTask>> tasks = new LinkedHashMap<>();
        long totalImages = 0;
        for (Map.Entry<String, List<SourceImage>> e : scan.splits().entrySet()) {
            int perShard = ShardSizer.imagesPerShard(e.getKey(), e.getValue(), o.preprocessing(), o.imagesPerShard(),
                    o.shardBytes(), o.seed(), o.conf());
            tasks.put(e.getKey(), ShardPlanner.plan(e.getKey(), e.getValue(), perShard, o.seed()));
            totalImages += e.getValue().size();
        }
        return new Plan(source.toString(), root, scan.classes().entries(), tasks, totalImages);
    }

    /** Runs a plan's shard tasks on a local thread pool of {@code o.threads()}, then writes the manifest. */
    public static Manifest runLocal(IngestOptions o, Plan plan) throws IOException {
        Progress progress = new Progress(o.progress(), plan.totalImages(), plan.totalShards());
        ShardTaskRunner runner = new ShardTaskRunner(plan.root(), o.conf(), o.preprocessing());
        ExecutorService pool = Executors.newFixedThreadPool(o.threads(), r -> {
            Thread t = new Thread(r, "ingest-worker");
            t.setDaemon(true);
            return t;
        });
        Map<String, List<ShardResult>> results = new LinkedHashMap<>();
        try {
            Map<String, List<Future<ShardResult>>> futures = new LinkedHashMap<>();
            for (Map.Entry<String, List<ShardTask>> e : plan.tasks().entrySet()) {
                List<Future<ShardResult>> fs = new ArrayList<>();
                for (ShardTask task : e.getValue()) {
                    fs.add(pool.submit(() -> {
                        ShardResult r = runner.run(task, progress::images);
                        progress.shardDone(r.reused());
                        return r;
                    }));
                }
                futures.put(e.getKey(), fs);
            }
            for (Map.Entry<String, List<Future<ShardResult>>> e : futures.entrySet()) {
                List<ShardResult> rs = new ArrayList<>();
                for (Future<ShardResult> f : e.getValue()) {
                    rs.add(f.get());
                }
                results.put(e.getKey(), rs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("ingestion interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException("a shard task failed", c);
        } finally {
            pool.shutdownNow();
            progress.finish();
        }
        return finish(o, plan, results);
    }

    /**
     * Writes the manifest of a plan whose tasks have all run (on the driver, after a distributed run).
     *
     * @param results every task's result per split, in the plan's task order
     */
    public static Manifest finish(IngestOptions o, Plan plan, Map<String, List<ShardResult>> results) throws IOException {
        for (Map.Entry<String, List<ShardTask>> e : plan.tasks().entrySet()) {
            List<ShardResult> rs = results.get(e.getKey());
            if (rs == null || rs.size() != e.getValue().size()) {
                throw new IllegalArgumentException("split " + e.getKey() + ": " + e.getValue().size() + " tasks but "
                        + (rs == null ? 0 : rs.size()) + " results");
            }
        }
        Manifest manifest = manifestOf(o, plan.source(), plan.classes(), results);
        org.apache.hadoop.fs.FileSystem fs = plan.root().getFileSystem(o.conf());
        ManifestIO.write(fs, o.conf(), plan.root(), manifest);
        // Every shard is in place: what is left under a staging name is an interrupted run's.
        int removed = new io.alexnetspark.data.storage.AtomicPublish(fs).removeStaging(plan.root());
        if (removed > 0 && o.progress() != null) {
            o.progress().println("removed " + removed + " leftover staging file" + (removed == 1 ? "" : "s")
                    + " of an interrupted ingest");
        }
        return manifest;
    }

    /** Assembles the manifest from the shard results of every split (in shard order). */
    public static Manifest manifestOf(IngestOptions o, String source, List<ClassEntry> classes,
                                      Map<String, List<ShardResult>> results) {
        Map<String, SplitManifest> splits = new LinkedHashMap<>();
        for (Map.Entry<String, List<ShardResult>> e : results.entrySet()) {
            List<ShardInfo> shards = new ArrayList<>();
            Map<String, Long> classCounts = new TreeMap<>();
            Map<String, ReasonCount> skipped = new TreeMap<>();
            Map<String, ReasonCount> converted = new TreeMap<>();
            long images = 0;
            long sources = 0;
            for (ShardResult r : e.getValue()) {
                shards.add(r.shard());
                images += r.shard().images();
                sources += r.sources();
                r.classCounts().forEach((k, v) -> classCounts.merge(k, v, Long::sum));
                r.skipped().forEach((k, v) -> skipped.merge(k, v, ReasonCount::plus));
                r.converted().forEach((k, v) -> converted.merge(k, v, ReasonCount::plus));
            }
            splits.put(e.getKey(), new SplitManifest(images, sources, shards, classCounts, skipped, converted));
        }
        return new Manifest(Manifest.FORMAT_VERSION, o.dataset(), Instant.now().toString(), source, o.layout().name(),
                o.preprocessing(), o.imagesPerShard(), o.shardBytes(), o.seed(), classes, splits);
    }
}
