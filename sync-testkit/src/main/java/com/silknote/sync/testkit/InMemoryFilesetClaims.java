package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.port.FilesetClaims;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * In-memory {@link FilesetClaims}: filesets are claimed in the order they were first offered; a claim
 * expires when the injected clock reaches its deadline ({@code now >= claimedAt + ttl}) and is then handed
 * out again with a new token. Claims are checked and finished by the {@link InMemoryDocumentStore} they
 * belong to ({@link InMemoryDocumentStore#filesetClaims()}); a standalone instance
 * ({@link #InMemoryFilesetClaims(Clock)}) belongs to no store, so no store accepts its claims. Thread-safe;
 * claiming costs time in the number of claims held, not of filesets offered.
 */
public final class InMemoryFilesetClaims implements FilesetClaims {

    /** Where a fileset of a run stands. */
    public enum Status { OPEN, CLAIMED, SUCCEEDED, FAILED }

    private static final class Row {
        final FilesetId fileset;
        final long offerSeq;
        Status status = Status.OPEN;
        String worker;
        long token;
        Instant expiresAt;

        Row(FilesetId fileset, long offerSeq) {
            this.fileset = fileset;
            this.offerSeq = offerSeq;
        }
    }

    private static final class Run {
        final FencingToken token;
        final long openedSeq;
        boolean allOffered;
        final Map<FilesetId, Row> rows = new LinkedHashMap<>();
        final ArrayDeque<Row> open = new ArrayDeque<>();
        /** Claimed rows by offer order, so an expired one is handed out in offer order. */
        final TreeMap<Long, Row> claimed = new TreeMap<>();
        final List<Completion> completions = new ArrayList<>();

        Run(FencingToken token, long openedSeq) {
            this.token = token;
            this.openedSeq = openedSeq;
        }
    }

    private final Clock clock;
    private final Map<RunId, Run> runs = new LinkedHashMap<>();
    private long claimTokens;
    private long doneSeq;
    private long offerSeq;
    private long openSeq;

    /** Claims of no store (for tests of the claims alone); expiry judged by {@code clock}. */
    @Inject
    public InMemoryFilesetClaims(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public synchronized void open(RunId run, FencingToken token) {
        requireNonNull(run, "run");
        requireNonNull(token, "token");
        runs.keySet().removeIf(r -> !r.equals(run));
        if (!runs.containsKey(run)) {
            runs.put(run, new Run(token, ++openSeq));
        }
    }

    @Override
    public synchronized Optional<OpenRun> openRun() {
        Map.Entry<RunId, Run> newest = null;
        for (Map.Entry<RunId, Run> e : runs.entrySet()) {
            if (newest == null || e.getValue().openedSeq > newest.getValue().openedSeq) {
                newest = e;
            }
        }
        return newest == null ? Optional.empty()
                : Optional.of(new OpenRun(newest.getKey(), newest.getValue().token, newest.getValue().allOffered));
    }

    @Override
    public synchronized void offer(RunId run, List<FilesetId> filesets) {
        requireNonNull(run, "run");
        requireNonNull(filesets, "filesets");
        Run r = runs.get(run);
        if (r == null) {
            return;
        }
        for (FilesetId f : filesets) {
            requireNonNull(f, "fileset");
            if (!r.rows.containsKey(f)) {
                Row row = new Row(f, ++offerSeq);
                r.rows.put(f, row);
                r.open.addLast(row);
            }
        }
    }

    @Override
    public synchronized void allOffered(RunId run) {
        requireNonNull(run, "run");
        Run r = runs.get(run);
        if (r != null) {
            r.allOffered = true;
        }
    }

    @Override
    public synchronized void withdraw(RunId run) {
        requireNonNull(run, "run");
        Run r = runs.get(run);
        if (r == null) {
            return;
        }
        for (Row row : r.open) {
            r.rows.remove(row.fileset);
        }
        r.open.clear();
    }

    /** @throws IllegalArgumentException when {@code ttl} is not positive */
    @Override
    public synchronized Optional<Claim> claimNext(RunId run, String worker, Duration ttl) {
        requireNonNull(run, "run");
        requireNonNull(worker, "worker");
        requirePositive(ttl);
        Run r = runs.get(run);
        if (r == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Row row = null;
        for (Row c : r.claimed.values()) {
            if (!now.isBefore(c.expiresAt)) {
                row = c;
                break;
            }
        }
        if (row == null) {
            row = r.open.pollFirst();
        }
        if (row == null) {
            return Optional.empty();
        }
        row.status = Status.CLAIMED;
        row.worker = worker;
        row.token = ++claimTokens;
        row.expiresAt = now.plus(ttl);
        r.claimed.put(row.offerSeq, row);
        return Optional.of(new Claim(run, row.fileset, worker, row.token));
    }

    /** @throws IllegalArgumentException when {@code ttl} is not positive */
    @Override
    public synchronized void renew(RunId run, String worker, Duration ttl) {
        requireNonNull(run, "run");
        requireNonNull(worker, "worker");
        requirePositive(ttl);
        Run r = runs.get(run);
        if (r == null) {
            return;
        }
        Instant until = clock.instant().plus(ttl);
        for (Row c : r.claimed.values()) {
            if (worker.equals(c.worker)) {
                c.expiresAt = until;
            }
        }
    }

    @Override
    public synchronized List<Completion> completions(RunId run, long afterSeq, int limit) {
        requireNonNull(run, "run");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        Run r = runs.get(run);
        if (r == null) {
            return List.of();
        }
        List<Completion> out = new ArrayList<>();
        for (Completion c : r.completions) {
            if (c.seq() > afterSeq) {
                out.add(c);
                if (out.size() == limit) {
                    break;
                }
            }
        }
        return out;
    }

    @Override
    public synchronized long unfinished(RunId run) {
        requireNonNull(run, "run");
        Run r = runs.get(run);
        return r == null ? 0 : r.open.size() + r.claimed.size();
    }

    @Override
    public synchronized void close(RunId run) {
        requireNonNull(run, "run");
        runs.remove(run);
    }

    // ------------------------------------------------------------------ for the store

    /** {@code true} when {@code claim} is the current claim on its fileset. */
    synchronized boolean holds(Claim claim) {
        Run r = runs.get(claim.run());
        Row row = r == null ? null : r.rows.get(claim.fileset());
        return row != null && row.status == Status.CLAIMED && row.token == claim.token();
    }

    /** Finishes {@code claim} if it holds; returns whether it did. */
    synchronized boolean finish(Claim claim, boolean succeeded) {
        if (!holds(claim)) {
            return false;
        }
        Run r = runs.get(claim.run());
        Row row = r.rows.get(claim.fileset());
        row.status = succeeded ? Status.SUCCEEDED : Status.FAILED;
        row.expiresAt = null;
        r.claimed.remove(row.offerSeq);
        r.completions.add(new Completion(row.fileset, succeeded, ++doneSeq));
        return true;
    }

    // ------------------------------------------------------------------ for tests

    /** Expires the claim on a fileset at once (it becomes claimable again). */
    public synchronized void forceExpiry(RunId run, FilesetId fileset) {
        requireNonNull(run, "run");
        requireNonNull(fileset, "fileset");
        Run r = runs.get(run);
        Row row = r == null ? null : r.rows.get(fileset);
        if (row != null && row.status == Status.CLAIMED) {
            row.expiresAt = Instant.MIN;
        }
    }

    /** Expires every claim held now, in every run (as if every worker had stalled past the ttl). */
    public synchronized void forceExpiryOfAll() {
        for (Run r : runs.values()) {
            for (Row row : r.claimed.values()) {
                row.expiresAt = Instant.MIN;
            }
        }
    }

    /** Expires every claim {@code worker} holds, in every run (as if it had crashed long ago). */
    public synchronized void forceExpiryOf(String worker) {
        requireNonNull(worker, "worker");
        for (Run r : runs.values()) {
            for (Row row : r.claimed.values()) {
                if (worker.equals(row.worker)) {
                    row.expiresAt = Instant.MIN;
                }
            }
        }
    }

    /** Where a fileset of a run stands; empty when it was never offered (or the run is closed). */
    public synchronized Optional<Status> status(RunId run, FilesetId fileset) {
        requireNonNull(run, "run");
        requireNonNull(fileset, "fileset");
        Run r = runs.get(run);
        Row row = r == null ? null : r.rows.get(fileset);
        return row == null ? Optional.empty() : Optional.of(row.status);
    }

    /** The worker that holds or last held the claim on a fileset. */
    public synchronized Optional<String> worker(RunId run, FilesetId fileset) {
        requireNonNull(run, "run");
        requireNonNull(fileset, "fileset");
        Run r = runs.get(run);
        Row row = r == null ? null : r.rows.get(fileset);
        return row == null ? Optional.empty() : Optional.ofNullable(row.worker);
    }

    private static void requirePositive(Duration ttl) {
        requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
    }
}
