package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.dedup.ContentSpooler;
import com.silknote.sync.core.dedup.SpooledContent;
import com.silknote.sync.core.diff.DiffEngine;
import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/** What the filesets of one run share. */
final class RunContext {
    /** How this call takes part in the run. */
    enum Role {
        /** The run holds the lock and syncs every fileset itself. */
        SINGLE,
        /** Scale-out: the run holds the lock, offers its filesets to workers and works on them too. */
        COORDINATOR,
        /** Scale-out: another call holds the lock; this one works on its open run's filesets. */
        WORKER
    }

    final EngineParts parts;
    final RunId runId;
    final SyncRequest request;
    final Role role;
    final LeaseKeeper lease;
    final RunProgress progress;
    final ExecutorService filePool;
    final SafeListener listener;
    final RunMeter meter;
    final RunTally tally;
    final DiffEngine diff;
    final ContentSpooler spooler;
    final OutboxDrainer drainer;
    final ContentRegistry registry;
    /** Content this run saw stored: the next file with it asks the store before sending its bytes. */
    final StoredContentHints storedContent = new StoredContentHints();
    /** Set once the run must stop (lease lost, a newer token wrote, an {@link Error}): nothing new starts. */
    final AtomicReference<Throwable> stopped = new AtomicReference<>();
    /** Serialises fileset commits, so each commit's resume-state snapshot includes all earlier commits. */
    final ReentrantLock commitLock = new ReentrantLock();
    /**
     * The Silknote change sequence as the run read it before looking at any fileset (bi-directional runs;
     * docs/bidirectional.md §6). Set by the run's thread before it dispatches a fileset.
     */
    volatile SilknoteChangeFeed.Reading silknoteChanges = SilknoteChangeFeed.Reading.NONE;
    private final Supplier<Optional<String>> stopRequest;
    private final List<Alert> alerts = new ArrayList<>();

    RunContext(EngineParts parts, RunId runId, SyncRequest request, Role role, LeaseKeeper lease,
            RunProgress progress, ExecutorService filePool, DiffEngine diff, ContentSpooler spooler,
            OutboxDrainer drainer, ContentRegistry registry, Supplier<Optional<String>> stopRequest) {
        this.parts = requireNonNull(parts, "parts");
        this.runId = requireNonNull(runId, "runId");
        this.request = requireNonNull(request, "request");
        this.role = requireNonNull(role, "role");
        this.lease = requireNonNull(lease, "lease");
        this.progress = requireNonNull(progress, "progress");
        this.filePool = requireNonNull(filePool, "filePool");
        this.meter = new RunMeter();
        this.listener = new SafeListener(new RunMeter.Metering(parts.listener(), meter));
        this.tally = new RunTally(parts.config().reportFilesetLimit());
        this.diff = requireNonNull(diff, "diff");
        this.spooler = requireNonNull(spooler, "spooler");
        this.drainer = requireNonNull(drainer, "drainer");
        this.registry = requireNonNull(registry, "registry");
        this.stopRequest = requireNonNull(stopRequest, "stopRequest");
    }

    /**
     * Stores checked content under its hash (the caller has entered it in the {@link #registry}). Content the run
     * has not seen stored is usually new to the store too (its document did not have it): created first, the
     * store asked only on refusal. Content the run already saw stored (a duplicate in another file) is asked for
     * first, so its bytes are not sent to be refused. Either form leaves the content stored, whatever the hint.
     */
    BlobPutResult putContent(SpooledContent s, String mimeType) {
        boolean known = storedContent.probablyStored(s.hash());
        BlobPutResult put = parts.retrier().call("blobs.putIfAbsent", () -> known
                ? parts.blobs().putIfAbsent(s.upload(mimeType))
                : parts.blobs().putNewIfAbsent(s.upload(mimeType)));
        storedContent.stored(s.hash());
        return put;
    }

    SyncConfig config() {
        return parts.config();
    }

    Clock clock() {
        return parts.clock();
    }

    boolean dryRun() {
        return request.dryRun();
    }

    /**
     * Whether fileset commits and failures save the resume state: not for single-fileset runs and dry runs,
     * and not in scale-out, where the coordinator saves it from the claims.
     */
    boolean keepsState() {
        return !request.dryRun() && request.onlyFileset().isEmpty() && role == Role.SINGLE;
    }

    /** Whether this run writes its fileset reports to the run history. */
    boolean keepsHistory() {
        return !request.dryRun();
    }

    /**
     * Why the run may start no further fileset: a stop was requested or its budget is reached. {@code null}
     * while it may.
     */
    String stopReason() {
        Optional<String> asked = stopRequest.get();
        if (asked.isPresent()) {
            return asked.get();
        }
        return request.budget().exhaustedBy(meter.files(), meter.bytes());
    }

    /**
     * Records {@code alert} for the report and tells the listener. Alerts about single filesets are kept up to
     * {@code reportFilesetLimit}, like the fileset reports; the run-level ones (duration, error rate, failed runs in
     * a row: at most one of each, raised at the end) are always kept, so filesets' warnings cannot push them out.
     */
    void raise(Alert alert) {
        synchronized (alerts) {
            if (runLevel(alert.kind()) || alerts.size() < parts.config().reportFilesetLimit()) {
                alerts.add(alert);
            }
        }
        listener.alertRaised(runId, alert);
    }

    private static boolean runLevel(Alert.Kind kind) {
        return kind == Alert.Kind.SYNC_DURATION || kind == Alert.Kind.ERROR_RATE
                || kind == Alert.Kind.CONSECUTIVE_FAILURES;
    }

    List<Alert> alerts() {
        synchronized (alerts) {
            return List.copyOf(alerts);
        }
    }
}
