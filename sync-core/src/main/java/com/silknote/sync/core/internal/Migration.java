package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditEntry;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.MigrationCandidate;
import com.silknote.sync.core.model.MigrationReport;
import com.silknote.sync.core.model.MigrationRequest;
import com.silknote.sync.core.model.OperationStatus;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The re-booking migration (DESIGN rule 13): moves the documents of an old patient fileset to the new one of
 * the same Silknote patient, in one fenced unit of work conditional on what it read, each move audited. The
 * documents keep their uuids, VSRX file ids and mappings (their files still live in the old fileset) and are
 * marked {@code migratedFrom}, so the old fileset's sync keeps following their files where they are now.
 */
public final class Migration {
    private static final Logger log = LoggerFactory.getLogger(Migration.class);
    private static final int PAGE = 1000;

    private final OperationRunner runner;

    /** @throws NullPointerException when runner is null */
    public Migration(OperationRunner runner) {
        this.runner = requireNonNull(runner, "runner");
    }

    /**
     * Pairs of filesets of one Silknote patient where the newer one's patient-id history holds the older one's
     * current patient id, by old then new fileset id. Reads every fileset record once.
     *
     * @throws SyncException when the store cannot be read
     */
    public List<MigrationCandidate> candidates() {
        DocumentStore store = runner.documents();
        Map<PatientUuid, List<PatientFilesetRecord>> byPatient = new HashMap<>();
        Optional<String> cursor = Optional.empty();
        do {
            Optional<String> c = cursor;
            Page<PatientFilesetRecord> page = runner.retrier().call("documents.filesetRecords",
                    () -> store.filesetRecords(c, PAGE));
            for (PatientFilesetRecord r : page.items()) {
                byPatient.computeIfAbsent(r.patientUuid(), p -> new ArrayList<>()).add(r);
            }
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        List<MigrationCandidate> out = new ArrayList<>();
        for (List<PatientFilesetRecord> records : byPatient.values()) {
            if (records.size() < 2) {
                continue;
            }
            for (PatientFilesetRecord from : records) {
                for (PatientFilesetRecord to : records) {
                    if (refusal(from, to).isEmpty()) {
                        long docs = runner.retrier().call("documents.documents", () -> store.documents(from.filesetId()))
                                .size();
                        out.add(new MigrationCandidate(from.filesetId(), to.filesetId(), docs));
                    }
                }
            }
        }
        out.sort((a, b) -> a.from().equals(b.from()) ? a.to().compareTo(b.to()) : a.from().compareTo(b.from()));
        return out;
    }

    /**
     * Why {@code to} is not the re-booking of {@code from}, or empty when it is: same Silknote patient, and the
     * new fileset's earlier patient ids hold the old fileset's current one.
     */
    static Optional<String> refusal(PatientFilesetRecord from, PatientFilesetRecord to) {
        if (from.filesetId().equals(to.filesetId())) {
            return Optional.of("same-fileset");
        }
        if (!from.patientUuid().equals(to.patientUuid())) {
            return Optional.of("different-silknote-patients");
        }
        List<PatientId> fromHistory = from.patientIdHistory();
        List<PatientId> toHistory = to.patientIdHistory();
        if (fromHistory.isEmpty() || toHistory.isEmpty()) {
            return Optional.of("no-patient-id-history");
        }
        PatientId oldId = fromHistory.get(fromHistory.size() - 1);
        if (!toHistory.subList(0, toHistory.size() - 1).contains(oldId)) {
            return Optional.of("not-a-rebooking:new-history-lacks-old-patient-id");
        }
        return Optional.empty();
    }

    /**
     * Moves (or, dry run, lists) the documents of {@code request.from()} to {@code request.to()}.
     *
     * A failure (the lock or the store unreachable, the lease lost, the ledger changed since it was read) is
     * returned as a {@link OperationStatus#FAILED} report; nothing was moved then.
     */
    public MigrationReport migrate(MigrationRequest request) {
        requireNonNull(request, "request");
        RunId runId = runner.newRunId("migration");
        Instant started = runner.clock().instant();
        runner.listener().operationStarted(runId, "migrate", request.dryRun());
        try {
            if (request.dryRun()) {
                Plan plan = plan(request);
                return report(runId, request, started, plan.refusal.isPresent() ? OperationStatus.REFUSED
                        : OperationStatus.COMPLETED, plan.refusal, plan.uuids());
            }
            Optional<MigrationReport> done = runner.withLease(runId, lease -> {
                Plan plan = plan(request);
                if (plan.refusal.isPresent()) {
                    return report(runId, request, started, OperationStatus.REFUSED, plan.refusal, List.of());
                }
                if (!plan.documents.isEmpty()) {
                    lease.verify();
                    commit(runId, lease, request, plan);
                }
                log.info("migration done run={} from={} to={} moved={}", runId, request.from(), request.to(),
                        plan.documents.size());
                return report(runId, request, started, OperationStatus.COMPLETED, Optional.empty(), plan.uuids());
            });
            return done.orElseGet(() -> report(runId, request, started, OperationStatus.ALREADY_IN_PROGRESS,
                    Optional.of("Sync already in progress"), List.of()));
        } catch (LeaseLostException | StaleFencingTokenException e) {
            log.warn("migration stopped run={} reason={}", runId, e.getClass().getSimpleName());
            return report(runId, request, started, OperationStatus.FAILED,
                    Optional.of("lease lost: " + e.getClass().getSimpleName()), List.of());
        } catch (SyncException e) {
            // nothing was committed: the unit of work is all or nothing
            log.warn("migration failed run={} reason={}", runId, FilesetSync.reasonOf(e));
            return report(runId, request, started, OperationStatus.FAILED, Optional.of(FilesetSync.reasonOf(e)),
                    List.of());
        } finally {
            runner.listener().operationFinished(runId, "migrate");
        }
    }

    private record Plan(Optional<String> refusal, PatientFilesetRecord from, PatientFilesetRecord to,
            List<SilknoteDocument> documents, Map<VsrxFileId, SyncMapping> mappings) {
        List<DocumentUuid> uuids() {
            return documents.stream().map(SilknoteDocument::uuid).toList();
        }
    }

    private Plan plan(MigrationRequest request) {
        DocumentStore store = runner.documents();
        Retrier retrier = runner.retrier();
        Optional<PatientFilesetRecord> from = retrier.call("documents.findFileset", () -> store.findFileset(request.from()));
        Optional<PatientFilesetRecord> to = retrier.call("documents.findFileset", () -> store.findFileset(request.to()));
        if (from.isEmpty() || to.isEmpty()) {
            return new Plan(Optional.of("no-fileset-record:" + (from.isEmpty() ? request.from() : request.to())
                    .value().replaceAll("[^A-Za-z0-9._-]", "_")), null, null, List.of(), Map.of());
        }
        Optional<String> refusal = refusal(from.get(), to.get());
        if (refusal.isPresent()) {
            return new Plan(refusal, from.get(), to.get(), List.of(), Map.of());
        }
        List<SilknoteDocument> documents = retrier.call("documents.documents", () -> store.documents(request.from()));
        List<VsrxFileId> ids = documents.stream().map(SilknoteDocument::clientFileId).toList();
        Map<VsrxFileId, SyncMapping> mappings = ids.isEmpty() ? Map.of()
                : retrier.call("documents.findMappings", () -> store.findMappings(ids));
        return new Plan(Optional.empty(), from.get(), to.get(), documents, mappings);
    }

    private void commit(RunId runId, LeaseKeeper lease, MigrationRequest request, Plan plan) {
        Instant now = runner.clock().instant();
        PatientFilesetRecord to = plan.to;
        // Not retried: the answer of a commit may be lost after it happened; the next run sees what is stored.
        runner.documents().inUnitOfWork(lease.token(), uow -> {
            uow.expectFileset(plan.from.filesetId(), Optional.of(plan.from));
            uow.expectFileset(to.filesetId(), Optional.of(to));
            for (SilknoteDocument d : plan.documents) {
                uow.expectFile(d.clientFileId(), Optional.ofNullable(plan.mappings.get(d.clientFileId())),
                        Optional.of(d));
            }
            for (SilknoteDocument d : plan.documents) {
                // The file stays in the old VSRX fileset: a document moved twice still names that one.
                FilesetId fileLivesIn = d.metadata().migratedFrom().orElse(request.from());
                uow.upsertDocument(new SilknoteDocument(d.uuid(), to.patientUuid(), to.filesetId(), d.clientFileId(),
                        d.contentHash(), d.size(), d.mimeType(), d.metadata().withPatientIdHistory(
                                to.patientIdHistory()).withMigratedFrom(Optional.of(fileLivesIn)), now));
                uow.audit(AuditEntry.of(runId, AuditAction.MIGRATED).document(d.uuid()).fileId(d.clientFileId())
                        .fileset(to.filesetId()).fromFileset(request.from()).before(d.contentHash())
                        .after(d.contentHash()).build());
            }
            return null;
        });
    }

    private MigrationReport report(RunId runId, MigrationRequest request, Instant started, OperationStatus status,
            Optional<String> error, List<DocumentUuid> moved) {
        return new MigrationReport(runId, request.dryRun(), started, runner.clock().instant(), status, error,
                request.from(), request.to(), moved);
    }
}
