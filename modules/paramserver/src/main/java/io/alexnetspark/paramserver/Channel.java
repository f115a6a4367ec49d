package io.alexnetspark.paramserver;

import java.util.List;
import java.util.Objects;

/**
 * Where the server's shards listen and how the streams are shaped.
 *
 * <p>Per shard {@code s} there are two kinds of streams. Pushes and requests go worker to server on
 * stream {@code 1000 + s}; with UDP to the server's {@code host:basePort + 2s}. Averages go server
 * to workers on stream {@code 2000 + s}: with UDP one stream per worker, to the endpoint the worker
 * named in its authenticated HELLO (no host can join by itself, and each stream is signed with its
 * worker's key); with IPC one publication every local subscription reads. Port
 * {@code basePort + 2s + 1} is a dedicated server's lobby ({@link #lobbyChannel}: claims for a run).
 *
 * <p>Shards may live on several hosts ({@link #withShardHosts}): shard {@code s} then listens on
 * {@code shardHosts[s]:basePort + 2s} (and {@code + 1}), served by whichever process was told to
 * serve it ({@link ServerConfig#servedShards()}); workers reach each shard at its own host. Each
 * shard keeps its own port pair, so several shards can share a host, and one process can serve any
 * subset of them.
 *
 * @param transport  IPC (one host) or UDP
 * @param host       the address the server binds (UDP); never a wildcard
 * @param basePort   first of the {@code 2 * shards} consecutive UDP ports
 * @param mtu        Aeron MTU; 65504 keeps a 64 KB UDP datagram on loopback
 * @param termLength publication term length (power of two); the largest message is term / 8
 * @param shardHosts UDP: the host of each shard (empty: every shard on {@code host}); never wildcards
 */
public record Channel(Transport transport, String host, int basePort, int mtu, int termLength, List<String> shardHosts)
    implements java.io.Serializable {

    /** The two transports. */
    public enum Transport { IPC, UDP }

    public static final int PUSH_STREAM_BASE = 1000;
    public static final int AVERAGE_STREAM_BASE = 2000;
    /** 64 MB terms: largest message 8 MB. */
    public static final int DEFAULT_TERM_LENGTH = 64 * 1024 * 1024;
    public static final int DEFAULT_MTU = 65504;

    /** Every shard on {@code host}. */
    public Channel(Transport transport, String host, int basePort, int mtu, int termLength) {
        this(transport, host, basePort, mtu, termLength, List.of());
    }

    public Channel {
        Objects.requireNonNull(transport, "transport");
        shardHosts = shardHosts == null ? List.of() : List.copyOf(shardHosts);
        if (transport == Transport.IPC && !shardHosts.isEmpty()) {
            throw new IllegalArgumentException("IPC shards all live on this host: shard hosts are for UDP");
        }
        if (transport == Transport.UDP) {
            Objects.requireNonNull(host, "host");
            requireConcrete(host);
            shardHosts.forEach(Channel::requireConcrete);
            if (basePort < 1 || basePort > 65535) {
                throw new IllegalArgumentException("base port out of range: " + basePort);
            }
        }
        if (Integer.bitCount(termLength) != 1 || termLength < 64 * 1024) {
            throw new IllegalArgumentException("term length must be a power of two >= 64 KB, got " + termLength);
        }
        if (mtu < 1408 || mtu > 65504 || mtu % 32 != 0) {
            throw new IllegalArgumentException("mtu must be a multiple of 32 in [1408, 65504], got " + mtu);
        }
    }

    private static void requireConcrete(String host) {
        if (host.equals("0.0.0.0") || host.equals("::") || host.isBlank()) {
            throw new IllegalArgumentException("bind a concrete interface, not '" + host + "'");
        }
    }

    /** IPC on one host, 64 MB terms. */
    public static Channel ipc() {
        return new Channel(Transport.IPC, null, 0, DEFAULT_MTU, DEFAULT_TERM_LENGTH);
    }

    /** UDP with the server on {@code host:basePort..}, 64 MB terms, MTU 65504. */
    public static Channel udp(String host, int basePort) {
        return new Channel(Transport.UDP, host, basePort, DEFAULT_MTU, DEFAULT_TERM_LENGTH);
    }

    /** The same channel with another term length (smaller terms for small vectors save memory). */
    public Channel withTermLength(int length) {
        return new Channel(transport, host, basePort, mtu, length, shardHosts);
    }

    /** The same channel with shard {@code s} on {@code hosts.get(s)} (UDP; one host per shard). */
    public Channel withShardHosts(List<String> hosts) {
        return new Channel(transport, host, basePort, mtu, termLength, hosts);
    }

    /** The host shard {@code s} listens on (UDP). */
    public String hostOf(int shard) {
        return shardHosts.isEmpty() ? host : shardHosts.get(shard);
    }

    public int ports(int shards) {
        return transport == Transport.UDP ? 2 * shards : 0;
    }

    public int pushStreamId(int shard) {
        return PUSH_STREAM_BASE + shard;
    }

    public int averageStreamId(int shard) {
        return AVERAGE_STREAM_BASE + shard;
    }

    /** A dedicated server's lobby stream for shard {@code s} (claims), and the stream its answers come back on. */
    public static final int LOBBY_STREAM_BASE = 3000;
    public static final int LOBBY_ANSWER_STREAM = 3999;

    /** UDP: where the process serving shard {@code s} takes claims: {@code hostOf(s):basePort + 2s + 1}. */
    public String lobbyChannel(int shard) {
        if (transport != Transport.UDP) {
            throw new IllegalStateException("a dedicated server's lobby is over UDP");
        }
        return "aeron:udp?endpoint=" + hostOf(shard) + ":" + (basePort + 2 * shard + 1);
    }

    /** Server side: the subscription receiving pushes for a shard. */
    public String serverPushChannel(int shard) {
        return transport == Transport.IPC ? "aeron:ipc" : "aeron:udp?endpoint=" + hostOf(shard) + ":" + (basePort + 2 * shard);
    }

    /**
     * Worker side: the publication sending pushes to a shard.
     *
     * @param bindHost the worker's own interface (UDP): the sending socket binds there, not to the wildcard
     */
    public String workerPushChannel(int shard, String bindHost) {
        String shape = "mtu=" + mtu + "|term-length=" + termLength;
        return transport == Transport.IPC
            ? "aeron:ipc?" + shape
            : "aeron:udp?endpoint=" + hostOf(shard) + ":" + (basePort + 2 * shard) + "|interface=" + bindHost + "|" + shape;
    }

    /** Server side, IPC: the publication sending a shard's averages to every local worker. */
    public String serverAverageChannel(int shard) {
        if (transport != Transport.IPC) {
            throw new IllegalStateException("over UDP each worker has a stream of its own (see AverageSender)");
        }
        return "aeron:ipc?mtu=" + mtu + "|term-length=" + termLength;
    }

    /**
     * Worker side: the subscription receiving a shard's averages. Over UDP on an ephemeral port of
     * the worker's interface, which the worker names to the shard in an authenticated HELLO; the
     * shard then opens a stream to it (see {@code AverageSender}). Nobody else can join.
     *
     * @param bindHost the worker's own interface (UDP)
     */
    public String workerAverageChannel(int shard, String bindHost) {
        return transport == Transport.IPC ? "aeron:ipc" : "aeron:udp?endpoint=" + bindHost + ":0";
    }
}
