package com.silknote.sync.core.port;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncReport;
import java.util.List;

/**
 * Receives run, fileset, file and byte events, for progress bars and metrics. Every method has a no-op
 * default. Called from worker threads: implementations must be thread-safe and fast; an exception thrown
 * here is logged and ignored.
 */
public interface SyncListener {
    SyncListener NONE = new SyncListener() { };

    /**
     * One listener that passes every event to each of {@code listeners}, in order (a progress display and a
     * metrics binding, say). A listener that throws is logged (event name and exception class only) and
     * skipped; the others still get the event.
     *
     * @param listeners the listeners, in the order they are called
     * @return {@link #NONE} for an empty list, the listener itself for one, otherwise a composite
     * @throws NullPointerException when the list or one of its elements is null
     */
    static SyncListener composite(List<? extends SyncListener> listeners) {
        List<SyncListener> copy = List.copyOf(listeners);
        if (copy.isEmpty()) {
            return NONE;
        }
        return copy.size() == 1 ? copy.get(0) : new CompositeSyncListener(copy);
    }

    default void runStarted(RunId runId, boolean dryRun) { }

    /** A fileset was listed and queued; {@code queuedSoFar} counts the run's queued filesets. */
    default void filesetQueued(RunId runId, FilesetId filesetId, int queuedSoFar) { }

    /** A fileset's listing is done: {@code files} listed, {@code bytesToDownload} planned. */
    default void filesetStarted(RunId runId, FilesetId filesetId, int files, long bytesToDownload) { }

    default void bytesDownloaded(RunId runId, FilesetId filesetId, long bytes) { }

    /**
     * A file with an action or something to report is done. Files found unchanged with nothing to report get
     * no call of their own: {@link FilesetReport#unchangedFiles()} counts them when the fileset finishes.
     */
    default void fileFinished(RunId runId, FilesetId filesetId, FileReport file) { }

    /** A fileset is done; {@link FilesetReport#totalFiles()} counts every file it looked at. */
    default void filesetFinished(RunId runId, FilesetReport report) { }

    default void alertRaised(RunId runId, Alert alert) { }

    default void runFinished(SyncReport report) { }
}
