package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.OrphanCleanup;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.CleanupReport;
import com.silknote.sync.core.model.CleanupRequest;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.OperationStatus;
import com.silknote.sync.core.model.OrphanClass;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.SilknoteSnapshot;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.TestHashes;
import com.silknote.sync.testkit.fault.Interception;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** DESIGN rule 14 / issue 11: the orphan cleanup on the in-memory stores, one world with every class of orphan. */
class OrphanCleanupTest {
    private static final Duration GRACE = Duration.ofHours(1);

    private final EngineFixture fx = new EngineFixture();
    private FilesetId dropped;
    private FilesetId kept;
    private VsrxFileId removedByUser;
    private VsrxFileId deletedWhileParked;
    private VsrxFileId tooLarge;
    private ContentHash crashedUpload;
    private ContentHash zeroRow;
    private DocumentUuid strayVectors;

    private OrphanCleanup cleanup(boolean withSource) {
        OrphanCleanup.Builder b = OrphanCleanup.builder().documents(fx.documents).blobs(fx.blobs)
                .vectors(fx.vectors).lock(fx.lock).config(fx.config).clock(fx.clock).sleeper(fx.clock)
                .random(new SplittableRandom(3));
        return withSource ? b.source(fx.vsrx).build() : b.build();
    }

    /** One of each orphan, all older than the grace period. */
    @BeforeEach
    void world() {
        fx.config(c -> c.blobGracePeriod(GRACE).maxOutboxAttempts(1).maxFileSizeBytes(1000));
        dropped = fx.linkedFileset("P-DROPPED");
        fx.text(dropped, "a.txt", "document of a fileset Silknote dropped");
        fx.text(dropped, "b.txt", "another one");
        kept = fx.linkedFileset("P-KEPT");
        removedByUser = fx.text(kept, "removed.txt", "removed by a Silknote user");
        fx.text(kept, "stays.txt", "a document that stays");
        deletedWhileParked = fx.text(kept, "parked.txt", "processing fails, then the file is deleted");
        tooLarge = fx.vsrx.addFile(kept, "notes/huge.txt", "text/plain", "x".repeat(2000));
        VsrxFileId zeroed = fx.text(kept, "zeroed.txt", "content nobody references after the delete");
        fx.processor = (doc, token) -> {
            if (doc.clientFileId().equals(deletedWhileParked)) {
                throw new TransientSyncException("processing down");
            }
            fx.silknote.processor().process(doc, token);
        };
        assertThat(fx.run().success()).isTrue();
        zeroRow = fx.silknote.documents().findMapping(zeroed).orElseThrow().contentHash();

        fx.silknote.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(removedByUser));
        fx.vsrx.deleteFile(deletedWhileParked);
        fx.vsrx.deleteFile(zeroed);
        fx.vsrx.removeFromListing(tooLarge);
        fx.run();
        fx.vsrx.unlinkPatient(dropped);
        fx.silknote.documents().removeFilesetAsSilknoteUser(dropped);
        byte[] lost = "uploaded by a run that crashed before its commit".getBytes(StandardCharsets.UTF_8);
        crashedUpload = TestHashes.sha256(lost);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(crashedUpload, lost.length, "text/plain",
                () -> new ByteArrayInputStream(lost)));
        strayVectors = new DocumentUuid(UUID.fromString("0f0f0f0f-0000-4000-8000-000000000001"));
        // written by a holder of the lock, as every vector write is (fenced)
        try (var lease = fx.silknote.lock().newHolder("host-c").tryAcquire(SyncConfig.LOCK_NAME, Duration.ofMinutes(1))
                .orElseThrow()) {
            fx.silknote.vectors().replace(lease.token(), strayVectors, List.of(new VectorEntry(strayVectors, 0,
                    crashedUpload, new float[] {1f})));
        }
    }

    /** Makes every orphan of the world older than the grace period. */
    private void aged() {
        fx.clock.advance(GRACE.plusMinutes(1));
    }

    @Test
    @DisplayName("rule 14: a dry run lists counts and bytes per class and changes nothing")
    void aDryRunCountsEveryClassAndChangesNothing() {
        aged();
        SilknoteSnapshot before = fx.silknote.snapshot();
        int blobs = fx.silknote.blobs().size();

        CleanupReport dry = cleanup(true).run(CleanupRequest.dryRunOnly());

        assertThat(dry.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(dry.found(OrphanClass.DOCUMENT_WITHOUT_FILESET).count()).isEqualTo(2);
        assertThat(dry.found(OrphanClass.DOCUMENT_WITHOUT_FILESET).bytes())
                .isEqualTo("document of a fileset Silknote dropped".length() + "another one".length());
        assertThat(dry.found(OrphanClass.MAPPING_WITHOUT_DOCUMENT).count()).isEqualTo(1);
        assertThat(dry.found(OrphanClass.OUTBOX_OF_MISSING_DOCUMENT).count()).isEqualTo(1);
        assertThat(dry.found(OrphanClass.VECTORS_WITHOUT_DOCUMENT).count()).as("user-removed and stray").isEqualTo(2);
        assertThat(dry.found(OrphanClass.UNREFERENCED_BLOB).count()).isEqualTo(2);
        assertThat(dry.found(OrphanClass.UNCOMMITTED_BLOB))
                .isEqualTo(new CleanupReport.Tally(1, "uploaded by a run that crashed before its commit".length()));
        assertThat(dry.found(OrphanClass.SKIP_OF_UNLISTED_FILE).count()).isEqualTo(1);
        assertThat(dry.removed()).isEmpty();
        assertThat(dry.items()).extracting(CleanupReport.Item::id).contains(crashedUpload.hex(), zeroRow.hex(),
                removedByUser.value(), tooLarge.value(), strayVectors.value().toString());
        assertThat(fx.silknote.snapshot()).isEqualTo(before);
        assertThat(fx.silknote.blobs().size()).isEqualTo(blobs);
        assertThat(fx.silknote.documents().allAudit()).noneMatch(r -> r.entry().action().name().startsWith("CLEANUP"));
    }

    @Test
    @DisplayName("rule 14: a real run removes every orphan, audits each, and leaves a consistent Silknote")
    void aRealRunRemovesAndAuditsEveryOrphan() {
        aged();
        CleanupReport done = cleanup(true).run(CleanupRequest.removing());

        assertThat(done.status()).isEqualTo(OperationStatus.COMPLETED);
        for (OrphanClass c : OrphanClass.values()) {
            assertThat(done.removed(c)).as("%s", c).isEqualTo(done.found(c));
        }
        assertThat(fx.silknote.documents().documents(dropped)).isEmpty();
        assertThat(fx.silknote.documents().findMapping(removedByUser)).isEmpty();
        assertThat(fx.silknote.documents().parkedOutbox(0, 10)).isEmpty();
        assertThat(fx.silknote.vectors().all()).doesNotContainKeys(strayVectors,
                DocumentUuid.forVsrxFile(removedByUser));
        assertThat(fx.silknote.blobs().rawBytes(crashedUpload)).isEmpty();
        assertThat(fx.silknote.blobs().rawBytes(zeroRow)).isEmpty();
        assertThat(fx.silknote.documents().findBlobRef(zeroRow)).isEmpty();
        assertThat(fx.silknote.documents().allSkips()).doesNotContainKey(tooLarge);
        List<AuditRecord> audit = fx.silknote.documents().auditTrail(AuditQuery.byRun(done.runId()), 0, 100);
        assertThat(audit).extracting(r -> r.entry().action()).contains(AuditAction.CLEANUP_DOCUMENT,
                AuditAction.CLEANUP_MAPPING, AuditAction.CLEANUP_OUTBOX, AuditAction.CLEANUP_VECTORS,
                AuditAction.CLEANUP_BLOB, AuditAction.CLEANUP_SKIP);
        fx.silknote.assertInvariants();

        // the documents' blobs became unreferenced now: a later cleanup, after the grace period, collects them
        CleanupReport soon = cleanup(true).run(CleanupRequest.removing());
        assertThat(soon.removed()).isEmpty();
        assertThat(soon.tooYoung()).containsKey(OrphanClass.UNREFERENCED_BLOB);
        fx.clock.advance(GRACE.plusMinutes(1));
        CleanupReport later = cleanup(true).run(CleanupRequest.removing());
        assertThat(later.removed(OrphanClass.UNREFERENCED_BLOB).count()).isEqualTo(3);
        fx.silknote.assertInvariants();

        // the file whose document a user removed is still listed: the next sync treats it as new
        SyncResult next = fx.run();
        assertThat(next.success()).isTrue();
        assertThat(action(next, removedByUser)).isEqualTo(FileAction.CREATED);
        fx.silknote.assertQuiescent();
    }

    @Test
    @DisplayName("rule 14: the documents of a fileset whose record is missing while VSRX still lists it linked are "
            + "not orphans (the next sync writes the record again): kept, a user's change with them; without a "
            + "VSRX source the record's absence decides")
    void documentsOfAFilesetVsrxStillListsLinkedAreKept() {
        VsrxFileId stays = fx.silknote.documents().documents(kept).stream()
                .filter(d -> d.metadata().originalPath().endsWith("stays.txt")).findFirst().orElseThrow().clientFileId();
        DocumentUuid doc = DocumentUuid.forVsrxFile(stays);
        fx.silknote.documents().silknoteUser().group(doc, "grouped-by-a-user");
        fx.silknote.documents().removeFilesetAsSilknoteUser(kept);
        aged();

        CleanupReport done = cleanup(true).run(CleanupRequest.removing());

        assertThat(done.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(done.removed(OrphanClass.DOCUMENT_WITHOUT_FILESET).count()).as("only the dropped fileset's")
                .isEqualTo(2);
        assertThat(fx.silknote.documents().findDocument(doc)).hasValueSatisfying(
                d -> assertThat(d.metadata().groupingStatus()).isEqualTo("grouped-by-a-user"));
        assertThat(done.notes()).anyMatch(n -> n.contains("VSRX still lists linked"));
        SyncResult next = fx.run();
        assertThat(next.success()).isTrue();
        assertThat(fx.silknote.documents().findFileset(kept)).isPresent();
        assertThat(fx.silknote.documents().findDocument(doc)).hasValueSatisfying(
                d -> assertThat(d.metadata().groupingStatus()).isEqualTo("grouped-by-a-user"));

        fx.silknote.documents().removeFilesetAsSilknoteUser(kept);
        aged();
        CleanupReport blind = cleanup(false).run(CleanupRequest.removing());
        assertThat(blind.removed(OrphanClass.DOCUMENT_WITHOUT_FILESET).count()).isPositive();
        assertThat(fx.silknote.documents().findDocument(doc)).isEmpty();
    }

    @Test
    @DisplayName("rule 14: when VSRX cannot say whether a record-less fileset is still linked, its documents are kept"
            + " and every other class is cleaned all the same")
    void aVsrxOutageKeepsTheDocumentsAndCleansTheRest() {
        aged();
        VsrxSource down = Interception.around(VsrxSource.class, fx.vsrx, (method, call) -> {
            if (method.equals("findFileset") || method.equals("listFiles")) {
                throw new TransientSyncException("VSRX unavailable", null);
            }
            return call.proceed();
        });
        CleanupReport done = OrphanCleanup.builder().documents(fx.documents).blobs(fx.blobs).vectors(fx.vectors)
                .lock(fx.lock).config(fx.config).clock(fx.clock).sleeper(fx.clock).random(new SplittableRandom(7))
                .source(down).build().run(CleanupRequest.removing());

        assertThat(done.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(done.removed(OrphanClass.DOCUMENT_WITHOUT_FILESET).count()).isZero();
        assertThat(fx.silknote.documents().documents(dropped)).hasSize(2);
        assertThat(done.removed(OrphanClass.MAPPING_WITHOUT_DOCUMENT).count()).isEqualTo(1);
        assertThat(done.removed(OrphanClass.UNCOMMITTED_BLOB).count()).isEqualTo(1);
        assertThat(done.notes()).anyMatch(n -> n.contains("VSRX could not say"))
                .anyMatch(n -> n.startsWith("skips of fileset"));
    }

    @Test
    @DisplayName("rule 14: nothing younger than the grace period is touched")
    void nothingYoungIsTouched() {
        fx.clock.advance(GRACE.minusMinutes(1));
        SilknoteSnapshot before = fx.silknote.snapshot();

        CleanupReport young = cleanup(true).run(CleanupRequest.removing());

        assertThat(young.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(young.removed().keySet()).containsOnly(OrphanClass.VECTORS_WITHOUT_DOCUMENT);
        assertThat(young.tooYoung()).containsKeys(OrphanClass.DOCUMENT_WITHOUT_FILESET,
                OrphanClass.MAPPING_WITHOUT_DOCUMENT, OrphanClass.OUTBOX_OF_MISSING_DOCUMENT,
                OrphanClass.UNREFERENCED_BLOB, OrphanClass.UNCOMMITTED_BLOB, OrphanClass.SKIP_OF_UNLISTED_FILE);
        SilknoteSnapshot after = fx.silknote.snapshot();
        assertThat(after.documents()).isEqualTo(before.documents());
        assertThat(after.mappings()).isEqualTo(before.mappings());
        assertThat(after.blobs()).isEqualTo(before.blobs());
        assertThat(after.skips()).isEqualTo(before.skips());
    }

    @Test
    @DisplayName("rule 14 / rule 10: refused while a sync holds the lock, touching nothing")
    void refusedWhileASyncHoldsTheLock() {
        aged();
        SilknoteSnapshot before = fx.silknote.snapshot();
        try (var other = fx.silknote.lock().newHolder("host-b").tryAcquire(SyncConfig.LOCK_NAME, Duration.ofMinutes(5))
                .orElseThrow()) {
            CleanupReport refused = cleanup(true).run(CleanupRequest.removing());
            assertThat(refused.status()).isEqualTo(OperationStatus.ALREADY_IN_PROGRESS);
            assertThat(refused.error()).contains("Sync already in progress");
        }
        assertThat(fx.silknote.snapshot()).isEqualTo(before);
        assertThat(fx.silknote.blobs().rawBytes(crashedUpload)).isPresent();
    }

    @Test
    void withoutAVsrxSourceSkipsAreLeftAndTheReportSaysSo() {
        aged();
        CleanupReport done = cleanup(false).run(CleanupRequest.removing());
        assertThat(done.found()).doesNotContainKey(OrphanClass.SKIP_OF_UNLISTED_FILE);
        assertThat(done.notes()).anyMatch(n -> n.contains("no VSRX source"));
        assertThat(fx.silknote.documents().allSkips()).containsKey(tooLarge);
    }
}
