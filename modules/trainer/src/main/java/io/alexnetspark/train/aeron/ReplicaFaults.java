package io.alexnetspark.train.aeron;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Faults a test makes a replica produce: TEST-ONLY, read from the JVM system property
 * {@value #PROPERTY} of the JVM the replica runs in (the tests' own JVM under a local master), never
 * from the job's configuration. Entries are separated by {@code ;}, each {@code kind@key=value,...}:
 * <ul>
 *   <li>{@code fail@worker=W,epoch=E,round=R,attempt=A}: the replica throws after training the
 *       mini-batches of round R (1-based, counted from the epoch's start) of epoch E (1-based) in attempt A</li>
 *   <li>{@code nan@worker=W,epoch=E,round=R}: its parameters become NaN before it pushes round R
 *       ({@code worker=*}: every replica)</li>
 *   <li>{@code slow@worker=W,ms=M}: it sleeps M ms after each mini-batch</li>
 * </ul>
 */
final class ReplicaFaults {

    static final String PROPERTY = "alexnet.test.replica-faults";

    private record Fault(String kind, Map<String, String> keys) {
        boolean matches(String key, long value) {
            String v = keys.get(key);
            return v == null || v.equals("*") || Long.parseLong(v) == value;
        }
    }

    private final List<Fault> faults;

    private ReplicaFaults(List<Fault> faults) {
        this.faults = faults;
    }

    static ReplicaFaults fromSystemProperty() {
        String spec = System.getProperty(PROPERTY, "");
        List<Fault> faults = new ArrayList<>();
        for (String entry : spec.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] kindAndKeys = entry.strip().split("@", 2);
            Map<String, String> keys = new HashMap<>();
            if (kindAndKeys.length > 1) {
                for (String kv : kindAndKeys[1].split(",")) {
                    String[] p = kv.split("=", 2);
                    keys.put(p[0].strip(), p.length > 1 ? p[1].strip() : "");
                }
            }
            faults.add(new Fault(kindAndKeys[0].strip(), keys));
        }
        return new ReplicaFaults(List.copyOf(faults));
    }

    boolean fail(int worker, int epoch, int round, int attempt) {
        return faults.stream().anyMatch(f -> f.kind().equals("fail") && f.matches("worker", worker)
                && f.matches("epoch", epoch + 1L) && f.matches("round", round) && f.matches("attempt", attempt));
    }

    boolean nan(int worker, int epoch, int round) {
        return faults.stream().anyMatch(f -> f.kind().equals("nan") && f.matches("worker", worker)
                && f.matches("epoch", epoch + 1L) && f.matches("round", round));
    }

    long slowMillis(int worker) {
        return faults.stream().filter(f -> f.kind().equals("slow") && f.matches("worker", worker))
                .mapToLong(f -> Long.parseLong(f.keys().getOrDefault("ms", "0"))).max().orElse(0);
    }
}
