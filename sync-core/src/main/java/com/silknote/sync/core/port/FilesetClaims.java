package com.silknote.sync.core.port;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.RunId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Optional capability for scale-out (DESIGN §6): N workers, threads or hosts, share one run's filesets by
 * claiming them one at a time (PostgreSQL {@code FOR UPDATE SKIP LOCKED}).
 *
 * <p>The worker that holds the {@code vsrx-sync} lock coordinates: it {@link #open opens} its run under its
 * fencing token, {@link #offer offers} the filesets as it lists them, works on them too, and closes the run
 * when every offered fileset is finished. Other workers find the {@link #openRun open run}, claim filesets and
 * write under the coordinator's token. Every claim carries a token of its own, strictly increasing across
 * workers and runs; a claim expires after its ttl unless {@link #renew renewed}, and an expired claim is
 * handed out again with a new token.
 *
 * <p>A claim is checked and finished by the {@link DocumentStore} of the same ledger, inside its
 * transactions: a fileset's unit of work commits only while its claim still holds
 * ({@link DocumentStore.UnitOfWork#expectClaim}), and recording the fileset's report finishes the claim
 * ({@link DocumentStore#recordFilesetReport}). So an implementation and the document store it is used with
 * must share one backend (e.g. {@code JdbcLedger.filesetClaims()} with {@code JdbcLedger.documentStore()}).
 *
 * <p>Errors: {@link com.silknote.sync.core.exception.SyncException} subtypes on backend failure.
 */
public interface FilesetClaims {

    /**
     * A run open to workers.
     *
     * @param run        the run
     * @param token      the coordinator's fencing token: workers write under it
     * @param allOffered {@code true} once the coordinator offered its last fileset
     */
    record OpenRun(RunId run, FencingToken token, boolean allOffered) {
        public OpenRun {
            requireNonNull(run, "run");
            requireNonNull(token, "token");
        }
    }

    /**
     * A worker's claim on one fileset of a run.
     *
     * @param run     the run
     * @param fileset the fileset
     * @param worker  the worker's opaque id
     * @param token   the claim's token: strictly increasing over all claims of the backend
     */
    record Claim(RunId run, FilesetId fileset, String worker, long token) {
        public Claim {
            requireNonNull(run, "run");
            requireNonNull(fileset, "fileset");
            requireNonNull(worker, "worker");
        }
    }

    /**
     * A fileset of a run that a worker finished (its report recorded).
     *
     * @param fileset   the fileset
     * @param succeeded {@code false} when it failed or was blocked by the mass-delete guard
     * @param seq       increases in the order filesets finish (their transactions commit), without gaps: a
     *                  reader that saw every completion up to {@code seq} never sees a smaller one later
     */
    record Completion(FilesetId fileset, boolean succeeded, long seq) {
        public Completion {
            requireNonNull(fileset, "fileset");
        }
    }

    /**
     * Opens {@code run} to workers under the coordinator's {@code token}, and forgets every other run and its
     * claims (the caller holds the lock: any other run is over or fenced).
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    void open(RunId run, FencingToken token);

    /**
     * The open run, if any (the newest when several are).
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Optional<OpenRun> openRun();

    /**
     * Offers filesets of the run to claim, in this order (offering a fileset twice keeps one).
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    void offer(RunId run, List<FilesetId> filesets);

    /**
     * Says the coordinator offered its last fileset: a worker that then finds nothing to claim is done.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    void allOffered(RunId run);

    /**
     * Withdraws the run's filesets nobody claimed yet (a coordinator stopping at a fileset boundary); claimed
     * ones stay with their workers until they finish or their claims expire.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    void withdraw(RunId run);

    /**
     * Claims the first offered fileset of the run that is unclaimed, or whose claim expired, for
     * {@code worker}, with a new claim token; empty when there is none (or the run is not open).
     *
     * @throws IllegalArgumentException when {@code ttl} is not positive
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Optional<Claim> claimNext(RunId run, String worker, Duration ttl);

    /**
     * Extends every claim {@code worker} holds in the run to {@code ttl} from now.
     *
     * @throws IllegalArgumentException when {@code ttl} is not positive
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    void renew(RunId run, String worker, Duration ttl);

    /**
     * Filesets of the run finished after {@code afterSeq}, in the order they finished, at most {@code limit}.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    List<Completion> completions(RunId run, long afterSeq, int limit);

    /**
     * Offered filesets of the run not finished yet (unclaimed or claimed).
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    long unfinished(RunId run);

    /**
     * Closes the run and forgets its claims; workers then find it no longer open. Idempotent.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    void close(RunId run);
}
