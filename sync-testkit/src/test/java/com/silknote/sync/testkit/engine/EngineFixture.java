package com.silknote.sync.testkit.engine;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.UnaryOperator;

/** A VSRX simulator, a Silknote simulator and an engine over them, all on one {@link TestClock}. */
final class EngineFixture {
    static final byte[] PDF = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);

    final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    final InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
    final SilknoteSimulator silknote = new SilknoteSimulator(clock);
    SyncConfig config = SyncConfig.builder()
            .retryPolicy(new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2), true))
            .filesetConcurrency(2).fileConcurrency(4).pageSize(2)
            // blobs are collected as soon as unreferenced, so tests see it at once; CollectionAndOutboxTest
            // covers the grace period
            .blobGracePeriod(Duration.ZERO)
            .build();
    VsrxSource source = vsrx;
    DocumentStore documents = silknote.documents();
    BlobStore blobs = silknote.blobs();
    VectorStore vectors = silknote.vectors();
    DocumentProcessor processor = silknote.processor();
    SyncLock lock = silknote.lock();
    SyncListener listener = SyncListener.NONE;
    /** The VSRX write port of bi-directional sync; none by default. */
    com.silknote.sync.core.port.VsrxTarget target;
    private long seed = 42;

    EngineFixture config(UnaryOperator<SyncConfig.Builder> change) {
        config = change.apply(config.newBuilder()).build();
        return this;
    }

    VsrxSync sync() {
        VsrxSync.Builder b = VsrxSync.builder().source(source).documents(documents).blobs(blobs).vectors(vectors)
                .processor(processor).lock(lock).listener(listener).config(config).clock(clock).sleeper(clock)
                .random(new SplittableRandom(seed++));
        if (target != null) {
            b.target(target);
        }
        return b.build();
    }

    /**
     * A process that dies between a VSRX write and its ledger commit: once {@code written} holds, the next unit of
     * work throws before it runs, once. Wraps the current document store; returns whether the crash happened.
     */
    java.util.concurrent.atomic.AtomicBoolean crashBeforeTheNextCommitOnce(java.util.function.BooleanSupplier written) {
        java.util.concurrent.atomic.AtomicBoolean crashed = new java.util.concurrent.atomic.AtomicBoolean();
        documents = new DelegatingDocumentStore(documents) {
            @Override
            public <T> T inUnitOfWork(com.silknote.sync.core.model.FencingToken token,
                    java.util.function.Function<DocumentStore.UnitOfWork, T> work) {
                if (written.getAsBoolean() && crashed.compareAndSet(false, true)) {
                    throw new IllegalStateException("process died before the commit");
                }
                return super.inUnitOfWork(token, work);
            }
        };
        return crashed;
    }

    SyncResult run() {
        return sync().run(SyncRequest.full());
    }

    /** The in-memory VSRX as a target that sets {@code written} once it has created a file. */
    com.silknote.sync.core.port.VsrxTarget notingCreates(java.util.concurrent.atomic.AtomicBoolean written) {
        return new BidirectionalScenarioTest.ForwardingTarget(vsrx) {
            @Override
            public com.silknote.sync.core.model.VsrxWriteResult createFile(
                    com.silknote.sync.core.model.FencingToken t, com.silknote.sync.core.model.IdempotencyKey k,
                    com.silknote.sync.core.model.NewVsrxFile f, com.silknote.sync.core.model.BlobUpload c) {
                com.silknote.sync.core.model.VsrxWriteResult r = super.createFile(t, k, f, c);
                written.set(true);
                return r;
            }
        };
    }

    /**
     * One full run of a process that dies after the run's first VSRX create and before its next ledger commit
     * (the write landed, its link did not); the store and the target are the in-memory ones again afterwards.
     */
    SyncResult runCrashingAfterTheFirstCreate() {
        java.util.concurrent.atomic.AtomicBoolean written = new java.util.concurrent.atomic.AtomicBoolean();
        target = notingCreates(written);
        DocumentStore real = documents;
        java.util.concurrent.atomic.AtomicBoolean crashed = crashBeforeTheNextCommitOnce(written::get);
        SyncResult r = run();
        org.assertj.core.api.Assertions.assertThat(crashed).as("the run died after its VSRX create").isTrue();
        documents = real;
        target = vsrx;
        return r;
    }

    /** Stores {@code text} (UTF-8, text/plain) in the Silknote blob store, as a Silknote user's upload does. */
    com.silknote.sync.core.model.ContentHash stored(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        com.silknote.sync.core.model.ContentHash h = com.silknote.sync.testkit.TestHashes.sha256(text);
        silknote.blobs().putIfAbsent(new com.silknote.sync.core.model.BlobUpload(h, bytes.length, "text/plain",
                () -> new java.io.ByteArrayInputStream(bytes)));
        return h;
    }

    /** A document a Silknote user creates for patient P-1 in {@code fs}, its bytes stored. */
    com.silknote.sync.core.model.AuthoredDocument authored(FilesetId fs, String text) {
        com.silknote.sync.core.model.AuthoredDocument a = new com.silknote.sync.core.model.AuthoredDocument(
                new com.silknote.sync.core.model.DocumentUuid(UUID.randomUUID()), patient("P-1"),
                java.util.Optional.of(fs), stored(text), text.getBytes(StandardCharsets.UTF_8).length, "text/plain",
                java.util.Optional.of("Brief"), "SILKNOTE", "ungrouped", clock.instant());
        silknote.documents().createDocumentAsSilknoteUser(a);
        return a;
    }

    /** Bi-directional sync into the in-memory VSRX, delete propagation as given, the default strategy. */
    EngineFixture bidirectional(boolean deletes) {
        config(c -> c.bidirectional(com.silknote.sync.core.model.BidirectionalConfig.builder()
                .direction(com.silknote.sync.core.model.SyncDirection.BIDIRECTIONAL).deletes(deletes).build()));
        target = vsrx;
        return this;
    }

    /**
     * A file an export wrote for {@code origin} with these bytes and whose link never committed, as that export
     * leaves it: the {@code EXPORT_STARTED} audit row it commits before its write (docs/bidirectional.md, row 13),
     * then the VSRX file with the origin.
     */
    com.silknote.sync.core.model.VsrxFileId writtenByALostExport(FilesetId fs,
            com.silknote.sync.core.model.DocumentUuid origin, String text, String name) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        com.silknote.sync.core.model.ContentHash h = com.silknote.sync.testkit.TestHashes.sha256(text);
        silknote.documents().inUnitOfWork(silknote.documents().highWaterMark()
                .orElse(com.silknote.sync.core.model.FencingToken.of(1)), uow -> {
                    uow.audit(com.silknote.sync.core.model.AuditEntry.of(
                            com.silknote.sync.core.model.RunId.of("run-lost-export"),
                            com.silknote.sync.core.model.AuditAction.EXPORT_STARTED)
                            .document(origin).fileset(fs).after(h).detail("export").build());
                    return null;
                });
        return vsrx.createFile(vsrx.highWaterMark().orElse(com.silknote.sync.core.model.FencingToken.of(1)),
                com.silknote.sync.core.model.IdempotencyKey.of("create:" + name),
                new com.silknote.sync.core.model.NewVsrxFile(fs, "notes/silknote/" + name, "text/plain", origin),
                new com.silknote.sync.core.model.BlobUpload(h, bytes.length, "text/plain",
                        () -> new java.io.ByteArrayInputStream(bytes))).file().id();
    }

    SyncResult run(SyncRequest request) {
        return sync().run(request);
    }

    FilesetId linkedFileset(String patientId) {
        return vsrx.addFileset(PatientId.of(patientId), patient(patientId));
    }

    static PatientUuid patient(String patientId) {
        return new PatientUuid(UUID.nameUUIDFromBytes(patientId.getBytes(StandardCharsets.UTF_8)));
    }

    VsrxFileId text(FilesetId fs, String name, String content) {
        return vsrx.addFile(fs, "notes/" + name, "text/plain", content);
    }

    static FileReport file(SyncResult result, VsrxFileId id) {
        return report(result).filesets().stream().flatMap(f -> f.files().stream())
                .filter(f -> f.fileId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no report for file " + id));
    }

    static FileAction action(SyncResult result, VsrxFileId id) {
        return file(result, id).action();
    }

    /**
     * Issue 12: a file found unchanged with nothing to report is counted in its fileset's report
     * ({@link FilesetReport#unchangedFiles()}), never listed.
     */
    static void assertCountedUnchanged(SyncResult result, FilesetId fs, VsrxFileId id) {
        FilesetReport f = fileset(result, fs);
        org.assertj.core.api.Assertions.assertThat(report(result).filesets()).flatMap(FilesetReport::files)
                .extracting(FileReport::fileId).as("unchanged file %s is not listed", id).doesNotContain(id);
        org.assertj.core.api.Assertions.assertThat(f.unchangedFiles()).as("unchanged files of %s", fs).isPositive();
    }

    /** The file was found unchanged: counted, not listed (issue 12), or listed as {@code UNCHANGED}. */
    static boolean unchanged(SyncResult result, VsrxFileId id) {
        return report(result).filesets().stream().flatMap(f -> f.files().stream()).filter(f -> f.fileId().equals(id))
                .allMatch(f -> f.action() == FileAction.UNCHANGED);
    }

    static FilesetReport fileset(SyncResult result, FilesetId id) {
        return report(result).filesets().stream().filter(f -> f.filesetId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no report for fileset " + id));
    }

    static SyncReport report(SyncResult result) {
        return result.report().orElseThrow(() -> new AssertionError("run has no report: " + result));
    }
}
