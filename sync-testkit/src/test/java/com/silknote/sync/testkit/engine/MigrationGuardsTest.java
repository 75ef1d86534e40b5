package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.RebookingMigration;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.MigrationCandidate;
import com.silknote.sync.core.model.MigrationReport;
import com.silknote.sync.core.model.MigrationRequest;
import com.silknote.sync.core.model.OperationStatus;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.SilknoteSnapshot;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN rule 13 (manual re-booking migration: transactional, audited, idempotent) and rule 10 (conditional,
 * fenced commits): the migration's candidates, refusals and the guards on its commit.
 */
class MigrationGuardsTest {
    private final EngineFixture fx = new EngineFixture();
    private FilesetId old;
    private FilesetId fresh;
    private VsrxFileId letter;

    private RebookingMigration migration() {
        return RebookingMigration.builder().documents(fx.documents).lock(fx.lock).config(fx.config).clock(fx.clock)
                .sleeper(fx.clock).random(new SplittableRandom(7)).build();
    }

    private void rebooked() {
        old = fx.linkedFileset("P-1");
        letter = fx.text(old, "letter.txt", "referral letter");
        fx.run();
        fresh = fx.vsrx.rebook(old, PatientId.of("P-2"));
        fx.text(fresh, "new.txt", "first note after re-booking");
        assertThat(fx.run().success()).isTrue();
    }

    private PatientFilesetRecord record(FilesetId fs) {
        return fx.silknote.documents().findFileset(fs).orElseThrow();
    }

