package io.alexnetspark.cli;

import io.alexnetspark.data.config.DataConfig;
import io.alexnetspark.data.ingest.Ingest;
import io.alexnetspark.data.ingest.IngestEngine;
import io.alexnetspark.data.ingest.IngestOptions;
import io.alexnetspark.ingest.SparkIngest;
import io.alexnetspark.data.layout.ClassIndex;
import io.alexnetspark.data.layout.DatasetLayout;
import io.alexnetspark.data.manifest.Manifest;
import io.alexnetspark.data.manifest.ReasonCount;
import io.alexnetspark.data.manifest.SplitManifest;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** Ingests an image tree into shards and a manifest on any Hadoop FileSystem. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Ingest an ImageNet (train/<wnid>, val/) or <class>/<image> tree into JPEG shards and a",
                "manifest on any Hadoop FileSystem (hdfs://, file://), locally or as a Spark job. Re-running skips finished shards;",
                "unreadable images are skipped and counted in the manifest."})
final class IngestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--input", required = true, paramLabel = "DIR", description = "The image tree (a path or a URI).")
    String input;

    @Option(names = "--output", required = true, paramLabel = "URI", description = "Dataset root for shards and manifest.json.")
    String output;

    @Option(names = "--layout", defaultValue = "imagenet", paramLabel = "imagenet|folders",
            description = "imagenet: train/<wnid>, val/<wnid> or val/ + LOC_val_solution.csv; folders: <class>/<image>.")
    String layout;

    @Option(names = "--dataset", paramLabel = "NAME", description = "The dataset's name in the manifest (default: the input folder's name).")
    String dataset;

    @Option(names = "--class-names", paramLabel = "FILE",
            description = "A wnid<TAB>name table (e.g. LOC_synset_mapping.txt) fixing the class index and its names.")
    String classNames;

    @Option(names = "--devkit", paramLabel = "DIR",
            description = {"The ILSVRC-2012 devkit folder (DIR/data/meta.mat + DIR/data/ILSVRC2012_validation_ground_truth.txt,",
                    "as its tarball unpacks): labels a flat val/ of ILSVRC2012_val_*.JPEG. Without it, the two files",
                    "are looked for in the input root (or its data/)."})
    String devkit;

    @Option(names = "--engine", paramLabel = "auto|spark|local",
            description = {"Where the shard tasks run (default: data.ingest.engine). auto: Spark above",
                    "data.ingest.spark-threshold images or when a Spark master is set (spark-submit)."})
    String engine;

    @Override
    public Integer call() throws Exception {
        DatasetLayout datasetLayout = switch (layout) {
            case "imagenet" -> DatasetLayout.IMAGENET;
            case "folders" -> DatasetLayout.GENERIC;
            default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--layout must be imagenet or folders, got '" + layout + "'");
        };
        com.typesafe.config.Config cfg = config.load(List.of());
        io.alexnetspark.train.ConfigValidation.check(cfg);
        DataConfig data = DataConfig.from(cfg);
        Configuration hadoop = new Configuration();
        IngestOptions.Builder options = IngestOptions.builder(input, output)
                .dataset(dataset != null ? dataset : new Path(input).getName())
                .layout(datasetLayout)
                .preprocessing(data.preprocessing())
                .imagesPerShard(data.imagesPerShard())
                .shardBytes(data.shardBytes())
                .devkit(devkit)
                .seed(data.ingestSeed())
                .threads(data.ingestThreads())
                .readAttempts(data.readAttempts())
                .progress(System.err)
                .conf(hadoop);
        if (classNames != null) {
            Path table = new Path(classNames);
            options.classes(ClassIndex.fromTable(table.getFileSystem(hadoop), table));
        }
        IngestEngine chosen;
        try {
            chosen = engine != null ? IngestEngine.parse(engine) : data.ingestEngine();
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--engine: " + e.getMessage());
        }
        IngestOptions o = options.build();
        Ingest.Plan plan = Ingest.plan(o);
        boolean spark = chosen.useSpark(plan.totalImages(), data.sparkThreshold(), SparkIngest.sparkMasterSet());
        System.err.printf(Locale.ROOT, "ingest: %,d input files in %d shards, on %s%n", plan.totalImages(),
                plan.totalShards(), spark ? "Spark (one task per shard)" : "a local pool of " + o.threads() + " threads");
        Manifest manifest = spark ? SparkIngest.run(o, plan) : Ingest.runLocal(o, plan);

        PrintWriter out = spec.commandLine().getOut();
        out.printf("dataset %s: %d classes -> %s/%s%n", manifest.dataset(), manifest.classes().size(), output,
                Manifest.FILE_NAME);
        for (Map.Entry<String, SplitManifest> e : manifest.splits().entrySet()) {
            SplitManifest s = e.getValue();
            out.printf(Locale.ROOT, "  %-5s %,d images in %d shards (%,d inputs, %,d skipped)%n", e.getKey(), s.images(),
                    s.shards().size(), s.sources(), s.skippedTotal());
            for (Map.Entry<String, ReasonCount> r : s.skipped().entrySet()) {
                out.printf("        skipped %s: %d (e.g. %s)%n", r.getKey(), r.getValue().count(),
                        String.join(", ", r.getValue().examples()));
            }
            for (Map.Entry<String, ReasonCount> r : s.converted().entrySet()) {
                out.printf("        converted %s: %d%n", r.getKey(), r.getValue().count());
            }
        }
        out.flush();
        return 0;
    }
}
