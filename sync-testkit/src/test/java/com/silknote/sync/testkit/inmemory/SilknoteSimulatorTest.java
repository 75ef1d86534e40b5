package com.silknote.sync.testkit.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.InMemoryDocumentProcessor;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.SilknoteSnapshot;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class SilknoteSimulatorTest {
    private static final PatientUuid PATIENT = PatientUuid.of("7d444840-9dc0-11d1-b245-5ffdce74fad2");
    private static final FilesetId FS = FilesetId.of("fs-000001");
    private static final FencingToken TOKEN = FencingToken.of(1);
    private static final Instant VSRX_TIME = Instant.parse("2025-12-24T08:00:00Z");

    /** Syncs {@code files} the way the engine would: upload, one unit of work, then process. */
    private static SilknoteSimulator synced(TestClock clock, String... contents) {
        SilknoteSimulator sim = new SilknoteSimulator(clock);
        write(sim, contents);
        return sim;
    }

    private static void write(SilknoteSimulator sim, String... contents) {
        Instant now = sim.clock().instant();
        List<SilknoteDocument> docs = new java.util.ArrayList<>();
        for (int i = 0; i < contents.length; i++) {
            byte[] bytes = contents[i].getBytes(StandardCharsets.UTF_8);
            var hash = TestHashes.sha256(bytes);
            var info = sim.blobs().putIfAbsent(new BlobUpload(hash, bytes.length, "text/plain",
                    () -> new ByteArrayInputStream(bytes))).info();
            VsrxFileId file = VsrxFileId.of("file-" + i);
            int n = i;
            SilknoteDocument d = new SilknoteDocument(DocumentUuid.forVsrxFile(file), PATIENT, FS, file, hash,
                    bytes.length, "text/plain",
                    DocumentMetadata.synced(file, "notes/" + i + ".txt", List.of(PatientId.of("P-1"))), now);
            docs.add(d);
            sim.documents().inUnitOfWork(TOKEN, u -> {
                u.upsertFileset(new PatientFilesetRecord(FS, PATIENT, List.of(PatientId.of("P-1")), now));
                u.addBlobRef(hash, bytes.length, info.etag());
                u.upsertDocument(d);
                u.upsertMapping(new SyncMapping(file, d.uuid(), file, FS, Optional.of("e" + n), VSRX_TIME, bytes.length,
                        hash, now));
                u.saveState(new SyncState(Optional.of(now), SyncState.PartialSyncState.empty()));
                return null;
            });
        }
        docs.forEach(d -> sim.processor().process(d, TOKEN));
    }

    @Test
    void aConsistentStatePassesAndIsQuiescent() {
        SilknoteSimulator sim = synced(TestClock.at("2026-01-01T00:00:00Z"), "alpha", "beta", "alpha");
        assertThat(sim.invariantViolations()).isEmpty();
        assertThatCode(sim::assertInvariants).doesNotThrowAnyException();
        assertThatCode(sim::assertQuiescent).doesNotThrowAnyException();
        assertThat(sim.documents().findBlobRef(TestHashes.sha256("alpha")).orElseThrow().refCount()).isEqualTo(2);
        assertThat(sim.vectors().entries(DocumentUuid.forVsrxFile(VsrxFileId.of("file-1"))))
                .isEqualTo(InMemoryDocumentProcessor.expectedEntries(DocumentUuid.forVsrxFile(VsrxFileId.of("file-1")),
                        "beta".getBytes(StandardCharsets.UTF_8)));
    }

    private static void assertCaught(Consumer<SilknoteSimulator> plant, String expectedFragment) {
        SilknoteSimulator sim = synced(TestClock.at("2026-01-01T00:00:00Z"), "alpha", "beta");
        plant.accept(sim);
        assertThat(sim.invariantViolations()).anySatisfy(v -> assertThat(v).contains(expectedFragment));
        assertThatThrownBy(sim::assertInvariants).isInstanceOf(AssertionError.class).hasMessageContaining(expectedFragment);
    }

    @Test
    void catchesADocumentWithoutMapping() {
        assertCaught(sim -> sim.documents().inUnitOfWork(TOKEN, u -> {
            var d = sim.documents().findDocumentByClientFileId(VsrxFileId.of("file-0")).orElseThrow();
            u.deleteDocument(d.uuid());
            u.upsertDocument(d);
            return null;
        }), "has no mapping");
    }

    @Test
    void catchesAWrongRefCount() {
        assertCaught(sim -> sim.documents().inUnitOfWork(TOKEN,
                u -> u.addBlobRef(TestHashes.sha256("beta"), 4, "x")), "counts 2 but 1");
    }

    @Test
    void catchesAMissingBlob() {
        assertCaught(sim -> {
            var hash = TestHashes.sha256("alpha");
            sim.blobs().deleteIfMatch(hash, sim.blobs().stat(hash).orElseThrow().etag());
        }, "references missing blob");
    }

    @Test
    void catchesACorruptBlob() {
        assertCaught(sim -> sim.blobs().corrupt(TestHashes.sha256("alpha"), "alphX".getBytes(StandardCharsets.UTF_8)),
                "does not hold its content");
    }

    @Test
    void catchesVectorEntriesOfAMissingDocument() {
        assertCaught(sim -> {
            DocumentUuid ghost = DocumentUuid.forVsrxFile(VsrxFileId.of("ghost"));
            sim.vectors().replace(TOKEN, ghost, InMemoryDocumentProcessor.expectedEntries(ghost, new byte[] {1}));
        }, "vector entries for missing document");
    }

    @Test
    void catchesStaleVectorEntriesUnlessWorkIsPending() {
        SilknoteSimulator sim = synced(TestClock.at("2026-01-01T00:00:00Z"), "alpha");
        DocumentUuid d = DocumentUuid.forVsrxFile(VsrxFileId.of("file-0"));
        sim.vectors().replace(TOKEN, d, InMemoryDocumentProcessor.expectedEntries(d, "older".getBytes(StandardCharsets.UTF_8)));
        assertThat(sim.invariantViolations()).anySatisfy(v -> assertThat(v).contains("other content"));
        sim.documents().inUnitOfWork(TOKEN, u -> {
            u.enqueue(OutboxEntry.pending(d, OutboxEntry.Action.PROCESS, TestHashes.sha256("alpha"), Instant.EPOCH));
            return null;
        });
        assertThat(sim.invariantViolations()).isEmpty();
        assertThatThrownBy(sim::assertQuiescent).hasMessageContaining("pending outbox entry");
    }

    @Test
    void catchesADocumentWithoutItsFilesetRecord() {
        assertCaught(sim -> sim.documents().removeFilesetAsSilknoteUser(FS), "has no patient fileset record");
    }

    @Test
    @org.junit.jupiter.api.DisplayName("issue 9.3: a mapping whose document Silknote removed still holds its blob")
    void catchesAMappingWhoseBlobIsGone() {
        assertCaught(sim -> {
            DocumentUuid uuid = DocumentUuid.forVsrxFile(VsrxFileId.of("file-1"));
            var h = sim.documents().findDocument(uuid).orElseThrow().contentHash();
            sim.documents().removeDocumentAsSilknoteUser(uuid);
            sim.blobs().deleteIfMatch(h, sim.blobs().stat(h).orElseThrow().etag());
        }, "references missing blob");
    }

    @Test
    @org.junit.jupiter.api.DisplayName("issue 9.3: a document removed in Silknote while its mapping stays is allowed")
    void toleratesADocumentRemovedInSilknote() {
        SilknoteSimulator sim = synced(TestClock.at("2026-01-01T00:00:00Z"), "alpha", "beta");
        sim.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(VsrxFileId.of("file-1")));
        assertThat(sim.invariantViolations()).isEmpty();
    }

    @Test
    void snapshotsCompareByValueAndTimelessIgnoresWhen() {
        TestClock early = TestClock.at("2026-01-01T00:00:00Z");
        TestClock late = TestClock.at("2026-03-01T12:00:00Z");
        SilknoteSimulator a = synced(early, "alpha", "beta");
        SilknoteSimulator b = synced(late, "alpha", "beta");
        SilknoteSimulator c = synced(TestClock.at("2026-01-01T00:00:00Z"), "alpha", "beta");
        assertThat(a.snapshot()).isEqualTo(c.snapshot());
        assertThat(a.snapshot()).isNotEqualTo(b.snapshot());
        assertThat(a.snapshot().timeless().differencesTo(b.snapshot().timeless())).isEmpty();
        assertThat(a.snapshot().timeless()).isEqualTo(b.snapshot().timeless());
        assertThat(a.snapshot().differencesTo(b.snapshot())).isNotEmpty();
        assertThat(a.snapshot().differencesTo(c.snapshot())).isEmpty();

        SilknoteSimulator d = synced(TestClock.at("2026-01-01T00:00:00Z"), "alpha", "gamma");
        SilknoteSnapshot sa = a.snapshot().timeless();
        SilknoteSnapshot sd = d.snapshot().timeless();
        assertThat(sa).isNotEqualTo(sd);
        assertThat(sa.differencesTo(sd)).anySatisfy(line -> assertThat(line).startsWith("documents differ"))
                .anySatisfy(line -> assertThat(line).startsWith("vectors differ"));
        assertThat(sa.toString()).doesNotContain("notes/").doesNotContain("P-1");
    }

    @Test
    void snapshotSeesPendingWorkAndVectors() {
        TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
        SilknoteSimulator sim = synced(clock, "alpha");
        SilknoteSnapshot before = sim.snapshot();
        clock.advance(Duration.ofMinutes(1));
        DocumentUuid d = DocumentUuid.forVsrxFile(VsrxFileId.of("file-0"));
        sim.documents().inUnitOfWork(TOKEN, u -> {
            u.enqueue(OutboxEntry.pending(d, OutboxEntry.Action.PURGE_VECTORS, TestHashes.sha256("alpha"), Instant.EPOCH));
            return null;
        });
        SilknoteSnapshot after = sim.snapshot();
        assertThat(after).isNotEqualTo(before);
        assertThat(after.outbox()).containsExactly(new SilknoteSnapshot.PendingWork(d,
                OutboxEntry.Action.PURGE_VECTORS, TestHashes.sha256("alpha"), false));
        assertThat(after.vectors()).containsKey(d);
    }
}
