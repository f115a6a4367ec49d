package io.alexnetspark.model;

import io.alexnetspark.model.describe.ArchitectureTable;
import io.alexnetspark.model.describe.LayerRow;
import io.alexnetspark.model.describe.ModelDescription;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchitectureTableTest {

    @Test
    void parameterCountsOfBothVariantsAreThePapers() {
        assertThat(new ArchitectureTable(ModelSpec.paper(AlexNetVariant.ALEXNET_2012)).totalParameters())
                .isEqualTo(60_965_224L);
        assertThat(new ArchitectureTable(ModelSpec.paper(AlexNetVariant.ALEXNET_SINGLE)).totalParameters())
                .isEqualTo(62_378_344L);
    }

    @Test
    void outputShapesFollowThePaperAt227() {
        ArchitectureTable t = new ArchitectureTable(ModelSpec.paper(AlexNetVariant.ALEXNET_2012));
        assertThat(t.rows()).extracting(LayerRow::name, LayerRow::shape).containsExactly(
                org.assertj.core.groups.Tuple.tuple("input", "227x227x3"),
                org.assertj.core.groups.Tuple.tuple("conv1", "55x55x96"),
                org.assertj.core.groups.Tuple.tuple("lrn1", "55x55x96"),
                org.assertj.core.groups.Tuple.tuple("pool1", "27x27x96"),
                org.assertj.core.groups.Tuple.tuple("conv2", "27x27x256"),
                org.assertj.core.groups.Tuple.tuple("lrn2", "27x27x256"),
                org.assertj.core.groups.Tuple.tuple("pool2", "13x13x256"),
                org.assertj.core.groups.Tuple.tuple("conv3", "13x13x384"),
                org.assertj.core.groups.Tuple.tuple("conv4", "13x13x384"),
                org.assertj.core.groups.Tuple.tuple("conv5", "13x13x256"),
                org.assertj.core.groups.Tuple.tuple("pool5", "6x6x256"),
                org.assertj.core.groups.Tuple.tuple("fc6", "1x1x4096"),
                org.assertj.core.groups.Tuple.tuple("fc7", "1x1x4096"),
                org.assertj.core.groups.Tuple.tuple("fc8", "1x1x1000"));
        // conv2, conv4, conv5 see half the maps in the two-tower network.
        assertThat(t.row("conv2").groups()).isEqualTo(2);
        assertThat(t.row("conv3").groups()).isEqualTo(1);
        assertThat(t.row("conv2").parameters()).isEqualTo(5L * 5 * 48 * 256 + 256);
        assertThat(t.row("conv1").multiplyAdds()).isEqualTo(55L * 55 * 96 * 11 * 11 * 3);
        assertThat(t.row("fc6").parameters()).isEqualTo(9216L * 4096 + 4096);
    }

    @Test
    void input224GivesA54By54Conv1AndSaysWhy() {
        ModelDescription d = new ModelDescription(ModelSpec.paper(AlexNetVariant.ALEXNET_2012).withInput(224, 224));
        assertThat(d.table().row("conv1").shape()).isEqualTo("54x54x96");
        assertThat(d.table().row("pool5").shape()).isEqualTo("5x5x256");
        LayerRow conv2 = d.rows().stream().filter(r -> r.name().equals("conv2")).findFirst().orElseThrow();
        assertThat(conv2.neurons()).isEqualTo(26L * 26 * 256);
        assertThat(conv2.paperNeurons()).isEqualTo(186_624L);
        assertThat(conv2.note()).contains("54x54");
        assertThat(d.toText()).contains("54.25");
    }

    @Test
    void paperFiguresSitBesideOursWithAReasonForEachMismatch() {
        ModelDescription d = new ModelDescription(ModelSpec.paper(AlexNetVariant.ALEXNET_2012));
        List<LayerRow> withPaper = d.rows().stream().filter(r -> r.paperNeurons() != null).toList();
        assertThat(withPaper).extracting(LayerRow::name)
                .containsExactly("input", "conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8");
        for (LayerRow r : withPaper) {
            // Every mismatch is explained; every match needs no note (but input: 227 vs the text's 224).
            assertThat(r.note().isEmpty()).as(r.name()).isEqualTo(r.neurons() == r.paperNeurons());
        }
        assertThat(d.table().row("conv1").neurons()).isEqualTo(290_400L);
        String text = d.toText();
        assertThat(text).contains("253,440").contains("290,400").contains("60,965,224").contains("(227-11)/4+1 = 55");
        assertThat(d.toJson()).contains("\"paperNeurons\" : 253440").contains("\"parameters\" : 60965224");
    }

    @Test
    void aSmallNetworkCarriesNoPaperFigures() {
        ModelDescription d = new ModelDescription(TestSpecs.small(AlexNetVariant.ALEXNET_SINGLE, 10));
        assertThat(d.rows()).allMatch(r -> r.paperNeurons() == null);
        assertThat(d.table().row("pool5").shape()).isEqualTo("3x3x32");
    }

    @Test
    void anInputTooSmallForTheKernelsIsRejectedWithTheLayer() {
        assertThatThrownBy(() -> new ArchitectureTable(ModelSpec.paper(AlexNetVariant.ALEXNET_SINGLE).withInput(40, 40)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pool");
    }
}
