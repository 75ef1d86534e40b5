package com.silknote.sync.core.port;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncReport;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SyncListener#composite}: every event to every listener, in order, each one isolated from the
 * others' failures. Overrides every method of {@link SyncListener} (a test checks it, so a new event cannot
 * be silently dropped here).
 */
final class CompositeSyncListener implements SyncListener {
    private static final Logger log = LoggerFactory.getLogger(CompositeSyncListener.class);
    private final List<SyncListener> listeners;

    CompositeSyncListener(List<SyncListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    private void each(String event, Consumer<SyncListener> call) {
        for (int i = 0; i < listeners.size(); i++) {
            try {
                call.accept(listeners.get(i));
            } catch (RuntimeException e) {
                log.warn("listener failed event={} listener={} cause={}", event, i, e.getClass().getSimpleName());
            }
        }
    }

    @Override
    public void runStarted(RunId runId, boolean dryRun) {
        each("runStarted", l -> l.runStarted(runId, dryRun));
    }

    @Override
    public void filesetQueued(RunId runId, FilesetId filesetId, int queuedSoFar) {
        each("filesetQueued", l -> l.filesetQueued(runId, filesetId, queuedSoFar));
    }

    @Override
    public void filesetStarted(RunId runId, FilesetId filesetId, int files, long bytesToDownload) {
        each("filesetStarted", l -> l.filesetStarted(runId, filesetId, files, bytesToDownload));
    }

    @Override
    public void bytesDownloaded(RunId runId, FilesetId filesetId, long bytes) {
        each("bytesDownloaded", l -> l.bytesDownloaded(runId, filesetId, bytes));
    }

    @Override
    public void fileFinished(RunId runId, FilesetId filesetId, FileReport file) {
        each("fileFinished", l -> l.fileFinished(runId, filesetId, file));
    }

    @Override
    public void filesetFinished(RunId runId, FilesetReport report) {
        each("filesetFinished", l -> l.filesetFinished(runId, report));
    }

    @Override
    public void alertRaised(RunId runId, Alert alert) {
        each("alertRaised", l -> l.alertRaised(runId, alert));
    }

    @Override
    public void runFinished(SyncReport report) {
        each("runFinished", l -> l.runFinished(report));
    }

    @Override
    public String toString() {
        return "CompositeSyncListener[" + listeners.size() + " listeners]";
    }
}
