package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VsrxTarget;
import com.silknote.sync.testkit.InMemoryFilesetClaims;
import com.silknote.sync.testkit.TestHashes;
import com.silknote.sync.testkit.fault.Interception;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 "scale-out" and DESIGN rule 10 ("a worker commits only while its claim holds"; docs/architecture.md
 * "Scale-out"): a worker whose claim on a fileset another worker took over between the worker's plan and its commit
 * writes nothing to the ledger, in every kind of unit of work a fileset has: the pull's commit, a Silknote change
 * pushed to VSRX (docs/bidirectional.md §3 row 3), a link of a file written for a Silknote document (row 11) and the
 * delete of a file whose document is gone (row 13). The write to VSRX that came before is the new holder's to replay
 * (it carries the same idempotency key); the fileset's report is the new holder's too.
 *
 * <p>Driven step by step: the test holds the lock and opens the run as its coordinator, a worker joins it on the
 * test thread, and the takeover (the worker's claim expired, another host claimed the fileset) happens in one step
 * from a hook at the chosen moment.
 */
class ClaimTakenOverTest {
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final String OTHER_HOST = "other-host";

    private final EngineFixture fx = new EngineFixture().config(c -> c.filesetConcurrency(1).lockTtl(TTL));
    private final InMemoryFilesetClaims claims = fx.silknote.claims();

    /** The coordinator's side, held by the test: the lock and a run open under its token, every fileset offered. */
    private final class OpenRun {
        final SyncLock.Lease lease = fx.lock.tryAcquire(SyncConfig.LOCK_NAME, TTL, "coordinator").orElseThrow();
        final RunId run = RunId.of("run-opened-by-the-test");

        OpenRun(FilesetId fs) {
            claims.open(run, lease.token());
            claims.offer(run, List.of(fs));
            claims.allOffered(run);
        }

        /** The worker's claim expires and another host claims the fileset, in one step. */
        void takenOver(FilesetId fs) {
            synchronized (claims) { // the worker's own loop cannot claim the fileset back in between
                claims.forceExpiry(run, fs);
                assertThat(claims.claimNext(run, OTHER_HOST, TTL)).map(FilesetClaims.Claim::fileset).contains(fs);
            }
        }
    }

    /**
     * A worker, or the coordinator when the lock is free. Its waits for claims do not move the clock (as in
     * {@code ScaleOutTest}): a coordinator's one-second polls would race the test clock past the claims' ttl
     * while its own fileset thread works, and claims expire here only when a test expires them.
     */
    private VsrxSync worker() {
        VsrxSync.Builder b = VsrxSync.builder().source(fx.source).documents(fx.documents).blobs(fx.blobs)
                .vectors(fx.vectors).processor(fx.processor).lock(fx.lock).claims(claims).config(fx.config)
                .clock(fx.clock).sleeper(d -> Thread.yield()).random(new SplittableRandom(3));
        if (fx.target != null) {
            b.target(fx.target);
        }
        return b.build();
    }

    private void bidirectional(boolean deletes) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .deletes(deletes).build()));
        fx.target = fx.vsrx;
    }

    /** VSRX's write port with a takeover right after the first write of {@code method}. */
    private VsrxTarget takenOverAfter(String method, Runnable takeover, AtomicBoolean done) {
        return Interception.around(VsrxTarget.class, fx.vsrx, (m, call) -> {
            Object out = call.proceed();
            if (m.equals(method) && done.compareAndSet(false, true)) {
                takeover.run();
            }
            return out;
        });
    }

    private ContentHash stored(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ContentHash h = TestHashes.sha256(text);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(h, bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes)));
        return h;
    }

    /** A file an export wrote for {@code origin} with these bytes, its link lost (a crash, or a copy made in VSRX). */
    private VsrxFileId writtenFor(FilesetId fs, DocumentUuid origin, String text, String name) {
        return fx.writtenByALostExport(fs, origin, text, name);
    }

    private List<AuditRecord> audit(FilesetId fs) {
        return fx.silknote.documents().auditTrail(AuditQuery.byFileset(fs), 0, 1000);
    }

    /** The fileset stays the new holder's: claimed by it, and not in the worker's report (it committed nothing). */
    private void assertTheNewHolders(OpenRun open, FilesetId fs, SyncResult r) {
        assertThat(r.status()).isEqualTo(SyncResult.Status.JOINED);
        assertThat(open.run).isEqualTo(report(r).runId());
        assertThat(report(r).filesets()).extracting(FilesetReport::filesetId).doesNotContain(fs);
        assertThat(claims.status(open.run, fs)).contains(InMemoryFilesetClaims.Status.CLAIMED);
        assertThat(claims.worker(open.run, fs)).contains(OTHER_HOST);
    }

    @Test
    @DisplayName("rule 10 / issue 11 scale-out: a worker whose claim was taken over while it downloaded commits"
            + " nothing of the fileset: no mapping, no document, no fileset record, no audit")
    void thePullCommitsNothingUnderAClaimTakenOver() {
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = fx.text(fs, "a.txt", "a letter");
        OpenRun open = new OpenRun(fs);
        AtomicBoolean done = new AtomicBoolean();
        fx.vsrx.beforeOpen(f, () -> {
            if (done.compareAndSet(false, true)) {
                open.takenOver(fs); // between the plan and the commit
            }
        });

        SyncResult r = worker().run(SyncRequest.full());

        assertThat(done).isTrue();
        assertTheNewHolders(open, fs, r);
        assertThat(fx.silknote.documents().findMapping(f)).isEmpty();
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(f))).isEmpty();
        assertThat(fx.silknote.documents().findFileset(fs)).isEmpty();
        assertThat(audit(fs)).isEmpty();
    }

    @Test
    @DisplayName("rule 10 / issue 9.3 in scale-out: a worker whose claim was taken over right after its commit reports"
            + " the fileset with what it committed (a relink move), so the move is reported; the run history keeps"
            + " the new holder's report")
    void aCommitBeforeTheTakeoverIsReportedByTheWorker() {
        FilesetId fs = relinkedAfterAFirstSync();
        VsrxFileId f = fx.vsrx.listedFiles(fs).get(0).id();
        OpenRun open = new OpenRun(fs);
        AtomicBoolean done = afterTheFirstCommit(token -> open.takenOver(fs)); // before the fileset's report

        SyncResult r = worker().run(SyncRequest.full());

        assertThat(done).isTrue();
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(f)).orElseThrow().patientUuid())
                .as("moved").isEqualTo(EngineFixture.patient("P-2"));
        assertThat(r.status()).isEqualTo(SyncResult.Status.JOINED);
        assertThat(report(r).filesets()).filteredOn(x -> x.filesetId().equals(fs)).singleElement()
                .satisfies(x -> assertThat(x.files()).extracting(FileReport::fileId).contains(f));
        assertThat(report(r).alerts()).extracting(Alert::kind).contains(Alert.Kind.FILESET_RELINKED);
        assertThat(claims.worker(open.run, fs)).as("the fileset stays the new holder's").contains(OTHER_HOST);
        assertThat(fx.silknote.documents().runFilesets(open.run, Optional.empty(), 10).items())
                .as("nothing in the run history under a lost claim").isEmpty();
    }

    @Test
    @DisplayName("rule 10 / issue 9.3 in scale-out: a worker whose run lost its lease right after the worker's commit"
            + " reports the fileset with what it committed (a relink move)")
    void aWorkerCommitBeforeTheLeaseWasLostIsReported() {
        FilesetId fs = relinkedAfterAFirstSync();
        VsrxFileId f = fx.vsrx.listedFiles(fs).get(0).id();
        OpenRun open = new OpenRun(fs);
        AtomicBoolean fenced = fencedAfterTheFirstCommit();

        SyncResult r = worker().run(SyncRequest.full());

        assertThat(fenced).isTrue();
        assertThat(r.status()).isEqualTo(SyncResult.Status.FAILED);
        assertMoveReported(r, fs, f);
        assertThat(fx.silknote.documents().runFilesets(open.run, Optional.empty(), 10).items()).isEmpty();
    }

    @Test
    @DisplayName("rule 10 / issue 9.3 in scale-out: a coordinator that lost its lease right after committing a"
            + " fileset it claimed itself reports the fileset with what it committed (a relink move)")
    void aCoordinatorCommitBeforeTheLeaseWasLostIsReported() {
        FilesetId fs = relinkedAfterAFirstSync();
        VsrxFileId f = fx.vsrx.listedFiles(fs).get(0).id();
        AtomicBoolean fenced = fencedAfterTheFirstCommit();

        SyncResult r = worker().run(SyncRequest.full()); // takes the free lock: the coordinator

        assertThat(fenced).isTrue();
        assertThat(r.status()).isEqualTo(SyncResult.Status.FAILED);
        assertMoveReported(r, fs, f);
    }

    @Test
    @DisplayName("rule 10 / issue 9.3 in scale-out: a coordinator whose claim was taken over right after its commit,"
            + " the new holder reporting the fileset with nothing left to do, reports the move it committed")
    void aCoordinatorCommitBeforeATakeoverIsMergedIntoTheNewHoldersReport() {
        FilesetId fs = relinkedAfterAFirstSync();
        VsrxFileId f = fx.vsrx.listedFiles(fs).get(0).id();
        AtomicBoolean done = afterTheFirstCommit(token -> {
            // another host takes the fileset over and finishes it: it finds the document moved already
            RunId run = claims.openRun().orElseThrow().run();
            FilesetClaims.Claim taken;
            synchronized (claims) {
                claims.forceExpiry(run, fs);
                taken = claims.claimNext(run, OTHER_HOST, TTL).orElseThrow();
            }
            fx.silknote.documents().recordFilesetReport(token, run, new FilesetReport(fs, FilesetOutcome.COMPLETED,
                    Optional.empty(), List.of(), Duration.ZERO, 0, 0, 1), Optional.of(taken));
        });

        SyncResult r = worker().run(SyncRequest.full()); // takes the free lock: the coordinator

        assertThat(done).isTrue();
        assertThat(r.success()).isTrue();
        assertMoveReported(r, fs, f);
        assertThat(report(r).filesets()).filteredOn(x -> x.filesetId().equals(fs)).singleElement()
                .satisfies(x -> assertThat(x.unchangedFiles()).as("the new holder's count, less the moved file")
                        .isZero());
        // what `report` shows later: the run history holds the merged report in place of the new holder's
        assertThat(fx.silknote.documents().runFilesets(report(r).runId(), Optional.empty(), 100).items())
                .filteredOn(x -> x.filesetId().equals(fs)).singleElement()
                .satisfies(x -> assertThat(x.files()).filteredOn(y -> y.fileId().equals(f))
                        .extracting(FileReport::action).containsExactly(FileAction.METADATA_ONLY));
    }

    @Test
    @DisplayName("rule 10 / issue 9.3 in scale-out: a coordinator that finds its lease taken right after committing a"
            + " fileset it claimed itself (it stops before the report) reports the fileset with what it committed")
    void aCoordinatorStoppedBetweenCommitAndReportReportsTheFileset() {
        FilesetId fs = relinkedAfterAFirstSync();
        VsrxFileId f = fx.vsrx.listedFiles(fs).get(0).id();
        AtomicBoolean done = afterTheFirstCommit(token -> {
            // the process stalls past its lease, another host takes the lock: its next checkpoint stops it
            fx.clock.advance(TTL.plusSeconds(1));
            fx.silknote.lock().forceExpiry(SyncConfig.LOCK_NAME);
            assertThat(fx.silknote.lock().newHolder(OTHER_HOST).tryAcquire(SyncConfig.LOCK_NAME, TTL, "x"))
                    .isPresent();
        });

        SyncResult r = worker().run(SyncRequest.full()); // takes the free lock: the coordinator

        assertThat(done).isTrue();
        assertThat(r.status()).isEqualTo(SyncResult.Status.FAILED);
        assertMoveReported(r, fs, f);
    }

    /** A fileset synced to P-1, then linked to P-2 in VSRX: the next sync moves its document. */
    private FilesetId relinkedAfterAFirstSync() {
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "a letter");
        assertThat(fx.run().success()).isTrue();
        fx.vsrx.linkPatient(fs, EngineFixture.patient("P-2"));
        return fs;
    }

    /** Another holder fences the ledger right after the next commit: every later write of the run is refused. */
    private AtomicBoolean fencedAfterTheFirstCommit() {
        return afterTheFirstCommit(token -> fx.silknote.documents().fence(FencingToken.of(token.value() + 100)));
    }

    /** Runs {@code then} once, right after the first unit of work of the run committed (with the run's token). */
    private AtomicBoolean afterTheFirstCommit(java.util.function.Consumer<FencingToken> then) {
        AtomicBoolean done = new AtomicBoolean();
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
                T out = super.inUnitOfWork(token, work);
                if (done.compareAndSet(false, true)) {
                    then.accept(token);
                }
                return out;
            }
        };
        return done;
    }

    private void assertMoveReported(SyncResult r, FilesetId fs, VsrxFileId f) {
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(f)).orElseThrow().patientUuid())
                .as("moved").isEqualTo(EngineFixture.patient("P-2"));
        assertThat(report(r).filesets()).filteredOn(x -> x.filesetId().equals(fs)).singleElement()
                .satisfies(x -> assertThat(x.files()).filteredOn(y -> y.fileId().equals(f))
                        .extracting(FileReport::action).containsExactly(FileAction.METADATA_ONLY));
        assertThat(report(r).alerts()).extracting(Alert::kind).contains(Alert.Kind.FILESET_RELINKED);
    }

    @Test
    @DisplayName("rule 10 / issue 14 §3 row 3 in scale-out: a Silknote change pushed to VSRX by a worker whose claim"
            + " was then taken over is not committed: the mapping keeps its base, no audit")
    void aPushIsNotCommittedUnderAClaimTakenOver() {
        bidirectional(false);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = fx.text(fs, "befund.txt", "base");
        assertThat(fx.run().success()).isTrue();
        String edit = "edited in silknote";
        fx.silknote.documents().silknoteUser().replaceContent(DocumentUuid.forVsrxFile(f), stored(edit),
                edit.getBytes(StandardCharsets.UTF_8).length, "text/plain");
        int audited = audit(fs).size();
        OpenRun open = new OpenRun(fs);
        AtomicBoolean done = new AtomicBoolean();
        fx.target = takenOverAfter("replaceContent", () -> open.takenOver(fs), done);

        SyncResult r = worker().run(SyncRequest.full());

        assertThat(done).as("the push reached VSRX").isTrue();
        assertTheNewHolders(open, fs, r);
        assertThat(fx.silknote.documents().findMapping(f).orElseThrow().contentHash())
                .as("the base stays: the new holder finds the push and commits it").isEqualTo(TestHashes.sha256("base"));
        assertThat(audit(fs)).hasSize(audited);
    }

    @Test
    @DisplayName("rule 10 / issue 14 row 11 in scale-out: a link of a file written for a Silknote document is not"
            + " committed by a worker whose claim was taken over after the fileset's pull")
    void aLinkIsNotCommittedUnderAClaimTakenOver() {
        bidirectional(false);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId pulled = fx.text(fs, "a.txt", "a letter");
        String text = "written in silknote";
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.of(fs), stored(text), text.length(), "text/plain", Optional.of("Brief"), "SILKNOTE",
                "ungrouped", fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(a);
        VsrxFileId f = writtenFor(fs, a.uuid(), text, "Brief.txt");
        OpenRun open = new OpenRun(fs);
        AtomicBoolean linking = new AtomicBoolean();
        AtomicBoolean done = new AtomicBoolean();
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public Map<DocumentUuid, AuthoredDocument> findAuthoredDocuments(Collection<DocumentUuid> uuids) {
                linking.set(true); // the link reads the document, then commits
                return super.findAuthoredDocuments(uuids);
            }

            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
                if (linking.get() && done.compareAndSet(false, true)) {
                    open.takenOver(fs);
                }
                return super.inUnitOfWork(token, work);
            }
        };

        SyncResult r = worker().run(SyncRequest.full());

        assertThat(done).isTrue();
        assertThat(fx.silknote.documents().findMapping(pulled)).as("the pull committed while the claim held")
                .isPresent();
        assertThat(r.status()).isEqualTo(SyncResult.Status.JOINED);
        assertThat(claims.status(open.run, fs)).contains(InMemoryFilesetClaims.Status.CLAIMED);
        assertThat(claims.worker(open.run, fs)).contains(OTHER_HOST);
        assertThat(report(r).filesets()).filteredOn(x -> x.filesetId().equals(fs)).singleElement()
                .as("the worker reports the pull it committed, not the link").satisfies(x -> {
                    assertThat(x.files()).filteredOn(y -> y.fileId().equals(pulled)).extracting(FileReport::action)
                            .containsExactly(FileAction.CREATED);
                    assertThat(x.files()).filteredOn(y -> y.fileId().equals(f)).extracting(FileReport::action)
                            .as("the link is not reported done").doesNotContain(
                                    FileAction.CREATED,
                                    FileAction.UPDATED,
                                    FileAction.METADATA_ONLY);
                });
        assertThat(fx.silknote.documents().findMapping(f)).isEmpty();
        assertThat(fx.silknote.documents().findDocument(a.uuid())).as("not linked").isEmpty();
        assertThat(audit(fs)).noneMatch(x -> x.entry().action() == AuditAction.LINKED);
    }

    @Test
    @DisplayName("rule 10 / issue 14 row 13 in scale-out: the delete of a file whose document is gone, marked deleted"
            + " in VSRX by a worker whose claim was then taken over, is not committed (no audit)")
    void anOrphanedOriginDeleteIsNotCommittedUnderAClaimTakenOver() {
        bidirectional(true);
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "one");
        fx.text(fs, "b.txt", "two");
        assertThat(fx.run().success()).isTrue();
        VsrxFileId f = writtenFor(fs, new DocumentUuid(UUID.randomUUID()), "exported once", "Brief-gone.txt");
        OpenRun open = new OpenRun(fs);
        AtomicBoolean done = new AtomicBoolean();
        fx.target = takenOverAfter("markDeleted", () -> open.takenOver(fs), done);

        SyncResult r = worker().run(SyncRequest.full());

        assertThat(done).isTrue();
        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).as("the VSRX write came first").isTrue();
        assertTheNewHolders(open, fs, r);
        assertThat(audit(fs)).noneMatch(x -> x.entry().action() == AuditAction.DELETED_IN_VSRX);
    }
}
