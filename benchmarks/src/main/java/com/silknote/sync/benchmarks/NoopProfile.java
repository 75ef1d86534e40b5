package com.silknote.sync.benchmarks;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.vsrx.http.HttpVsrxSource;
import com.silknote.sync.vsrx.http.VsrxHttpHandler;
import com.silknote.sync.vsrx.http.VsrxHttpServer;
import com.silknote.sync.jdbc.JdbcLedger;
import com.silknote.sync.testkit.InMemoryBlobStore;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.TestClock;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Issue 12 item 2: what a no-op re-sync costs in-process, next to the least any list-and-compare must do.
 *
 * <p>Builds {@code --files} small files in {@code --filesets} filesets in the in-memory VSRX simulator, syncs
 * them once, then measures, {@code --runs} times each (after {@code --warmups}):
 * <ul>
 *   <li>{@code raw}: list every fileset and file through the same {@code VsrxSource} pages, read each
 *       fileset's mappings from the ledger and compare ETags (the raw list-and-compare);</li>
 *   <li>{@code full-noop}: {@code VsrxSync.run(full)} with nothing changed;</li>
 *   <li>{@code incremental-noop}: {@code VsrxSync.run(incremental)} with nothing changed since the last
 *       complete run (the clock moved past the watermark overlap).</li>
 * </ul>
 * For each: median wall time, the CPU time of the threads doing the work (the caller and the run's pool
 * threads), the JVM's CPU time (every thread, JIT and GC included), the embedded
 * PostgreSQL's CPU time (its processes), bytes allocated by the threads that did the work, and per fileset
 * the ledger calls and VSRX listing calls. Wall time on a shared machine is noise; CPU and allocation are
 * what to compare. Ledgers: {@code memory} (the testkit's) and {@code embedded} (the JDBC adapter on the
 * embedded PostgreSQL).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar com.silknote.sync.benchmarks.NoopProfile \
 *     [--files=10000] [--filesets=200] [--ledgers=memory,embedded] [--warmups=3] [--runs=5]
 *     [--source=memory|http] [--jfr=/tmp/noop-LEDGER.jfr]</pre>
 * With {@code --source=http} the sync (and the raw compare) reads VSRX over the {@code /v1} protocol from a
 * {@code VsrxHttpServer} in the same JVM.
 * With {@code --jfr} the measured full no-op runs are recorded with JFR's {@code profile} settings.
 */
public final class NoopProfile {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Findings printed after the tables (initial sync cost, ledger sizes). */
    private static final StringBuilder NOTES = new StringBuilder();

    private NoopProfile() {
    }

    /** One measured operation. */
    record Sample(double wallMs, double threadCpuMs, double cpuMs, double dbCpuMs, double allocatedMb,
            Map<String, Long> storeCalls,
            long listFilesCalls, long listFilesetsCalls, long downloads) {
    }

