package com.silknote.sync.examples.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.model.ChangeDetectionMode;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.VanishedFilePolicy;
import com.silknote.sync.examples.config.VsrxSyncSettings.Origin;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VsrxSyncConfigFileTest {
    @TempDir
    Path dir;

    @Test
    void noConfigurationGivesTheEmbeddedDefaultWithTheDesignDefaults() {
        VsrxSyncSettings s = VsrxSyncConfigFile.load(Optional.empty(), Map.of(), Map.of());

        assertThat(s.dataDir()).isEqualTo(Path.of(".vsrx-sync"));
        assertThat(s.embeddedPostgres()).isTrue();
        assertThat(s.fileSystemBlobs()).isTrue();
        assertThat(s.postgresDir()).isEqualTo(Path.of(".vsrx-sync", "postgres"));
        assertThat(s.blobsDir()).isEqualTo(Path.of(".vsrx-sync", "blobs"));
        assertThat(s.vsrxUrl()).isEmpty();
        SyncConfig expected = SyncConfig.defaults().newBuilder().spoolDirectory(Path.of(".vsrx-sync", "spool")).build();
        assertThat(s.syncConfig()).isEqualTo(expected);
        assertThat(s.origin(ConfigKey.DATA_DIR)).isEqualTo(Origin.DEFAULT);
    }

    @Test
    void theEnvironmentWinsOverTheFileAndTheCommandLineOverBoth() throws IOException {
        Path file = write("""
                data-dir = /srv/file
                vsrx.url = https://vsrx.example/api
                page-size = 100
                lock-ttl = 2m
                """);
        VsrxSyncSettings s = VsrxSyncConfigFile.load(Optional.of(file),
                Map.of("VSRX_SYNC_PAGE_SIZE", "200", "VSRX_SYNC_DATA_DIR", "/srv/env", "PATH", "/usr/bin"),
                Map.of(ConfigKey.DATA_DIR, "/srv/cli"));

        assertThat(s.dataDir()).isEqualTo(Path.of("/srv/cli"));
        assertThat(s.origin(ConfigKey.DATA_DIR)).isEqualTo(Origin.COMMAND_LINE);
        assertThat(s.syncConfig().pageSize()).isEqualTo(200);
        assertThat(s.origin(ConfigKey.PAGE_SIZE)).isEqualTo(Origin.ENVIRONMENT);
        assertThat(s.syncConfig().lockTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.origin(ConfigKey.LOCK_TTL)).isEqualTo(Origin.FILE);
        assertThat(s.requireVsrxUrl()).isEqualTo(URI.create("https://vsrx.example/api"));
    }

    @Test
    void everyEngineKeyIsRead() throws IOException {
        Path file = write("""
                max-file-size-bytes = 2MiB
                allowed-mime-types = application/pdf, image/png
                change-detection = full-hash
                vanished-files = delete
                mass-delete.max-share = 0.25
                mass-delete.min-deletes = 7
                fileset-concurrency = 3
                file-concurrency = 5
                retry.max-attempts = 2
                retry.base-delay = 50ms
                retry.max-delay = 10s
                retry.honor-retry-after = false
                spool-dir = /tmp/spool
                max-outbox-attempts = 9
                blob-grace-period = PT30M
                alert.duration.warning = 60s
                alert.duration.critical = 2m
                alert.error-rate.warning = 0.01
                alert.error-rate.critical = 0.2
                alert.consecutive-failures.warning = 2
                alert.consecutive-failures.critical = 4
                """);
        SyncConfig c = VsrxSyncConfigFile.load(Optional.of(file), Map.of(), Map.of()).syncConfig();

        assertThat(c.maxFileSizeBytes()).isEqualTo(2L * 1024 * 1024);
        assertThat(c.allowedMimeTypes()).containsExactlyInAnyOrder("application/pdf", "image/png");
        assertThat(c.changeDetection()).isEqualTo(ChangeDetectionMode.FULL_HASH);
        assertThat(c.vanishedFilePolicy()).isEqualTo(VanishedFilePolicy.DELETE);
        assertThat(c.massDeleteGuard().maxShare()).isEqualTo(0.25);
        assertThat(c.massDeleteGuard().minDeletes()).isEqualTo(7);
        assertThat(c.filesetConcurrency()).isEqualTo(3);
        assertThat(c.fileConcurrency()).isEqualTo(5);
        assertThat(c.retryPolicy().maxAttempts()).isEqualTo(2);
        assertThat(c.retryPolicy().baseDelay()).isEqualTo(Duration.ofMillis(50));
        assertThat(c.retryPolicy().maxDelay()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.retryPolicy().honorRetryAfter()).isFalse();
        assertThat(c.spoolDirectory()).contains(Path.of("/tmp/spool"));
        assertThat(c.maxOutboxAttempts()).isEqualTo(9);
        assertThat(c.blobGracePeriod()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.alertThresholds().durationWarning()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.alertThresholds().durationCritical()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.alertThresholds().errorRateWarning()).isEqualTo(0.01);
        assertThat(c.alertThresholds().errorRateCritical()).isEqualTo(0.2);
        assertThat(c.alertThresholds().consecutiveFailuresWarning()).isEqualTo(2);
        assertThat(c.alertThresholds().consecutiveFailuresCritical()).isEqualTo(4);
    }

    @Test
    void environmentVariableNamesAreThePrefixedUpperCaseKeys() {
        assertThat(ConfigKey.JDBC_URL.envVar()).isEqualTo("VSRX_SYNC_JDBC_URL");
        assertThat(ConfigKey.JDBC_USER.envVar()).isEqualTo("VSRX_SYNC_JDBC_USER");
        assertThat(ConfigKey.JDBC_PASSWORD.envVar()).isEqualTo("VSRX_SYNC_JDBC_PASSWORD");
        assertThat(ConfigKey.AZURE_CONNECTION_STRING.envVar()).isEqualTo("VSRX_SYNC_AZURE_CONNECTION_STRING");
        assertThat(ConfigKey.AZURE_CONTAINER.envVar()).isEqualTo("VSRX_SYNC_AZURE_CONTAINER");
        assertThat(ConfigKey.VSRX_URL.envVar()).isEqualTo("VSRX_SYNC_VSRX_URL");
        assertThat(ConfigKey.VSRX_TOKEN.envVar()).isEqualTo("VSRX_SYNC_VSRX_TOKEN");
        assertThat(ConfigKey.DATA_DIR.envVar()).isEqualTo("VSRX_SYNC_DATA_DIR");
        assertThat(ConfigKey.WEBHOOK_SECRETS.envVar()).isEqualTo("VSRX_SYNC_WEBHOOK_SECRETS");
        assertThat(Arrays.stream(ConfigKey.values()).map(ConfigKey::envVar).distinct()).hasSize(ConfigKey.values().length);
    }

    @Test
    void externalPostgresAndAzureAreConfigurationOnly() {
        VsrxSyncSettings s = VsrxSyncConfigFile.load(Optional.empty(), Map.of(
                "VSRX_SYNC_JDBC_URL", "jdbc:postgresql://db:5432/silknote",
                "VSRX_SYNC_JDBC_USER", "sync",
                "VSRX_SYNC_JDBC_PASSWORD", "pw-123",
                "VSRX_SYNC_AZURE_CONNECTION_STRING", "DefaultEndpointsProtocol=https;AccountKey=abc",
                "VSRX_SYNC_AZURE_CONTAINER", "silknote-blobs"), Map.of());

        assertThat(s.embeddedPostgres()).isFalse();
        assertThat(s.fileSystemBlobs()).isFalse();
        assertThat(s.jdbcUser()).contains("sync");
        assertThat(s.azureContainer()).isEqualTo("silknote-blobs");
    }

    @Test
    void secretsAreNeverPrinted() {
        VsrxSyncSettings s = VsrxSyncConfigFile.load(Optional.empty(), Map.of(
                "VSRX_SYNC_JDBC_URL", "jdbc:postgresql://db/silknote?password=url-secret",
                "VSRX_SYNC_JDBC_USER", "sync",
                "VSRX_SYNC_JDBC_PASSWORD", "pw-secret",
                "VSRX_SYNC_VSRX_URL", "https://vsrx.example/api",
                "VSRX_SYNC_VSRX_TOKEN", "token-secret-0123456789",
                "VSRX_SYNC_AZURE_CONNECTION_STRING", "AccountKey=azure-secret",
                "VSRX_SYNC_WEBHOOK_SECRETS", "hook-secret-1,hook-secret-2"), Map.of());

        String printed = String.join("\n", s.describe()) + s + s.vsrxToken() + s.webhookSecrets();
        assertThat(printed).doesNotContain("url-secret", "pw-secret", "token-secret", "azure-secret", "hook-secret");
        assertThat(printed).contains("vsrx.example", "webhook.secrets = **** (2)");
        assertThat(s.webhookSecrets()).extracting(x -> x.value()).containsExactly("hook-secret-1", "hook-secret-2");
    }

    @Test
    void anUnknownKeyInTheFileIsRefused() throws IOException {
        Path file = write("page-sise = 10\n");
        assertThatThrownBy(() -> VsrxSyncConfigFile.load(Optional.of(file), Map.of(), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("page-sise");
    }

    /** Issue 10 item 5: a bad backslash-u escape names its line, never the value (it may be a secret). */
    @Test
    void aMalformedUnicodeEscapeNamesItsLine() throws IOException {
        Path file = write("# a comment with \\user\n"
                + "vsrx.url = https://vsrx.example/api\n"
                + "jdbc.password = sec\\\\u-is-fine-when-escaped\n"
                + "jdbc.user = C:\\users\\secret-user\n");
        assertThatThrownBy(() -> VsrxSyncConfigFile.load(Optional.of(file), Map.of(), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("line 4: malformed \\uXXXX escape")
                .hasMessageNotContaining("secret-user");
        Path fine = write("jdbc.url = jdbc:postgresql://db/x\njdbc.user = J\\u00fcrgen\n");
        assertThat(VsrxSyncConfigFile.load(Optional.of(fine), Map.of(), Map.of()).jdbcUser()).contains("J\u00fcrgen");
    }

    /** Issue 10 item 2: the launcher's and the test suite's variables are not configuration keys. */
    @Test
    void launcherAndTestVariablesAreNotKeysButTyposStillAre() {
        assertThat(VsrxSyncConfigFile.load(Optional.empty(), Map.of("VSRX_SYNC_JAVA_OPTS", "-Xmx1g",
                "VSRX_SYNC_TEST_JDBC_URL", "jdbc:postgresql://ci/x"), Map.of()).origins()).isEmpty();
        assertThatThrownBy(() -> VsrxSyncConfigFile.load(Optional.empty(), Map.of("VSRX_SYNC_JAVA_OPTIONS", "x"),
                Map.of())).isInstanceOf(ConfigurationException.class).hasMessageContaining("VSRX_SYNC_JAVA_OPTIONS");
    }

    @Test
    void anUnknownEnvironmentVariableIsRefusedButTheConfigFileVariableIsAllowed() {
        assertThatThrownBy(() -> VsrxSyncConfigFile.load(Optional.empty(), Map.of("VSRX_SYNC_JDBC_URI", "x"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("VSRX_SYNC_JDBC_URI");
        assertThat(VsrxSyncConfigFile.load(Optional.empty(), Map.of("VSRX_SYNC_CONFIG", "/nowhere"), Map.of()))
                .isNotNull();
        assertThat(VsrxSyncConfigFile.fileFromEnvironment(Map.of("VSRX_SYNC_CONFIG", "/etc/vsrx.properties")))
                .contains(Path.of("/etc/vsrx.properties"));
    }

    @Test
    void aBadValueNamesTheKeyAndTheSourceButNotTheValue() {
        assertThatThrownBy(() -> VsrxSyncConfigFile.load(Optional.empty(),
                Map.of("VSRX_SYNC_PAGE_SIZE", "lots-of-0xdeadbeef"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("page-size").hasMessageContaining("VSRX_SYNC_PAGE_SIZE")
                .hasMessageNotContaining("0xdeadbeef");
        assertThatThrownBy(() -> VsrxSyncConfigFile.load(Optional.empty(),
                Map.of("VSRX_SYNC_JDBC_URL", "mysql://secret-host"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("jdbc.url")
                .hasMessageNotContaining("secret-host");
        assertThatThrownBy(() -> VsrxSyncConfigFile.load(Optional.empty(),
                Map.of("VSRX_SYNC_CHANGE_DETECTION", "sometimes"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("METADATA")
                .hasMessageNotContaining("sometimes");
    }

    @Test
    void valuesOutOfRangeAreConfigurationErrors() {
        assertThatThrownBy(() -> VsrxSyncConfigFile.load(Optional.empty(), Map.of("VSRX_SYNC_PAGE_SIZE", "5000"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("pageSize");
        assertThatThrownBy(() -> VsrxSyncConfigFile.load(Optional.empty(),
                Map.of("VSRX_SYNC_MASS_DELETE_MAX_SHARE", "1.5"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("mass-delete.max-share");
        assertThatThrownBy(() -> VsrxSyncConfigFile.load(Optional.empty(), Map.of("VSRX_SYNC_VSRX_URL", "ftp://x"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("vsrx.url");
        assertThatThrownBy(() -> VsrxSyncConfigFile.load(Optional.empty(),
                Map.of("VSRX_SYNC_VSRX_URL", "https://u:userinfo-secret@x/api?k=query-secret"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("vsrx.url")
                .hasMessageNotContaining("userinfo-secret").hasMessageNotContaining("query-secret");
        assertThatThrownBy(() -> VsrxSyncConfigFile.load(Optional.empty(), Map.of("VSRX_SYNC_VSRX_TOKEN", "short secret"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("vsrx.token")
                .hasMessageNotContaining("short secret");
        assertThatThrownBy(() -> VsrxSyncConfigFile.load(Optional.empty(), Map.of("VSRX_SYNC_JDBC_USER", "u"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("jdbc.url");
        assertThatThrownBy(() -> VsrxSyncConfigFile.load(Optional.empty(),
                Map.of("VSRX_SYNC_AZURE_CONTAINER", "Bad_Name"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("azure.container");
    }

    /**
     * Found by VsrxSyncConfigFileFuzzTest (issue 13): a duration too long for milliseconds was accepted, and
     * {@code describe()} (the {@code config} command) then failed with an ArithmeticException.
     */
    @Test
    void durationsTooLongForMillisecondsAreConfigurationErrors() {
        for (String v : new String[] {"9999999999999999d", "P99999999999999D", "9223372036854775807s"}) {
            assertThatThrownBy(() -> VsrxSyncConfigFile.load(Optional.empty(),
                    Map.of("VSRX_SYNC_BLOB_GRACE_PERIOD", v), Map.of()))
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("blob-grace-period")
                    .hasMessageNotContaining(v);
        }
        VsrxSyncSettings longest = VsrxSyncConfigFile.load(Optional.empty(),
                Map.of("VSRX_SYNC_BLOB_GRACE_PERIOD", Long.MAX_VALUE / 1000 + "s"), Map.of());
        assertThat(longest.describe()).anyMatch(line -> line.startsWith("blob-grace-period"));
    }

    @Test
    void aMissingFileOrMissingUrlIsAConfigurationError() {
        assertThatThrownBy(() -> VsrxSyncConfigFile.load(Optional.of(dir.resolve("absent.properties")), Map.of(), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("not found");
        VsrxSyncSettings s = VsrxSyncSettings.defaults(dir);
        assertThatThrownBy(s::requireVsrxUrl).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("VSRX_SYNC_VSRX_URL");
    }

    @Test
    void durationsAndSizesReadTheShortForms() {
        assertThat(Values.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Values.parseDuration("45")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Values.parseDuration("3h")).isEqualTo(Duration.ofHours(3));
        assertThat(Values.parseDuration("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(Values.parseDuration("PT90S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Values.formatDuration(Duration.ofSeconds(300))).isEqualTo("5m");
        assertThat(Values.formatDuration(Duration.ofMillis(200))).isEqualTo("200ms");
        assertThat(Values.parseBytes("512KiB")).isEqualTo(512 * 1024);
        assertThat(Values.parseBytes("1 GiB")).isEqualTo(1024L * 1024 * 1024);
        assertThatThrownBy(() -> Values.parseDuration("soon")).isInstanceOf(IllegalArgumentException.class);
    }

    private Path write(String content) throws IOException {
        Path f = dir.resolve("vsrx-sync.properties");
        Files.writeString(f, content);
        return f;
    }
}
