package io.alexnetspark.doctor;

import io.alexnetspark.train.TrainSettings;
import io.alexnetspark.train.aeron.BarrierStage;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;

import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * One executor's side of {@code doctor --cluster}, as a task of a barrier stage with one task per
 * replica (so the same executors the job's epochs will get): with {@code placement = executors} it
 * binds its shard's two ports on its own address, waits for every other task, then probes the
 * parameter server's ports (the driver's, or every other executor's) and the driver's clock, checks
 * its shared memory and the storage, and waits again so that its own ports answer until all are done.
 */
final class ClusterProbeTask implements FlatMapFunction<Iterator<Integer>, ExecutorReport> {

    private static final long serialVersionUID = 1L;
    private static final Duration WAIT = Duration.ofSeconds(1);

    private final TrainSettings.Placement placement;
    private final int port;
    private final int shards;
    private final String driverHost;
    private final int clockPort;
    private final long shmNeeded;
    private final String data;
    private final String output;

    /**
     * @param driverHost the driver's address; with the driver placement its echoes stand at
     *                   {@code port .. port + 2 shards - 1} there
     * @param clockPort  the driver's echo for the clock
     * @param shmNeeded  the term buffers an executor maps ({@link SharedMemoryCheck#neededBytes})
     */
    ClusterProbeTask(TrainSettings.Placement placement, int port, int shards, String driverHost, int clockPort, long shmNeeded,
                     String data, String output) {
        this.placement = placement;
        this.port = port;
        this.shards = shards;
        this.driverHost = driverHost;
        this.clockPort = clockPort;
        this.shmNeeded = shmNeeded;
        this.data = data;
        this.output = output;
    }

    @Override
    public Iterator<ExecutorReport> call(Iterator<Integer> partition) throws Exception {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int me = ctx.partitionId();
        List<String> hosts = BarrierStage.taskHosts(ctx);
        String host = hosts.get(me);
        List<String> bindErrors = new ArrayList<>();
        List<UdpEcho> echoes = new ArrayList<>();
        try {
            if (placement == TrainSettings.Placement.EXECUTORS) {
                for (int p : List.of(port + 2 * me, port + 2 * me + 1)) {
                    try {
                        echoes.add(new UdpEcho(host, p));
                    } catch (SocketException e) {
                        bindErrors.add(host + ":" + p + " (" + e.getMessage() + ")");
                    }
                }
            }
            ctx.barrier(); // every shard port is bound before anyone probes
            List<String> targets = new ArrayList<>();
            if (placement == TrainSettings.Placement.EXECUTORS) {
                for (int q = 0; q < hosts.size(); q++) {
                    if (q != me) {
                        targets.add(hosts.get(q) + ":" + (port + 2 * q));
                        targets.add(hosts.get(q) + ":" + (port + 2 * q + 1));
                    }
                }
            } else if (placement == TrainSettings.Placement.DRIVER) {
                for (int p = port; p < port + 2 * shards; p++) {
                    targets.add(driverHost + ":" + p);
                }
            }
            List<UdpProbe.Answer> reached = new ArrayList<>();
            List<String> unreachable = new ArrayList<>();
            for (String t : targets) {
                int colon = t.lastIndexOf(':');
                Optional<UdpProbe.Answer> a = UdpProbe.probe(host, t.substring(0, colon), Integer.parseInt(t.substring(colon + 1)), 3, WAIT);
                a.ifPresentOrElse(reached::add, () -> unreachable.add(t));
            }
            UdpProbe.Answer clock = UdpProbe.probe(host, driverHost, clockPort, 5, WAIT).orElse(null);
            SharedMemoryCheck.Result shm = SharedMemoryCheck.check(shmNeeded);
            List<StorageCheck.Result> storage = List.of(StorageCheck.readable(data), StorageCheck.writable(output));
            ctx.barrier(); // our ports answer until every task probed them
            return List.of(new ExecutorReport(me, host, bindErrors, reached, unreachable, clock, shm, storage)).iterator();
        } finally {
            echoes.forEach(UdpEcho::close);
        }
    }
}
