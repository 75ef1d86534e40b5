package com.silknote.sync.benchmarks;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.silknote.sync.azure.AzureBlobStore;
import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.jdbc.JdbcLedger;
import com.silknote.sync.vsrx.http.HttpVsrxSource;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * What the ledger costs per file in an initial sync (issue 12): {@link SyncWithoutProcessing}'s wiring (VSRX over
 * HTTP, the embedded PostgreSQL ledger, {@link AzureBlobStore}, a processor that only counts) on a fresh data
 * directory whose server loads {@code pg_stat_statements}. Prints, for the run alone: the statements by total
 * time (calls, rows, ms), transactions committed ({@code pg_stat_database.xact_commit}), WAL flushes
 * ({@code pg_stat_wal.wal_sync}), the CPU seconds of the PostgreSQL processes ({@code /proc}) and of the
 * fileset and file-worker threads ({@link ThreadMXBean}, sampled every 100 ms).
 *
 * <pre>
 * VSRX_URL=... VSRX_TOKEN=... AZURE_STORAGE_CONNECTION_STRING=... CONTAINER=... DATA_DIR=(empty folder) \
 *   java -cp benchmarks/target/benchmarks.jar com.silknote.sync.benchmarks.LedgerProfile [TOP]
 * </pre>
 */
public final class LedgerProfile {
    private static final long CLK_TCK = 100;

    private LedgerProfile() {
    }

