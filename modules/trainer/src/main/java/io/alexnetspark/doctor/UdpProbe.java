package io.alexnetspark.doctor;

import java.io.IOException;
import java.io.Serializable;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends probes to a {@link UdpEcho} from a given local address and waits for the answer: whether
 * the port is reachable both ways (the answer comes back to an ephemeral port, as the parameter
 * server's averages do), the round trip, and the other host's clock offset, NTP-style (its clock
 * minus the middle of the round trip, uncertain by half the round trip).
 */
public final class UdpProbe {

    /** An answered probe. */
    public record Answer(String target, double rttMillis, long clockOffsetMillis) implements Serializable {
        /** How far off the offset may be: half the round trip. */
        public double offsetUncertaintyMillis() {
            return rttMillis / 2;
        }
    }

    private UdpProbe() {
    }

    /**
     * Probes {@code host:port} from {@code bindHost} (an ephemeral port there): {@code attempts}
     * probes, each waiting up to {@code wait}; the answer with the shortest round trip.
     *
     * @return empty when no probe was answered
     */
    public static Optional<Answer> probe(String bindHost, String host, int port, int attempts, Duration wait) throws IOException {
        Answer best = null;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(bindHost, 0))) {
            socket.setSoTimeout(Math.toIntExact(Math.max(1, wait.toMillis())));
            InetSocketAddress target = new InetSocketAddress(host, port);
            byte[] in = new byte[64];
            for (int a = 0; a < attempts; a++) {
                long nonce = ThreadLocalRandom.current().nextLong();
                byte[] out = ByteBuffer.allocate(UdpEcho.PROBE_BYTES).putInt(UdpEcho.MAGIC).putLong(nonce).array();
                long sentNanos = System.nanoTime();
                long sentMillis = System.currentTimeMillis();
                socket.send(new DatagramPacket(out, out.length, target));
                long deadline = sentNanos + wait.toNanos();
                while (System.nanoTime() < deadline) {
                    DatagramPacket packet = new DatagramPacket(in, in.length);
                    try {
                        socket.receive(packet);
                    } catch (SocketTimeoutException e) {
                        break;
                    }
                    ByteBuffer answer = ByteBuffer.wrap(in, 0, packet.getLength());
                    if (packet.getLength() != UdpEcho.ANSWER_BYTES || answer.getInt() != UdpEcho.MAGIC || answer.getLong() != nonce) {
                        continue; // late answer to an earlier probe, or not ours
                    }
                    long remoteMillis = answer.getLong();
                    double rtt = (System.nanoTime() - sentNanos) / 1e6;
                    long offset = Math.round(remoteMillis - (sentMillis + rtt / 2));
                    if (best == null || rtt < best.rttMillis()) {
                        best = new Answer(host + ":" + port, rtt, offset);
                    }
                    break;
                }
            }
        }
        return Optional.ofNullable(best);
    }
}
