package io.alexnetspark.data.ingest;

import io.alexnetspark.data.layout.SourceImage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ShardPlannerTest {
    private static List<SourceImage> images(int n) {
        List<SourceImage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new SourceImage("file:/in/" + i, String.format("train/c%d/%04d.JPEG", i % 4, i), "c" + (i % 4), i % 4));
        }
        return out;
    }

    @Test
    void sameInputsSameShardsWhateverTheListingOrder() {
        List<SourceImage> a = images(103);
        List<SourceImage> b = new ArrayList<>(a);
        Collections.shuffle(b, new Random(1));
        List<ShardTask> pa = ShardPlanner.plan("train", a, 10, 42);
        List<ShardTask> pb = ShardPlanner.plan("train", b, 10, 42);
        assertThat(pa).isEqualTo(pb);
        assertThat(pa).hasSize(11);
        assertThat(pa.get(10).images()).hasSize(3);
        assertThat(pa.get(3).relativePath()).isEqualTo("train/train-00003-of-00011.seq");
        assertThat(pa.stream().flatMap(t -> t.images().stream())).containsExactlyInAnyOrderElementsOf(a);
        assertThat(pa.get(0).fingerprint("s")).isEqualTo(pb.get(0).fingerprint("s")).isNotEqualTo(pa.get(0).fingerprint("t"));
    }

    @Test
    void theSeedChangesTheAssignmentAndShardsMixClasses() {
        List<ShardTask> p42 = ShardPlanner.plan("train", images(100), 10, 42);
        List<ShardTask> p7 = ShardPlanner.plan("train", images(100), 10, 7);
        assertThat(p42.get(0).images()).isNotEqualTo(p7.get(0).images());
        assertThat(p42.get(0).images().stream().map(SourceImage::label).distinct().count()).isGreaterThan(1);
    }
}