    /** Runs one full sync and prints the ledger's figures; exit code 0 when the sync succeeded. */
    public static void main(String[] args) throws Exception {
        int top = args.length > 0 ? Integer.parseInt(args[0]) : 25;
        Path data = Path.of(env("DATA_DIR")).resolve("postgres");
        // first start creates the data directory; the second loads pg_stat_statements
        try (JdbcLedger ledger = JdbcLedger.embedded(data)) {
            ledger.documentStore();
        }
        Files.writeString(data.resolve("postgresql.conf"), "\nshared_preload_libraries = 'pg_stat_statements'\n"
                + "pg_stat_statements.track = 'all'\npg_stat_statements.max = 5000\n", StandardOpenOption.APPEND);
        HttpVsrxSource source = HttpVsrxSource.builder().baseUri(URI.create(env("VSRX_URL")))
                .token(Secret.of(env("VSRX_TOKEN"))).build();
        BlobContainerClient container = new BlobContainerClientBuilder()
                .connectionString(env("AZURE_STORAGE_CONNECTION_STRING")).containerName(env("CONTAINER"))
                .retryOptions(AzureBlobStore.recommendedRetryOptions(Duration.ofSeconds(60))).buildClient();
        container.createIfNotExists();
        AtomicLong processed = new AtomicLong();
        int rc;
        try (JdbcLedger ledger = JdbcLedger.embedded(data)) {
            DataSource ds = ledger.dataSource();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            }
            VsrxSync sync = VsrxSync.builder().source(source).documents(ledger.documentStore())
                    .lock(ledger.syncLock("benchmark")).blobs(AzureBlobStore.builder().container(container).build())
                    .vectors(ledger.vectorStore()).processor((doc, token) -> processed.incrementAndGet()).build();
            long postmaster = postmasterPid(data);
            Map<String, Long> before = counters(ds);
            reset(ds);
            long pgBefore = pgCpuTicks(postmaster);
            ThreadSampler threads = new ThreadSampler();
            threads.start();
            long t0 = System.nanoTime();
            SyncResult r = sync.run(SyncRequest.full());
            long t1 = System.nanoTime();
            threads.stopAndJoin();
            long pgAfter = pgCpuTicks(postmaster);
            Map<String, Long> after = counters(ds);
            System.out.printf(Locale.ROOT, "success=%b run_s=%.2f processed=%d%n", r.success(), (t1 - t0) / 1e9,
                    processed.get());
            System.out.printf(Locale.ROOT, "postgres_cpu_s=%.2f%n", (pgAfter - pgBefore) / (double) CLK_TCK);
            for (String k : before.keySet()) {
                System.out.printf(Locale.ROOT, "%s=%d%n", k, after.get(k) - before.get(k));
            }
            threads.print();
            statements(ds, top);
            rc = r.success() ? 0 : 1;
        }
        System.exit(rc);
    }

    private static Map<String, Long> counters(DataSource ds) throws SQLException {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_stat_force_next_flush()");
            try (ResultSet rs = s.executeQuery("SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, "
                    + "tup_deleted, tup_fetched FROM pg_stat_database WHERE datname = current_database()")) {
                rs.next();
                for (String k : List.of("xact_commit", "xact_rollback", "tup_inserted", "tup_updated", "tup_deleted",
                        "tup_fetched")) {
                    m.put(k, rs.getLong(k));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT wal_records, wal_bytes::bigint AS wal_bytes, wal_write, "
                    + "wal_sync FROM pg_stat_wal")) {
                rs.next();
                for (String k : List.of("wal_records", "wal_bytes", "wal_write", "wal_sync")) {
                    m.put(k, rs.getLong(k));
                }
            }
        }
        return m;
    }

    private static void reset(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_stat_statements_reset()");
        }
    }

    private static void statements(DataSource ds, int top) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT calls, rows, total_exec_time, total_plan_time, "
                        + "regexp_replace(query, '\\s+', ' ', 'g') AS q FROM pg_stat_statements "
                        + "WHERE query NOT LIKE '%pg_stat_%' ORDER BY calls DESC")) {
            long calls = 0;
            double ms = 0;
            List<String> lines = new ArrayList<>();
            while (rs.next()) {
                calls += rs.getLong(1);
                ms += rs.getDouble(3) + rs.getDouble(4);
                if (lines.size() < top) {
                    String q = rs.getString(5);
                    lines.add(String.format(Locale.ROOT, "%9d %9d %9.1f  %s", rs.getLong(1), rs.getLong(2),
                            rs.getDouble(3) + rs.getDouble(4), q.length() > 150 ? q.substring(0, 150) : q));
                }
            }
            System.out.printf(Locale.ROOT, "statements_total=%d statement_ms_total=%.1f%n", calls, ms);
            System.out.println("    calls      rows        ms  query");
            lines.forEach(System.out::println);
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT calls, rows, total_exec_time + total_plan_time, "
                        + "regexp_replace(query, '\\s+', ' ', 'g') AS q FROM pg_stat_statements "
                        + "WHERE query NOT LIKE '%pg_stat_%' ORDER BY 3 DESC LIMIT 8")) {
            System.out.println("by time:");
            while (rs.next()) {
                String q = rs.getString(4);
                System.out.printf(Locale.ROOT, "%9d %9d %9.1f  %s%n", rs.getLong(1), rs.getLong(2), rs.getDouble(3),
                        q.length() > 600 ? q.substring(0, 600) : q);
            }
        }
    }

    /** CPU ticks of the postmaster, its reaped children and its live children. */
    private static long pgCpuTicks(long postmaster) throws IOException {
        long total = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String[] f;
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                } catch (IOException gone) {
                    continue;
                }
                long pid = Long.parseLong(name);
                long ppid = Long.parseLong(f[1]);
                if (pid == postmaster) {
                    total += Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13])
                            + Long.parseLong(f[14]);
                } else if (ppid == postmaster) {
                    total += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                }
            }
        }
        return total;
    }

    private static long postmasterPid(Path data) throws IOException {
        return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    }

    /** CPU of the sync's threads by name prefix, each thread's last sample kept (threads end during the run). */
    private static final class ThreadSampler extends Thread {
        private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        private final Map<Long, Long> last = new ConcurrentHashMap<>();
        private final Map<Long, String> names = new ConcurrentHashMap<>();
        private volatile boolean stop;

        ThreadSampler() {
            super("ledger-profile-sampler");
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!stop) {
                sample();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
            sample();
        }

        private void sample() {
            for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
                if (t == null) {
                    continue;
                }
                long cpu = mx.getThreadCpuTime(t.getThreadId());
                if (cpu > 0) {
                    last.put(t.getThreadId(), cpu);
                    names.put(t.getThreadId(), t.getThreadName());
                }
            }
        }

        void stopAndJoin() throws InterruptedException {
            stop = true;
            join();
        }

        void print() {
            Map<String, Long> byGroup = new java.util.TreeMap<>();
            last.forEach((id, cpu) -> byGroup.merge(group(names.get(id)), cpu, Long::sum));
            byGroup.forEach((g, cpu) -> System.out.printf(Locale.ROOT, "threads[%s]_cpu_s=%.2f%n", g, cpu / 1e9));
        }

        private static String group(String name) {
            if (name.startsWith("vsrx-sync-files")) {
                return "vsrx-sync-files";
            }
            if (name.startsWith("vsrx-sync-file")) {
                return "vsrx-sync-file";
            }
            if (name.startsWith("C2") || name.startsWith("C1")) {
                return "jit";
            }
            if (name.startsWith("vsrx-sync")) {
                return "vsrx-sync-other";
            }
            return "other";
        }
    }

    private static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("environment variable " + name + " is required");
        }
        return v;
    }
}
