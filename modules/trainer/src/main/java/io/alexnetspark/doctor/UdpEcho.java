package io.alexnetspark.doctor;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;

/**
 * Answers probes on one UDP port: what {@code doctor --cluster} binds where the parameter server
 * will listen, so that an executor can tell whether it reaches that port, and how far its clock is
 * from this host's. Each answer repeats the probe's nonce and adds this host's wall clock. The
 * socket is bound on the same address and port the server's Aeron subscription takes, so a port in
 * use or an address this host does not have fails here, as it would for the job.
 */
public final class UdpEcho implements AutoCloseable {

    /** A probe: magic, nonce. An answer: magic, nonce, wall-clock milliseconds. */
    static final int MAGIC = 0x41584e44; // "AXND"
    static final int PROBE_BYTES = 12;
    static final int ANSWER_BYTES = 20;

    private final DatagramSocket socket;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * Binds {@code host:port} (port 0: any free one) and answers in a daemon thread until closed.
     *
     * @throws SocketException when the address is not this host's or the port is taken
     */
    public UdpEcho(String host, int port) throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(host, port));
        socket.setSoTimeout(200);
        thread = new Thread(this::answer, "doctor-udp-echo-" + socket.getLocalPort());
        thread.setDaemon(true);
        thread.start();
    }

    /** The bound port (the one asked for, or the free one chosen for 0). */
    public int port() {
        return socket.getLocalPort();
    }

    private void answer() {
        byte[] in = new byte[64];
        DatagramPacket packet = new DatagramPacket(in, in.length);
        while (!closed) {
            try {
                packet.setLength(in.length);
                socket.receive(packet);
                ByteBuffer probe = ByteBuffer.wrap(in, 0, packet.getLength());
                if (packet.getLength() != PROBE_BYTES || probe.getInt() != MAGIC) {
                    continue; // not ours: the port may be shared with nothing, but never trust what arrives
                }
                long nonce = probe.getLong();
                byte[] out = ByteBuffer.allocate(ANSWER_BYTES).putInt(MAGIC).putLong(nonce).putLong(System.currentTimeMillis()).array();
                socket.send(new DatagramPacket(out, out.length, packet.getSocketAddress()));
            } catch (IOException e) {
                // A time-out (look at closed again), the socket closed, or one failed send: the loop
                // ends when closed, and otherwise answers the next probe.
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
