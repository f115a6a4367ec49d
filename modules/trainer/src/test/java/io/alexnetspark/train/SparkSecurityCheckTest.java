package io.alexnetspark.train;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class SparkSecurityCheckTest {

    private static final String STANDALONE = "spark://10.0.0.1:7077";

    /** Settings as spark-submit would pass them, without the system properties of this JVM. */
    private static SparkConf spark(String master, String... keyValues) {
        SparkConf conf = new SparkConf(false).setMaster(master);
        for (int i = 0; i < keyValues.length; i += 2) {
            conf.set(keyValues[i], keyValues[i + 1]);
        }
        return conf;
    }

    /** The check's refusal of {@code spark}; fails the test when it passes or throws something else. */
    private static UnprotectedClusterException refused(SparkConf spark, boolean networkTrusted) {
        Throwable thrown = catchThrowable(() -> SparkSecurityCheck.check(spark, networkTrusted));
        assertThat(thrown).isInstanceOf(UnprotectedClusterException.class);
        return (UnprotectedClusterException) thrown;
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "local[2]", "local[*]", "local[4,3]", "local[*, 2]"})
    void aLocalMasterPassesWithoutAnySetting(String master) {
        assertThat(SparkSecurityCheck.check(spark(master), false)).isEqualTo(SparkSecurityCheck.Outcome.LOCAL_MASTER);
    }

    @Test
    void aClusterMasterWithoutThemIsRefusedNamingTheSettingsWhyAndTheWaysOut() {
        UnprotectedClusterException e = refused(spark(STANDALONE), false);
        assertThat(e.missingSettings()).containsExactly("spark.authenticate", "spark.network.crypto.enabled");
        assertThat(e.getMessage())
                .startsWith("refusing to train on " + STANDALONE + ": spark.authenticate and spark.network.crypto.enabled"
                        + " are not true")
                .contains("The parameter server's secret and the model travel inside Spark tasks")
                .contains("read them or pose as the driver")
                // The two ways out, the first with what a standalone cluster needs for its secret.
                .contains("set spark.authenticate and spark.network.crypto.enabled to true")
                .contains("spark.authenticate.secret, the same on the Master, every Worker and the application")
                .contains("ALEXNET_SPARK_PROPERTIES")
                .endsWith("Or, if this network is trusted, set job.network-trusted = true");
    }

    @Test
    void oneSettingOffIsNamedAlone() {
        UnprotectedClusterException e = refused(spark("yarn", "spark.authenticate", "true",
                "spark.network.crypto.enabled", "false"), false);
        assertThat(e.missingSettings()).containsExactly("spark.network.crypto.enabled");
        assertThat(e.getMessage()).contains("yarn: spark.network.crypto.enabled is not true")
                .contains("YARN needs nothing more: the driver generates the secret per application");
    }

    @Test
    void localClusterIsAClusterMaster() {
        // Its executors are separate JVMs reached over TCP, as on a standalone cluster.
        assertThat(refused(spark("local-cluster[2,1,1024]"), false).missingSettings()).hasSize(2);
    }

    @Test
    void withBothOnItPasses() {
        assertThat(SparkSecurityCheck.check(spark("yarn", "spark.authenticate", "true",
                "spark.network.crypto.enabled", "true"), false)).isEqualTo(SparkSecurityCheck.Outcome.PROTECTED);
        assertThat(SparkSecurityCheck.check(spark("k8s://https://api:6443", "spark.authenticate", "TRUE",
                "spark.network.crypto.enabled", " true "), false)).isEqualTo(SparkSecurityCheck.Outcome.PROTECTED);
        assertThat(SparkSecurityCheck.check(spark(STANDALONE, "spark.authenticate", "true",
                "spark.network.crypto.enabled", "true", "spark.authenticate.secret", "s3cret"), false))
                .isEqualTo(SparkSecurityCheck.Outcome.PROTECTED);
    }

    @Test
    void withTheTrustedKeyItPasses() {
        assertThat(SparkSecurityCheck.check(spark(STANDALONE), true)).isEqualTo(SparkSecurityCheck.Outcome.TRUSTED_NETWORK);
        assertThat(SparkSecurityCheck.check(spark("yarn", "spark.network.crypto.enabled", "true"), true))
                .isEqualTo(SparkSecurityCheck.Outcome.TRUSTED_NETWORK);
    }

    @Test
    void authenticationWithoutASecretOnStandaloneIsRefusedEvenOnATrustedNetwork() {
        // Spark would refuse it too, later and with a bare stack trace.
        for (boolean trusted : new boolean[] {false, true}) {
            UnprotectedClusterException e = refused(spark(STANDALONE,
                    "spark.authenticate", "true", "spark.network.crypto.enabled", "true"), trusted);
            assertThat(e.missingSettings()).containsExactly("spark.authenticate.secret");
            assertThat(e.getMessage()).contains("spark.authenticate.secret is not set")
                    .contains("the same on the Master, every Worker and the application")
                    .contains("set spark.authenticate=false and job.network-trusted = true");
        }
    }
}
