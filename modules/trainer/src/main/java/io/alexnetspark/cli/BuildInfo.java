package io.alexnetspark.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Versions this build was made with (filtered from the POM) and what is on the classpath at run time. */
final class BuildInfo {

    private final Properties build;

    BuildInfo() {
        build = load("io/alexnetspark/build.properties");
    }

    String get(String key) {
        return build.getProperty(key, "?");
    }

    /** The Spark version found on the classpath, or null when Spark is not there. */
    static String runtimeSpark() {
        return load("spark-version-info.properties").getProperty("version");
    }

    /** The Hadoop version found on the classpath, or null when Hadoop is not there. */
    static String runtimeHadoop() {
        return load("common-version-info.properties").getProperty("version");
    }

    private static Properties load(String resource) {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getClassLoader().getResourceAsStream(resource)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        return p;
    }

    /** picocli's --version. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"alexnet-spark " + new BuildInfo().get("version")};
        }
    }
}
