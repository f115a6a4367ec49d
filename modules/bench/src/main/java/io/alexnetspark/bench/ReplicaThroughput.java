package io.alexnetspark.bench;

import io.alexnetspark.model.AlexNetFactory;
import io.alexnetspark.model.AlexNetVariant;
import io.alexnetspark.model.ModelSpec;
import io.alexnetspark.model.layers.LayerImplementation;
import io.alexnetspark.model.train.TrainingRecipe;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Training and inference throughput of one AlexNet replica, the Java peer of
 * {@code shared/reference/torch_alexnet_bench.py}: same network, same synthetic batch, same
 * warm-up and timing, and the same JSON line so the two can be compared side by side.
 *
 * <p>Usage: {@code ReplicaThroughput [batch=32] [iters=5] [variant=alexnet-single] [workspace=ENABLED] [layers=native]}.
 * Threads follow {@code OMP_NUM_THREADS}, as ND4J reads it.
 */
public final class ReplicaThroughput {

    private ReplicaThroughput() {
    }

    public static void main(String[] args) throws IOException {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int iters = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        AlexNetVariant variant = AlexNetVariant.fromConfigName(args.length > 2 ? args[2] : "alexnet-single");
        WorkspaceMode workspace = WorkspaceMode.valueOf(args.length > 3 ? args[3] : "ENABLED");
        LayerImplementation layers = LayerImplementation.fromConfigName(args.length > 4 ? args[4] : "native");

        ComputationGraph net = new AlexNetFactory(ModelSpec.paper(variant), TrainingRecipe.paper(), workspace, layers)
                .newNetwork();
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, 3, 227, 227);
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, 1000);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, i % 1000, 1.0);
        }
        DataSet data = new DataSet(x, y);

        for (int i = 0; i < 2; i++) {
            net.fit(data);
        }
        long t = System.nanoTime();
        for (int i = 0; i < iters; i++) {
            net.fit(data);
        }
        double trainS = (System.nanoTime() - t) / 1e9;

        net.output(false, x);
        t = System.nanoTime();
        for (int i = 0; i < iters; i++) {
            net.output(false, x);
        }
        double inferS = (System.nanoTime() - t) / 1e9;

        System.out.printf(Locale.ROOT,
                "{\"engine\": \"dl4j-%s\", \"backend\": \"%s\", \"layers\": \"%s\", \"variant\": \"%s\", \"workspace\": \"%s\", \"params\": %d, "
                        + "\"batch\": %d, \"threads\": %s, \"train_images_per_s\": %.3f, \"infer_images_per_s\": %.3f, "
                        + "\"peak_rss_mb\": %d}%n",
                "1.0.0-M2.1", System.getProperty("alexnet.bench.classifier", "?"), layers.configName(), variant, workspace, net.numParams(),
                batch, Nd4j.getEnvironment().maxMasterThreads(), batch * iters / trainS, batch * iters / inferS,
                peakRssMb());
    }

    /** Peak resident set of this process (VmHWM), heap and ND4J's off-heap memory together. */
    static long peakRssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
