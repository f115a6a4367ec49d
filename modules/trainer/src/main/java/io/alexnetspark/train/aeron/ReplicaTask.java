package io.alexnetspark.train.aeron;

import io.alexnetspark.data.pipeline.ShardBatchIterator;
import io.alexnetspark.data.pipeline.ShardSource;
import io.alexnetspark.paramserver.AeronSetup;
import io.alexnetspark.paramserver.ClientConfig;
import io.alexnetspark.paramserver.JobSpec;
import io.alexnetspark.paramserver.ParameterClient;
import io.alexnetspark.paramserver.ParameterServer;
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
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * One replica in an epoch's barrier stage: builds the network, starts from the server's latest
 * average, then {@code rounds} times trains {@code tau} mini-batches of its shards and exchanges
 * its parameters for the round's average. The average lands directly in the network's parameter
 * memory: the client reads from and writes into a ByteBuffer over the ND4J array.
 */
public final class ReplicaTask implements FlatMapFunction<Iterator<List<ShardSource>>, ReplicaResult> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaTask.class);

    private final ReplicaPlan plan;

    public ReplicaTask(ReplicaPlan plan) {
        this.plan = plan;
    }

    @Override
    public Iterator<ReplicaResult> call(Iterator<List<ShardSource>> partition) throws Exception {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int worker = ctx.partitionId();
        List<ShardSource> shards = partition.hasNext() ? partition.next() : List.of();

        // Before the first ND4J allocation: the replica's arrays must live on the task's own GPU.
        int gpu = DevicePinning.pinCurrentThread(ctx).orElse(-1);
        ComputationGraph net = new ComputationGraph(ComputationGraphConfiguration.fromJson(plan.networkJson()));
        net.init();
        net.setLearningRate(plan.learningRate());
        // The parameters as little-endian bytes over the same native memory: pulls and averages land in the network.
        ByteBuffer params = net.params().data().asNio().order(ByteOrder.LITTLE_ENDIAN);

        List<String> hosts = Arrays.stream(ctx.getTaskInfos()).map(info -> hostOf(info.address())).toList();
        String bindHost = hosts.get(worker);
        ReplicaPlan.ExecutorShards own = plan.executorShards();
        boolean servesOwn = own != null && own.serveOwn();
        // Own shards: their hosts are the tasks' hosts; else the job names them already.
        JobSpec job = servesOwn ? plan.job().withChannel(plan.job().channel().withShardHosts(hosts)) : plan.job();
        ParameterServer shard = null;
        AeronSetup aeron;
        if (own != null) {
            params.asFloatBuffer().put(own.start().value());
        }
        if (servesOwn) {
            // One shard beside this replica: it and the replica's client share one embedded driver.
            String dir = AeronSetup.embeddedFresh().aeronDir();
            shard = new ParameterServer(new ServerConfig(job, own.quorum(), own.roundTimeout(), AeronSetup.embedded(dir))
                    .serving(List.of(worker)), stats -> LOG.debug("{}", stats)).start();
            shard.publishInitial(plan.firstRound(), params);
            aeron = AeronSetup.external(dir);
        } else {
            aeron = plan.serverAeronDir() != null ? AeronSetup.external(plan.serverAeronDir()) : AeronSetup.embeddedFresh();
        }
        ClientConfig config = new ClientConfig(job, worker, bindHost, plan.awaitTimeout(), Duration.ofSeconds(30), aeron);
        try (ParameterServer closeShard = shard) {
            // Every replica has started (and seeded its shard): none waits for a straggler that was never scheduled.
            ctx.barrier();
            return train(ctx, net, params, config, own != null, shard != null, bindHost, gpu, worker, shards);
        }
    }

    private Iterator<ReplicaResult> train(BarrierTaskContext ctx, ComputationGraph net, ByteBuffer params, ClientConfig config,
                                          boolean startLoaded, boolean servesShard, String bindHost, int gpu, int worker,
                                          List<ShardSource> shards)
            throws Exception {
        double lossSum = 0;
        long images = 0;
        long fitNanos = 0;
        long averagingNanos = 0;
        long round = plan.firstRound();
        float[] momentum = null;
        try (ParameterClient client = new ParameterClient(config);
             ShardBatchIterator data = new ShardBatchIterator(shards, new Configuration(), plan.pipeline(), plan.classNames())) {
            data.setEpoch(plan.epoch());
            if (!startLoaded) {
                client.pullLatest(params);
            } else if (!servesShard) {
                // An external server: seed it with the epoch's start, as a round of identical pushes.
                client.pushAndAwait(++round, params);
            }
            INDArray state = momentumState(net);
            if (plan.momentum() != null && state != null) {
                state.assign(Nd4j.create(plan.momentum().value()));
            }
            for (int r = 0; r < plan.rounds(); r++) {
                long t = System.nanoTime();
                for (int b = 0; b < plan.tau(); b++) {
                    DataSet batch = data.next();
                    net.fit(batch);
                    lossSum += net.score();
                    images += batch.numExamples();
                }
                long t1 = System.nanoTime();
                fitNanos += t1 - t;
                if (r == plan.rounds() - 1 && plan.averageMomentum() && state != null) {
                    // The momentum goes one round before the parameters, so that the server's latest
                    // average (what the driver and a rejoining replica read) stays the parameters.
                    client.pushAndAwait(++round, state.data().asNio().order(ByteOrder.LITTLE_ENDIAN));
                    momentum = worker == 0 ? state.toFloatVector() : null;
                }
                client.pushAndAwait(++round, params);
                averagingNanos += System.nanoTime() - t1;
            }
            if (servesShard) {
                // This replica's shard may still be sending the last average to the others.
                ctx.barrier();
            }
        }
        int batches = Math.max(1, plan.rounds() * plan.tau());
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(params.duplicate().clear());
        return List.of(new ReplicaResult(worker, lossSum / batches, images, fitNanos / 1e9, averagingNanos / 1e9, round,
                crc.getValue(), bindHost, gpu, momentum, startLoaded && worker == 0 ? net.params().toFloatVector() : null))
                .iterator();
    }

    private static String hostOf(String address) {
        return address.contains(":") ? address.substring(0, address.lastIndexOf(':')) : address;
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
