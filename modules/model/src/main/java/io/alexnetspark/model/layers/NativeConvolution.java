package io.alexnetspark.model.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DL4J convolution layer whose forward and backward passes are the libnd4j ops {@code conv2d}
 * and {@code conv2d_bp}. libnd4j dispatches those to oneDNN on the CPU backend and to cuDNN on the
 * CUDA backend (its platform helpers), where DL4J's own layer runs Java im2col + gemm.
 *
 * <p>Backprop reuses the post-ReLU output of this step's forward pass ({@code relu'(z) = 1[out > 0]})
 * instead of convolving a second time as DL4J's layer does. The cached output lives in the
 * ComputationGraph's activation workspace, which stays open until backprop has finished; it is used
 * only when the input is the same array the forward pass saw, and dropped after use.
 */
public class NativeConvolution extends ConvolutionLayer {

    private static final String W = ConvolutionParamInitializer.WEIGHT_KEY; // [oC, iC, kH, kW], 'c'
    private static final String B = ConvolutionParamInitializer.BIAS_KEY;
    /** libnd4j's weight layout code for [oC, iC, kH, kW] (its default, 0, is [kH, kW, iC, oC]). */
    private static final int WEIGHTS_OIYX = 1;
    private static final ActivationReLU RELU = new ActivationReLU();

    private transient INDArray forwardInput;
    private transient INDArray forwardOutput;

    public NativeConvolution(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean same() {
        return convolutionMode == ConvolutionMode.Same;
    }

    private int[] opArgs() {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        int[] d = c.getDilation();
        int[] p = same() ? new int[] {0, 0} : c.getPadding();
        return new int[] {k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], same() ? 1 : 0,
                c.getCnn2dDataFormat() == CNN2DFormat.NCHW ? 0 : 1, WEIGHTS_OIYX};
    }

    private INDArray convolve(INDArray in, INDArray w, INDArray b, ArrayType outType, LayerWorkspaceMgr mgr) {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        CNN2DFormat format = c.getCnn2dDataFormat();
        int[] hw = ConvolutionUtils.getOutputSize(in, c.getKernelSize(), c.getStride(),
                same() ? null : c.getPadding(), convolutionMode, c.getDilation(), format);
        long[] shape = format == CNN2DFormat.NCHW
                ? new long[] {in.size(0), w.size(0), hw[0], hw[1]}
                : new long[] {in.size(0), hw[0], hw[1], w.size(0)};
        INDArray z = mgr.createUninitialized(outType, w.dataType(), shape, 'c');
        Nd4j.exec(DynamicCustomOp.builder("conv2d")
                .addInputs(b == null ? new INDArray[] {in, w} : new INDArray[] {in, w, b})
                .addOutputs(z)
                .addIntegerArguments(opArgs())
                .build());
        return z;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray in = input.castTo(dataType);
        INDArray w = getParamWithNoise(W, training, workspaceMgr);
        INDArray b = layerConf().hasBias() ? getParamWithNoise(B, training, workspaceMgr) : null;
        INDArray out = convolve(in, w, b, ArrayType.ACTIVATIONS, workspaceMgr);
        out = layerConf().getActivationFn().getActivation(out, training);
        forwardInput = training ? input : null;
        forwardOutput = training ? out : null;
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray in = input.castTo(dataType);
        INDArray eps = epsilon.dataType() == dataType ? epsilon : epsilon.castTo(dataType);
        INDArray w = getParamWithNoise(W, true, workspaceMgr);
        INDArray b = layerConf().hasBias() ? getParamWithNoise(B, true, workspaceMgr) : null;
        IActivation activation = layerConf().getActivationFn();

        INDArray delta;
        if (forwardOutput != null && forwardInput == input && RELU.equals(activation)) {
            delta = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, forwardOutput.dataType(),
                    forwardOutput.shape(), 'c');
            Nd4j.exec(new RectifiedLinearDerivative(forwardOutput, eps, delta));
        } else {
            INDArray z = convolve(in, w, b, ArrayType.BP_WORKING_MEM, workspaceMgr);
            delta = activation.backprop(z, eps).getFirst();
        }
        forwardInput = null;
        forwardOutput = null;

        INDArray gradW = gradientViews.get(W);
        INDArray gradB = b == null ? null : gradientViews.get(B);
        if (!((NativeConvolutionLayer) layerConf()).isInputGradient()) {
            return new Pair<>(parameterGradientsOnly(in, delta, gradW, gradB, workspaceMgr), null);
        }
        INDArray epsOut = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, in.dataType(), in.shape(), 'c');
        // conv2d_bp overwrites (does not accumulate into) its outputs: DL4J's gradient views can be filled directly.
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp")
                .addInputs(b == null ? new INDArray[] {in, w, delta} : new INDArray[] {in, w, b, delta})
                .addOutputs(b == null ? new INDArray[] {epsOut, gradW} : new INDArray[] {epsOut, gradW, gradB})
                .addIntegerArguments(opArgs())
                .build());

        Gradient gradient = new DefaultGradient();
        if (gradB != null) {
            gradient.setGradientFor(B, gradB);
        }
        gradient.setGradientFor(W, gradW, 'c');
        weightNoiseParams.clear();
        return new Pair<>(gradient, backpropDropOutIfPresent(epsOut));
    }

    /**
     * dW and db without the input gradient: {@code im2col} of the input, then for each image one
     * gemm {@code dW += delta_n [oC, oH*oW] x cols_n^T [oH*oW, iC*kH*kW]} straight into DL4J's
     * gradient view (both operands are contiguous views: nothing is copied).
     */
    private Gradient parameterGradientsOnly(INDArray in, INDArray delta, INDArray gradW, INDArray gradB,
                                            LayerWorkspaceMgr workspaceMgr) {
        if (layerConf().getCnn2dDataFormat() != CNN2DFormat.NCHW || same()) {
            throw new UnsupportedOperationException("inputGradient=false supports NCHW, non-Same convolutions only");
        }
        int[] a = opArgs();
        long mb = in.size(0);
        long oH = delta.size(2);
        long oW = delta.size(3);
        long rows = gradW.length() / gradW.size(0); // iC * kH * kW
        INDArray cols = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, in.dataType(),
                new long[] {mb, in.size(1), a[0], a[1], oH, oW}, 'c');
        Nd4j.exec(DynamicCustomOp.builder("im2col")
                .addInputs(in)
                .addOutputs(cols)
                .addIntegerArguments(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], 0)
                .build());
        INDArray dW = gradW.reshape('c', gradW.size(0), rows);
        for (long n = 0; n < mb; n++) {
            INDArray d = delta.slice(n).reshape('c', delta.size(1), oH * oW);
            INDArray c = cols.slice(n).reshape('c', rows, oH * oW);
            Nd4j.gemm(d, c, dW, false, true, 1.0, n == 0 ? 0.0 : 1.0);
        }
        Gradient gradient = new DefaultGradient();
        if (gradB != null) {
            gradB.assign(delta.sum(0, 2, 3));
            gradient.setGradientFor(B, gradB);
        }
        gradient.setGradientFor(W, gradW, 'c');
        weightNoiseParams.clear();
        return gradient;
    }

    @Override
    public void clear() {
        super.clear();
        forwardInput = null;
        forwardOutput = null;
    }
}
