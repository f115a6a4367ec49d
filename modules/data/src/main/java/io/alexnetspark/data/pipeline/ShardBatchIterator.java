package io.alexnetspark.data.pipeline;

import io.alexnetspark.data.shard.ImageRecord;
import io.alexnetspark.data.shard.ShardCorruptException;
import io.alexnetspark.data.shard.ShardReader;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Streams mini-batches from a list of shards on any Hadoop FileSystem, as a DL4J
 * {@link DataSetIterator}: features NCHW float32, labels one-hot float32.
 *
 * <p>How it works: per epoch, one reader thread takes the shards in a seeded random order (train
 * mode), streams their records through a seeded shuffle buffer, groups them into batches and hands
 * each batch to a pool of decoding threads; the batches' futures wait, in order, in a queue of
 * {@code prefetchBatches}. When the queue is full the reader blocks, so memory is bounded by the
 * shuffle buffer (compressed JPEGs) plus the prefetched batches, never by shard size. Every batch
 * has its own {@link Random} seeded from (seed, epoch, batch index), so an epoch's order and
 * augmentation are the same on every run, however the threads are scheduled.
 *
 * <p>Integrity: with {@link PipelineSettings#verifyBeforeUse()} (the default) each shard's SHA-256
 * is checked against its manifest entry in one read pass before its first record is used, so a
 * corrupt shard fails the epoch ({@link ShardCorruptException} naming it) before any of its
 * records is trained on. The check during the reading pass stays as a second line.
 *
 * <p>Epochs: the first {@link #hasNext()} starts epoch 0 (or the one set by {@link #setEpoch});
 * {@link #reset()} moves to the next epoch. Close it to stop its threads.
 */
public final class ShardBatchIterator implements DataSetIterator, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    /** The end-of-epoch marker in the queue. */
    private static final Future<DataSet> END = CompletableFuture.completedFuture(null);

    private final transient List<ShardSource> shards;
    private final transient Configuration conf;
    private final PipelineSettings settings;
    private final transient ImageTransform transform;
    private final transient DecoderChoice.Decoder decoder;
    private final transient ExecutorService decoders;
    private final List<String> labels;
    private transient DataSetPreProcessor preProcessor;

    private int epoch;
    private long skipBatches;
    private boolean started;
    private transient EpochRun run;
    private transient DataSet pending;
    private boolean epochDone;

    /**
     * @param shards     the shards to read (e.g. one Spark partition's)
     * @param conf       Hadoop configuration for their file system
     * @param settings   pipeline settings
     * @param classNames class names in label order, for {@link #getLabels()} (may be null)
     */
    public ShardBatchIterator(List<ShardSource> shards, Configuration conf, PipelineSettings settings, List<String> classNames) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("no shards to read");
        }
        this.shards = List.copyOf(shards);
        this.conf = conf;
        this.settings = settings;
        this.transform = new ImageTransform(settings.transform());
        this.decoder = settings.decoder().resolve();
        this.labels = classNames == null ? null : List.copyOf(classNames);
        int id = INSTANCES.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.decoders = Executors.newFixedThreadPool(settings.workers(), r -> {
            Thread t = new Thread(r, "shard-decoder-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Chooses the epoch the next pass runs (e.g. when a Spark task resumes at epoch 7). Ends a running pass. */
    public void setEpoch(int epoch) {
        stopRun();
        this.epoch = epoch;
        this.started = false;
    }

    /**
     * The next pass leaves out its first {@code batches} mini-batches without decoding them (their
     * records are read and shuffled as usual, so the batches that follow are exactly the ones an
     * uninterrupted pass would give, with the same crops): a replica that resumes an epoch after
     * its first rounds were averaged. Ends a running pass; applies to the next pass only.
     */
    public void skipBatches(long batches) {
        if (batches < 0) {
            throw new IllegalArgumentException("cannot skip " + batches + " batches");
        }
        stopRun();
        this.skipBatches = batches;
        this.started = false;
    }

    /** The epoch being (or about to be) read. */
    public int epoch() {
        return epoch;
    }

    @Override
    public boolean hasNext() {
        if (pending != null) {
            return true;
        }
        if (epochDone) {
            return false;
        }
        if (run == null) {
            started = true;
            run = new EpochRun(epoch, skipBatches);
            skipBatches = 0;
            run.thread.start();
        }
        Future<DataSet> f;
        try {
            f = run.queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        }
        if (f == END) {
            epochDone = true;
            return false;
        }
        try {
            pending = f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        } catch (ExecutionException e) {
            epochDone = true;
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw new UncheckedIOException(io.getMessage(), io);
            }
            throw new IllegalStateException("input pipeline failed: " + c, c);
        }
        return true;
    }

    @Override
    public DataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " is over; reset() starts the next");
        }
        DataSet ds = pending;
        pending = null;
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    @Override
    public DataSet next(int num) {
        if (num != settings.batchSize()) {
            throw new UnsupportedOperationException("batches are of the configured size " + settings.batchSize());
        }
        return next();
    }

    /** Moves on to the next epoch (a new shard order, new crops); a no-op before anything was read. */
    @Override
    public void reset() {
        if (!started) {
            return;
        }
        stopRun();
        epoch++;
        started = false;
    }

    private void stopRun() {
        if (run != null) {
            run.cancel();
            run = null;
        }
        pending = null;
        epochDone = false;
    }

    @Override
    public void close() {
        stopRun();
        decoders.shutdownNow();
    }

    @Override
    public int inputColumns() {
        return transform.exampleSize();
    }

    @Override
    public int totalOutcomes() {
        return settings.numClasses();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    /** Already asynchronous: DL4J must not wrap it in another prefetching iterator. */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public int batch() {
        return settings.batchSize();
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return labels;
    }

    /** splitmix64: decorrelates the seeds of neighbouring epochs and batches. */
    static long mix(long... parts) {
        long z = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            z += p * 0xBF58476D1CE4E5B9L + 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
        }
        return z;
    }

    /** Decodes and transforms one batch of records into a DataSet. */
    DataSet assemble(List<ImageRecord> records, Random random) throws IOException {
        int views = settings.transform().mode().viewsPerImage();
        int rows = records.size() * views;
        int size = transform.exampleSize();
        float[] features = new float[rows * size];
        float[] onehot = new float[rows * settings.numClasses()];
        for (int i = 0; i < records.size(); i++) {
            ImageRecord r = records.get(i);
            if (r.label() >= settings.numClasses()) {
                throw new IOException("record " + r.key() + " has label " + r.label() + " but the pipeline has "
                        + settings.numClasses() + " classes");
            }
            java.awt.image.BufferedImage image;
            try {
                image = decoder.decode(r.jpeg());
            } catch (IOException e) {
                throw new IOException("undecodable image " + r.key() + " in a shard: " + e.getMessage(), e);
            }
            transform.apply(image, random, features, i * views * size);
            for (int v = 0; v < views; v++) {
                onehot[(i * views + v) * settings.numClasses() + r.label()] = 1f;
            }
        }
        TransformSettings t = settings.transform();
        INDArray x = Nd4j.create(features, new long[]{rows, 3, t.cropHeight(), t.cropWidth()}, DataType.FLOAT);
        INDArray y = Nd4j.create(onehot, new long[]{rows, settings.numClasses()}, DataType.FLOAT);
        return new DataSet(x, y);
    }

    /** One epoch's reader thread and its queue of batch futures. */
    private final class EpochRun implements Runnable {
        final BlockingQueue<Future<DataSet>> queue = new ArrayBlockingQueue<>(settings.prefetchBatches());
        final Thread thread;
        private final int runEpoch;
        private final long skip;
        private volatile boolean cancelled;
        private List<ImageRecord> batch = new ArrayList<>();
        private long batchIndex;

        EpochRun(int runEpoch, long skip) {
            this.runEpoch = runEpoch;
            this.skip = skip;
            this.thread = new Thread(this, "shard-reader-epoch-" + runEpoch);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                boolean shuffle = settings.transform().mode() == TransformSettings.Mode.TRAIN;
                Random order = new Random(mix(settings.seed(), runEpoch, -1));
                List<ShardSource> list = new ArrayList<>(shards);
                if (shuffle) {
                    Collections.shuffle(list, order);
                }
                int capacity = shuffle ? settings.shuffleBuffer() : 1;
                List<ImageRecord> buffer = new ArrayList<>(Math.min(capacity, 4096));
                for (ShardSource s : list) {
                    Path path = new Path(URI.create(s.uri()));
                    FileSystem fs = path.getFileSystem(conf);
                    if (settings.verifyBeforeUse() && s.info() != null) {
                        // One read pass over the whole shard before any of its records reaches the
                        // shuffle buffer: a corrupt shard fails here, with nothing of it trained on.
                        String problem = ShardReader.verify(fs, path, s.info());
                        if (problem != null) {
                            throw new ShardCorruptException(s.info().path() + " (" + path + ")",
                                    problem + "; checked before use, none of its records was used");
                        }
                    }
                    try (ShardReader reader = ShardReader.open(fs, conf, path, s.info())) {
                        ImageRecord rec;
                        while ((rec = reader.read()) != null) {
                            if (cancelled) {
                                return;
                            }
                            if (buffer.size() < capacity) {
                                buffer.add(rec);
                            } else {
                                // Reservoir-style: emit a random buffered record, keep the new one.
                                emit(buffer.set(order.nextInt(capacity), rec));
                            }
                        }
                    }
                }
                if (shuffle) {
                    Collections.shuffle(buffer, order);
                }
                for (ImageRecord r : buffer) {
                    emit(r);
                }
                if (!batch.isEmpty() && !settings.dropLast()) {
                    submit();
                }
                queue.put(END);
            } catch (InterruptedException e) {
                // cancelled
            } catch (Throwable e) {
                if (cancelled) {
                    return; // an interrupted read during cancel(): nobody is waiting for this epoch
                }
                try {
                    queue.put(CompletableFuture.failedFuture(e));
                    queue.put(END);
                } catch (InterruptedException ignored) {
                    // cancelled
                }
            }
        }

        private void emit(ImageRecord r) throws InterruptedException {
            batch.add(r);
            if (batch.size() == settings.batchSize()) {
                submit();
            }
        }

        private void submit() throws InterruptedException {
            List<ImageRecord> records = batch;
            batch = new ArrayList<>(settings.batchSize());
            long index = batchIndex++;
            if (index < skip) {
                return; // already trained before a resume: its order is the same, so it is left out undecoded
            }
            Random random = new Random(mix(settings.seed(), runEpoch, index));
            queue.put(decoders.submit(() -> assemble(records, random)));
        }

        void cancel() {
            cancelled = true;
            thread.interrupt();
            Future<DataSet> f;
            while ((f = queue.poll()) != null) {
                f.cancel(true);
            }
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            while ((f = queue.poll()) != null) {
                f.cancel(true);
            }
        }
    }
}
