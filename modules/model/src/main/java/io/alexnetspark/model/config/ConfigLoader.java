package io.alexnetspark.model.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads the job's configuration: the defaults (conf/alexnet.conf, packed into this jar), then an
 * optional user file, then {@code key=value} overrides, each taking precedence over the one before.
 * Keys that are not in the defaults are rejected, so a typo never silently falls back to a default.
 */
public final class ConfigLoader {

    /** Classpath location of the packed defaults (a copy of conf/alexnet.conf). */
    public static final String DEFAULTS_RESOURCE = "io/alexnetspark/alexnet.conf";

    private final Config defaults;

    public ConfigLoader() {
        this(ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), DEFAULTS_RESOURCE,
                ConfigParseOptions.defaults().setAllowMissing(false)));
    }

    /** A loader over other defaults (tests). */
    public ConfigLoader(Config defaults) {
        this.defaults = defaults.resolve();
    }

    public Config defaults() {
        return defaults;
    }

    /**
     * The effective configuration.
     *
     * @param userFile  a HOCON file whose keys override the defaults, if given
     * @param overrides {@code key=value} strings (HOCON values), applied last
     * @throws InvalidConfigException naming the first bad key
     */
    public Config load(Optional<Path> userFile, List<String> overrides) {
        Config user = ConfigFactory.empty();
        for (int i = overrides.size() - 1; i >= 0; i--) {
            user = user.withFallback(parseOverride(overrides.get(i)));
        }
        if (userFile.isPresent()) {
            Path file = userFile.get();
            if (!Files.isRegularFile(file)) {
                throw new InvalidConfigException("--config", "no such file: " + file);
            }
            try {
                user = user.withFallback(ConfigFactory.parseFile(file.toFile(),
                        ConfigParseOptions.defaults().setAllowMissing(false)));
            } catch (ConfigException e) {
                throw new InvalidConfigException(e.origin() == null ? "--config" : e.origin().description(),
                        "cannot parse " + file + ": " + e.getMessage());
            }
        }
        rejectUnknownKeys(user);
        try {
            return user.withFallback(defaults).resolve();
        } catch (ConfigException e) {
            throw new InvalidConfigException("(substitution)", e.getMessage());
        }
    }

    /** Loads and validates into typed settings. */
    public JobSettings loadSettings(Optional<Path> userFile, List<String> overrides) {
        return JobSettings.from(load(userFile, overrides));
    }

    private static Config parseOverride(String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new InvalidConfigException(override, "an override must look like key=value");
        }
        String key = override.substring(0, eq).trim();
        String value = override.substring(eq + 1).trim();
        try {
            return ConfigFactory.parseString(key + " = " + value,
                    ConfigParseOptions.defaults().setOriginDescription("--set " + key));
        } catch (ConfigException notHocon) {
            // A URI such as hdfs://nn:8020/runs is not a valid unquoted HOCON value: take it as the
            // string it obviously is, rather than make people quote it twice on a command line.
            try {
                return ConfigFactory.empty().withValue(key, ConfigValueFactory.fromAnyRef(value, "--set " + key));
            } catch (ConfigException e) {
                throw new InvalidConfigException(key, "cannot parse '" + key + "=" + value + "': " + e.getMessage());
            }
        }
    }

    private void rejectUnknownKeys(Config user) {
        for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
            String key = e.getKey();
            if (!defaults.hasPathOrNull(key)) {
                String where = e.getValue().origin() == null ? "" : " (" + e.getValue().origin().description() + ")";
                throw new InvalidConfigException(key, "unknown key" + where + suggestion(key));
            }
        }
    }

    private String suggestion(String key) {
        List<String> known = new ArrayList<>(defaults.entrySet().stream().map(Map.Entry::getKey).toList());
        known.sort(Comparator.comparingInt(k -> editDistance(k, key)));
        if (!known.isEmpty() && editDistance(known.get(0), key) <= Math.max(2, key.length() / 4)) {
            return "; did you mean '" + known.get(0) + "'?";
        }
        return "";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
