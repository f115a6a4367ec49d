package io.alexnetspark.bench;

import io.alexnetspark.paramserver.JobKeys;
import io.alexnetspark.paramserver.MacAlgorithm;
import io.alexnetspark.paramserver.MessageCodec;
import io.alexnetspark.paramserver.MessageHeader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What authenticating one round's averages costs per scheme, for the AlexNet vector (249.5 MB in
 * 256 KB chunks), one thread: the ways of letting each of N workers check that an average came
 * from the server and not from another worker (issue 15, finding 6).
 *
 * <ul>
 *   <li>shared: one AES-GCM tag per chunk under one key every worker holds (what IPC does; any
 *       worker could forge);</li>
 *   <li>per-worker: N AES-GCM tags per chunk, one per worker key (what UDP does);</li>
 *   <li>digest: one SHA-256 of the chunk, then N HMAC-SHA256 tags over header + digest;</li>
 *   <li>signature: one Ed25519 signature per chunk (the server's), checked by every worker.</li>
 * </ul>
 *
 * Prints one JSON line per scheme and N: the server's signing time per round and one worker's
 * checking time per round (median of 3 after a warm-up).
 *
 * <pre>java @conf/jvm.options -cp ... io.alexnetspark.bench.AverageAuthCost [floats=62378344] [workers="2 4 8"]</pre>
 */
public final class AverageAuthCost {

    private static final int CHUNK = 256 * 1024;

    private AverageAuthCost() {
    }

    public static void main(String[] args) throws Exception {
        long floats = args.length > 0 ? Long.parseLong(args[0]) : 62_378_344L;
        int[] workers = args.length > 1 ? java.util.Arrays.stream(args[1].trim().split("\\s+")).mapToInt(Integer::parseInt).toArray()
            : new int[] {2, 4, 8};
        int chunks = (int) ((floats * 4 + CHUNK - 1) / CHUNK);
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        byte[] bytes = new byte[CHUNK];
        new Random(1).nextBytes(bytes);
        chunk.put(bytes).flip();
        byte[] secret = new byte[32];
        new Random(2).nextBytes(secret);
        int maxN = java.util.Arrays.stream(workers).max().orElse(8);
        MessageCodec[] perWorker = new MessageCodec[maxN];
        Mac[] hmacs = new Mac[maxN];
        for (int w = 0; w < maxN; w++) {
            perWorker[w] = new MessageCodec(1, JobKeys.average(secret, 1, w), MacAlgorithm.AES_GCM);
            hmacs[w] = Mac.getInstance("HmacSHA256");
            hmacs[w].init(new SecretKeySpec(JobKeys.average(secret, 1, w), "HmacSHA256"));
        }
        UnsafeBuffer header = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
        UnsafeBuffer message = new UnsafeBuffer(new byte[MessageHeader.LENGTH + CHUNK]);
        MessageHeader.write(header, 0, MessageHeader.AVERAGE, 1, 0, 0, -1, 0, 0, chunks, CHUNK, 2);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Signature signer = Signature.getInstance("Ed25519");
        Signature verifier = Signature.getInstance("Ed25519");
        org.agrona.concurrent.UnsafeBuffer payload = new UnsafeBuffer(bytes);
        message.putBytes(MessageHeader.LENGTH, payload, 0, CHUNK);
        byte[] signature = null;
        for (int n : workers) {
            for (String scheme : new String[] {"shared", "per-worker", "digest", "signature"}) {
                double[] sign = new double[3];
                double[] check = new double[3];
                for (int rep = -1; rep < 3; rep++) {
                    long t0 = System.nanoTime();
                    for (int c = 0; c < chunks; c++) {
                        switch (scheme) {
                            case "shared" -> perWorker[0].sign(header, chunk);
                            case "per-worker" -> {
                                for (int w = 0; w < n; w++) {
                                    perWorker[w].sign(header, chunk);
                                }
                            }
                            case "digest" -> {
                                byte[] d = sha.digest(bytes);
                                for (int w = 0; w < n; w++) {
                                    hmacs[w].update(header.byteArray(), 0, 64);
                                    hmacs[w].update(d);
                                    hmacs[w].doFinal();
                                }
                            }
                            default -> {
                                signer.initSign(pair.getPrivate());
                                signer.update(bytes);
                                signature = signer.sign();
                            }
                        }
                    }
                    long t1 = System.nanoTime();
                    for (int c = 0; c < chunks; c++) {
                        switch (scheme) {
                            case "shared", "per-worker" -> {
                                message.putBytes(0, header, 0, MessageHeader.LENGTH);
                                MessageHeader h = new MessageHeader().wrap(message, 0);
                                perWorker[0].checkIntegrity(message, 0, h);
                            }
                            case "digest" -> {
                                byte[] d = sha.digest(bytes);
                                hmacs[0].update(header.byteArray(), 0, 64);
                                hmacs[0].update(d);
                                hmacs[0].doFinal();
                            }
                            default -> {
                                verifier.initVerify(pair.getPublic());
                                verifier.update(bytes);
                                verifier.verify(signature);
                            }
                        }
                    }
                    long t2 = System.nanoTime();
                    if (rep >= 0) {
                        sign[rep] = (t1 - t0) / 1e6;
                        check[rep] = (t2 - t1) / 1e6;
                    }
                }
                java.util.Arrays.sort(sign);
                java.util.Arrays.sort(check);
                System.out.printf(java.util.Locale.ROOT, "{\"bench\": \"average-auth\", \"scheme\": \"%s\", \"workers\": %d, \"chunks\": %d, "
                    + "\"server_sign_ms_per_round\": %.1f, \"worker_check_ms_per_round\": %.1f}%n", scheme, n, chunks, sign[1], check[1]);
            }
        }
    }
}
