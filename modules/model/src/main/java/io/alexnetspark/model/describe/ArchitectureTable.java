package io.alexnetspark.model.describe;

import io.alexnetspark.model.ConvSpec;
import io.alexnetspark.model.ModelSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The network's arithmetic, layer by layer: output shapes, neurons, parameters and multiply-adds,
 * computed from a {@link ModelSpec} without building the network. Tests check it against the DL4J
 * network that {@code AlexNetFactory} builds from the same spec.
 */
public final class ArchitectureTable {

    private final ModelSpec spec;
    private final List<LayerRow> rows;

    public ArchitectureTable(ModelSpec spec) {
        this.spec = spec;
        this.rows = List.copyOf(compute(spec));
    }

    public ModelSpec spec() {
        return spec;
    }

    public List<LayerRow> rows() {
        return rows;
    }

    /** The row of the named layer. */
    public LayerRow row(String name) {
        return rows.stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no layer " + name));
    }

    public long totalParameters() {
        return rows.stream().mapToLong(LayerRow::parameters).sum();
    }

    public long totalMultiplyAdds() {
        return rows.stream().mapToLong(LayerRow::multiplyAdds).sum();
    }

    /** Neurons of the layers the paper counts (conv1-conv5 outputs and the fc layers). */
    public long totalNeurons() {
        return rows.stream().filter(r -> r.kind().equals("conv") || r.kind().equals("fc") || r.kind().equals("softmax"))
                .mapToLong(LayerRow::neurons).sum();
    }

    private static List<LayerRow> compute(ModelSpec spec) {
        List<LayerRow> out = new ArrayList<>();
        int h = spec.inputHeight();
        int w = spec.inputWidth();
        int c = spec.inputChannels();
        out.add(new LayerRow("input", "input", h, w, c, 1, 0, 0, null, ""));
        for (int i = 1; i <= 5; i++) {
            ConvSpec conv = spec.conv().get(i - 1);
            int groups = spec.convSeesOwnTowerOnly(i) ? 2 : 1;
            int inPerKernel = c / groups;
            h = convOut(h, conv, "conv" + i);
            w = convOut(w, conv, "conv" + i);
            c = conv.filters();
            long weightsPerKernel = (long) conv.kernel() * conv.kernel() * inPerKernel;
            long params = weightsPerKernel * conv.filters() + conv.filters();
            long macs = (long) h * w * conv.filters() * weightsPerKernel;
            out.add(new LayerRow("conv" + i, "conv", h, w, c, groups, params, macs, null, ""));
            if (i <= 2) {
                out.add(new LayerRow("lrn" + i, "lrn", h, w, c, spec.towers(), 0, 0, null, ""));
            }
            if (i == 1 || i == 2 || i == 5) {
                h = poolOut(h, spec, "pool" + i);
                w = poolOut(w, spec, "pool" + i);
                out.add(new LayerRow("pool" + i, "maxpool", h, w, c, spec.towers(), 0, 0, null, ""));
            }
        }
        long in = (long) h * w * c;
        out.add(fc("fc6", "fc", in, spec.fcWidth()));
        out.add(fc("fc7", "fc", spec.fcWidth(), spec.fcWidth()));
        out.add(fc("fc8", "softmax", spec.fcWidth(), spec.classes()));
        return out;
    }

    private static LayerRow fc(String name, String kind, long in, int units) {
        return new LayerRow(name, kind, 1, 1, units, 1, in * units + units, in * units, null, "");
    }

    private static int convOut(int size, ConvSpec conv, String layer) {
        int padded = size + 2 * conv.padding() - conv.kernel();
        if (padded < 0) {
            throw new IllegalArgumentException(layer + ": input " + size + " is smaller than its " + conv.kernel() + "x"
                    + conv.kernel() + " kernel; use a larger input or smaller kernels");
        }
        return padded / conv.stride() + 1;
    }

    private static int poolOut(int size, ModelSpec spec, String layer) {
        if (size < spec.poolSize()) {
            throw new IllegalArgumentException(layer + ": a " + size + "x" + size + " map is smaller than the "
                    + spec.poolSize() + "x" + spec.poolSize() + " pooling window; use a larger input");
        }
        return (size - spec.poolSize()) / spec.poolStride() + 1;
    }
}
