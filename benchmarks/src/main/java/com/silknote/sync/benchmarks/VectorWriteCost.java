package com.silknote.sync.benchmarks;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.jdbc.JdbcLedger;
import com.silknote.sync.jdbc.JdbiVectorStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * What the vector writes of the stand-in processor cost (issue 12): replaces the vector entries of N new
 * documents, {@code entries} entries of {@code dims} floats each (the medium preset has 80 per document: one per
 * 4 KiB, 8 floats), the way the engine's outbox drain calls the store, and reports per round the wall time, the
 * CPU of this JVM and of the calling thread, and the CPU of the PostgreSQL server's processes (the postmaster
 * and its children, from {@code /proc/<pid>/stat}; the server must run on this machine), and what the load does not
 * change: the transactions committed, the server's WAL syncs (fsync on: one per commit that wrote) and WAL bytes.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar com.silknote.sync.benchmarks.VectorWriteCost [--name=value ...]
 *   --docs=2000 --entries=80 --dims=8 --rounds=3 --warmup-docs=500
 *   --jdbc-url=URL        an external server (user postgres, no password); default: the library's embedded
 *                         default (fsync on, as the command line runs it) in --data-dir or a temporary folder
 *   --data-dir=DIR        the embedded default's data directory
 *   --drain=true|false    call deleteByDocument before each replace, as the outbox drain does (default true)
 *   --hide-pgjdbc         hand the store connections that do not unwrap to pgjdbc's (its portable path)</pre>
 *
 * Each round starts on an emptied vector table with documents that have no entries, as an initial sync's do.
 */
public final class VectorWriteCost {
    private static final ContentHash HASH = ContentHash.ofHex("5e".repeat(32));
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private VectorWriteCost() { }

    /** Runs the measurement; prints one Markdown row per round. */
    public static void main(String[] args) throws Exception {
        int docs = 2000;
        int entries = 80;
        int dims = 8;
        int rounds = 3;
        int warmupDocs = 500;
        String url = null;
        Path dataDir = null;
        boolean drain = true;
        boolean hide = false;
        for (String a : args) {
            int eq = a.indexOf('=');
            String name = eq < 0 ? a : a.substring(0, eq);
            String value = eq < 0 ? "true" : a.substring(eq + 1);
            switch (name) {
                case "--docs" -> docs = Integer.parseInt(value);
                case "--entries" -> entries = Integer.parseInt(value);
                case "--dims" -> dims = Integer.parseInt(value);
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--warmup-docs" -> warmupDocs = Integer.parseInt(value);
                case "--jdbc-url" -> url = value;
                case "--data-dir" -> dataDir = Path.of(value);
                case "--drain" -> drain = Boolean.parseBoolean(value);
                case "--hide-pgjdbc" -> hide = Boolean.parseBoolean(value);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (url == null && dataDir == null) {
            dataDir = Files.createTempDirectory("vector-write-cost").resolve("pgdata");
        }
        try (JdbcLedger ledger = url != null
                ? JdbcLedger.builder().jdbcUrl(url, "postgres", Secret.of("")).maxPoolSize(4).build()
                : JdbcLedger.embedded(dataDir)) {
            DataSource ds = ledger.dataSource();
            VectorStore store = hide ? JdbiVectorStore.builder().dataSource(new NotPgjdbc(ds)).build()
                    : ledger.vectorStore();
            int postmaster = postmaster(ds);
            FencingToken token = FencingToken.of(1);
            store.fence(token);
            System.out.printf(Locale.ROOT, "%s, %s, %d documents x %d entries x %d floats per round%n",
                    url != null ? "external server" : "embedded default", (drain ? "delete + replace" : "replace")
                            + (hide ? ", portable path" : ""), docs, entries, dims);
            System.out.println("| round | wall s | JVM CPU s | thread CPU s | PostgreSQL CPU s | rows/s | commits"
                    + " | WAL syncs | WAL MB |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            run(store, ds, token, "warmup", warmupDocs, entries, dims, drain, postmaster);
            for (int r = 1; r <= rounds; r++) {
                double[] m = run(store, ds, token, "r" + r, docs, entries, dims, drain, postmaster);
                System.out.printf(Locale.ROOT, "| %d | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f | %.0f | %.1f |%n", r,
                        m[0], m[1], m[2], m[3], (double) docs * entries / m[0], m[4], m[5], m[6] / 1e6);
            }
        }
    }

    private static double[] run(VectorStore store, DataSource ds, FencingToken token, String round, int docs,
            int entries, int dims, boolean drain, int postmaster) throws SQLException, IOException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE vsrx_sync_vector");
            s.execute("CHECKPOINT");
        }
        long[] stats0 = serverStats(ds);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var threads = ManagementFactory.getThreadMXBean();
        long pg0 = serverTicks(postmaster);
        long jvm0 = os.getProcessCpuTime();
        long thread0 = threads.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < docs; i++) {
            DocumentUuid doc = DocumentUuid.forVsrxFile(VsrxFileId.of("bench-" + round + "-" + i));
            if (drain) {
                store.deleteByDocument(token, doc);
            }
            store.replace(token, doc, new Entries(doc, entries, dims));
        }
        long wall1 = System.nanoTime();
        long thread1 = threads.getCurrentThreadCpuTime();
        long jvm1 = os.getProcessCpuTime();
        long pg1 = serverTicks(postmaster);
        long[] stats1 = serverStats(ds);
        return new double[] {(wall1 - wall0) / 1e9, (jvm1 - jvm0) / 1e9, (thread1 - thread0) / 1e9,
            (pg1 - pg0) / (double) TICKS_PER_SECOND, stats1[0] - stats0[0], stats1[1] - stats0[1],
            stats1[2] - stats0[2]};
    }

