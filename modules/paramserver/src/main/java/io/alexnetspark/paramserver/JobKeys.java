package io.alexnetspark.paramserver;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys of one job run, derived from the job's secret with HKDF-SHA256 (RFC 5869), salted with
 * the job id, one per purpose:
 *
 * <ul>
 *   <li>{@code push w}: worker {@code w}'s pushes and requests (only {@code w} and the server hold it);</li>
 *   <li>{@code average w}: the averages and answers the server sends to worker {@code w};</li>
 *   <li>{@code control}: what only the job's driver may send (SEED: replacing the server's model);</li>
 *   <li>{@code shared}: one key for the server and every worker, where all of them run in one
 *       process of one user anyway (IPC), so per-worker keys would protect nothing.</li>
 * </ul>
 *
 * A worker's task carries only its own two keys ({@link JobSpec#forWorker}), never the secret: it
 * can neither push as another worker nor forge an average another worker accepts. Keys of another
 * job id are unrelated, so messages recorded in another run fail their MAC.
 */
public final class JobKeys {

    /** Bytes of every derived key. */
    public static final int KEY_BYTES = 32;
    private static final String HMAC = "HmacSHA256";

    private JobKeys() {
    }

    public static byte[] push(byte[] secret, long jobId, int worker) {
        return derive(secret, jobId, "push " + worker);
    }

    public static byte[] average(byte[] secret, long jobId, int worker) {
        return derive(secret, jobId, "average " + worker);
    }

    public static byte[] control(byte[] secret, long jobId) {
        return derive(secret, jobId, "control");
    }

    public static byte[] shared(byte[] secret, long jobId) {
        return derive(secret, jobId, "shared");
    }

    /** HKDF-SHA256: extract with the job id as salt, then expand one block for {@code purpose}. */
    static byte[] derive(byte[] secret, long jobId, String purpose) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(ByteBuffer.allocate(8).putLong(jobId).array(), HMAC));
            byte[] prk = mac.doFinal(secret);
            mac.init(new SecretKeySpec(prk, HMAC));
            Arrays.fill(prk, (byte) 0);
            mac.update(("alexnet-paramserver v2 " + purpose).getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) 1);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(HMAC + " unavailable", e);
        }
    }
}