    /** Runs {@code change} (as another writer of the ledger) right before the migration's unit of work. */
    private void beforeTheCommit(Consumer<DocumentStore.UnitOfWork> change) {
        fx.documents = new DelegatingDocumentStore(fx.silknote.documents()) {
            private boolean done;

            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
                if (!done) {
                    done = true;
                    fx.silknote.documents().inUnitOfWork(token, u -> {
                        change.accept(u);
                        return null;
                    });
                }
                return super.inUnitOfWork(token, work);
            }
        };
    }

    private void assertNothingMoved(MigrationReport r, SilknoteSnapshot before) {
        assertThat(r.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(r.moved()).isEmpty();
        SilknoteDocument d = fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(letter)).orElseThrow();
        assertThat(d.filesetId()).isEqualTo(old);
        assertThat(fx.silknote.snapshot().documents()).isEqualTo(before.documents());
    }

    @Test
    @DisplayName("rule 13: candidates of a patient re-booked twice, and of another patient, are listed by old then new fileset")
    void candidatesAreSortedByOldThenNewFileset() {
        FilesetId other = fx.linkedFileset("P-5");
        fx.text(other, "o.txt", "another patient's note");
        FilesetId a = fx.linkedFileset("P-1");
        fx.text(a, "a.txt", "a note");
        fx.run();
        FilesetId b = fx.vsrx.rebook(a, PatientId.of("P-2"));
        FilesetId otherNew = fx.vsrx.rebook(other, PatientId.of("P-6"));
        fx.run();
        FilesetId c = fx.vsrx.rebook(b, PatientId.of("P-3"));
        assertThat(fx.run().success()).isTrue();

        List<MigrationCandidate> candidates = migration().candidates();

        List<MigrationCandidate> sorted = candidates.stream().sorted((x, y) -> x.from().equals(y.from())
                ? x.to().compareTo(y.to()) : x.from().compareTo(y.from())).toList();
        assertThat(candidates).isEqualTo(sorted);
        assertThat(candidates).extracting(MigrationCandidate::from, MigrationCandidate::to).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(a, b), org.assertj.core.groups.Tuple.tuple(a, c),
                org.assertj.core.groups.Tuple.tuple(b, c), org.assertj.core.groups.Tuple.tuple(other, otherNew));
    }

    @Test
    @DisplayName("rule 13: a fileset record without a patient-id history is no re-booking: refused, named as such")
    void aRecordWithoutHistoryIsRefused() {
        rebooked();
        PatientFilesetRecord r = record(fresh);
        try (var lease = fx.silknote.lock().newHolder("host-t").tryAcquire(SyncConfig.LOCK_NAME,
                java.time.Duration.ofMinutes(1)).orElseThrow()) {
            fx.silknote.documents().inUnitOfWork(lease.token(), u -> {
                u.upsertFileset(new PatientFilesetRecord(r.filesetId(), r.patientUuid(), List.of(), r.lastSyncedAt()));
                return null;
            });
        }

        MigrationReport refused = migration().migrate(new MigrationRequest(old, fresh, false));

        assertThat(refused.status()).isEqualTo(OperationStatus.REFUSED);
        assertThat(refused.error()).contains("no-patient-id-history");
        assertThat(migration().candidates()).isEmpty();
    }

    @Test
    @DisplayName("rule 13: a migration naming a fileset without a record is refused, naming that fileset")
    void aFilesetWithoutARecordIsNamed() {
        rebooked();
        FilesetId unknown = FilesetId.of("fs-unknown");

        MigrationReport fromUnknown = migration().migrate(new MigrationRequest(unknown, fresh, true));
        MigrationReport toUnknown = migration().migrate(new MigrationRequest(old, unknown, true));

        assertThat(fromUnknown.status()).isEqualTo(OperationStatus.REFUSED);
        assertThat(fromUnknown.error()).contains("no-fileset-record:fs-unknown");
        assertThat(toUnknown.error()).contains("no-fileset-record:fs-unknown");
        MigrationReport knownBoth = migration().migrate(new MigrationRequest(fresh, old, true));
        assertThat(knownBoth.error()).hasValueSatisfying(e -> assertThat(e).doesNotStartWith("no-fileset-record"));
    }

    @Test
    @DisplayName("rule 10 / rule 13: the old fileset's record changed before the commit: FAILED, nothing moved")
    void theOldRecordChangedBeforeTheCommit() {
        rebooked();
        SilknoteSnapshot before = fx.silknote.snapshot();
        PatientFilesetRecord r = record(old);
        beforeTheCommit(u -> u.upsertFileset(new PatientFilesetRecord(r.filesetId(), r.patientUuid(),
                r.patientIdHistory(), r.lastSyncedAt().plusSeconds(1))));

        assertNothingMoved(migration().migrate(new MigrationRequest(old, fresh, false)), before);
    }

    @Test
    @DisplayName("rule 10 / rule 13: the new fileset's record changed before the commit: FAILED, nothing moved")
    void theNewRecordChangedBeforeTheCommit() {
        rebooked();
        SilknoteSnapshot before = fx.silknote.snapshot();
        PatientFilesetRecord r = record(fresh);
        beforeTheCommit(u -> u.upsertFileset(new PatientFilesetRecord(r.filesetId(), r.patientUuid(),
                r.patientIdHistory(), r.lastSyncedAt().plusSeconds(1))));

        assertNothingMoved(migration().migrate(new MigrationRequest(old, fresh, false)), before);
    }

    @Test
    @DisplayName("rule 10 / rule 13: a document's mapping changed before the commit: FAILED, nothing moved")
    void aMappingChangedBeforeTheCommit() {
        rebooked();
        SilknoteSnapshot before = fx.silknote.snapshot();
        SyncMapping m = fx.silknote.documents().findMapping(letter).orElseThrow();
        beforeTheCommit(u -> u.deleteMapping(m.vsrxFileId()));

        MigrationReport r = migration().migrate(new MigrationRequest(old, fresh, false));

        assertThat(r.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(r.moved()).isEmpty();
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(letter)).orElseThrow().filesetId())
                .isEqualTo(old);
    }

    @Test
    @DisplayName("rule 10: a lease lost before the commit stops the migration before it writes (FAILED)")
    void aLeaseLostBeforeTheCommitStopsIt() {
        rebooked();
        SilknoteSnapshot before = fx.silknote.snapshot();
        fx.documents = new DelegatingDocumentStore(fx.silknote.documents()) {
            @Override
            public Map<VsrxFileId, SyncMapping> findMappings(Collection<VsrxFileId> ids) {
                fx.silknote.lock().forceExpiry(SyncConfig.LOCK_NAME);
                return super.findMappings(ids);
            }
        };

        MigrationReport r = migration().migrate(new MigrationRequest(old, fresh, false));

        assertNothingMoved(r, before);
        assertThat(r.error()).contains("lease lost: LeaseLostException");
    }

    @Test
    @DisplayName("issue 11: a backend failure is a FAILED report naming it")
    void aBackendFailureIsAFailedReport() {
        rebooked();
        fx.documents = new DelegatingDocumentStore(fx.silknote.documents()) {
            @Override
            public Optional<PatientFilesetRecord> findFileset(FilesetId id) {
                throw new PermanentSyncException("ledger refused", 403, null);
            }
        };

        MigrationReport r = migration().migrate(new MigrationRequest(old, fresh, false));

        assertThat(r.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(r.error()).contains("PermanentSyncException: ledger refused");
    }
}
