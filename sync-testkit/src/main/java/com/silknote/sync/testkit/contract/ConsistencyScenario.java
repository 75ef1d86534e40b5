package com.silknote.sync.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.ConsistencyCheck;
import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.CheckReport;
import com.silknote.sync.core.model.CheckRequest;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.Finding;
import com.silknote.sync.core.model.FindingClass;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.OperationStatus;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.RepairReport;
import com.silknote.sync.core.model.RepairRequest;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.InMemoryDocumentProcessor;
import com.silknote.sync.testkit.InMemoryVectorStore;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 (check and repair): each finding class is produced by damaging a store on purpose, found by the
 * check under its class and id, and fixed by the repair where that is safe (the rest is reported). An adapter's
 * test extends this class and supplies the stores, a lock client and the damage that the ports cannot do.
 */
public abstract class ConsistencyScenario {

    /** The clock of the world (a blob store that stamps its own times needs one near its time). */
    protected TestClock newClock() {
        return TestClock.at("2026-01-01T00:00:00Z");
    }

    /** A fresh, empty document store on {@code clock}. */
    protected abstract DocumentStore newDocumentStore(Clock clock);

    /** A fresh, empty blob store on {@code clock}. */
    protected abstract BlobStore newBlobStore(Clock clock);

    /** A lock client of one host on this test's lock namespace; every call gives another host. */
    protected abstract SyncLock newLock(Clock clock);

    /** Damage behind the ledger's back: the reference row of {@code hash} counts {@code count}. */
    protected abstract void setRefCountBehindTheSync(ContentHash hash, long count);

    /** Damage behind the ledger's back: the mapping of a file disappears (its document stays). */
    protected abstract void removeMappingBehindTheSync(VsrxFileId fileId);

    /** Damage behind the ledger's back: a document row disappears (its mapping stays). */
    protected abstract void removeDocumentBehindTheSync(DocumentUuid document);

    /** Damage behind the blob store's back: other bytes under {@code hash} (same length). */
    protected abstract void corruptBlob(ContentHash hash, byte[] bytes);

    protected TestClock clock;
    private final InMemoryVsrxSource[] vsrxHolder = new InMemoryVsrxSource[1];
    protected DocumentStore documents;
    protected BlobStore blobs;
    private final InMemoryVectorStore vectors = new InMemoryVectorStore();
    private InMemoryDocumentProcessor processor;
    private final Set<VsrxFileId> failProcessing = new HashSet<>();
    private SyncConfig config;
    private FilesetId fs;
    private VsrxFileId a;
    private VsrxFileId b;
    private VsrxFileId c;
    private VsrxFileId d;
    private VsrxFileId e;
    private VsrxFileId parked;
    private VsrxFileId stuck;

    private InMemoryVsrxSource vsrx() {
        return vsrxHolder[0];
    }

    private static String text(String name) {
        return "content of " + name + " for the consistency check";
    }

