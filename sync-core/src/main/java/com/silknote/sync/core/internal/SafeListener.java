package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.port.SyncListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Forwards events to a {@link SyncListener}; an exception it throws is logged and ignored. */
final class SafeListener implements SyncListener {
    private static final Logger log = LoggerFactory.getLogger(SafeListener.class);
    private final SyncListener delegate;

    SafeListener(SyncListener delegate) {
        this.delegate = requireNonNull(delegate, "delegate");
    }

    private void guard(String event, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("listener failed event={} cause={}", event, e.getClass().getSimpleName());
        }
    }

    @Override
    public void runStarted(RunId runId, boolean dryRun) {
        guard("runStarted", () -> delegate.runStarted(runId, dryRun));
    }

    @Override
    public void filesetQueued(RunId runId, FilesetId filesetId, int queuedSoFar) {
        guard("filesetQueued", () -> delegate.filesetQueued(runId, filesetId, queuedSoFar));
    }

    @Override
    public void filesetStarted(RunId runId, FilesetId filesetId, int files, long bytesToDownload) {
        guard("filesetStarted", () -> delegate.filesetStarted(runId, filesetId, files, bytesToDownload));
    }

    @Override
    public void bytesDownloaded(RunId runId, FilesetId filesetId, long bytes) {
        guard("bytesDownloaded", () -> delegate.bytesDownloaded(runId, filesetId, bytes));
    }

    @Override
    public void fileFinished(RunId runId, FilesetId filesetId, FileReport file) {
        guard("fileFinished", () -> delegate.fileFinished(runId, filesetId, file));
    }

    @Override
    public void filesetFinished(RunId runId, FilesetReport report) {
        guard("filesetFinished", () -> delegate.filesetFinished(runId, report));
    }

    @Override
    public void alertRaised(RunId runId, Alert alert) {
        guard("alertRaised", () -> delegate.alertRaised(runId, alert));
    }

    @Override
    public void runFinished(SyncReport report) {
        guard("runFinished", () -> delegate.runFinished(report));
    }
}