    /** Runs the profile and prints a Markdown table. */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        int files = Integer.parseInt(o.getOrDefault("files", "10000"));
        int filesets = Integer.parseInt(o.getOrDefault("filesets", "200"));
        int warmups = Integer.parseInt(o.getOrDefault("warmups", "3"));
        int runs = Integer.parseInt(o.getOrDefault("runs", "5"));
        List<String> ledgers = List.of(o.getOrDefault("ledgers", "memory,embedded").split(","));
        System.out.printf(Locale.ROOT, "%d files in %d filesets, %d warm-ups, median of %d runs, %d cores%n%n", files,
                filesets, warmups, runs, Runtime.getRuntime().availableProcessors());
        System.out.println("| ledger | operation | wall ms | work threads CPU ms | JVM CPU ms | PostgreSQL CPU ms |"
                + " allocated MB | ledger calls / fileset | listFiles calls | downloads |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---|---:|---:|");
        for (String ledger : ledgers) {
            profile(ledger.trim(), files, filesets, warmups, runs, o.get("jfr"), o.getOrDefault("source", "memory"));
        }
        System.out.print(NOTES);
    }

    private static void profile(String ledger, int files, int filesets, int warmups, int runs, String jfr,
            String sourceKind) throws Exception {
        TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
        InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
        populate(vsrx, files, filesets);
        VsrxSource source = vsrx;
        VsrxHttpServer server = null;
        if (sourceKind.equals("http")) {
            Secret token = Secret.of("noop-profile-token-0123456789");
            server = VsrxHttpServer.builder().port(0)
                    .handler(VsrxHttpHandler.builder().source(vsrx).acceptedToken(token).build()).build().start();
            source = HttpVsrxSource.builder().baseUri(server.baseUri()).token(token).build();
        } else if (!sourceKind.equals("memory")) {
            throw new IllegalArgumentException("unknown source " + sourceKind);
        }
        String label = ledger + (server != null ? " / http" : "");
        Path tmp = null;
        JdbcLedger jdbc = null;
        DocumentStore store;
        BlobStore blobs;
        VectorStore vectors;
        SyncLock lock;
        DocumentProcessor processor = (doc, token) -> { };
        if (ledger.equals("memory")) {
            SilknoteSimulator silknote = new SilknoteSimulator(clock);
            store = silknote.documents();
            blobs = silknote.blobs();
            vectors = silknote.vectors();
            lock = silknote.lock();
        } else if (ledger.equals("embedded")) {
            tmp = Files.createTempDirectory("noop-profile-");
            jdbc = JdbcLedger.builder().embedded(tmp.resolve("postgres")).createEmbedded(true).clock(clock).build();
            store = jdbc.documentStore();
            try (var c = jdbc.dataSource().getConnection(); var st = c.createStatement();
                    var rs = st.executeQuery("SELECT datcollate FROM pg_database WHERE datname = current_database()")) {
                rs.next();
                System.out.println("embedded ledger collation: " + rs.getString(1));
            }
            blobs = new InMemoryBlobStore(clock);
            vectors = jdbc.vectorStore();
            lock = jdbc.syncLock("noop-profile");
        } else {
            throw new IllegalArgumentException("unknown ledger " + ledger);
        }
        try {
            Counting counting = new Counting(store);
            SyncConfig config = SyncConfig.builder().blobGracePeriod(Duration.ZERO).build();
            VsrxSync sync = VsrxSync.builder().source(source).documents(counting.proxy()).blobs(blobs).vectors(vectors)
                    .processor(processor).lock(lock).config(config).clock(clock).sleeper(clock)
                    .random(new SplittableRandom(7)).build();
            long[] dbPids = dbPids(tmp);
            long cpu0 = OS.getProcessCpuTime();
            long db0 = cpu(dbPids);
            long t0 = System.nanoTime();
            SyncResult first = sync.run(SyncRequest.full());
            if (!first.success()) {
                throw new IllegalStateException("initial sync failed: " + first.error().orElse("?"));
            }
            double wallMs = (System.nanoTime() - t0) / 1e6;
            double jvmMs = (OS.getProcessCpuTime() - cpu0) / 1e6;
            double dbMs = (cpu(dbPids) - db0) / 1e6;
            NOTES.append(String.format(Locale.ROOT, "%nInitial sync (%s, first run of the JVM, JIT warm-up included, "
                    + "in-memory blob store, no processing): %d files, wall %.0f ms, JVM CPU %.0f ms (%.3f ms/file),"
                    + " PostgreSQL CPU %.0f ms (%.3f ms/file)%n", label, files, wallMs, jvmMs, jvmMs / files, dbMs,
                    dbMs / files));
            if (jdbc != null) {
                NOTES.append(ledgerSizes(jdbc, files, "after the initial sync"));
            }
            List<FilesetId> ids = vsrx.filesetIds();
            for (String op : List.of("raw", "read-mappings", "read-documents", "read-fileset-rows", "full-noop",
                    "incremental-noop")) {
                List<Sample> samples = new ArrayList<>();
                jdk.jfr.Recording recording = null;
                for (int i = 0; i < warmups + runs; i++) {
                    clock.advance(Duration.ofMinutes(10)); // past the watermark overlap
                    if (i == warmups && jfr != null && op.equals("full-noop")) {
                        recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
                        recording.start();
                    }
                    Sample s = measure(op, sync, vsrx, source, counting, store, dbPids, ids);
                    if (i >= warmups) {
                        samples.add(s);
                    }
                }
                if (recording != null) {
                    recording.stop();
                    recording.dump(Path.of(jfr.replace("LEDGER", ledger)));
                    recording.close();
                }
                print(label, op, samples, filesets);
            }
            if (jdbc != null) {
                NOTES.append(ledgerSizes(jdbc, files, "after the initial sync and " + 2 * (warmups + runs)
                        + " no-op syncs"));
            }
        } finally {
            if (server != null) {
                server.close();
            }
            if (jdbc != null) {
                jdbc.close();
            }
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    private static Sample measure(String op, VsrxSync sync, InMemoryVsrxSource vsrx, VsrxSource source,
            Counting counting,
            DocumentStore store, long[] dbPids, List<FilesetId> ids) {
        vsrx.resetCounters();
        counting.reset();
        long self = Thread.currentThread().getId();
        long a0 = THREADS.getThreadAllocatedBytes(self);
        long tc0 = THREADS.getCurrentThreadCpuTime();
        long cpu0 = OS.getProcessCpuTime();
        long db0 = cpu(dbPids);
        long t0 = System.nanoTime();
        AtomicLong workerBytes = new AtomicLong();
        AtomicLong workerCpu = new AtomicLong();
        if (op.equals("raw")) {
            long differing = rawListAndCompare(source, store);
            if (differing != 0) {
                throw new IllegalStateException("raw compare found " + differing + " changed files");
            }
        } else if (op.startsWith("read-")) {
            long n = 0;
            for (FilesetId id : ids) {
                n += switch (op) {
                    case "read-mappings" -> store.mappings(id).size();
                    case "read-documents" -> store.documents(id).size();
                    default -> store.findFileset(id).map(x -> 1).orElse(0) + store.permanentSkips(id).size();
                };
            }
            if (n < 0) {
                throw new IllegalStateException();
            }
        } else {
            SyncRequest request = op.equals("full-noop") ? SyncRequest.full() : SyncRequest.incrementalRun();
            SyncResult r = sync.newBuilder().listener(new SyncListener() {
                @Override
                public void runFinished(SyncReport report) {
                    // the run's pool threads are still alive here: their allocation is this run's
                    workerBytes.set(workerAllocation());
                    workerCpu.set(workerCpu());
                }
            }).build().run(request);
            if (!r.success()) {
                throw new IllegalStateException(op + " failed: " + r.error().orElse("?"));
            }
        }
        long t1 = System.nanoTime();
        long cpu1 = OS.getProcessCpuTime();
        long db1 = cpu(dbPids);
        long a1 = THREADS.getThreadAllocatedBytes(self);
        long tc1 = THREADS.getCurrentThreadCpuTime();
        return new Sample((t1 - t0) / 1e6, (tc1 - tc0 + workerCpu.get()) / 1e6, (cpu1 - cpu0) / 1e6,
                (db1 - db0) / 1e6,
                (a1 - a0 + workerBytes.get()) / 1e6, counting.snapshot(), vsrx.listFilesCalls(),
                vsrx.listFilesetsCalls(), vsrx.downloads());
    }

    /** The least a no-op must do: list everything, read the mappings, compare versions. */
    static long rawListAndCompare(VsrxSource vsrx, DocumentStore store) {
        long differing = 0;
        PageRequest page = PageRequest.first(500);
        while (true) {
            Page<VsrxFileset> p = vsrx.listFilesets(page);
            for (VsrxFileset fs : p.items()) {
                Map<VsrxFileId, SyncMapping> mapped = new HashMap<>();
                for (SyncMapping m : store.mappings(fs.id())) {
                    mapped.put(m.vsrxFileId(), m);
                }
                PageRequest fp = PageRequest.first(500);
                while (true) {
                    Page<VsrxFile> files = vsrx.listFiles(fs.id(), fp);
                    for (VsrxFile f : files.items()) {
                        SyncMapping m = mapped.get(f.id());
                        if (m == null || !m.etag().equals(f.etag())) {
                            differing++;
                        }
                    }
                    if (files.isLast()) {
                        break;
                    }
                    fp = fp.next(files.nextCursor().orElseThrow());
                }
            }
            if (p.isLast()) {
                return differing;
            }
            page = page.next(p.nextCursor().orElseThrow());
        }
    }

    private static long workerCpu() {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("vsrx-sync-")) {
                sum += Math.max(0, THREADS.getThreadCpuTime(t.getId()));
            }
        }
        return sum;
    }

    private static long workerAllocation() {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("vsrx-sync-")) {
                sum += Math.max(0, THREADS.getThreadAllocatedBytes(t.getId()));
            }
        }
        return sum;
    }

    private static void populate(InMemoryVsrxSource vsrx, int files, int filesets) {
        int perFileset = Math.max(1, files / filesets);
        int n = 0;
        for (int s = 0; s < filesets; s++) {
            String patient = String.format("P%06d", s);
            FilesetId fs = vsrx.addFileset(PatientId.of(patient),
                    new PatientUuid(UUID.nameUUIDFromBytes(patient.getBytes(StandardCharsets.UTF_8))));
            for (int i = 0; i < perFileset && n < files; i++, n++) {
                vsrx.addFile(fs, String.format("notes/%04d/befund-%06d.txt", i / 100, n), "text/plain",
                        ("Befund " + n + " " + "x".repeat(64)).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** The embedded PostgreSQL's postmaster (its command line names the data directory under {@code dir}). */
    private static long[] dbPids(Path dir) {
        if (dir == null) {
            return new long[0];
        }
        String marker = dir.toString();
        return ProcessHandle.allProcesses().filter(p -> {
            try {
                return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).contains(marker);
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }).mapToLong(ProcessHandle::pid).toArray();
    }

    /** CPU time of the given processes and of their children (PostgreSQL backends come and go). */
    private static long cpu(long[] pids) {
        long sum = 0;
        for (long pid : pids) {
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isEmpty()) {
                continue;
            }
            sum += cpuOf(h.get());
            sum += h.get().descendants().mapToLong(NoopProfile::cpuOf).sum();
        }
        return sum;
    }

    private static long cpuOf(ProcessHandle h) {
        // /proc/<pid>/stat: utime and stime (fields 14, 15) in clock ticks, children's ended CPU in 16, 17
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return ticks * 10_000_000L; // 100 ticks per second
        } catch (IOException | RuntimeException e) {
            return h.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        }
    }

    private static void print(String ledger, String op, List<Sample> samples, int filesets) {
        Map<String, Long> calls = new TreeMap<>();
        samples.get(samples.size() - 1).storeCalls().forEach(calls::put);
        StringBuilder perFileset = new StringBuilder();
        calls.forEach((k, v) -> {
            if (v > 0) {
                perFileset.append(perFileset.length() == 0 ? "" : ", ").append(k).append(' ')
                        .append(String.format(Locale.ROOT, "%.2f", (double) v / filesets));
            }
        });
        Sample last = samples.get(samples.size() - 1);
        System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f | %.0f | %.1f | %s | %d | %d |%n", ledger, op,
                Results.median(samples.stream().map(Sample::wallMs).toList()),
                Results.median(samples.stream().map(Sample::threadCpuMs).toList()),
                Results.median(samples.stream().map(Sample::cpuMs).toList()),
                Results.median(samples.stream().map(Sample::dbCpuMs).toList()),
                Results.median(samples.stream().map(Sample::allocatedMb).toList()), perFileset,
                last.listFilesCalls(), last.downloads());
    }

    /**
     * Rows and on-disk bytes of every ledger table (heap, indexes, TOAST), also per synced file: the per-file
     * figures {@code docs/scaling.md} scales from. Statistics are refreshed first ({@code ANALYZE}).
     */
    private static String ledgerSizes(JdbcLedger jdbc, long files, String when) throws java.sql.SQLException {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%nLedger sizes %s (%d files):%n%n", when,
                files));
        out.append("| table | rows | rows / file | heap KiB | index KiB | TOAST KiB | total bytes / file | indexes |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        long total = 0;
        try (var c = jdbc.dataSource().getConnection(); var st = c.createStatement()) {
            st.execute("ANALYZE");
            List<String[]> rows = new ArrayList<>();
            try (var rs = st.executeQuery("SELECT n.nspname, c.relname, c.oid, pg_relation_size(c.oid),"
                    + " pg_indexes_size(c.oid), pg_total_relation_size(c.oid)"
                    + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                    + " AND n.nspname NOT LIKE 'pg_toast%' ORDER BY pg_total_relation_size(c.oid) DESC")) {
                while (rs.next()) {
                    rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6)});
                }
            }
            for (String[] r : rows) {
                long count;
                try (var rs = st.executeQuery("SELECT count(*) FROM \"" + r[0] + "\".\"" + r[1] + "\"")) {
                    rs.next();
                    count = rs.getLong(1);
                }
                StringBuilder indexes = new StringBuilder();
                try (var rs = st.executeQuery("SELECT i.relname, pg_relation_size(i.oid) FROM pg_index x"
                        + " JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = " + r[2]
                        + " ORDER BY i.relname")) {
                    while (rs.next()) {
                        indexes.append(indexes.length() == 0 ? "" : ", ").append(rs.getString(1)).append(' ')
                                .append(rs.getLong(2) >> 10).append(" KiB");
                    }
                }
                long heap = Long.parseLong(r[3]);
                long index = Long.parseLong(r[4]);
                long all = Long.parseLong(r[5]);
                total += all;
                out.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %d | %d | %d | %.0f | %s |%n", r[1], count,
                        (double) count / files, heap >> 10, index >> 10, (all - heap - index) >> 10,
                        (double) all / files, indexes));
            }
        }
        out.append(String.format(Locale.ROOT, "| all | | | | | | %.0f | %d MiB in total |%n", (double) total / files,
                total >> 20));
        return out.toString();
    }

    /** A {@link DocumentStore} that counts calls per method. */
    static final class Counting implements InvocationHandler {
        private final DocumentStore target;
        private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

        Counting(DocumentStore target) {
            this.target = target;
        }

        DocumentStore proxy() {
            return (DocumentStore) Proxy.newProxyInstance(DocumentStore.class.getClassLoader(),
                    new Class<?>[] {DocumentStore.class}, this);
        }

        @Override
        public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() != Object.class) {
                calls.computeIfAbsent(method.getName(), k -> new LongAdder()).increment();
            }
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        void reset() {
            calls.clear();
        }

        Map<String, Long> snapshot() {
            Map<String, Long> m = new TreeMap<>(Comparator.naturalOrder());
            calls.forEach((k, v) -> m.put(k, v.sum()));
            return m;
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("expected --name=value, got " + a);
            }
            o.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        return o;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
