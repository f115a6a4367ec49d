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
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;

/**
 * Where one replica's training step spends its time, per ND4J operation: ND4J's own op profiler
 * (elapsed time of every op the executioner runs) over a few steps after warm-up. Prints ND4J's
 * dashboard (to the log) and the step time, for the BENCHMARKS.md breakdown beside
 * {@code deploy/bench/torch_breakdown.py}.
 *
 * <p>Usage: {@code OpBreakdown [batch=32] [steps=2] [layers=native]}.
 */
public final class OpBreakdown {

    private OpBreakdown() {
    }

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        LayerImplementation layers = LayerImplementation.fromConfigName(args.length > 2 ? args[2] : "native");
        ComputationGraph net = new AlexNetFactory(ModelSpec.paper(AlexNetVariant.ALEXNET_SINGLE), TrainingRecipe.paper(),
                WorkspaceMode.ENABLED, layers).newNetwork();
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, 3, 227, 227);
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, 1000);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, i % 1000, 1.0);
        }
        DataSet data = new DataSet(x, y);
        net.fit(data);
        net.fit(data);

        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkElapsedTime(true).build());
        OpProfiler.getInstance().reset();
        long t = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            net.fit(data);
        }
        double stepMs = (System.nanoTime() - t) / 1e6 / steps;
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build());
        OpProfiler.getInstance().printOutDashboard();
        System.out.printf("{\"engine\": \"dl4j\", \"layers\": \"%s\", \"batch\": %d, \"steps\": %d, \"step_ms\": %.1f}%n",
                layers.configName(), batch, steps, stepMs);
    }
}
