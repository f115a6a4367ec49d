package io.alexnetspark.train;

import org.apache.spark.SparkConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Refuses to start training on a cluster master when Spark's own traffic is not both
 * authenticated and encrypted, unless the configuration says the network is trusted.
 *
 * <p>Why: the parameter server's job secret and the model's parameters go to the executors inside
 * Spark tasks and broadcasts. Spark neither authenticates nor encrypts that traffic by default, so
 * any host that reaches the driver's or executors' ports could read the secret (and then forge or
 * read the parameter server's messages) or pose as the driver. {@code spark.authenticate} and
 * {@code spark.network.crypto.enabled} close that; {@code conf/spark-defaults.conf} turns both on.
 *
 * <p>Which masters: Spark's in-process ones ({@code local}, {@code local[N]}, {@code local[*]},
 * {@code local[N,F]}) pass without any setting, because their tasks never leave the driver's JVM.
 * Every other master is a cluster master, {@code local-cluster[..]} included: its executors are
 * separate JVMs reached over TCP, like a standalone cluster's.
 *
 * <p>Spark itself refuses {@code spark.authenticate} without {@code spark.authenticate.secret} on a
 * master for which it does not generate a secret (all but YARN, Kubernetes and the local ones),
 * with a bare stack trace; this check says it first, in words, whatever {@code job.network-trusted}.
 */
public final class SparkSecurityCheck {

    /** The configuration key that states the network between driver and executors is trusted. */
    public static final String NETWORK_TRUSTED_KEY = "job.network-trusted";

    static final String AUTHENTICATE = "spark.authenticate";
    static final String CRYPTO = "spark.network.crypto.enabled";
    static final String SECRET = "spark.authenticate.secret";

    private static final Logger LOG = LoggerFactory.getLogger(SparkSecurityCheck.class);

    /** How the application gets a secret without a command line that every user of the host can read. */
    private static final String SUBMIT_SECRET_HINT = "deploy/bin/submit reads it from the chmod 600 properties file "
            + "that ALEXNET_SPARK_PROPERTIES names, off the command line";

    /** Spark's in-process masters, as its SparkMasterRegex matches them ("local" alone is matched apart). */
    private static final Pattern IN_PROCESS = Pattern.compile("local(\\[([0-9]+|\\*)(\\s*,\\s*[0-9]+)?])?");

    /** Why a run may start. */
    public enum Outcome {
        /** The tasks stay in the driver's JVM. */
        LOCAL_MASTER,
        /** Spark authenticates and encrypts its traffic. */
        PROTECTED,
        /** Unprotected, but {@code job.network-trusted} says the network is trusted (logged as a warning). */
        TRUSTED_NETWORK
    }

    private SparkSecurityCheck() {
    }

    /**
     * Decides whether a run on {@code spark} may start.
     *
     * @param spark          the Spark settings the run's context has (or will be created with),
     *                       {@code spark.master} included
     * @param networkTrusted {@code job.network-trusted}
     * @throws UnprotectedClusterException on a cluster master with {@code spark.authenticate} or
     *                                     {@code spark.network.crypto.enabled} not true and the network
     *                                     not declared trusted, or with authentication on but no secret
     *                                     where Spark needs one configured
     */
    public static Outcome check(SparkConf spark, boolean networkTrusted) {
        String master = spark.get("spark.master", "");
        if (IN_PROCESS.matcher(master).matches()) {
            return Outcome.LOCAL_MASTER;
        }
        if (isOn(spark, AUTHENTICATE) && !spark.contains(SECRET) && !generatesSecret(master)) {
            throw new UnprotectedClusterException(List.of(SECRET), "refusing to train on " + master + ": "
                    + AUTHENTICATE + " is true but " + SECRET + " is not set, and Spark generates a secret only on "
                    + "YARN, Kubernetes and local masters. Set " + SECRET + ", the same on " + secretHolders(master)
                    + ": " + SUBMIT_SECRET_HINT + ". Or, on a network you trust, set " + AUTHENTICATE
                    + "=false and " + NETWORK_TRUSTED_KEY + " = true");
        }
        List<String> off = new ArrayList<>();
        for (String key : List.of(AUTHENTICATE, CRYPTO)) {
            if (!isOn(spark, key)) {
                off.add(key);
            }
        }
        if (off.isEmpty()) {
            return Outcome.PROTECTED;
        }
        String offText = String.join(" and ", off) + (off.size() == 1 ? " is" : " are") + " not true";
        if (networkTrusted) {
            LOG.warn("{} = true: training on {} although {}; the parameter server's secret and the model cross the "
                    + "network to the executors unprotected", NETWORK_TRUSTED_KEY, master, offText);
            return Outcome.TRUSTED_NETWORK;
        }
        throw new UnprotectedClusterException(off, "refusing to train on " + master + ": " + offText + ". The parameter "
                + "server's secret and the model travel inside Spark tasks and broadcasts to the executors; without "
                + "Spark's authentication and encryption any host that reaches the driver's or executors' ports can read "
                + "them or pose as the driver. Either set " + AUTHENTICATE + " and " + CRYPTO + " to true "
                + "(conf/spark-defaults.conf, which deploy/bin/submit passes, does); " + secretNeeds(master)
                + ". Or, if this network is trusted, set " + NETWORK_TRUSTED_KEY + " = true");
    }

    /** What the cluster manager needs beside the two settings: a secret of its own making, or one configured. */
    private static String secretNeeds(String master) {
        if (master.equals("yarn")) {
            return "YARN needs nothing more: the driver generates the secret per application";
        }
        if (master.startsWith("k8s://")) {
            return "Kubernetes needs nothing more: the driver generates the secret per application";
        }
        String where = master.startsWith("spark://") ? "a standalone cluster" : "this master";
        return where + " also needs " + SECRET + ", the same on " + secretHolders(master) + ": " + SUBMIT_SECRET_HINT;
    }

    /** Who must hold the one configured secret: the cluster's daemons hand theirs to the executors they start. */
    private static String secretHolders(String master) {
        return master.startsWith("spark://") ? "the Master, every Worker and the application"
                : "every daemon of the cluster and the application";
    }

    /** Masters for which Spark's SecurityManager makes the secret itself (the local ones are handled before). */
    private static boolean generatesSecret(String master) {
        return master.equals("yarn") || master.startsWith("k8s://");
    }

    /** As Spark reads its boolean settings (trimmed, either case); absent is off, Spark's default. */
    private static boolean isOn(SparkConf spark, String key) {
        return spark.get(key, "false").trim().equalsIgnoreCase("true");
    }
}
