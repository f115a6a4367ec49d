package io.alexnetspark.model.describe;

import io.alexnetspark.model.ModelSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The paper's own figures (Krizhevsky et al. 2012, section 3.5 and figure 2) beside ours, with a
 * one-line reason wherever they differ. Only meaningful for the paper's layer sizes: for other
 * specs (small demo networks) no paper figure is attached.
 */
public final class PaperComparison {

    /** "The network's input is 150,528-dimensional, and the number of neurons in the network's remaining layers is given by
     *  253,440-186,624-64,896-64,896-43,264-4096-4096-1000." */
    static final Map<String, Long> PAPER_NEURONS = Map.of(
            "input", 150_528L, "conv1", 253_440L, "conv2", 186_624L, "conv3", 64_896L, "conv4", 64_896L,
            "conv5", 43_264L, "fc6", 4_096L, "fc7", 4_096L, "fc8", 1_000L);

    /** "Our neural network architecture has 60 million parameters." */
    public static final long PAPER_PARAMETERS = 60_000_000L;

    private PaperComparison() {
    }

    /** Whether the spec has the paper's layer sizes, so that the paper's figures apply. */
    public static boolean applies(ModelSpec spec) {
        ModelSpec paper = ModelSpec.paper(spec.variant());
        return spec.conv().equals(paper.conv()) && spec.fcWidth() == paper.fcWidth()
                && spec.classes() == paper.classes() && spec.inputChannels() == 3
                && spec.poolSize() == paper.poolSize() && spec.poolStride() == paper.poolStride();
    }

    /** The table's rows with the paper's figures and the reasons for each mismatch attached. */
    public static List<LayerRow> annotate(ArchitectureTable table) {
        if (!applies(table.spec())) {
            return table.rows();
        }
        int conv1Size = table.row("conv1").height();
        List<LayerRow> out = new ArrayList<>();
        for (LayerRow row : table.rows()) {
            Long paper = PAPER_NEURONS.get(row.name());
            if (paper == null) {
                out.add(row);
                continue;
            }
            out.add(row.withPaper(paper, reason(row, paper, conv1Size)));
        }
        return out;
    }

    /** Why our parameter total differs from the paper's rounded "60 million". */
    public static String parameterNote(ArchitectureTable table) {
        long ours = table.totalParameters();
        String towers = table.spec().variant().twoTowers()
                ? "the two-tower network (conv2/4/5 grouped), which is what the paper trained"
                : "one tower: conv2/4/5 see all maps, so 1,413,120 more weights than the paper's two-tower network";
        LayerRow pool5 = table.row("pool5");
        String fc6 = pool5.neurons() == 9_216L ? "" : String.format(
                "; and fc6 sees %s = %,d inputs, not 6x6x256 = 9,216", pool5.shape(), pool5.neurons());
        return String.format("paper: \"60 million\"; ours %,d for %s%s", ours, towers, fc6);
    }

    private static String reason(LayerRow row, long paper, int conv1Size) {
        long ours = row.neurons();
        if (row.name().equals("conv1") && paper == 253_440L) {
            String why = "253,440 = 96 x 2,640 is not 96 x n x n for any n (it is 48 x 55 x 96, one tower's maps times 55 once too few): "
                    + "a slip in the paper";
            return ours == 290_400L ? why + "; 55x55x96 = 290,400"
                    : why + String.format("; here conv1 is %dx%dx96 = %,d", conv1Size, conv1Size, ours);
        }
        if (ours == paper) {
            if (row.name().equals("input")) {
                return "matches the text's 224x224x3, but (224-11)/4+1 = 54.25: conv1 cannot be the 55x55 the paper draws";
            }
            return "";
        }
        if (row.name().equals("input")) {
            return String.format("the text says 224x224x3 = 150,528, but an 11x11 stride-4 conv gives 55x55 only from "
                    + "227: (227-11)/4+1 = 55; ours is %s", row.shape());
        }
        if (conv1Size != 55) {
            return String.format("conv1 is %dx%d at this input (not 55x55), so every later map shrinks: %s = %,d",
                    conv1Size, conv1Size, row.shape(), ours);
        }
        return "differs from the paper";
    }
}
