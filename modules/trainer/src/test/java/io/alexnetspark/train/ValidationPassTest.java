package io.alexnetspark.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;

class ValidationPassTest {

    @Test
    void averagesEachImagesConsecutiveViews() {
        // 2 images x 3 views x 2 classes, image-major as the ten-crop pipeline emits them.
        INDArray rows = Nd4j.create(new float[][] {{0.9f, 0.1f}, {0.6f, 0.4f}, {0.3f, 0.7f}, {0.2f, 0.8f}, {0.4f, 0.6f},
                {0.0f, 1.0f}});
        INDArray mean = ValidationPass.averageViews(rows, 3);
        assertThat(mean.shape()).containsExactly(2, 2);
        assertThat(mean.getDouble(0, 0)).isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(mean.getDouble(1, 1)).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(ValidationPass.averageViews(rows, 1)).isSameAs(rows);
    }
}
