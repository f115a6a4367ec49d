package io.alexnetspark.model.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.LocalResponseNormalization;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.scalar.Pow;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LRN as the libnd4j ops {@code lrn} (oneDNN on the CPU backend; libnd4j's own kernel on CUDA,
 * which has no cuDNN LRN) and {@code lrn_bp}, instead of DL4J's dozen small ND4J ops.
 *
 * <p>libnd4j normalises over the last axis, so NCHW activations are handed over channels-last. The
 * forward op gets a contiguous NHWC copy: libnd4j's generic CPU forward races on strided input,
 * and oneDNN reorders strided input anyway. libnd4j's {@code depth} is the window's radius and its
 * alpha multiplies the sum as it is: the paper's formula.
 */
public class NativeLrn extends LocalResponseNormalization {

    public NativeLrn(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private DynamicCustomOp.DynamicCustomOpsBuilder withArgs(DynamicCustomOp.DynamicCustomOpsBuilder op) {
        org.deeplearning4j.nn.conf.layers.LocalResponseNormalization c = layerConf();
        return op.addFloatingPointArguments(c.getK(), c.getAlpha(), c.getBeta())
                .addIntegerArguments((int) c.getN() / 2);
    }

    private boolean nchw() {
        return layerConf().getDataFormat() == CNN2DFormat.NCHW;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        INDArray in = input.castTo(dataType);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, in.dataType(), in.shape(), 'c');
        if (!nchw()) {
            Nd4j.exec(withArgs(DynamicCustomOp.builder("lrn").addInputs(in).addOutputs(out)).build());
            return out;
        }
        INDArray inNhwc = workspaceMgr.dup(ArrayType.FF_WORKING_MEM, in.permute(0, 2, 3, 1), 'c');
        INDArray outNhwc = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, in.dataType(), inNhwc.shape(), 'c');
        Nd4j.exec(withArgs(DynamicCustomOp.builder("lrn").addInputs(inNhwc).addOutputs(outNhwc)).build());
        out.assign(outNhwc.permute(0, 3, 1, 2));
        return out;
    }

    /**
     * The exact gradient of the paper's LRN, {@code y_j = x_j * S_j^-beta} with
     * {@code S_j = k + alpha * sum_{i in N(j)} x_i^2}:
     * {@code dx_j = g_j * S_j^-beta - 2 alpha beta x_j * sum_{i in N(j)} g_i y_i / S_i}.
     *
     * <p>Neither ready-made backward is right: libnd4j's {@code lrn_bp} multiplies by {@code g_j}
     * elementwise at the end (exact only for a uniform upstream gradient; ~10% off on random ones),
     * and DL4J's own layer divides the window sum by the centre's {@code S_j} instead of each term's
     * {@code S_i} (~0.3% off at alpha = 0.1). Each sum over the window of adjacent maps is one
     * {@code avgpool2d} over an (n x 1) window of a {@code [N, 1, C, H*W]} view, times n.
     */
    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!nchw()) {
            throw new UnsupportedOperationException("NativeLrn backprop supports NCHW activations only");
        }
        org.deeplearning4j.nn.conf.layers.LocalResponseNormalization c = layerConf();
        double alpha = c.getAlpha();
        double beta = c.getBeta();
        int n = (int) c.getN();
        INDArray in = input.castTo(dataType);
        INDArray x = in.ordering() == 'c' && !in.isView() ? in : workspaceMgr.dup(ArrayType.BP_WORKING_MEM, in, 'c');
        INDArray g = epsilon.dataType() == dataType ? epsilon : epsilon.castTo(dataType);
        long[] shape = x.shape();
        DataType dt = x.dataType();

        // S = k + alpha * windowSum(x^2)
        INDArray scale = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dt, shape, 'c');
        INDArray work = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dt, shape, 'c');
        Nd4j.exec(new MulOp(x, x, work));
        windowMean(work, scale, n);
        scale.muli(alpha * n).addi(c.getK());

        // p = S^-beta; y = x * p
        INDArray p = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dt, shape, 'c');
        Nd4j.exec(new Pow(scale, p, -beta));
        INDArray t = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dt, shape, 'c');
        Nd4j.exec(new MulOp(x, p, t));   // y
        t.muli(g).divi(scale);           // g * y / S
        windowMean(t, work, n);          // work = windowSum(g * y / S) / n

        INDArray epsOut = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dt, shape, 'c');
        Nd4j.exec(new MulOp(g, p, epsOut));
        work.muli(x).muli(2 * alpha * beta * n);
        epsOut.subi(work);
        return new Pair<>(new DefaultGradient(), epsOut);
    }

    /**
     * dst = mean of src over the window of n adjacent maps (zero outside), per pixel; NCHW 'c' arrays.
     * The [N, C, H, W] memory is handed to pooling as an NHWC [N, C, 1, H*W] array: the window runs
     * along its height (the maps) and the pixels are its channels, which oneDNN's jit pooling
     * vectorises (as [N, 1, C, H*W] NCHW it falls back to a scalar reference kernel, ~8x slower).
     */
    private static void windowMean(INDArray src, INDArray dst, int n) {
        long[] s = src.shape();
        long[] view = {s[0], s[1], 1, s[2] * s[3]};
        Nd4j.exec(DynamicCustomOp.builder("avgpool2d")
                .addInputs(src.reshape('c', view))
                .addOutputs(dst.reshape('c', view))
                // kH=n, kW=1, stride 1, pad (n/2, 0), dilation 1, VALID, divisor includes padding, NHWC
                .addIntegerArguments(n, 1, 1, 1, n / 2, 0, 1, 1, 0, 1, 1)
                .build());
    }
}
