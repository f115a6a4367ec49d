package io.alexnetspark.paramserver;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dedicated server's door: it serves one job run at a time, entered by an authenticated
 * handshake with that run's driver, and everything of another run is refused.
 *
 * <p>The server is started with its own job id J and secret S. A driver claims it for a run of its
 * own, a fresh random run id R: it asks for a challenge (with a nonce), and claims with the
 * challenge, which is used up, so a recorded claim cannot bind the server again. While bound, the
 * shards serve job id R, whose keys are derived from S and R ({@link JobKeys}): messages recorded
 * in an earlier run, or under another run id, fail as {@link DropReason#WRONG_JOB}, also after a
 * restart. A claim for another run while the bound one is alive is refused with what the driver
 * needs to say why (which run, how long silent, the lease); a run silent for longer than the lease,
 * or one that released the server, gives way. A claim for the bound run again is answered "bound"
 * (a driver retrying an epoch).
 *
 * <p>Each claim starts a new {@link ParameterServer} (a new incarnation, holding nothing: the
 * driver seeds it). The lobby of the process serving shard {@code s} listens on
 * {@link Channel#lobbyChannel}; lobby messages are under job id J, a driver's signed with the
 * control key of (S, J), the lobby's answers with the driver's average key of (S, J).
 */
public final class ServerLobby implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServerLobby.class);
    private static final int MAX_DRIVERS = 16;

    private final ServerConfig base;
    private final Aeron aeron;
    private final Duration lease;
    private final Function<ServerConfig, ParameterServer> start;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final DropCounters drops = new DropCounters();
    private final AgentRunner runner;
    private volatile ParameterServer current;
    private volatile long boundRun;
    private volatile boolean bound;

    /**
     * @param base  the server's configuration under its own job id and secret
     * @param aeron the client of the process's media driver (the lobby's and every run's streams)
     * @param lease how long a bound run may be silent before another may claim the server
     * @param start starts a run's server from its configuration (the base one under the run's id)
     */
    public ServerLobby(ServerConfig base, Aeron aeron, Duration lease, Function<ServerConfig, ParameterServer> start) {
        if (base.job().channel().transport() != Channel.Transport.UDP) {
            throw new IllegalArgumentException("a dedicated server takes claims over UDP");
        }
        this.base = base;
        this.aeron = aeron;
        this.lease = lease;
        this.start = start;
        Door door = new Door();
        for (int s = 0; s < base.job().shards(); s++) {
            if (base.serves(s)) {
                Subscription sub = aeron.addSubscription(base.job().channel().lobbyChannel(s), Channel.LOBBY_STREAM_BASE + s);
                subscriptions.add(sub);
            }
        }
        this.runner = new AgentRunner(IdleStrategies.fromProperty(IdleStrategies.SHARD_PROPERTY),
            t -> LOG.error("the lobby failed", t), null, door);
        AgentRunner.startOnThread(runner);
        LOG.info("waiting for a job to claim shards {} of {} (server job id {}, lease {}, {})",
            base.servedShards().isEmpty() ? "all" : base.servedShards(), base.job().shards(), base.job().jobId(), lease,
            base.job().channel());
    }

    /** The run served now, or null. */
    public ParameterServer current() {
        return current;
    }

    /** The id of the run served now (valid while {@link #current()} is not null). */
    public long boundRun() {
        return boundRun;
    }

    /** Lobby messages rejected, by reason. */
    public DropCounters drops() {
        return drops;
    }

    @Override
    public void close() {
        CloseHelper.close(runner);
        CloseHelper.closeAll(subscriptions);
        CloseHelper.close(current);
        current = null;
    }

    /** The lobby's agent: takes claims, answers them, starts and stops runs. */
    private final class Door implements org.agrona.concurrent.Agent, InboundValidator.Rules {
        private final JobSpec job = base.job();
        private final MessageCodec driverCodec = new MessageCodec(job.jobId(), job.controlKey(), job.mac());
        private final MessageCodec answerCodec = new MessageCodec(job.jobId(), job.keysOf(job.driverId()).average(), job.mac());
        private final InboundValidator validator = new InboundValidator(driverCodec, MessageHeader.LENGTH + 256, drops);
        private final BoundedReassembler reassembler = new BoundedReassembler(validator, this, 32, true, "the lobby");
        private final UnsafeBuffer out = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
        /** Per driver endpoint: its answers' publication and its outstanding challenge (0: none). */
        private final Map<String, Driver> drivers = new LinkedHashMap<>(16, 0.75f, true);
        private final java.util.Random random = new java.security.SecureRandom();
        private long lastLeaseCheck;

        @Override
        public String roleName() {
            return "paramserver-lobby";
        }

        @Override
        public int doWork() {
            int work = 0;
            for (Subscription sub : subscriptions) {
                work += reassembler.poll(sub, 16);
            }
            // A run whose shard failed stays bound: the launcher sees the failure and exits 1, so that
            // whatever supervises it starts a clean process.
            return work;
        }

        @Override
        public boolean wanted(MessageHeader header) {
            return true;
        }

        @Override
        public DropReason shape(MessageHeader header) {
            if (header.type() != MessageHeader.CLAIM) {
                return DropReason.UNEXPECTED_TYPE;
            }
            int aux = header.aux();
            if (header.workerId() != job.driverId() || aux < MessageHeader.CLAIM_ASK || aux > MessageHeader.CLAIM_RELEASE
                || !Endpoints.valid(header.buffer(), header.payloadOffset(), header.payloadLength())) {
                return DropReason.OUT_OF_RANGE;
            }
            return null;
        }

        @Override
        public MessageCodec verifier(MessageHeader header) {
            return driverCodec;
        }

        @Override
        public DropReason state(MessageHeader header) {
            if (header.aux() == MessageHeader.CLAIM_TAKE) {
                Driver d = drivers.get(Endpoints.of(header));
                if (d == null || d.challenge == 0 || d.challenge != header.byteOffset()) {
                    return DropReason.REPLAYED; // a claim must carry the challenge just given, once
                }
            }
            return null;
        }

        @Override
        public boolean carriesFloats(MessageHeader header) {
            return false;
        }

        @Override
        public void accept(MessageHeader header) {
            String endpoint = Endpoints.of(header);
            Driver d = driver(endpoint);
            long run = header.round();
            switch (header.aux()) {
                case MessageHeader.CLAIM_ASK -> {
                    long challenge;
                    do {
                        challenge = random.nextLong();
                    } while (challenge == 0);
                    d.challenge = challenge;
                    answer(d, MessageHeader.ANSWER_CHALLENGE, challenge, header.byteOffset(), 0);
                }
                case MessageHeader.CLAIM_TAKE -> {
                    long challenge = d.challenge;
                    d.challenge = 0; // used up
                    take(d, run, challenge);
                }
                default -> {
                    if (current != null && boundRun == run) {
                        LOG.info("run {} released the server", Long.toHexString(run));
                        unbind();
                    }
                    // Answered also when not bound (a resent release whose answer got lost).
                    answer(d, MessageHeader.ANSWER_RELEASED, run, header.byteOffset(), 0);
                }
            }
        }

        private void take(Driver d, long run, long challenge) {
            ParameterServer now = current;
            if (now != null && boundRun == run) {
                answer(d, MessageHeader.ANSWER_BOUND, run, challenge, 0);
                return;
            }
            if (now != null) {
                long idleNs = System.nanoTime() - now.lastActivityNanos();
                if (idleNs < lease.toNanos()) {
                    LOG.warn("refused a claim for run {}: serving run {} (last message {} s ago, lease {})", Long.toHexString(run),
                        Long.toHexString(boundRun), idleNs / 1_000_000_000L, lease);
                    answer(d, MessageHeader.ANSWER_REFUSED, boundRun, challenge, (int) Math.min(Integer.MAX_VALUE, idleNs / 1_000_000_000L));
                    return;
                }
                LOG.warn("run {} was silent for {} ms, longer than the lease {}: run {} takes the server", Long.toHexString(boundRun),
                    idleNs / 1_000_000L, lease, Long.toHexString(run));
                unbind();
            }
            ParameterServer server = start.apply(new ServerConfig(job.withJobId(run), base.quorum(), base.roundTimeout(),
                base.aeron(), base.servedShards()));
            boundRun = run;
            current = server;
            LOG.info("serving run {} (shards {} of {})", Long.toHexString(run),
                base.servedShards().isEmpty() ? "all" : base.servedShards(), job.shards());
            answer(d, MessageHeader.ANSWER_BOUND, run, challenge, 0);
        }

        private void unbind() {
            ParameterServer old = current;
            current = null;
            CloseHelper.quietClose(old);
        }

        private Driver driver(String endpoint) {
            Driver d = drivers.get(endpoint);
            if (d == null) {
                if (drivers.size() == MAX_DRIVERS) {
                    var eldest = drivers.entrySet().iterator();
                    CloseHelper.quietClose(eldest.next().getValue().publication);
                    eldest.remove();
                }
                d = new Driver(aeron.addExclusivePublication("aeron:udp?endpoint=" + endpoint, Channel.LOBBY_ANSWER_STREAM));
                drivers.put(endpoint, d);
            }
            return d;
        }

        private void answer(Driver d, int status, long round, long echo, int idleSeconds) {
            MessageHeader.write(out, 0, MessageHeader.CLAIM_ANSWER, job.jobId(), round, echo, MessageHeader.SERVER_SENDER, 0,
                idleSeconds, (int) Math.min(Integer.MAX_VALUE, lease.toSeconds()), 0, status);
            answerCodec.sign(out, null);
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < deadline) {
                long r = d.publication.offer(out, 0, MessageHeader.LENGTH);
                if (r > 0) {
                    return;
                }
                Thread.onSpinWait(); // the driver's answer stream is new: it connects within milliseconds
            }
            LOG.warn("could not answer a claim: the driver's endpoint did not connect");
        }
    }

    /** A driver seen at the lobby: where its answers go, and its outstanding challenge. */
    private static final class Driver {
        final Publication publication;
        long challenge;

        Driver(Publication publication) {
            this.publication = publication;
        }
    }

}
