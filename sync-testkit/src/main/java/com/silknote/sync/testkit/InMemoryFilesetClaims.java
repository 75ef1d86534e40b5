package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.port.FilesetClaims;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * In-memory {@link FilesetClaims}: filesets are claimed in the order they were first offered; a claim
 * expires when the injected clock reaches its deadline ({@code now >= claimedAt + ttl}) and may then be
 * claimed by anyone. {@link #complete} by the worker holding the claim finishes the fileset for the run
 * (succeeded or not); a completion by a worker that no longer holds the claim is ignored. Thread-safe.
 */
public final class InMemoryFilesetClaims implements FilesetClaims {

    /** Where a fileset of a run stands. */
    public enum Status { OPEN, CLAIMED, SUCCEEDED, FAILED }

    private static final class Claim {
        Status status = Status.OPEN;
        String worker;
        Instant expiresAt;
    }

    private final Clock clock;
    private final Map<RunId, LinkedHashMap<FilesetId, Claim>> runs = new HashMap<>();

    /** No runs; expiry judged by {@code clock}. */
    @Inject
    public InMemoryFilesetClaims(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public synchronized void offer(RunId run, List<FilesetId> filesets) {
        requireNonNull(run, "run");
        requireNonNull(filesets, "filesets");
        LinkedHashMap<FilesetId, Claim> claims = runs.computeIfAbsent(run, r -> new LinkedHashMap<>());
        for (FilesetId f : filesets) {
            claims.putIfAbsent(requireNonNull(f, "fileset"), new Claim());
        }
    }

    /** @throws IllegalArgumentException when {@code ttl} is not positive */
    @Override
    public synchronized Optional<FilesetId> claimNext(RunId run, String worker, Duration ttl) {
        requireNonNull(run, "run");
        requireNonNull(worker, "worker");
        requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        Instant now = clock.instant();
        for (Map.Entry<FilesetId, Claim> e : runs.getOrDefault(run, new LinkedHashMap<>()).entrySet()) {
            Claim c = e.getValue();
            boolean free = c.status == Status.OPEN || (c.status == Status.CLAIMED && !now.isBefore(c.expiresAt));
            if (free) {
                c.status = Status.CLAIMED;
                c.worker = worker;
                c.expiresAt = now.plus(ttl);
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized void complete(RunId run, FilesetId fileset, String worker, boolean succeeded) {
        requireNonNull(run, "run");
        requireNonNull(fileset, "fileset");
        requireNonNull(worker, "worker");
        Claim c = runs.getOrDefault(run, new LinkedHashMap<>()).get(fileset);
        if (c != null && c.status == Status.CLAIMED && worker.equals(c.worker)) {
            c.status = succeeded ? Status.SUCCEEDED : Status.FAILED;
        }
    }

    /** Expires the claim on a fileset at once (it becomes claimable again). */
    public synchronized void forceExpiry(RunId run, FilesetId fileset) {
        requireNonNull(run, "run");
        requireNonNull(fileset, "fileset");
        Claim c = runs.getOrDefault(run, new LinkedHashMap<>()).get(fileset);
        if (c != null && c.status == Status.CLAIMED) {
            c.expiresAt = Instant.MIN;
        }
    }

    /** Where a fileset of a run stands; empty when it was never offered. */
    public synchronized Optional<Status> status(RunId run, FilesetId fileset) {
        requireNonNull(run, "run");
        requireNonNull(fileset, "fileset");
        Claim c = runs.getOrDefault(run, new LinkedHashMap<>()).get(fileset);
        return c == null ? Optional.empty() : Optional.of(c.status);
    }

    /** The worker that holds or last held the claim on a fileset. */
    public synchronized Optional<String> worker(RunId run, FilesetId fileset) {
        requireNonNull(run, "run");
        requireNonNull(fileset, "fileset");
        Claim c = runs.getOrDefault(run, new LinkedHashMap<>()).get(fileset);
        return c == null ? Optional.ofNullable(null) : Optional.ofNullable(c.worker);
    }
}
