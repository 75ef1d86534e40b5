package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.InMemoryBlobStore;
import com.silknote.sync.testkit.InMemoryDocumentProcessor;
import com.silknote.sync.testkit.InMemoryDocumentStore;
import com.silknote.sync.testkit.InMemorySyncLock;
import com.silknote.sync.testkit.InMemoryVectorStore;
import com.silknote.sync.testkit.TestClock;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 "constant heap" and issue 11 "run history": a run over 100,000 filesets completes in the
 * {@code bounded-heap} surefire execution's small heap, and the heap after GC does not grow with the number of
 * filesets done: the engine streams every fileset's report to the run history and the listener and keeps only
 * aggregates and a bounded selection; the resume state saved with every commit stays small.
 *
 * <p>The fixtures hold (nearly) constant memory during the run: VSRX is generated from the fileset's number
 * (nothing stored); one fileset in ten is linked to a patient and known to the ledger from the start with another
 * patient-id history, so it commits (replacing its record) and saves the resume state with its commit, the
 * others are not linked yet and change nothing; the run history's fileset rows are counted rather than kept
 * (they belong to the store, not to the engine whose memory is measured).
 */
@Tag("bounded-heap")
class HundredThousandFilesetsTest {
    static final int FILESETS = 100_000;
    /** Heap used after GC may vary this much between samples without a leak (GC and JIT noise). */
    static final long NOISE = 6L << 20;

    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");

    /** 100,000 filesets without files, one in ten linked, made up from their number on every call. */
    static final class GeneratedVsrx implements VsrxSource {
        private final Instant updatedAt;

        GeneratedVsrx(Instant updatedAt) {
            this.updatedAt = updatedAt;
        }

        static FilesetId id(int i) {
            return FilesetId.of(String.format("fs-%07d", i));
        }

        VsrxFileset fileset(int i) {
            return new VsrxFileset(id(i), PatientId.of("P-" + i), linked(i) ? Optional.of(patient(i)) : Optional.empty(),
                    List.of(), updatedAt);
        }

        static boolean linked(int i) {
            return i % 10 == 0;
        }

        static PatientUuid patient(int i) {
            return new PatientUuid(new UUID(0x5111_0000_0000_4000L, 0x8000_0000_0000_0000L | i));
        }

        @Override
        public Page<VsrxFileset> listFilesets(PageRequest request) {
            int from = request.cursor().map(c -> Integer.parseInt(c) + 1).orElse(0);
            int to = Math.min(FILESETS, from + request.limit());
            List<VsrxFileset> items = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
                items.add(fileset(i));
            }
            return new Page<>(items, to < FILESETS ? Optional.of(Integer.toString(to - 1)) : Optional.empty());
        }

        @Override
        public Optional<VsrxFileset> findFileset(FilesetId id) {
            int i = Integer.parseInt(id.value().substring(3));
            return i < FILESETS ? Optional.of(fileset(i)) : Optional.empty();
        }

