package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.ConsistencyCheck;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.CheckReport;
import com.silknote.sync.core.model.CheckRequest;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Finding;
import com.silknote.sync.core.model.FindingClass;
import com.silknote.sync.core.model.OperationStatus;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.RepairReport;
import com.silknote.sync.core.model.RepairRequest;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.OperationListener;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 (consistency check and repair) and rule 10: what the check reports (classes, details, counts of what
 * it examined, the listener) and what the repair writes, says and refuses, on the in-memory stores.
 */
class ConsistencyCheckReportsTest {
    private static final CheckRequest VERIFY = new CheckRequest(true, Duration.ofHours(1));

    private final EngineFixture fx = new EngineFixture();
    private FilesetId fs;
    private VsrxFileId a;
    private VsrxFileId b;
    private VsrxFileId miscounted;

    ConsistencyCheckReportsTest() {
        fx.config(c -> c.maxOutboxAttempts(1));
    }

    private ConsistencyCheck checker() {
        return ConsistencyCheck.builder().documents(fx.documents).blobs(fx.blobs).vectors(fx.vectors).lock(fx.lock)
                .config(fx.config).clock(fx.clock).sleeper(fx.clock).random(new SplittableRandom(3))
                .source(fx.vsrx).build();
    }

    private ContentHash hashOf(VsrxFileId f) {
        return fx.silknote.documents().findMapping(f).orElseThrow().contentHash();
    }

    private List<AuditRecord> audit(RunId run, AuditAction action) {
        return fx.silknote.documents().auditTrail(AuditQuery.byRun(run), 0, 1000).stream()
                .filter(r -> r.entry().action() == action).toList();
    }

    private static Optional<Finding> finding(List<Finding> findings, FindingClass c) {
        return findings.stream().filter(f -> f.findingClass() == c).findFirst();
    }

    /** Two synced files; with {@code parkOne} a third whose processing failed and was parked. */
    private void world(boolean parkOne) {
        fs = fx.linkedFileset("P-CHECK");
        a = fx.text(fs, "a.txt", "the first note");
        b = fx.text(fs, "b.txt", "the second, longer note");
        if (parkOne) {
            VsrxFileId p = fx.text(fs, "p.txt", "processing of this one fails");
            fx.processor = (doc, token) -> {
                if (doc.clientFileId().equals(p)) {
                    throw new TransientSyncException("processing down");
                }
                fx.silknote.processor().process(doc, token);
            };
        }
        assertThat(fx.run().success()).isTrue();
    }

    private void loseTheLease(boolean renewDue) {
        fx.silknote.lock().forceExpiry(SyncConfig.LOCK_NAME);
        if (renewDue) {
            fx.clock.advance(fx.config.lockTtl().dividedBy(3).plusSeconds(1));
        }
    }

