package io.alexnetspark.data.ingest;

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
 * Local ingestion: scan the input tree, plan the shards, run the shard tasks on a thread pool
 * (reusing finished ones), then write the manifest. The entry point the trainer's {@code ingest}
 * command calls. A Spark variant runs the same {@link ShardTask}s through {@link ShardTaskRunner}
 * in executors and assembles the manifest with {@link #manifestOf}.
 */
public final class Ingest {
    private Ingest() {
    }

    /**
     * Ingests and returns the manifest it wrote to {@code output/manifest.json}.
     *
     * @throws io.alexnetspark.data.layout.LayoutException when the input tree is not of the layout
     * @throws IOException when reading the tree or writing shards fails (finished shards stay
     *                     and are reused by the next run)
     */
    public static Manifest run(IngestOptions o) throws IOException {
        Path source = new Path(o.source());
        Path root = new Path(o.output());
        FileSystem inFs = source.getFileSystem(o.conf());
        source = inFs.makeQualified(source);
        FileSystem outFs = root.getFileSystem(o.conf());
        root = outFs.makeQualified(root);

        LayoutScanner.Scan scan = new LayoutScanner(inFs).scan(source, o.layout(), o.classes());
        Map<String, List<ShardTask>> plan = new LinkedHashMap<>();
        long totalImages = 0;
        int totalShards = 0;
        for (Map.Entry<String, List<SourceImage>> e : scan.splits().entrySet()) {
            List<ShardTask> tasks = ShardPlanner.plan(e.getKey(), e.getValue(), o.imagesPerShard(), o.seed());
            plan.put(e.getKey(), tasks);
            totalImages += e.getValue().size();
            totalShards += tasks.size();
        }

        Progress progress = new Progress(o.progress(), totalImages, totalShards);
        ShardTaskRunner runner = new ShardTaskRunner(root, o.conf(), o.preprocessing());
        ExecutorService pool = Executors.newFixedThreadPool(o.threads(), r -> {
            Thread t = new Thread(r, "ingest-worker");
            t.setDaemon(true);
            return t;
        });
        Map<String, List<ShardResult>> results = new LinkedHashMap<>();
        try {
            Map<String, List<Future<ShardResult>>> futures = new LinkedHashMap<>();
            for (Map.Entry<String, List<ShardTask>> e : plan.entrySet()) {
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

        Manifest manifest = manifestOf(o, source.toString(), scan.classes().entries(), results);
        ManifestIO.write(outFs, o.conf(), root, manifest);
        return manifest;
    }

    /** Assembles the manifest from the shard results of every split (in shard order). */
    public static Manifest manifestOf(IngestOptions o, String source, List<io.alexnetspark.data.layout.ClassEntry> classes,
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
                o.preprocessing(), o.imagesPerShard(), o.seed(), classes, splits);
    }
}
