package io.alexnetspark.e2e;

import io.alexnetspark.cli.CliRun;
import io.alexnetspark.data.demo.FashionMnist;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The end-to-end tests' dataset: 200 + 20 real Fashion-MNIST photos a class, ingested where a test says. */
final class E2eDataset {

    /** Training images of the dataset, all classes together (an epoch trains each once). */
    static final int TRAIN_IMAGES = 2000;

    private E2eDataset() {
    }

    /**
     * Writes the photos under {@code tmp/tree} and ingests them with {@code ingest} (in this JVM) into
     * {@code root/datasets/fmnist} in 250-image shards.
     *
     * @return the dataset's URL
     */
    static String ingest(Path tmp, String root, String demoConf) throws Exception {
        Path idx = FashionMnist.fetch(Path.of(System.getProperty("user.home"), ".cache", "alexnet-spark", "fashion-mnist"),
                System.err);
        FashionMnist.writeImageTree(idx, tmp.resolve("tree"), 200, 20);
        String data = root + "/datasets/fmnist";
        CliRun ingest = CliRun.of(List.of("ingest", "--config", demoConf, "--input", tmp.resolve("tree").toString(),
                "--output", data, "--set", "data.ingest.images-per-shard=250"));
        assertThat(ingest.exit()).as(ingest.out() + ingest.err()).isZero();
        return data;
    }
}
