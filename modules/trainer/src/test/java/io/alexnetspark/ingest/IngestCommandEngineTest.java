package io.alexnetspark.ingest;

import io.alexnetspark.LocalSpark;
import io.alexnetspark.cli.AlexNetCli;
import io.alexnetspark.cli.CliRun;
import io.alexnetspark.data.demo.FashionMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The ingest command's engine choice (--engine, data.ingest.engine) on real photos. */
class IngestCommandEngineTest {
    @Test
    void sparkRunsOnTheActiveContextAndLocalAndSizeTargetsAreAccepted(@TempDir Path dir) throws Exception {
        Path idx = FashionMnist.fetch(Path.of(System.getProperty("user.home"), ".cache", "alexnet-spark", "fashion-mnist"), System.err);
        Path tree = dir.resolve("tree");
        FashionMnist.writeImageTree(idx, tree, 6, 2);
        LocalSpark.context(); // a running context: the command must use it and leave it running

        CliRun spark = CliRun.of("ingest", "--input", tree.toString(), "--output", dir.resolve("a").toUri().toString(),
                "--engine", "spark", "--set", "data.ingest.shorter-side=0", "--set", "data.ingest.crop=0",
                "--set", "data.ingest.images-per-shard=16");
        assertThat(spark.exit()).as(spark.err()).isZero();
        assertThat(spark.out()).contains("10 classes").contains("60 images in 4 shards").contains("20 images in 2 shards");
        assertThat(LocalSpark.context().sc().isStopped()).isFalse();

        // auto with a running context (as under spark-submit) also takes Spark; local is forced by the key.
        CliRun local = CliRun.of("ingest", "--input", tree.toString(), "--output", dir.resolve("b").toUri().toString(),
                "--set", "data.ingest.engine=local", "--set", "data.ingest.shorter-side=0", "--set", "data.ingest.crop=0",
                "--set", "data.ingest.shard-bytes=4k");
        assertThat(local.exit()).as(local.err()).isZero();
        assertThat(local.out()).contains("60 images");

        CliRun bad = CliRun.of("ingest", "--input", tree.toString(), "--output", dir.resolve("c").toString(), "--engine", "yarn");
        assertThat(bad.exit()).isEqualTo(AlexNetCli.EXIT_USAGE);
        assertThat(bad.err()).contains("--engine").contains("expected auto, spark or local");
    }
}
