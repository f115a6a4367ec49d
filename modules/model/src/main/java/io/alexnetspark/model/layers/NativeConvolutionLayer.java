package io.alexnetspark.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Map;

/**
 * Configuration of a convolution layer that runs as the single libnd4j ops {@code conv2d} /
 * {@code conv2d_bp} (see {@link NativeConvolution}); everything else (parameters, shapes, JSON) is
 * DL4J's {@link ConvolutionLayer}. Serialises to JSON by class name, so DL4J's Spark training
 * masters and model files carry it without registration.
 */
public class NativeConvolutionLayer extends ConvolutionLayer {

    private static final long serialVersionUID = 1L;

    /** False for a layer that reads the network's input: nobody needs the gradient with respect to it. */
    private boolean inputGradient = true;

    /** For JSON and Kryo. */
    public NativeConvolutionLayer() {
    }

    protected NativeConvolutionLayer(Builder builder) {
        super(builder);
        this.inputGradient = builder.inputGradient;
    }

    /** Whether backprop computes the gradient with respect to the layer's input. */
    public boolean isInputGradient() {
        return inputGradient;
    }

    public void setInputGradient(boolean inputGradient) {
        this.inputGradient = inputGradient;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof NativeConvolutionLayer other && other.inputGradient == inputGradient;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + Boolean.hashCode(inputGradient);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        LayerValidation.assertNInNOutSet("NativeConvolutionLayer", getLayerName(), layerIndex, getNIn(), getNOut());
        NativeConvolution layer = new NativeConvolution(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        Map<String, INDArray> params = initializer().init(conf, layerParamsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }

    /** DL4J's convolution builder, building this class. */
    public static class Builder extends ConvolutionLayer.Builder {
        private boolean inputGradient = true;

        public Builder(int... kernelSize) {
            super(kernelSize);
        }

        /**
         * False for a layer fed by the network's input: backprop then computes only the parameter
         * gradients (libnd4j's conv2d_bp always computes the input gradient too; for AlexNet's conv1
         * that is the most expensive backward convolution of the network).
         */
        public Builder inputGradient(boolean inputGradient) {
            this.inputGradient = inputGradient;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public NativeConvolutionLayer build() {
            super.build(); // DL4J's own validation of kernel, stride and padding
            return new NativeConvolutionLayer(this);
        }
    }
}
