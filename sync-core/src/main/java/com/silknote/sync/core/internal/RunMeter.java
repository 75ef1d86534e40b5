package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.port.SyncListener;
import java.util.concurrent.atomic.AtomicLong;

/** Files and bytes a run downloaded so far, for its budget. Thread-safe. */
final class RunMeter {
    private final AtomicLong files = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    long files() {
        return files.get();
    }

    long bytes() {
        return bytes.get();
    }

    /** Counts what passes on its way to the run's listener. */
    static final class Metering implements SyncListener {
        private final SyncListener delegate;
        private final RunMeter meter;

        Metering(SyncListener delegate, RunMeter meter) {
            this.delegate = requireNonNull(delegate, "delegate");
            this.meter = requireNonNull(meter, "meter");
        }

        @Override
        public void runStarted(RunId runId, boolean dryRun) {
            delegate.runStarted(runId, dryRun);
        }

        @Override
        public void filesetQueued(RunId runId, FilesetId filesetId, int queuedSoFar) {
            delegate.filesetQueued(runId, filesetId, queuedSoFar);
        }

        @Override
        public void filesetStarted(RunId runId, FilesetId filesetId, int fileCount, long bytesToDownload) {
            delegate.filesetStarted(runId, filesetId, fileCount, bytesToDownload);
        }

        @Override
        public void bytesDownloaded(RunId runId, FilesetId filesetId, long n) {
            meter.bytes.addAndGet(n);
            delegate.bytesDownloaded(runId, filesetId, n);
        }

        /** A file counts once it was downloaded (bytes read), whatever became of it. */
        @Override
        public void fileFinished(RunId runId, FilesetId filesetId, FileReport file) {
            if (file.bytes() > 0 || file.action() == FileAction.CREATED || file.action() == FileAction.UPDATED) {
                meter.files.incrementAndGet();
            }
            delegate.fileFinished(runId, filesetId, file);
        }

        @Override
        public void filesetFinished(RunId runId, FilesetReport report) {
            delegate.filesetFinished(runId, report);
        }

        @Override
        public void alertRaised(RunId runId, Alert alert) {
            delegate.alertRaised(runId, alert);
        }

        @Override
        public void runFinished(SyncReport report) {
            delegate.runFinished(report);
        }
    }
}
