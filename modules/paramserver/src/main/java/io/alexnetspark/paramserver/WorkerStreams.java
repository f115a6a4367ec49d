package io.alexnetspark.paramserver;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A worker's Aeron streams to and from every shard: the push publications, the averages
 * subscriptions (each read through its own {@link BoundedReassembler}), one header buffer per
 * shard, and the HELLO by which a worker names its averages endpoint over UDP. What the client
 * sends and takes is the {@link ParameterClient}'s; this class owns the plumbing.
 */
final class WorkerStreams implements AutoCloseable {

    private static final int FRAGMENT_LIMIT = 64;
    /** A HELLO is repeated after this long while the shard's stream to this worker is not up. */
    private static final long HELLO_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(200);

    private final JobSpec job;
    private final int workerId;
    private final MessageCodec pushCodec;
    private final long helloStamp;
    private final boolean udp;
    private final AeronConnection connection;
    private final Publication[] publications;
    private final Subscription[] subscriptions;
    private final BoundedReassembler[] reassemblers;
    private final UnsafeBuffer[] headers;

    /**
     * Opens the streams (not yet connected: see {@link #awaitConnected}).
     *
     * @param rules      what the client takes from shard {@code s}'s averages stream
     * @param pushCodec  signs the worker's HELLOs (its push key)
     * @param helloStamp orders this client's HELLOs after an earlier client's of the same worker
     */
    WorkerStreams(ClientConfig config, InboundValidator validator, IntFunction<InboundValidator.Rules> rules, MessageCodec pushCodec,
                  long helloStamp) {
        this.job = config.job();
        this.workerId = config.workerId();
        this.pushCodec = pushCodec;
        this.helloStamp = helloStamp;
        Channel channel = job.channel();
        this.udp = channel.transport() == Channel.Transport.UDP;
        int shards = job.layout().shards();
        this.publications = new Publication[shards];
        this.subscriptions = new Subscription[shards];
        this.reassemblers = new BoundedReassembler[shards];
        this.headers = new UnsafeBuffer[shards];
        // A push publication and an averages image per shard.
        this.connection = AeronConnection.open(config.aeron(), ParameterClient.termBufferBytes(shards, channel.termLength()));
        try {
            Aeron aeron = connection.aeron();
            for (int s = 0; s < shards; s++) {
                publications[s] = aeron.addPublication(channel.workerPushChannel(s, config.bindHost()), channel.pushStreamId(s));
                // Honest senders on a shard's averages stream: the shard's publication, and for a while
                // that of an earlier server incarnation on the same ports.
                BoundedReassembler reassembler = new BoundedReassembler(validator, rules.apply(s), 8, udp,
                    "worker " + workerId + "'s averages stream of shard " + s);
                reassemblers[s] = reassembler;
                subscriptions[s] = aeron.addSubscription(channel.workerAverageChannel(s, config.bindHost()),
                    channel.averageStreamId(s), null, reassembler::onUnavailableImage);
                reassembler.bind(subscriptions[s]);
                headers[s] = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
            }
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    Publication publication(int shard) {
        return publications[shard];
    }

    /** Shard {@code s}'s header buffer (for one message at a time). */
    UnsafeBuffer header(int shard) {
        return headers[shard];
    }

    boolean isClosed() {
        return connection.aeron().isClosed();
    }

    /** Polls every averages stream once; returns the fragments read. */
    int pollAll() {
        int n = 0;
        for (int s = 0; s < subscriptions.length; s++) {
            n += reassemblers[s].poll(subscriptions[s], FRAGMENT_LIMIT);
        }
        return n;
    }

    /**
     * Waits until every stream is up. Over UDP a shard sends this worker nothing until it knows
     * where: once the push stream is up, the worker names its averages endpoint in an authenticated
     * HELLO, repeated now and then until the shard's stream to it has connected.
     */
    void awaitConnected(long timeoutNs, IdleStrategy idle) {
        long deadline = System.nanoTime() + timeoutNs;
        long[] lastHello = new long[publications.length];
        while (true) {
            boolean all = true;
            for (int s = 0; s < publications.length; s++) {
                boolean pushUp = publications[s].isConnected();
                boolean averagesUp = subscriptions[s].isConnected();
                if (udp && pushUp && !averagesUp && System.nanoTime() - lastHello[s] > HELLO_RETRY_NS) {
                    lastHello[s] = sayHello(s) ? System.nanoTime() : 0;
                }
                all &= pushUp && averagesUp;
            }
            if (all) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new ParameterServerException("worker " + workerId + ": cannot reach the parameter server ("
                    + job.channel() + ") within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms (" + connectionState() + ")");
            }
            idle.idle();
        }
    }

    /** UDP: names this worker's endpoint again to shard {@code s} if its stream to it is down. */
    void helloIfDown(int shard) {
        if (udp && !subscriptions[shard].isConnected()) {
            sayHello(shard);
        }
    }

    /** UDP: tells every shard to close its stream to this worker now (its client is closing). */
    void goodbye() {
        if (udp && !connection.aeron().isClosed()) {
            for (int s = 0; s < publications.length; s++) {
                sendHello(s, new byte[0]);
            }
        }
    }

    /** Where this worker receives shard {@code s}'s averages (UDP: "host:port"; IPC: empty). */
    String averagesEndpoint(int shard) {
        List<String> local = subscriptions[shard].localSocketAddresses();
        return local.isEmpty() ? "" : local.get(0);
    }

    /** Sends shard {@code s} this worker's averages endpoint; false if the endpoint is not bound yet. */
    private boolean sayHello(int shard) {
        String endpoint = averagesEndpoint(shard);
        return !endpoint.isEmpty() && sendHello(shard, endpoint.getBytes(StandardCharsets.US_ASCII));
    }

    /** A HELLO naming {@code endpoint}, or saying goodbye (empty); true if offered. */
    private boolean sendHello(int shard, byte[] endpoint) {
        UnsafeBuffer h = headers[shard];
        MessageHeader.write(h, 0, MessageHeader.HELLO, job.jobId(), helloStamp, 0, workerId, shard, 0, 0, endpoint.length, 0);
        if (endpoint.length == 0) {
            pushCodec.sign(h, null);
            return publications[shard].offer(h, 0, MessageHeader.LENGTH) > 0;
        }
        ByteBuffer payload = ByteBuffer.allocateDirect(endpoint.length);
        payload.put(endpoint).flip();
        pushCodec.sign(h, payload);
        return publications[shard].offer(h, 0, MessageHeader.LENGTH, new UnsafeBuffer(payload), 0, endpoint.length) > 0;
    }

    private String connectionState() {
        StringBuilder b = new StringBuilder();
        for (int s = 0; s < publications.length; s++) {
            b.append(s == 0 ? "" : ", ").append("shard ").append(s).append(": push ")
                .append(publications[s].isConnected() ? "up" : "down").append(", averages ")
                .append(subscriptions[s].isConnected() ? "up" : "down");
        }
        return b.toString();
    }

    /** Closes the streams, the Aeron client and the embedded driver (deleting its directory). */
    @Override
    public void close() {
        CloseHelper.close(connection);
    }
}