    /**
     * The database's committed transactions, the server's WAL syncs and WAL bytes, after the pool's sessions had
     * time to report them (a backend reports its counts when idle, at most once a second): load does not
     * change these, unlike times.
     */
    private static long[] serverStats(DataSource ds) throws SQLException {
        try {
            Thread.sleep(2500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (SELECT xact_commit FROM pg_stat_database"
                        + " WHERE datname = current_database()), wal_sync, wal_bytes FROM pg_stat_wal")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
        }
    }

    /** The postmaster of the server behind {@code ds}: the parent of a backend's process. */
    private static int postmaster(DataSource ds) throws SQLException, IOException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return Integer.parseInt(stat(rs.getInt(1))[1]);
        }
    }

    /** utime + stime of the postmaster, of its children that exited, and of every live child. */
    private static long serverTicks(int postmaster) throws IOException {
        String[] own = stat(postmaster);
        long ticks = Long.parseLong(own[11]) + Long.parseLong(own[12]) + Long.parseLong(own[13])
                + Long.parseLong(own[14]);
        List<Path> procs;
        try (Stream<Path> list = Files.list(Path.of("/proc"))) {
            procs = list.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList();
        }
        for (Path p : procs) {
            try {
                String[] f = stat(Integer.parseInt(p.getFileName().toString()));
                if (Integer.parseInt(f[1]) == postmaster) {
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                }
            } catch (IOException gone) {
                // the process ended while the list was read
            }
        }
        return ticks;
    }

    /** The fields of {@code /proc/<pid>/stat} after the command name: [0] state, [1] ppid, [11] utime, ... */
    private static String[] stat(int pid) throws IOException {
        String line = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        return line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
    }

    /** Entries made up as they are asked for, as the stand-in processor hands them over. */
    private static final class Entries implements Iterator<VectorEntry> {
        private final DocumentUuid doc;
        private final int count;
        private final int dims;
        private int next;

        Entries(DocumentUuid doc, int count, int dims) {
            this.doc = doc;
            this.count = count;
            this.dims = dims;
        }

        @Override
        public boolean hasNext() {
            return next < count;
        }

        @Override
        public VectorEntry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            float[] v = new float[dims];
            for (int i = 0; i < dims; i++) {
                v[i] = (next * 31 + i) / 1024f - 0.5f;
            }
            return new VectorEntry(doc, next++, HASH, v);
        }
    }

    /** Connections that refuse to unwrap to anything, as a host's pool or proxy may hand out. */
    private static final class NotPgjdbc implements DataSource {
        private final DataSource delegate;

        NotPgjdbc(DataSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection c = delegate.getConnection();
            return (Connection) Proxy.newProxyInstance(VectorWriteCost.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, margs) -> switch (method.getName()) {
                        case "isWrapperFor" -> false;
                        case "unwrap" -> throw new SQLException("not a wrapper");
                        default -> {
                            try {
                                yield method.invoke(c, margs);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        }
                    });
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) { }

        @Override
        public void setLoginTimeout(int seconds) { }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }

    static {
        // keep the harness's own output readable
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
}
