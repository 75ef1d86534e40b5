package com.silknote.sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default on a persistent data directory: restart, stale pid file, directory in use. */
class EmbeddedPostgresServerTest {
    @TempDir
    Path temp;

    @Test
    void dataSurvivesARestartAndAStalePidFileLeftByACrash() throws Exception {
        Path dir = temp.resolve("pg");
        try (JdbcLedger ledger = JdbcLedger.embedded(dir)) {
            ledger.documentStore().inUnitOfWork(FencingToken.of(1), uow -> {
                uow.upsertFileset(Samples.fileset(FilesetId.of("fs-1")));
                return null;
            });
            // a second server on the same directory is refused while the first runs
            assertThatThrownBy(() -> EmbeddedPostgresServer.start(dir)).isInstanceOf(ConfigurationException.class);
        }
        assertThat(dir.resolve("postmaster.pid")).doesNotExist();
        Files.writeString(dir.resolve("postmaster.pid"), deadPid() + "\n" + dir + "\n", StandardCharsets.UTF_8);

        try (JdbcLedger again = JdbcLedger.embedded(dir)) {
            assertThat(again.documentStore().findFileset(FilesetId.of("fs-1"))).isPresent();
        }
    }

    @Test
    void environmentUrlReplacesTheEmbeddedDefault() {
        String url = PostgresFixture.newIsolatedUrl("env");
        Path neverStarted = temp.resolve("unused");
        try (JdbcLedger ledger = JdbcLedger.builder().embedded(neverStarted)
                .environment(java.util.Map.of(JdbcLedger.ENV_URL, url, JdbcLedger.ENV_USER, "postgres")).build()) {
            assertThat(ledger.documentStore().loadState().lastCompleteSync()).isEmpty();
        }
        assertThat(neverStarted).doesNotExist();
        assertThatThrownBy(() -> JdbcLedger.builder().build()).isInstanceOf(ConfigurationException.class);
    }

    /** The pid of a process that has exited. */
    private static long deadPid() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("true")).start();
        p.waitFor();
        return p.pid();
    }
}
