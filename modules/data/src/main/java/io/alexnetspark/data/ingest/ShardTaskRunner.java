package io.alexnetspark.data.ingest;

import io.alexnetspark.data.image.BadImageException;
import io.alexnetspark.data.image.Conversion;
import io.alexnetspark.data.image.PreprocessSettings;
import io.alexnetspark.data.image.Preprocessor;
import io.alexnetspark.data.layout.SourceImage;
import io.alexnetspark.data.manifest.ManifestIO;
import io.alexnetspark.data.manifest.ReasonCount;
import io.alexnetspark.data.shard.ImageRecord;
import io.alexnetspark.data.shard.ShardInfo;
import io.alexnetspark.data.shard.ShardReader;
import io.alexnetspark.data.shard.ShardWriter;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * Runs one {@link ShardTask}: reads each input file, preprocesses it, writes the shard (atomically)
 * and then its result file. If the shard and its result file already exist, match the task's
 * fingerprint and the shard's checksum verifies, the shard is reused untouched. Bad images are
 * counted, never fatal; an I/O failure on the output fails the task (and leaves nothing visible).
 */
public final class ShardTaskRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ShardTaskRunner.class);
    /** Suffix of a shard's result file. */
    public static final String RESULT_SUFFIX = ".done.json";

    private final Path datasetRoot;
    private final Configuration conf;
    private final PreprocessSettings settings;
    private final Preprocessor preprocessor;

    public ShardTaskRunner(Path datasetRoot, Configuration conf, PreprocessSettings settings) {
        this.datasetRoot = datasetRoot;
        this.conf = conf;
        this.settings = settings;
        this.preprocessor = new Preprocessor(settings);
    }

    /**
     * Runs the task.
     *
     * @param perImage called once per input image handled (for progress); may be a no-op
     */
    public ShardResult run(ShardTask task, LongConsumer perImage) throws IOException {
        FileSystem out = datasetRoot.getFileSystem(conf);
        Path shardPath = new Path(datasetRoot, task.relativePath());
        Path resultPath = new Path(datasetRoot, task.relativePath() + RESULT_SUFFIX);
        String fingerprint = task.fingerprint(settings + ";" + Preprocessor.VERSION);

        ShardResult previous = finishedBefore(out, shardPath, resultPath, fingerprint);
        if (previous != null) {
            perImage.accept(task.images().size());
            return previous.asReused();
        }

        Map<String, Long> classCounts = new TreeMap<>();
        Map<String, ReasonCount> skipped = new TreeMap<>();
        Map<String, ReasonCount> converted = new TreeMap<>();
        ShardInfo info;
        try (ShardWriter writer = ShardWriter.create(out, conf, shardPath)) {
            for (SourceImage src : task.images()) {
                try {
                    Preprocessor.Result r = preprocessor.process(SourceReader.readAll(src, conf));
                    writer.append(new ImageRecord(src.label(), src.wnid(), src.key(), r.jpeg()));
                    classCounts.merge(src.wnid(), 1L, Long::sum);
                    for (Conversion c : r.conversions()) {
                        converted.merge(c.name(), ReasonCount.none().plus(src.key()), ReasonCount::plus);
                    }
                } catch (BadImageException e) {
                    LOG.debug("skipping {}: {}", src.key(), e.getMessage());
                    skipped.merge(e.reason().name(), ReasonCount.none().plus(src.key()), ReasonCount::plus);
                }
                perImage.accept(1);
            }
            info = writer.commit(task.relativePath());
        }
        ShardResult result = new ShardResult(info, fingerprint, task.images().size(), classCounts, skipped, converted, false);
        ManifestIO.writeJson(out, conf, resultPath, result);
        return result;
    }

    private ShardResult finishedBefore(FileSystem fs, Path shard, Path resultFile, String fingerprint) throws IOException {
        if (!fs.exists(resultFile) || !fs.exists(shard)) {
            return null;
        }
        ShardResult r;
        try {
            r = ManifestIO.readJson(fs, resultFile, ShardResult.class);
        } catch (IOException e) {
            LOG.warn("rebuilding {}: unreadable result file ({})", shard, e.toString());
            return null;
        }
        if (!fingerprint.equals(r.fingerprint())) {
            LOG.info("rebuilding {}: its inputs or settings changed", shard);
            return null;
        }
        String problem = ShardReader.verify(fs, shard, r.shard());
        if (problem != null) {
            LOG.warn("rebuilding {}: {}", shard, problem);
            return null;
        }
        return r;
    }
}