        @Override
        public Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
            return Page.last(List.of());
        }

        @Override
        public FileContent openContent(VsrxFileId fileId) {
            throw new IllegalStateException("no files");
        }
    }

    @Test
    @DisplayName("issue 12 constant heap: 100,000 filesets complete in a small heap, and the heap does not grow"
            + " with the filesets done")
    void aHundredThousandFilesetsInConstantMemory() {
        assertThat(Runtime.getRuntime().maxMemory()).as("run in the bounded-heap execution").isLessThan(160L << 20);
        HeapRun run = run(SyncConfig.DEFAULT_REPORT_FILESET_LIMIT);

        SyncResult result = run.result;
        assertThat(result.status()).as("%s", result.error()).isEqualTo(SyncResult.Status.COMPLETED);
        SyncReport report = result.report().orElseThrow();
        assertThat(report.totals().filesets(FilesetOutcome.COMPLETED)).isEqualTo(FILESETS / 10);
        assertThat(report.totals().filesets(FilesetOutcome.SKIPPED_NOT_LINKED)).isEqualTo(FILESETS - FILESETS / 10);
        assertThat(report.filesets()).hasSize(SyncConfig.DEFAULT_REPORT_FILESET_LIMIT);
        assertThat(report.omittedFilesets()).isEqualTo(FILESETS - SyncConfig.DEFAULT_REPORT_FILESET_LIMIT);
        assertThat(run.recorded.get()).as("a history row per fileset").isEqualTo(FILESETS);
        assertThat(run.heard.get()).as("the listener heard every fileset").isEqualTo(FILESETS);
        assertThat(run.commits).as("every linked fileset committed (its record changed)")
                .isGreaterThanOrEqualTo(FILESETS / 10);
        assertThat(run.maxSavedState).as("largest resume state saved with a commit, in characters")
                .isLessThan(200_000);
        SyncState state = run.store.loadState();
        assertThat(state.partialSyncState().isEmpty()).isTrue();
        assertThat(state.lastCompleteSync()).isPresent();
        List<Long> samples = run.heapSamples;
        long growth = samples.get(samples.size() - 1) - samples.get(0);
        assertThat(growth).as("heap after GC from %d to %d filesets done: %s", FILESETS / 5, FILESETS, samples)
                .isLessThan(NOISE);
    }

    /**
     * The sample above can see growth: with a report that keeps every fileset (the limit raised to all of
     * them), the same heap samples grow with the filesets done.
     */
    @Test
    @DisplayName("issue 12 constant heap: the heap sample sees the growth of a report that keeps every fileset")
    void theHeapSampleSeesGrowthWhenEveryReportIsKept() {
        HeapRun run = run(FILESETS);
        assertThat(run.result.report().orElseThrow().filesets()).hasSize(FILESETS);
        List<Long> samples = run.heapSamples;
        assertThat(samples.get(samples.size() - 1) - samples.get(0)).as("samples %s", samples).isGreaterThan(NOISE);
    }

    private static final class HeapRun {
        SyncResult result;
        InMemoryDocumentStore store;
        final AtomicLong recorded = new AtomicLong();
        final AtomicLong heard = new AtomicLong();
        final List<Long> heapSamples = new ArrayList<>();
        long commits;
        int maxSavedState;
    }

    private HeapRun run(int reportLimit) {
        HeapRun run = new HeapRun();
        GeneratedVsrx vsrx = new GeneratedVsrx(clock.instant());
        InMemoryDocumentStore ledger = new InMemoryDocumentStore(clock);
        run.store = ledger;
        // the linked filesets are known already, with another patient-id history than VSRX's: each commits
        for (int from = 0; from < FILESETS; from += 10_000) {
            int start = from;
            ledger.inUnitOfWork(com.silknote.sync.core.model.FencingToken.of(1), u -> {
                for (int i = start; i < Math.min(FILESETS, start + 10_000); i++) {
                    if (GeneratedVsrx.linked(i)) {
                        u.upsertFileset(new PatientFilesetRecord(GeneratedVsrx.id(i), GeneratedVsrx.patient(i),
                                List.of(PatientId.of("Q-" + i)), clock.instant()));
                    }
                }
                return null;
            });
        }
        long commitsBefore = ledger.commits();
        int[] maxState = {0};
        DocumentStore store = intercept(ledger, (name, args, call) -> {
            if (name.equals("recordFilesetReport")) {
                run.recorded.incrementAndGet();
                return null;
            }
            if (name.equals("inUnitOfWork")) {
                @SuppressWarnings("unchecked")
                java.util.function.Function<DocumentStore.UnitOfWork, Object> work =
                        (java.util.function.Function<DocumentStore.UnitOfWork, Object>) args[1];
                return ledger.inUnitOfWork((com.silknote.sync.core.model.FencingToken) args[0], u -> work.apply(
                        interceptUow(u, state -> {
                            synchronized (maxState) {
                                maxState[0] = Math.max(maxState[0], state.toJson().length());
                            }
                        })));
            }
            return call.get();
        });
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        SyncListener listener = new SyncListener() {
            @Override
            public void filesetFinished(RunId runId, FilesetReport report) {
                long n = run.heard.incrementAndGet();
                if (n % (FILESETS / 5) == 0) {
                    System.gc();
                    synchronized (run.heapSamples) {
                        run.heapSamples.add(memory.getHeapMemoryUsage().getUsed());
                    }
                }
            }
        };
        InMemoryBlobStore blobs = new InMemoryBlobStore(clock);
        InMemoryVectorStore vectors = new InMemoryVectorStore();
        SyncConfig config = SyncConfig.builder().pageSize(1000).filesetConcurrency(2).reportFilesetLimit(reportLimit)
                .build();
        VsrxSync sync = VsrxSync.builder().source(vsrx).documents(store).blobs(blobs).vectors(vectors)
                .processor(new InMemoryDocumentProcessor(blobs, vectors)).lock(new InMemorySyncLock(clock))
                .listener(listener).config(config).clock(clock).sleeper(clock).random(new SplittableRandom(12))
                .build();
        run.result = sync.run(SyncRequest.full());
        System.out.println("heap after GC every " + FILESETS / 5 + " filesets (report limit " + reportLimit + "): "
                + run.heapSamples);
        run.commits = ledger.commits() - commitsBefore;
        run.maxSavedState = maxState[0];
        return run;
    }

    @FunctionalInterface
    interface Around {
        Object call(String method, Object[] args, Next next) throws Throwable;
    }

    @FunctionalInterface
    interface Next {
        Object get() throws Throwable;
    }

    static DocumentStore intercept(DocumentStore target, Around around) {
        return (DocumentStore) Proxy.newProxyInstance(DocumentStore.class.getClassLoader(),
                new Class<?>[] {DocumentStore.class}, (p, m, args) -> around.call(m.getName(), args, () -> {
                    try {
                        return m.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }));
    }

    /** A unit of work that reports every state it saves. */
    static DocumentStore.UnitOfWork interceptUow(DocumentStore.UnitOfWork target,
            java.util.function.Consumer<SyncState> saved) {
        return (DocumentStore.UnitOfWork) Proxy.newProxyInstance(DocumentStore.class.getClassLoader(),
                new Class<?>[] {DocumentStore.UnitOfWork.class}, (p, m, args) -> {
                    if (m.getName().equals("saveState")) {
                        saved.accept((SyncState) args[0]);
                    }
                    try {
                        return m.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
