package io.alexnetspark.paramserver;

import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;

/**
 * The "host:port" endpoints that messages name (a worker's averages endpoint in a HELLO, a driver's
 * answer endpoint in a CLAIM). They become Aeron channel URIs, so nothing but plain host
 * characters and a port may pass: no '|', '?' or '=' that could bend the URI.
 */
final class Endpoints {

    /** Longest endpoint a message may name. */
    static final int MAX_LENGTH = 255;

    private Endpoints() {
    }

    /** Whether bytes {@code [at, at + length)} are "host:port" of plain characters with a port in 1..65535. */
    static boolean valid(DirectBuffer b, int at, int length) {
        if (length < 3 || length > MAX_LENGTH) {
            return false;
        }
        int colon = -1;
        for (int i = 0; i < length; i++) {
            byte c = b.getByte(at + i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                || c == '[' || c == ']' || c == ':';
            if (!plain) {
                return false;
            }
            if (c == ':') {
                colon = i;
            }
        }
        if (colon <= 0 || colon == length - 1) {
            return false;
        }
        int port = 0;
        for (int i = colon + 1; i < length; i++) {
            byte c = b.getByte(at + i);
            if (c < '0' || c > '9' || (port = port * 10 + (c - '0')) > 65535) {
                return false;
            }
        }
        return port > 0;
    }

    /** The endpoint a (shape-checked) message carries as its payload. */
    static String of(MessageHeader header) {
        byte[] bytes = new byte[header.payloadLength()];
        header.buffer().getBytes(header.payloadOffset(), bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
