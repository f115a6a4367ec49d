package io.alexnetspark.train.aeron;

import io.alexnetspark.data.pipeline.ShardBatchIterator;
import io.alexnetspark.data.pipeline.ShardSource;
import io.alexnetspark.paramserver.AeronSetup;
import io.alexnetspark.paramserver.ClientConfig;
import io.alexnetspark.paramserver.JobSpec;
import io.alexnetspark.paramserver.ParameterClient;
import io.alexnetspark.paramserver.ParameterServer;
import io.alexnetspark.paramserver.ParameterServerException;
import io.alexnetspark.paramserver.RoundPassedException;
import io.alexnetspark.paramserver.ServerConfig;
import io.alexnetspark.train.DevicePinning;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;

/**
 * One replica in an epoch's barrier stage: builds the network, starts from the server's latest
 * average, then {@code rounds} times trains {@code tau} mini-batches of its shards and exchanges
 * its parameters for the round's average. The average lands directly in the network's parameter
 * memory: the client reads from and writes into a ByteBuffer over the ND4J array.
 */
public final class ReplicaTask implements FlatMapFunction<Iterator<ReplicaInput>, ReplicaResult> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaTask.class);

    private final ReplicaPlan plan;

    public ReplicaTask(ReplicaPlan plan) {
        this.plan = plan;
    }

    @Override
    public Iterator<ReplicaResult> call(Iterator<ReplicaInput> partition) throws Exception {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int worker = ctx.partitionId();
        ReplicaInput input = partition.next(); // one per partition
        List<ShardSource> shards = input.shards();

        // Before the first ND4J allocation: the replica's arrays must live on the task's own GPU.
        int gpu = DevicePinning.pinCurrentThread(ctx).orElse(-1);
        ComputationGraph net = new ComputationGraph(ComputationGraphConfiguration.fromJson(plan.networkJson()));
        net.init();
        net.setLearningRate(plan.learningRate());
        // The parameters as little-endian bytes over the same native memory: pulls and averages land in the network.
        ByteBuffer params = net.params().data().asNio().order(ByteOrder.LITTLE_ENDIAN);

        List<String> hosts = BarrierStage.taskHosts(ctx);
        String bindHost = hosts.get(worker);
        ReplicaPlan.ExecutorShards own = plan.executorShards();
        boolean servesOwn = own != null && own.serveOwn();
        // Own shards: their hosts are the tasks' hosts; else the job names them already.
        JobSpec job = servesOwn ? input.job().withChannel(input.job().channel().withShardHosts(hosts)) : input.job();
        ParameterServer shard = null;
        AeronSetup aeron;
        boolean startLoaded = own != null && own.start() != null;
        if (startLoaded) {
            params.asFloatBuffer().put(own.start().value());
        }
        if (servesOwn) {
            // One shard beside this replica: it and the replica's client share one embedded driver.
            String dir = AeronSetup.embeddedFresh().aeronDir();
            shard = new ParameterServer(new ServerConfig(job, own.quorum(), own.roundTimeout(), AeronSetup.embedded(dir))
                    .serving(List.of(worker)), stats -> LOG.debug("{}", stats)).start();
            shard.publishInitial(plan.firstRound(), params);
            LOG.info("replica {} serves shard {} of {} on its own host: {}", worker, worker, hosts.size(),
                    job.channel().serverPushChannel(worker));
            aeron = AeronSetup.external(dir);
        } else {
            aeron = plan.serverAeronDir() != null ? AeronSetup.external(plan.serverAeronDir()) : AeronSetup.embeddedFresh();
        }
        ClientConfig config = new ClientConfig(job, worker, bindHost, plan.awaitTimeout(), Duration.ofSeconds(30), aeron);
        try (ParameterServer closeShard = shard) {
            // Every replica has started (and seeded its shard): none waits for a straggler that was never scheduled.
            ctx.barrier();
            return train(ctx, net, params, config, startLoaded, own != null, bindHost, gpu, worker, shards);
        }
    }

    private Iterator<ReplicaResult> train(BarrierTaskContext ctx, ComputationGraph net, ByteBuffer params, ClientConfig config,
                                          boolean startLoaded, boolean outsideDriver, String bindHost, int gpu, int worker,
                                          List<ShardSource> shards)
            throws Exception {
        ReplicaFaults faults = ReplicaFaults.fromSystemProperty();
        long slowMs = faults.slowMillis(worker);
        double lossSum = 0;
        long images = 0;
        long fitNanos = 0;
        long averagingNanos = 0;
        long round = plan.firstRound();
        int resets = 0;
        int missed = 0;
        int batches = 0;
        float[] momentum = null;
        String where = "replica " + worker + " on " + bindHost;
        try (ParameterClient client = new ParameterClient(config);
             ShardBatchIterator data = new ShardBatchIterator(shards, new Configuration(), plan.pipeline(), plan.classNames())) {
            // A killed task (its stage failed elsewhere) must give its slot back now, not at a time-out.
            client.abortWhen(ctx::isInterrupted);
            data.setEpoch(plan.epoch());
            data.skipBatches(plan.skipBatches());
            if (!startLoaded) {
                // The server's latest average and its round: a retried stage continues the server's numbering.
                round = client.pullLatest(params).round();
            }
            if (plan.skipBatches() > 0 && worker == 0) {
                LOG.info("epoch {} attempt {}: resuming at round {}, skipping the first {} mini-batches of each replica",
                        plan.epoch() + 1, plan.attempt(), round, plan.skipBatches());
            }
            INDArray state = momentumState(net);
            if (plan.momentum() != null && state != null) {
                state.assign(Nd4j.create(plan.momentum().value()));
            }
            boolean averageMomentum = plan.averageMomentum() && state != null;
            long start = round;
            // This attempt's rounds: start + 1 .. last; the momentum goes in the last round but one, so
            // that the server's latest average (what the driver and a rejoining replica read) stays the parameters.
            long last = start + plan.rounds() + (averageMomentum ? 1 : 0);
            int keptRounds = (int) (plan.skipBatches() / plan.tau());
            boolean outOfData = false;
            while (round < last) {
                int roundInEpoch = keptRounds + (int) (round - start) + 1;
                long t = System.nanoTime();
                int trained = 0;
                for (int b = 0; b < plan.tau() && data.hasNext(); b++, trained++) {
                    if (ctx.isInterrupted()) {
                        throw new IllegalStateException(where + ": task killed ("
                                + (ctx.getKillReason().isDefined() ? ctx.getKillReason().get() : "") + ") in round " + (round + 1));
                    }
                    DataSet batch = data.next();
                    net.fit(batch);
                    lossSum += net.score();
                    images += batch.numExamples();
                    batches++;
                    if (slowMs > 0) {
                        Thread.sleep(slowMs);
                    }
                }
                long t1 = System.nanoTime();
                fitNanos += t1 - t;
                if (trained < plan.tau() && !outOfData) {
                    // Its shards ran out before the others': from now on it pushes the average it holds
                    // (no update of its own), so that the others' rounds close and every image is trained once.
                    outOfData = true;
                    LOG.info("{}: out of mini-batches after {} of round {}; pushes the average it holds until the epoch's "
                            + "last round", where, trained, roundInEpoch);
                }
                if (faults.fail(worker, plan.epoch(), roundInEpoch, plan.attempt())) {
                    throw new IllegalStateException(where + ": test fault (" + ReplicaFaults.PROPERTY + ") in round "
                            + roundInEpoch + " of epoch " + (plan.epoch() + 1));
                }
                if (faults.nan(worker, plan.epoch(), roundInEpoch)) {
                    net.params().putScalar(0, Float.NaN);
                }
                long resetCrc = -1;
                if (!Double.isFinite(net.score()) || !Double.isFinite(net.params().sumNumber().doubleValue())) {
                    // Caught before it is pushed: a NaN would poison every replica's average.
                    resets++;
                    round = client.pullLatest(params).round();
                    if (state != null && !Double.isFinite(state.sumNumber().doubleValue())) {
                        state.assign(0);
                    }
                    resetCrc = crc(params);
                    LOG.warn("{}: loss or parameters NaN/Inf in round {} of epoch {}: reset to the average of round {} "
                            + "and pushed it unchanged", where, roundInEpoch, plan.epoch() + 1, round);
                    if (round >= last) {
                        break;
                    }
                }
                if (averageMomentum && round + 1 == last - 1) {
                    client.pushAndAwait(++round, state.data().asNio().order(ByteOrder.LITTLE_ENDIAN));
                    momentum = worker == 0 ? state.toFloatVector() : null;
                }
                try {
                    client.pushAndAwait(round + 1, params);
                    round++;
                } catch (RoundPassedException passed) {
                    // The round closed by quorum without us: adopt the newest average, go on from its round.
                    missed++;
                    round = client.pullLatest(params).round();
                    LOG.info("{}: round {} closed without it; adopted the average of round {}", where, passed.awaited(), round);
                } catch (ParameterServerException e) {
                    throw new ParameterServerException(where + ", epoch " + (plan.epoch() + 1) + ": " + e.getMessage(), e);
                }
                int total = keptRounds + plan.rounds();
                if (roundInEpoch == 1 || roundInEpoch == total || roundInEpoch % Math.max(1, total / 10) == 0) {
                    LOG.info("{}: epoch {} round {}/{} (attempt {}, server round {}), {} images, train {} s, averaging {} s",
                            where, plan.epoch() + 1, roundInEpoch, total, plan.attempt(), round, images,
                            String.format(java.util.Locale.ROOT, "%.1f", fitNanos / 1e9),
                            String.format(java.util.Locale.ROOT, "%.1f", (averagingNanos + System.nanoTime() - t1) / 1e9));
                }
                if (resetCrc >= 0 && crc(params) == resetCrc) {
                    // What came back is bit-identical to the reset vector this replica pushed: no replica
                    // contributed anything else, so every one of them diverged.
                    throw new EveryReplicaDivergedException(plan.epoch(), round);
                }
                averagingNanos += System.nanoTime() - t1;
            }
            if (plan.executorShards() != null && plan.executorShards().serveOwn()) {
                // This replica's shard may still be sending the last average to the others.
                ctx.barrier();
            }
        }
        return List.of(new ReplicaResult(worker, lossSum / Math.max(1, batches), images, fitNanos / 1e9, averagingNanos / 1e9,
                round, crc(params), bindHost, gpu, momentum, outsideDriver && worker == 0 ? net.params().toFloatVector() : null,
                resets, missed)).iterator();
    }

    /** CRC32 of the parameter bytes: what tells the driver that every replica holds the same average. */
    static long crc(ByteBuffer params) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(params.duplicate().clear());
        return crc.getValue();
    }

    /**
     * The updater's state when it is one value per parameter (classic momentum's velocity), the
     * shape the parameter server averages; else null (then each replica keeps its own).
     */
    static INDArray momentumState(ComputationGraph net) {
        INDArray state = net.getUpdater().getStateViewArray();
        if (state == null || state.length() != net.numParams() || state.data().length() != net.numParams()) {
            return null;
        }
        return state;
    }
}
