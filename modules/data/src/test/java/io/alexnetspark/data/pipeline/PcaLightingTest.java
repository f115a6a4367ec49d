package io.alexnetspark.data.pipeline;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** PCA lighting against values worked by hand: offset_c = sum_j V[c][j] * a_j * lambda_j. */
class PcaLightingTest {
    private final PcaLighting pca = PcaLighting.imagenet(0.1);

    @Test
    void firstComponentAloneIsItsEigenvectorTimesItsEigenvalue() {
        // a = (1, 0, 0): 0.2175 * (-0.5675, -0.5808, -0.5836)
        float[] o = pca.offset(new double[]{1, 0, 0});
        assertThat(o[0]).isCloseTo(-0.12343125f, within(1e-7f));
        assertThat(o[1]).isCloseTo(-0.126324f, within(1e-7f));
        assertThat(o[2]).isCloseTo(-0.126933f, within(1e-7f));
    }

    @Test
    void mixedCoefficients() {
        // a = (0.1, -0.2, 0.3): a .* lambda = (0.02175, -0.00376, 0.00135)
        // R = -0.5675*0.02175 + 0.7192*(-0.00376) + 0.4009*0.00135 = -0.012343125 - 0.002704192 + 0.000541215 = -0.014506102
        // G = -0.5808*0.02175 - 0.0045*(-0.00376) - 0.8140*0.00135 = -0.0126324 + 0.00001692 - 0.0010989 = -0.01371438
        // B = -0.5836*0.02175 - 0.6948*(-0.00376) + 0.4203*0.00135 = -0.0126933 + 0.002612448 + 0.000567405 = -0.009513447
        float[] o = pca.offset(new double[]{0.1, -0.2, 0.3});
        assertThat(o[0]).isCloseTo(-0.014506102f, within(1e-7f));
        assertThat(o[1]).isCloseTo(-0.01371438f, within(1e-7f));
        assertThat(o[2]).isCloseTo(-0.009513447f, within(1e-7f));
    }

    @Test
    void samplesHaveTheExpectedSpreadAndSigmaZeroIsOff() {
        Random r = new Random(1);
        double sum = 0;
        double sumSq = 0;
        int n = 20000;
        for (int i = 0; i < n; i++) {
            float v = pca.sample(r)[0];
            sum += v;
            sumSq += v * v;
        }
        // std of R = sigma * sqrt(sum_j (V[0][j] lambda_j)^2) = 0.1 * sqrt(0.12343^2 + 0.01352^2 + 0.0018^2) = 0.012418
        double std = Math.sqrt(sumSq / n - (sum / n) * (sum / n));
        assertThat(std).isCloseTo(0.012418, within(0.0005));
        assertThat(PcaLighting.imagenet(0).enabled()).isFalse();
        assertThat(PcaLighting.imagenet(0).sample(r)).containsExactly(0f, 0f, 0f);
    }
}