    @Test
    @DisplayName("issue 11: the check counts what it examined and tells the listener each phase and its progress")
    void theCheckCountsWhatItExaminedAndTheListenerHearsIt() {
        world(true);
        byte[] stray = "an upload no row knows".getBytes(StandardCharsets.UTF_8);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(TestHashes.sha256(stray), stray.length, "text/plain",
                () -> new ByteArrayInputStream(stray)));
        fx.silknote.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(a));
        fx.silknote.documents().removeMappingRow(b);
        try (var lease = fx.silknote.lock().newHolder("host-t").tryAcquire(SyncConfig.LOCK_NAME, Duration.ofMinutes(1))
                .orElseThrow()) {
            fx.silknote.documents().inUnitOfWork(lease.token(), u -> {
                u.enqueue(com.silknote.sync.core.model.OutboxEntry.pending(DocumentUuid.forVsrxFile(b),
                        com.silknote.sync.core.model.OutboxEntry.Action.PROCESS, hashOf(a), fx.clock.instant()));
                return null;
            });
        }
        List<String> heard = new ArrayList<>();
        OperationListener listener = new OperationListener() {
            @Override
            public void operationStarted(RunId runId, String operation, boolean dryRun) {
                heard.add("started " + operation + " " + dryRun);
            }

            @Override
            public void phaseStarted(RunId runId, String phase) {
                heard.add("phase " + phase);
            }

            @Override
            public void progress(RunId runId, String phase, long examined, long found) {
                heard.add("progress " + phase + " " + examined + " " + found);
            }

            @Override
            public void operationFinished(RunId runId, String operation) {
                heard.add("finished " + operation);
            }
        };

        CheckReport r = checker().newBuilder().listener(listener).build().check(VERIFY);

        assertThat(r.status()).isEqualTo(OperationStatus.COMPLETED);
        long verified = "the first note".length() + "the second, longer note".length()
                + "processing of this one fails".length();
        assertThat(r.examined()).containsEntry("blobs", 4L).containsEntry("hashes", 4L)
                .containsEntry("blobBytesVerified", verified).containsEntry("outboxEntries", 2L)
                .containsEntry("vectorDocuments", 2L);
        assertThat(r.findings()).extracting(Finding::findingClass).containsExactly(
                FindingClass.MAPPING_WITHOUT_DOCUMENT, FindingClass.DOCUMENT_WITHOUT_MAPPING, FindingClass.OUTBOX_PARKED,
                FindingClass.VECTORS_OF_DELETED_DOCUMENT);
        assertThat(heard).containsExactly("started check false", "phase blobs", "progress blobs 4 0",
                "phase mappings", "progress mappings 2 2", "phase outbox", "progress outbox 2 3", "phase vectors",
                "progress vectors 2 4", "finished check");
    }

    @Test
    @DisplayName("issue 11: the check reports progress of the blob phase every 500 hashes, then the total")
    void theBlobPhaseReportsProgressEveryFiveHundredHashes() {
        for (int i = 0; i < 501; i++) {
            byte[] stray = ("stray upload " + i).getBytes(StandardCharsets.UTF_8);
            fx.silknote.blobs().putIfAbsent(new BlobUpload(TestHashes.sha256(stray), stray.length, "text/plain",
                    () -> new ByteArrayInputStream(stray)));
        }
        List<Long> heard = new ArrayList<>();
        OperationListener listener = new OperationListener() {
            @Override
            public void progress(RunId runId, String phase, long examined, long found) {
                if (phase.equals("blobs")) {
                    heard.add(examined);
                }
            }
        };

        CheckReport r = checker().newBuilder().listener(listener).build().check(new CheckRequest(false,
                Duration.ofHours(1)));

        assertThat(r.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(r.examined()).containsEntry("hashes", 501L);
        assertThat(heard).containsExactly(500L, 501L);
    }

    @Test
    @DisplayName("issue 11 / rule 10: a parked entry another writer requeued after the check's scan is not requeued again, and the repair completes")
    void aParkedEntryRequeuedBehindTheRepairIsLeftAlone() {
        world(true);
        List<com.silknote.sync.core.model.OutboxEntry> parked = fx.silknote.documents().parkedOutbox(0, 10);
        assertThat(parked).hasSize(1);
        long id = parked.get(0).id();
        boolean[] requeued = {false};
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public Set<DocumentUuid> existingDocuments(Collection<DocumentUuid> uuids) {
                // the vectors phase, the scan's last: the outbox phase has found the entry parked
                if (!requeued[0]) {
                    requeued[0] = true;
                    fx.silknote.documents().inUnitOfWork(fx.silknote.documents().highWaterMark().orElseThrow(), u -> {
                        u.requeueOutbox(id);
                        return null;
                    });
                }
                return super.existingDocuments(uuids);
            }
        };

        RepairReport done = checker().repair(new RepairRequest(VERIFY, false));

        assertThat(requeued[0]).isTrue();
        assertThat(done.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(done.repaired()).noneMatch(x -> x.finding().findingClass() == FindingClass.OUTBOX_PARKED);
        assertThat(audit(done.runId(), AuditAction.REPAIR_OUTBOX_REQUEUED)).isEmpty();
        assertThat(fx.silknote.documents().parkedOutbox(0, 10)).isEmpty();
    }

    @Test
    @DisplayName("issue 11: each finding's detail says what was seen: a missing row, a wrong size, the parked entry's error")
    void findingsCarryTheirDetails() {
        world(true);
        VsrxFileId extra = fx.text(fs, "extra.txt", "a note whose row counts five");
        assertThat(fx.run().success()).isTrue();
        ContentHash ha = hashOf(a);
        ContentHash hb = hashOf(b);
        fx.silknote.documents().removeBlobRefRow(ha);
        // the document now says 99 bytes, the stored blob has 23
        fx.silknote.documents().removeMappingRow(b);
        fx.silknote.documents().editDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(b), d -> new SilknoteDocument(
                d.uuid(), d.patientUuid(), d.filesetId(), d.clientFileId(), d.contentHash(), 99, d.mimeType(),
                d.metadata(), d.updatedAt()));

        ContentHash hx = hashOf(extra);
        BlobRef row = fx.silknote.documents().findBlobRef(hx).orElseThrow();
        fx.silknote.documents().replaceBlobRefBehindTheSync(hx, Optional.of(new BlobRef(hx, 5, row.size(),
                row.state(), row.blobEtag(), row.updatedAt())));

        CheckReport quick = checker().check(new CheckRequest(false, Duration.ofHours(1)));

        assertThat(quick.findings()).contains(
                new Finding(FindingClass.REFERENCE_COUNT_MISMATCH, ha.hex(), "refCount:none,references:1"),
                new Finding(FindingClass.REFERENCE_COUNT_MISMATCH, hx.hex(), "refCount:5,references:1"),
                new Finding(FindingClass.BLOB_CONTENT_MISMATCH, hb.hex(),
                        "size:" + "the second, longer note".length() + ",expected:99"));
        assertThat(finding(quick.findings(), FindingClass.OUTBOX_PARKED).orElseThrow().detail())
                .startsWith("PROCESS,document:").contains(",attempts:1,lastError:");
    }

    @Test
    @DisplayName("issue 11: the check lists at most MAX_ITEMS findings, says it was cut, and counts them all")
    void theCheckListsAtMostMaxItems() {
        int n = com.silknote.sync.core.model.CleanupReport.MAX_ITEMS + 1;
        try (var lease = fx.silknote.lock().newHolder("host-v").tryAcquire(SyncConfig.LOCK_NAME, Duration.ofMinutes(1))
                .orElseThrow()) {
            for (int i = 0; i < n; i++) {
                DocumentUuid u = new DocumentUuid(new UUID(0x0f0f0f0f00004000L, 0x8000000000000000L + i));
                fx.silknote.vectors().replace(lease.token(), u, List.of(new VectorEntry(u, 0,
                        TestHashes.sha256(new byte[] {1}), new float[] {1f})));
            }
        }

        CheckReport r = checker().check(CheckRequest.defaults());

        assertThat(r.count(FindingClass.VECTORS_OF_DELETED_DOCUMENT)).isEqualTo(n);
        assertThat(r.total()).isEqualTo(n);
        assertThat(r.findings()).hasSize(com.silknote.sync.core.model.CleanupReport.MAX_ITEMS);
        assertThat(r.findingsTruncated()).isTrue();
    }

    /** A missing blob, a damaged blob, a missing row, a parked entry and a gone document's vectors. */
    private void damage() {
        world(true);
        ContentHash ha = hashOf(a);
        ContentHash hb = hashOf(b);
        fx.silknote.blobs().deleteIfMatch(ha, fx.silknote.blobs().stat(ha).orElseThrow().etag());
        fx.silknote.blobs().corrupt(hb, "the second, damaged note".substring(0, "the second, longer note".length())
                .getBytes(StandardCharsets.UTF_8));
        FilesetId other = fx.linkedFileset("P-OTHER");
        VsrxFileId c = fx.text(other, "c.txt", "a note whose row goes missing");
        VsrxFileId gone = fx.text(other, "gone.txt", "a note a user removes");
        miscounted = fx.text(other, "d.txt", "a note whose row counts five");
        assertThat(fx.run().success()).isTrue();
        fx.silknote.documents().removeBlobRefRow(hashOf(c));
        fx.silknote.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(gone));
        BlobRef row = fx.silknote.documents().findBlobRef(hashOf(miscounted)).orElseThrow();
        fx.silknote.documents().replaceBlobRefBehindTheSync(row.hash(), Optional.of(new BlobRef(row.hash(), 5,
                row.size(), row.state(), row.blobEtag(), row.updatedAt())));
    }

    @Test
    @DisplayName("issue 11: a dry repair says what it would do with each class of finding")
    void aDryRepairSaysWhatItWouldDo() {
        damage();

        RepairReport dry = checker().repair(new RepairRequest(VERIFY, true));

        assertThat(dry.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(dry.repaired()).extracting(x -> x.finding().findingClass() + " " + x.outcome())
                .containsExactlyInAnyOrder(FindingClass.DOCUMENT_WITHOUT_BLOB + " would-refetch",
                        FindingClass.BLOB_CONTENT_MISMATCH + " would-refetch",
                        FindingClass.REFERENCE_COUNT_MISMATCH + " would-recount",
                        FindingClass.REFERENCE_COUNT_MISMATCH + " would-recount",
                        FindingClass.OUTBOX_PARKED + " would-requeue",
                        FindingClass.VECTORS_OF_DELETED_DOCUMENT + " would-purge");
    }

    @Test
    @DisplayName("issue 11: the repair reports each fix with what it did, and audits refetches as missing or damaged")
    void theRepairReportsEachFixAndAuditsIt() {
        damage();
        ContentHash ha = hashOf(a);
        ContentHash hb = hashOf(b);

        RepairReport done = checker().repair(new RepairRequest(VERIFY, false));

        assertThat(done.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(done.repaired()).extracting(x -> x.finding().findingClass() + " " + x.outcome())
                .containsExactlyInAnyOrder(FindingClass.DOCUMENT_WITHOUT_BLOB + " refetched:" + a.value(),
                        FindingClass.BLOB_CONTENT_MISMATCH + " refetched:" + b.value(),
                        FindingClass.REFERENCE_COUNT_MISMATCH + " recounted:none>1",
                        FindingClass.REFERENCE_COUNT_MISMATCH + " recounted:5>1",
                        FindingClass.OUTBOX_PARKED + " requeued",
                        FindingClass.VECTORS_OF_DELETED_DOCUMENT + " purged");
        assertThat(audit(done.runId(), AuditAction.REPAIR_BLOB_REFETCHED))
                .extracting(r -> r.entry().afterHash().orElseThrow() + " " + r.entry().detail().orElseThrow())
                .containsExactlyInAnyOrder(ha + " missing", hb + " damaged");
        assertThat(audit(done.runId(), AuditAction.REPAIR_VECTORS_PURGED)).singleElement()
                .satisfies(r -> assertThat(r.entry().detail()).contains("entries:1"));
        assertThat(checker().check(VERIFY).findings()).extracting(Finding::findingClass)
                .containsExactly(FindingClass.MAPPING_WITHOUT_DOCUMENT);
    }

    @Test
    @DisplayName("issue 11: a file VSRX no longer serves is not fetched; the finding stays, the repair goes on")
    void aFileVsrxNoLongerServesLeavesTheFinding() {
        world(false);
        ContentHash ha = hashOf(a);
        fx.silknote.blobs().deleteIfMatch(ha, fx.silknote.blobs().stat(ha).orElseThrow().etag());
        fx.vsrx.deleteFile(a);

        RepairReport done = checker().repair(new RepairRequest(VERIFY, false));

        assertThat(done.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(done.remaining()).contains(new Finding(FindingClass.DOCUMENT_WITHOUT_BLOB, ha.hex(),
                "vsrx-serves-other-content"));
    }

    @Test
    @DisplayName("rule 10: a lease lost before the repair's commit stops it before the write (FAILED)")
    void aLeaseLostBeforeTheRecountStopsTheRepair() {
        world(false);
        ContentHash ha = hashOf(a);
        fx.silknote.documents().removeBlobRefRow(ha);
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public Map<ContentHash, BlobRef> findBlobRefs(Collection<ContentHash> hashes) {
                loseTheLease(false);
                return super.findBlobRefs(hashes);
            }
        };

        RepairReport done = checker().repair(new RepairRequest(VERIFY, false));

        assertThat(done.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(done.error()).contains("lease lost: LeaseLostException");
        assertThat(fx.silknote.documents().findBlobRef(ha)).isEmpty();
    }

    @Test
    @DisplayName("rule 10: a lease lost before a vector purge leaves the vectors (FAILED)")
    void aLeaseLostBeforeThePurgeLeavesTheVectors() {
        world(false);
        DocumentUuid doc = DocumentUuid.forVsrxFile(a);
        // the mapping stays: its reference keeps the count right, so the purge is the repair's first write
        fx.silknote.documents().removeDocumentAsSilknoteUser(doc);
        VectorStore real = fx.vectors;
        fx.vectors = new ForwardingVectors(real) {
            @Override
            public Page<DocumentUuid> documents(Optional<String> cursor, int limit) {
                Page<DocumentUuid> page = real.documents(cursor, limit);
                loseTheLease(true);
                return page;
            }
        };

        RepairReport done = checker().repair(new RepairRequest(VERIFY, false));

        assertThat(done.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(fx.silknote.vectors().all()).containsKey(doc);
    }

    @Test
    @DisplayName("issue 11: vectors of a document written back before the purge are kept")
    void vectorsOfADocumentWrittenBackBeforeThePurgeAreKept() {
        world(false);
        DocumentUuid doc = DocumentUuid.forVsrxFile(a);
        SilknoteDocument saved = fx.silknote.documents().findDocument(doc).orElseThrow();
        fx.silknote.documents().removeDocumentAsSilknoteUser(doc);
        int[] calls = {0};
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public Set<DocumentUuid> existingDocuments(Collection<DocumentUuid> uuids) {
                if (uuids.contains(doc) && ++calls[0] == 2) {
                    fx.silknote.documents().inUnitOfWork(fx.silknote.documents().highWaterMark().orElseThrow(), u -> {
                        u.upsertDocument(saved);
                        return null;
                    });
                }
                return super.existingDocuments(uuids);
            }
        };

        RepairReport done = checker().repair(new RepairRequest(VERIFY, false));

        assertThat(done.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(done.repaired()).noneMatch(x -> x.finding().findingClass() == FindingClass.VECTORS_OF_DELETED_DOCUMENT);
        assertThat(fx.silknote.vectors().all()).containsKey(doc);
    }

    @Test
    @DisplayName("rule 10: a lease lost before a blob is fetched again means no download; lost during it, no upload")
    void aLeaseLostAroundARefetchWritesNothing() {
        world(false);
        ContentHash ha = hashOf(a);
        fx.silknote.blobs().deleteIfMatch(ha, fx.silknote.blobs().stat(ha).orElseThrow().etag());
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public List<SilknoteDocument> findDocumentsByContentHash(ContentHash hash, int limit) {
                loseTheLease(true);
                return super.findDocumentsByContentHash(hash, limit);
            }
        };
        long downloads = fx.vsrx.downloads(a);

        RepairReport before = checker().repair(new RepairRequest(VERIFY, false));

        assertThat(before.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(fx.vsrx.downloads(a)).as("nothing downloaded after the lease was lost").isEqualTo(downloads);
        assertThat(fx.silknote.blobs().rawBytes(ha)).isEmpty();

        fx.documents = fx.silknote.documents();
        fx.vsrx.onOpen(a, () -> loseTheLease(true));
        RepairReport during = checker().repair(new RepairRequest(VERIFY, false));

        assertThat(during.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(fx.silknote.blobs().rawBytes(ha)).as("not uploaded after the lease was lost").isEmpty();
    }

    @Test
    @DisplayName("issue 11: a backend failure ends the check and the repair with a FAILED report naming it")
    void aBackendFailureEndsWithAFailedReport() {
        world(false);
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public List<com.silknote.sync.core.model.OutboxEntry> parkedOutbox(long afterId, int limit) {
                throw new PermanentSyncException("ledger refused", 403, null);
            }
        };

        CheckReport check = checker().check(VERIFY);
        RepairReport repair = checker().repair(new RepairRequest(VERIFY, false));

        assertThat(check.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(check.error()).contains("PermanentSyncException: ledger refused");
        assertThat(repair.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(repair.error()).contains("PermanentSyncException: ledger refused");
    }

    /** Forwards every call to another vector store; tests override single methods. */
    private static class ForwardingVectors implements VectorStore {
        private final VectorStore d;

        ForwardingVectors(VectorStore d) {
            this.d = d;
        }

        @Override
        public void fence(FencingToken token) {
            d.fence(token);
        }

        @Override
        public void replace(FencingToken token, DocumentUuid document, List<VectorEntry> entries) {
            d.replace(token, document, entries);
        }

        @Override
        public int deleteByDocument(FencingToken token, DocumentUuid document) {
            return d.deleteByDocument(token, document);
        }

        @Override
        public List<VectorEntry> entries(DocumentUuid document) {
            return d.entries(document);
        }

        @Override
        public Page<DocumentUuid> documents(Optional<String> cursor, int limit) {
            return d.documents(cursor, limit);
        }
    }
}
