package io.alexnetspark.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * Configuration of an LRN layer that runs as the single libnd4j ops {@code lrn} / {@code lrn_bp}
 * (see {@link NativeLrn}). Same fields and meaning as DL4J's layer: {@code alpha} multiplies the sum
 * of squares as it is (the paper's convention), {@code n} is the window width.
 */
public class NativeLocalResponseNormalization extends LocalResponseNormalization {

    private static final long serialVersionUID = 1L;

    /** For JSON and Kryo. */
    public NativeLocalResponseNormalization() {
    }

    /**
     * @param n     window width in maps (odd)
     * @param k     additive constant
     * @param alpha factor on the sum of squares (not divided by n)
     * @param beta  exponent
     */
    public NativeLocalResponseNormalization(double n, double k, double alpha, double beta) {
        setN(n);
        setK(k);
        setAlpha(alpha);
        setBeta(beta);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        NativeLrn layer = new NativeLrn(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
