package com.silknote.sync.examples.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.model.AlertThresholds;
import com.silknote.sync.core.model.SyncConfig;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Issue 13 (fuzzing): the configuration parser under arbitrary files, environments and command-line values.
 * It either returns settings whose numbers are all real (no NaN or infinity slipped past a range check) or
 * throws a {@link ConfigurationException}, never anything else; and a secret's value never shows in the
 * error (its whole cause chain), in {@code toString()} or in {@code describe()}. The secret is a canary this
 * test plants where the input says {@code @SECRET@}, so the fuzzer cannot make a message "contain" it by
 * chance. Committed inputs replay in the test command; {@code docs/quality.md} tells how to fuzz.
 */
class VsrxSyncConfigFileFuzzTest {
    static final String MARKER = "@SECRET@";
    static final String CANARY = "Cq7-canary-secret-Zx4";
    private static final Path FILE = tempFile();

    private static Path tempFile() {
        try {
            Path f = Files.createTempFile("vsrx-sync-fuzz", ".properties");
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A {@code .properties} file; committed inputs are readable files. */
    @FuzzTest(maxDuration = "5m")
    void propertiesFile(byte[] input) throws IOException {
        String text = new String(input, StandardCharsets.ISO_8859_1).replace(MARKER, CANARY);
        Files.write(FILE, text.getBytes(StandardCharsets.ISO_8859_1));
        boolean secretOnlyInSecretValues = canaryOnlyInSecretValues(text);
        check(() -> VsrxSyncConfigFile.load(Optional.of(FILE), Map.of(), Map.of()), secretOnlyInSecretValues);
    }

    /** Environment variables and command-line overrides, valid names or not. */
    @FuzzTest(maxDuration = "5m")
    void environmentAndOverrides(FuzzedDataProvider data) {
        ConfigKey[] keys = ConfigKey.values();
        Map<String, String> env = new LinkedHashMap<>();
        Map<ConfigKey, String> overrides = new EnumMap<>(ConfigKey.class);
        boolean secretOnlyInSecretValues = true;
        int n = data.consumeInt(0, 8);
        for (int i = 0; i < n; i++) {
            ConfigKey key = data.pickValue(keys);
            String value = data.consumeString(60).replace(MARKER, CANARY);
            switch (data.consumeInt(0, 2)) {
                case 0 -> env.put(key.envVar(), value);
                case 1 -> overrides.put(key, value);
                default -> env.put(ConfigKey.ENV_PREFIX + data.consumeString(20), value);
            }
            if (value.contains(CANARY) && !key.secret()) {
                secretOnlyInSecretValues = false;
            }
        }
        for (String name : env.keySet()) {
            if (name.contains(CANARY)) {
                secretOnlyInSecretValues = false;
            }
        }
        boolean onlySecrets = secretOnlyInSecretValues;
        check(() -> VsrxSyncConfigFile.load(Optional.empty(), env, overrides), onlySecrets);
    }

    private interface Load {
        VsrxSyncSettings load();
    }

    private static void check(Load load, boolean canaryIsASecret) {
        VsrxSyncSettings settings;
        try {
            settings = load.load();
        } catch (ConfigurationException e) {
            if (canaryIsASecret) {
                for (Throwable t = e; t != null; t = t.getCause()) {
                    assertThat(String.valueOf(t.getMessage())).as("a secret in an error message").doesNotContain(CANARY);
                }
            }
            return;
        }
        if (canaryIsASecret) {
            assertThat(settings.toString()).doesNotContain(CANARY);
            assertThat(String.join("\n", settings.describe())).doesNotContain(CANARY);
        }
        SyncConfig c = settings.syncConfig();
        AlertThresholds t = c.alertThresholds();
        List<Double> numbers = new ArrayList<>(List.of(t.errorRateWarning(), t.errorRateCritical(),
                c.massDeleteGuard().maxShare()));
        for (double d : numbers) {
            assertThat(Double.isFinite(d)).as("a number that is not finite was accepted").isTrue();
        }
        // numeric comparisons, so -0.0 (a fine way to write 0) counts as 0
        assertThat(0 <= t.errorRateWarning() && t.errorRateWarning() <= t.errorRateCritical()
                && t.errorRateCritical() <= 1).as("0 <= warning <= critical <= 1").isTrue();
    }

    /**
     * {@code true} when the canary (if present) is only ever the value of a secret key: then it must never
     * show. As a key name it may show (an unknown key is named in the error), and as the value of an ordinary
     * key it is no secret.
     */
    static boolean canaryOnlyInSecretValues(String text) {
        if (!text.contains(CANARY)) {
            return true;
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
        boolean inSecretValue = false;
        for (String name : p.stringPropertyNames()) {
            String value = p.getProperty(name);
            if (name.contains(CANARY)) {
                return false;
            }
            if (value.contains(CANARY)) {
                Optional<ConfigKey> key = ConfigKey.byProperty(name.trim());
                if (key.isEmpty() || !key.get().secret()) {
                    return false;
                }
                inSecretValue = true;
            }
        }
        return inSecretValue;
    }
}
