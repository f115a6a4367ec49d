package io.alexnetspark.model.describe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.alexnetspark.model.ModelSpec;

import java.util.List;
import java.util.Locale;

/**
 * What {@code describe} prints: the architecture table of a {@link ModelSpec} with the paper's
 * figures beside ours, as a text table or as JSON.
 */
public final class ModelDescription {

    private final ArchitectureTable table;
    private final List<LayerRow> rows;

    public ModelDescription(ModelSpec spec) {
        this.table = new ArchitectureTable(spec);
        this.rows = PaperComparison.annotate(table);
    }

    public ArchitectureTable table() {
        return table;
    }

    public List<LayerRow> rows() {
        return rows;
    }

    /** A fixed-width table for a terminal, with notes under it. */
    public String toText() {
        ModelSpec spec = table.spec();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%s, input %dx%dx%d, %d classes%n", spec.variant(), spec.inputHeight(),
                spec.inputWidth(), spec.inputChannels(), spec.classes()));
        String header = String.format(Locale.ROOT, "%-6s %-8s %-12s %12s %12s %6s %14s %15s%n",
                "layer", "kind", "output", "neurons", "paper", "groups", "parameters", "multiply-adds");
        out.append(header);
        out.append("-".repeat(header.length() - 1)).append('\n');
        for (LayerRow r : rows) {
            out.append(String.format(Locale.ROOT, "%-6s %-8s %-12s %,12d %12s %6d %,14d %,15d%n",
                    r.name(), r.kind(), r.shape(), r.neurons(),
                    r.paperNeurons() == null ? "" : String.format(Locale.ROOT, "%,d", r.paperNeurons()),
                    r.groups(), r.parameters(), r.multiplyAdds()));
        }
        out.append("-".repeat(header.length() - 1)).append('\n');
        out.append(String.format(Locale.ROOT, "%-6s %-8s %-12s %,12d %12s %6s %,14d %,15d%n", "total", "", "",
                table.totalNeurons(), "", "", table.totalParameters(), table.totalMultiplyAdds()));
        out.append('\n');
        out.append("neurons: outputs of conv1-conv5 and fc6-fc8 (the layers the paper counts); groups 2: the layer sees only\n"
                + "its own tower's maps (the paper's two GPUs). Multiply-adds: one image, forward pass, conv and fc layers.\n");
        boolean notes = false;
        for (LayerRow r : rows) {
            if (!r.note().isEmpty()) {
                if (!notes) {
                    out.append("\nWhere ours and the paper's figures differ:\n");
                    notes = true;
                }
                out.append("  ").append(r.name()).append(": ").append(r.note()).append('\n');
            }
        }
        if (PaperComparison.applies(spec)) {
            out.append("  parameters: ").append(PaperComparison.parameterNote(table)).append('\n');
        }
        return out.toString();
    }

    /** The same content as JSON. */
    public String toJson() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ModelSpec spec = table.spec();
        ObjectNode root = mapper.createObjectNode();
        root.put("variant", spec.variant().configName());
        root.putArray("input").add(spec.inputHeight()).add(spec.inputWidth()).add(spec.inputChannels());
        root.put("classes", spec.classes());
        ArrayNode layers = root.putArray("layers");
        for (LayerRow r : rows) {
            ObjectNode n = layers.addObject();
            n.put("name", r.name());
            n.put("kind", r.kind());
            n.putArray("output").add(r.height()).add(r.width()).add(r.channels());
            n.put("neurons", r.neurons());
            n.put("groups", r.groups());
            n.put("parameters", r.parameters());
            n.put("multiplyAdds", r.multiplyAdds());
            if (r.paperNeurons() != null) {
                n.put("paperNeurons", r.paperNeurons());
            }
            if (!r.note().isEmpty()) {
                n.put("note", r.note());
            }
        }
        ObjectNode totals = root.putObject("totals");
        totals.put("neurons", table.totalNeurons());
        totals.put("parameters", table.totalParameters());
        totals.put("multiplyAdds", table.totalMultiplyAdds());
        if (PaperComparison.applies(spec)) {
            totals.put("paperParameters", PaperComparison.PAPER_PARAMETERS);
            totals.put("parametersNote", PaperComparison.parameterNote(table));
        }
        try {
            return mapper.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render description as JSON", e);
        }
    }
}