    @BeforeEach
    void world() {
        clock = newClock();
        vsrxHolder[0] = new InMemoryVsrxSource(clock);
        documents = newDocumentStore(clock);
        blobs = newBlobStore(clock);
        processor = new InMemoryDocumentProcessor(blobs, vectors);
        config = SyncConfig.builder().blobGracePeriod(Duration.ofDays(7)).maxOutboxAttempts(3)
                .retryPolicy(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(50), false)).build();
        fs = vsrx().addFileset(PatientId.of("P-CHECK"), new PatientUuid(UUID.nameUUIDFromBytes(
                "P-CHECK".getBytes(StandardCharsets.UTF_8))));
        a = vsrx().addFile(fs, "notes/a.txt", "text/plain", text("a"));
        b = vsrx().addFile(fs, "notes/b.txt", "text/plain", text("b"));
        c = vsrx().addFile(fs, "notes/c.txt", "text/plain", text("c"));
        d = vsrx().addFile(fs, "notes/d.txt", "text/plain", text("d"));
        e = vsrx().addFile(fs, "notes/e.txt", "text/plain", text("e"));
        parked = vsrx().addFile(fs, "notes/parked.txt", "text/plain", text("parked"));
        // processing of one document fails maxOutboxAttempts times: parked
        failProcessing.add(parked);
        for (int i = 0; i < config.maxOutboxAttempts(); i++) {
            assertThat(sync(config).run(SyncRequest.full()).success()).isTrue();
        }
        failProcessing.remove(parked);
        // processing of another keeps failing below the limit: pending, and stuck once old enough
        config = config.newBuilder().maxOutboxAttempts(100).build();
        stuck = vsrx().addFile(fs, "notes/stuck.txt", "text/plain", text("stuck"));
        failProcessing.add(stuck);
        assertThat(sync().run(SyncRequest.full()).success()).isTrue();
    }

    private VsrxSync sync() {
        return sync(config);
    }

    private VsrxSync sync(SyncConfig withConfig) {
        DocumentProcessor p = (doc, token) -> {
            if (failProcessing.contains(doc.clientFileId())) {
                throw new TransientSyncException("processing unavailable");
            }
            processor.process(doc, token);
        };
        return VsrxSync.builder().source(vsrx()).documents(documents).blobs(blobs).vectors(vectors).processor(p)
                .lock(newLock(clock)).config(withConfig).clock(clock).sleeper(clock)
                .random(new SplittableRandom(5)).build();
    }

    private ConsistencyCheck checker(boolean withSource) {
        ConsistencyCheck.Builder builder = ConsistencyCheck.builder().documents(documents).blobs(blobs)
                .vectors(vectors).lock(newLock(clock)).config(config).clock(clock).sleeper(clock)
                .random(new SplittableRandom(9));
        return withSource ? builder.source(vsrx()).build() : builder.build();
    }

    private ContentHash hash(VsrxFileId id) {
        return documents.findDocumentByClientFileId(id).orElseThrow().contentHash();
    }

    private CheckReport check() {
        CheckReport r = checker(true).check(new CheckRequest(true, Duration.ofHours(1)));
        assertThat(r.status()).isEqualTo(OperationStatus.COMPLETED);
        return r;
    }

    /** Every kind of damage at once; returns the findings each must cause. */
    private List<Finding> damage() {
        ContentHash hb = hash(b);
        ContentHash hc = hash(c);
        ContentHash hd = hash(d);
        BlobInfo blobB = blobs.stat(hb).orElseThrow();
        assertThat(blobs.deleteIfMatch(hb, blobB.etag())).isTrue();
        corruptBlob(hc, text("X").getBytes(StandardCharsets.UTF_8));
        setRefCountBehindTheSync(hd, 5);
        removeMappingBehindTheSync(e);
        DocumentUuid goneDoc = DocumentUuid.forVsrxFile(a);
        removeDocumentBehindTheSync(goneDoc);
        DocumentUuid stray = new DocumentUuid(UUID.fromString("0f0f0f0f-0000-4000-8000-00000000beef"));
        // written by a holder of the lock, as every vector write is (fenced)
        DocumentUuid docB = DocumentUuid.forVsrxFile(b);
        try (SyncLock.Lease lease = newLock(clock).tryAcquire("vsrx-sync", Duration.ofMinutes(1)).orElseThrow()) {
            vectors.replace(lease.token(), stray, List.of(new VectorEntry(stray, 0, hd, new float[] {1f})));
            // a late write of other content (a processing of c's bytes landing on b's document)
            vectors.replace(lease.token(), docB, List.of(new VectorEntry(docB, 0, hc, new float[] {2f})));
        }
        clock.advance(Duration.ofHours(2));
        return List.of(
                new Finding(FindingClass.DOCUMENT_WITHOUT_BLOB, hb.hex(), ""),
                new Finding(FindingClass.BLOB_CONTENT_MISMATCH, hc.hex(), ""),
                new Finding(FindingClass.REFERENCE_COUNT_MISMATCH, hd.hex(), ""),
                new Finding(FindingClass.DOCUMENT_WITHOUT_MAPPING, DocumentUuid.forVsrxFile(e).value().toString(), ""),
                new Finding(FindingClass.MAPPING_WITHOUT_DOCUMENT, a.value(), ""),
                new Finding(FindingClass.VECTORS_OF_DELETED_DOCUMENT, goneDoc.value().toString(), ""),
                new Finding(FindingClass.VECTORS_OF_DELETED_DOCUMENT, stray.value().toString(), ""),
                new Finding(FindingClass.VECTORS_OF_OTHER_CONTENT, docB.value().toString(), ""));
    }

    private static List<String> keys(List<Finding> findings) {
        return findings.stream().map(f -> f.findingClass() + "/" + f.id()).toList();
    }

    @Test
    @DisplayName("issue 11: a consistent Silknote has no findings but the work it was told is pending")
    public void aConsistentSilknoteHasOnlyItsPendingWork() {
        assertThat(check().findings()).extracting(Finding::findingClass).containsOnly(FindingClass.OUTBOX_PARKED);
        clock.advance(Duration.ofHours(2));
        CheckReport r = check();
        assertThat(r.findings()).extracting(Finding::findingClass)
                .containsOnly(FindingClass.OUTBOX_PARKED, FindingClass.OUTBOX_STUCK);
        assertThat(r.count(FindingClass.OUTBOX_PARKED)).isEqualTo(1);
        assertThat(r.count(FindingClass.OUTBOX_STUCK)).isEqualTo(1);
        assertThat(r.contentVerified()).isTrue();
        assertThat(r.examined().get("blobs")).isEqualTo(7);
    }

    @Test
    @DisplayName("issue 11: each damage is found under its class and opaque id")
    public void eachDamageIsFoundByItsClass() {
        List<Finding> expected = damage();
        CheckReport r = check();
        assertThat(keys(r.findings())).containsAll(keys(expected));
        assertThat(r.count(FindingClass.OUTBOX_PARKED)).isEqualTo(1);
        assertThat(r.count(FindingClass.OUTBOX_STUCK)).isEqualTo(1);
        assertThat(r.total()).isEqualTo(expected.size() + 2);
        assertThat(r.clean()).isFalse();

        // a size mismatch is found without reading content; a same-size corruption only by its bytes
        CheckReport quick = checker(true).check(new CheckRequest(false, Duration.ofHours(1)));
        assertThat(keys(quick.findings())).doesNotContain(FindingClass.BLOB_CONTENT_MISMATCH + "/" + hash(c).hex());
    }

    @Test
    @DisplayName("issue 11: a stuck DELETING row is found")
    public void aStuckDeletingRowIsFound() {
        ContentHash h = hash(d);
        vsrx().deleteFile(d);
        assertThat(sync().run(SyncRequest.full()).success()).isTrue();
        clock.advance(Duration.ofDays(8));
        try (SyncLock.Lease lease = newLock(clock).tryAcquire(SyncConfig.LOCK_NAME, Duration.ofMinutes(1))
                .orElseThrow()) {
            documents.fence(lease.token());
            assertThat(documents.markBlobDeleting(lease.token(), h, "an-etag-of-a-collector-that-stopped",
                    clock.instant())).isTrue();
        }
        clock.advance(Duration.ofHours(2));
        assertThat(keys(check().findings())).contains(FindingClass.BLOB_REF_STUCK_DELETING + "/" + h.hex());
    }

    @Test
    @DisplayName("issue 11: repair fixes what is safe, audits it, and reports the rest")
    public void repairFixesWhatIsSafeAndReportsTheRest() {
        damage();
        ContentHash hb = hash(b);
        ContentHash hc = hash(c);

        RepairReport dry = checker(true).repair(new RepairRequest(new CheckRequest(true, Duration.ofHours(1)), true));
        assertThat(dry.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(dry.repaired()).isNotEmpty().allSatisfy(x -> assertThat(x.outcome()).startsWith("would-"));
        assertThat(blobs.stat(hb)).as("a dry repair fetches nothing").isEmpty();

        RepairReport done = checker(true).repair(new RepairRequest(new CheckRequest(true, Duration.ofHours(1)), false));
        assertThat(done.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(done.repaired()).extracting(x -> x.finding().findingClass()).containsOnly(
                FindingClass.DOCUMENT_WITHOUT_BLOB, FindingClass.BLOB_CONTENT_MISMATCH,
                FindingClass.REFERENCE_COUNT_MISMATCH, FindingClass.VECTORS_OF_DELETED_DOCUMENT,
                FindingClass.VECTORS_OF_OTHER_CONTENT, FindingClass.OUTBOX_PARKED);
        assertThat(done.remaining()).extracting(Finding::findingClass).containsExactlyInAnyOrder(
                FindingClass.DOCUMENT_WITHOUT_MAPPING, FindingClass.MAPPING_WITHOUT_DOCUMENT, FindingClass.OUTBOX_STUCK);
        assertThat(done.remaining()).allSatisfy(f -> assertThat(f.detail()).isNotBlank());
        assertThat(stored(hb)).as("missing blob fetched again").isEqualTo(hb);
        assertThat(stored(hc)).as("damaged blob fetched again").isEqualTo(hc);
        assertThat(documents.findBlobRef(hash(d)).orElseThrow().refCount()).isEqualTo(1);
        assertThat(documents.pendingOutbox(100)).anySatisfy(x -> assertThat(x.document())
                .isEqualTo(DocumentUuid.forVsrxFile(parked)));
        List<AuditRecord> audit = documents.auditTrail(AuditQuery.byRun(done.runId()), 0, 100);
        assertThat(audit).extracting(r -> r.entry().action()).contains(AuditAction.REPAIR_BLOB_REFETCHED,
                AuditAction.REPAIR_REFERENCE_COUNT, AuditAction.REPAIR_VECTORS_PURGED,
                AuditAction.REPAIR_OUTBOX_REQUEUED, AuditAction.REPAIR_REPROCESS_QUEUED);
        assertThat(audit).filteredOn(r -> r.entry().action() == AuditAction.REPAIR_REFERENCE_COUNT)
                .singleElement().satisfies(r -> assertThat(r.entry().detail()).contains("refCount:5>1"));

        CheckReport after = check();
        assertThat(after.findings()).extracting(Finding::findingClass).containsOnly(
                FindingClass.DOCUMENT_WITHOUT_MAPPING, FindingClass.MAPPING_WITHOUT_DOCUMENT, FindingClass.OUTBOX_STUCK);
    }

    @Test
    @DisplayName("rule 10, §2.6: entries of other content than their document holds are found; the repair queues"
            + " the document's processing and the next sync replaces them")
    public void entriesOfOtherContentAreReprocessed() {
        DocumentUuid docB = DocumentUuid.forVsrxFile(b);
        ContentHash hb = hash(b);
        try (SyncLock.Lease lease = newLock(clock).tryAcquire("vsrx-sync", Duration.ofMinutes(1)).orElseThrow()) {
            // the entries of b's previous content, written after those of its current one
            vectors.replace(lease.token(), docB, List.of(new VectorEntry(docB, 0, hash(c), new float[] {2f}),
                    new VectorEntry(docB, 1, hb, new float[] {3f})));
        }
        assertThat(keys(check().findings())).contains(FindingClass.VECTORS_OF_OTHER_CONTENT + "/" + docB.value());
        assertThat(check().findings()).filteredOn(x -> x.findingClass() == FindingClass.VECTORS_OF_OTHER_CONTENT)
                .singleElement().satisfies(x -> assertThat(x.detail()).isEqualTo("entries-of-mixed-content"));

        RepairReport done = checker(true).repair(new RepairRequest(new CheckRequest(false, Duration.ofHours(1)),
                false));
        assertThat(done.repaired()).filteredOn(x -> x.finding().findingClass() == FindingClass.VECTORS_OF_OTHER_CONTENT)
                .singleElement().satisfies(x -> assertThat(x.outcome()).isEqualTo("reprocess-queued"));
        assertThat(documents.auditTrail(AuditQuery.byRun(done.runId()), 0, 100)).extracting(r -> r.entry().action())
                .contains(AuditAction.REPAIR_REPROCESS_QUEUED);
        assertThat(keys(check().findings())).as("queued processing is pending work, not a finding")
                .doesNotContain(FindingClass.VECTORS_OF_OTHER_CONTENT + "/" + docB.value());

        assertThat(sync().run(SyncRequest.full()).success()).isTrue();

        assertThat(vectors.entries(docB)).isNotEmpty().allSatisfy(x -> assertThat(x.contentHash()).isEqualTo(hb));
        assertThat(keys(check().findings())).doesNotContain(FindingClass.VECTORS_OF_OTHER_CONTENT + "/" + docB.value());
    }

    @Test
    @DisplayName("§2.6: a document whose processing is pending may hold older entries: not a finding")
    public void olderEntriesWithProcessingPendingAreNotAFinding() {
        DocumentUuid docB = DocumentUuid.forVsrxFile(b);
        ContentHash before = hash(b);
        failProcessing.add(b);
        vsrx().modifyFile(b, text("b, amended"));
        assertThat(sync().run(SyncRequest.full()).success()).isTrue();
        assertThat(hash(b)).isNotEqualTo(before);
        try (SyncLock.Lease lease = newLock(clock).tryAcquire("vsrx-sync", Duration.ofMinutes(1)).orElseThrow()) {
            vectors.replace(lease.token(), docB, List.of(new VectorEntry(docB, 0, before, new float[] {2f})));
        }

        assertThat(keys(check().findings())).doesNotContain(FindingClass.VECTORS_OF_OTHER_CONTENT + "/" + docB.value());

        failProcessing.remove(b);
        assertThat(sync().run(SyncRequest.full()).success()).isTrue();
        assertThat(vectors.entries(docB)).isNotEmpty().allSatisfy(x -> assertThat(x.contentHash()).isEqualTo(hash(b)));
        assertThat(keys(check().findings())).doesNotContain(FindingClass.VECTORS_OF_OTHER_CONTENT + "/" + docB.value());
    }

    @Test
    @DisplayName("issue 11: without a VSRX source missing and damaged blobs are reported, not fetched")
    public void withoutASourceBlobsAreReportedOnly() {
        damage();
        RepairReport done = checker(false).repair(new RepairRequest(new CheckRequest(true, Duration.ofHours(1)),
                false));
        assertThat(done.remaining()).filteredOn(f -> f.findingClass() == FindingClass.DOCUMENT_WITHOUT_BLOB
                || f.findingClass() == FindingClass.BLOB_CONTENT_MISMATCH).hasSize(2)
                .allSatisfy(f -> assertThat(f.detail()).isEqualTo("needs-vsrx-source"));
    }

    @Test
    @DisplayName("issue 11 / rule 10: repair is refused while a sync holds the lock, touching nothing")
    public void repairIsRefusedWhileASyncHoldsTheLock() {
        damage();
        try (SyncLock.Lease other = newLock(clock).tryAcquire(SyncConfig.LOCK_NAME, Duration.ofMinutes(5))
                .orElseThrow()) {
            RepairReport refused = checker(true).repair(RepairRequest.defaults());
            assertThat(refused.status()).isEqualTo(OperationStatus.ALREADY_IN_PROGRESS);
            assertThat(refused.repaired()).isEmpty();
            CheckReport stillRuns = checker(true).check(CheckRequest.defaults());
            assertThat(stillRuns.notes()).anyMatch(n -> n.contains("holds the vsrx-sync lock"));
        }
        assertThat(blobs.stat(hash(b))).isEmpty();
        assertThat(documents.findBlobRef(hash(d)).orElseThrow().refCount()).isEqualTo(5);
    }

    private ContentHash stored(ContentHash hash) {
        try (InputStream in = blobs.open(hash)) {
            return TestHashes.sha256(in.readAllBytes());
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }
}
