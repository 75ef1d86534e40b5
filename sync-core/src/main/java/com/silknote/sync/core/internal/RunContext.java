package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.dedup.ContentSpooler;
import com.silknote.sync.core.diff.DiffEngine;
import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/** What the filesets of one run share. */
final class RunContext {
    final EngineParts parts;
    final RunId runId;
    final SyncRequest request;
    final LeaseKeeper lease;
    final RunProgress progress;
    final ExecutorService filePool;
    final SafeListener listener;
    final DiffEngine diff;
    final ContentSpooler spooler;
    final OutboxDrainer drainer;
    final ContentRegistry registry;
    /** Set once the run must stop (lease lost, a newer token wrote, an {@link Error}): nothing new starts. */
    final AtomicReference<Throwable> stopped = new AtomicReference<>();
    /** Serialises fileset commits, so each commit's resume-state snapshot includes all earlier commits. */
    final ReentrantLock commitLock = new ReentrantLock();
    private final List<Alert> alerts = new ArrayList<>();

    RunContext(EngineParts parts, RunId runId, SyncRequest request, LeaseKeeper lease, RunProgress progress,
            ExecutorService filePool, DiffEngine diff, ContentSpooler spooler, OutboxDrainer drainer,
            ContentRegistry registry) {
        this.parts = requireNonNull(parts, "parts");
        this.runId = requireNonNull(runId, "runId");
        this.request = requireNonNull(request, "request");
        this.lease = requireNonNull(lease, "lease");
        this.progress = requireNonNull(progress, "progress");
        this.filePool = requireNonNull(filePool, "filePool");
        this.listener = parts.listener();
        this.diff = requireNonNull(diff, "diff");
        this.spooler = requireNonNull(spooler, "spooler");
        this.drainer = requireNonNull(drainer, "drainer");
        this.registry = requireNonNull(registry, "registry");
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

    /** Whether this run keeps the resume state (not for single-fileset runs and dry runs). */
    boolean keepsState() {
        return !request.dryRun() && request.onlyFileset().isEmpty();
    }

    void raise(Alert alert) {
        synchronized (alerts) {
            alerts.add(alert);
        }
        listener.alertRaised(runId, alert);
    }

    List<Alert> alerts() {
        synchronized (alerts) {
            return List.copyOf(alerts);
        }
    }
}
