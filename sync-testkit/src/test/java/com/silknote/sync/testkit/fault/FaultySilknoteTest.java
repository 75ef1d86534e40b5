package com.silknote.sync.testkit.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.TransientSyncException;
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
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.SilknoteSnapshot;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A miniature sync of one file through wrapped ports: the shape of a crash-point sweep. */
class FaultySilknoteTest {
    private static final FencingToken TOKEN = FencingToken.of(1);
    private static final PatientUuid PATIENT = PatientUuid.of("7d444840-9dc0-11d1-b245-5ffdce74fad2");
    private static final FilesetId FS = FilesetId.of("fs-000001");
    private static final VsrxFileId FILE = VsrxFileId.of("file-000001");
    private static final byte[] CONTENT = "hello, sweep".getBytes(StandardCharsets.UTF_8);
    private static final Instant VSRX_TIME = Instant.parse("2025-12-24T08:00:00Z");

    /** Idempotent steps: upload, commit (document, mapping, ref, outbox), then drain the outbox. */
    private static void syncOnce(FaultySilknote ports, Instant now) {
        var hash = TestHashes.sha256(CONTENT);
        SilknoteDocument d = new SilknoteDocument(DocumentUuid.forVsrxFile(FILE), PATIENT, FS, FILE, hash,
                CONTENT.length, "text/plain", DocumentMetadata.synced(FILE, "notes/a.txt", List.of(PatientId.of("P"))),
                now);
        if (ports.documents().findMapping(FILE).isEmpty()) {
            var info = ports.blobs().putIfAbsent(new BlobUpload(hash, CONTENT.length, "text/plain",
                    () -> new ByteArrayInputStream(CONTENT))).info();
            ports.documents().inUnitOfWork(TOKEN, u -> {
                u.upsertFileset(new PatientFilesetRecord(FS, PATIENT, List.of(PatientId.of("P")), now));
                u.addBlobRef(hash, CONTENT.length, info.etag());
                u.upsertDocument(d);
                u.upsertMapping(new SyncMapping(FILE, d.uuid(), FILE, FS, Optional.of("e1"), VSRX_TIME,
                        CONTENT.length, hash, now));
                u.enqueue(OutboxEntry.pending(d.uuid(), OutboxEntry.Action.PROCESS, hash, now));
                return null;
            });
        }
        for (OutboxEntry e : ports.documents().pendingOutbox(10)) {
            ports.processor().process(ports.documents().findDocument(e.document()).orElseThrow(), TOKEN);
            ports.documents().completeOutbox(TOKEN, e.id());
        }
    }

    @Test
    void everyCrashPointConvergesOnResume() {
        TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
        SilknoteSimulator clean = new SilknoteSimulator(clock);
        FaultPlan counting = FaultPlan.none();
        syncOnce(FaultySilknote.wrap(clean, counting), clock.instant());
        assertThat(counting.effectCount()).isEqualTo(4);
        assertThat(counting.effects()).extracting(FaultPlan.Effect::operation).containsExactly(
                Operation.BLOB_PUT_IF_ABSENT, Operation.DOCUMENTS_UNIT_OF_WORK, Operation.PROCESS,
                Operation.DOCUMENTS_COMPLETE_OUTBOX);
        clean.assertQuiescent();
        SilknoteSnapshot expected = clean.snapshot().timeless();

        for (int n = 1; n <= counting.effectCount(); n++) {
            for (boolean after : new boolean[] {false, true}) {
                SilknoteSimulator sim = new SilknoteSimulator(clock);
                FaultPlan plan = after ? FaultPlan.crashAfterEffect(n) : FaultPlan.crashBeforeEffect(n);
                assertThatThrownBy(() -> syncOnce(FaultySilknote.wrap(sim, plan), clock.instant()))
                        .isInstanceOf(SimulatedCrash.class);
                sim.assertInvariants();
                syncOnce(FaultySilknote.wrap(sim, FaultPlan.none()), clock.instant());
                sim.assertQuiescent();
                assertThat(sim.snapshot().timeless().differencesTo(expected)).as("crash %s effect %d",
                        after ? "after" : "before", n).isEmpty();
            }
        }
    }

    @Test
    void aCommitThatCrashedAfterwardsIsDurable() {
        TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
        SilknoteSimulator sim = new SilknoteSimulator(clock);
        assertThatThrownBy(() -> syncOnce(FaultySilknote.wrap(sim, FaultPlan.crashAfterEffect(2)), clock.instant()))
                .isInstanceOf(SimulatedCrash.class);
        assertThat(sim.documents().findMapping(FILE)).isPresent();
        assertThat(sim.documents().allPendingOutbox()).hasSize(1);
        assertThat(sim.vectors().all()).isEmpty();

        SilknoteSimulator before = new SilknoteSimulator(clock);
        assertThatThrownBy(() -> syncOnce(FaultySilknote.wrap(before, FaultPlan.crashBeforeEffect(2)),
                clock.instant())).isInstanceOf(SimulatedCrash.class);
        assertThat(before.documents().findMapping(FILE)).isEmpty();
        assertThat(before.blobs().size()).isEqualTo(1);
    }

    @Test
    void transientFaultsOnWrappedPortsWriteNothing() {
        TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
        SilknoteSimulator sim = new SilknoteSimulator(clock);
        FaultPlan plan = FaultPlan.seeded(9).on(Operation.DOCUMENTS_UNIT_OF_WORK).thenFail(Fault.status(503))
                .on(Operation.PROCESS).thenFail(Fault.timeout());
        FaultySilknote ports = FaultySilknote.wrap(sim, plan);
        assertThatThrownBy(() -> syncOnce(ports, clock.instant())).isInstanceOf(TransientSyncException.class);
        assertThat(sim.documents().allMappings()).isEmpty();
        assertThatThrownBy(() -> syncOnce(ports, clock.instant())).isInstanceOf(TransientSyncException.class);
        assertThat(sim.documents().allPendingOutbox()).hasSize(1);
        syncOnce(ports, clock.instant());
        sim.assertQuiescent();
        assertThat(plan.injected()).extracting(FaultPlan.InjectedFault::operation)
                .containsExactly(Operation.DOCUMENTS_UNIT_OF_WORK, Operation.PROCESS);
    }
}
