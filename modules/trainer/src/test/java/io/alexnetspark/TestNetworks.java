package io.alexnetspark;

import io.alexnetspark.model.AlexNetFactory;
import io.alexnetspark.model.AlexNetVariant;
import io.alexnetspark.model.ConvSpec;
import io.alexnetspark.model.LrnSpec;
import io.alexnetspark.model.ModelSpec;
import io.alexnetspark.model.layers.LayerImplementation;
import io.alexnetspark.model.train.TrainingRecipe;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Small networks of the paper's shape (32x32 input, few maps) and random batches, for trainer tests. */
public final class TestNetworks {

    public static final int CLASSES = 4;

    private TestNetworks() {
    }

    public static ModelSpec smallSpec() {
        return new ModelSpec(AlexNetVariant.ALEXNET_2012, 32, 32, 3, CLASSES,
                List.of(new ConvSpec(8, 5, 1, 2), new ConvSpec(16, 5, 1, 2), new ConvSpec(16, 3, 1, 1),
                        new ConvSpec(16, 3, 1, 1), new ConvSpec(8, 3, 1, 1)),
                3, 2, 32, 0.5, LrnSpec.paper(), 0.08, Set.of("conv2", "conv4", "conv5", "fc6", "fc7"));
    }

    public static AlexNetFactory smallFactory() {
        return new AlexNetFactory(smallSpec(), TrainingRecipe.paper(), WorkspaceMode.ENABLED, LayerImplementation.NATIVE);
    }

    /** {@code count} batches of {@code size} Gaussian 32x32 images with one-hot labels. */
    public static List<DataSet> randomBatches(int count, int size, long seed) {
        Nd4j.getRandom().setSeed(seed);
        List<DataSet> batches = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            INDArray x = Nd4j.randn(DataType.FLOAT, size, 3, 32, 32);
            INDArray y = Nd4j.zeros(DataType.FLOAT, size, CLASSES);
            for (int i = 0; i < size; i++) {
                y.putScalar(i, (b + i) % CLASSES, 1.0);
            }
            batches.add(new DataSet(x, y));
        }
        return batches;
    }
}
