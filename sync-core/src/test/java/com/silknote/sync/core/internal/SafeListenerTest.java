package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.port.SyncListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** DESIGN rule 15 (observability never changes the outcome): every event reaches the listener; its failures never reach the run. */
class SafeListenerTest {
    private static final RunId RUN = RunId.of("run-1");
    private static final FilesetId FS = FilesetId.of("fs-1");

    /** Records each event with its arguments; throws afterwards when asked to. */
    static final class Recording implements SyncListener {
        final List<List<Object>> events = new ArrayList<>();
        final boolean fail;

        Recording(boolean fail) {
            this.fail = fail;
        }

        private void record(Object... event) {
            events.add(Arrays.asList(event));
            if (fail) {
                throw new IllegalStateException("listener bug");
            }
        }

        @Override public void runStarted(RunId runId, boolean dryRun) { record("runStarted", runId, dryRun); }
        @Override public void filesetQueued(RunId runId, FilesetId id, int n) { record("filesetQueued", runId, id, n); }

        @Override
        public void filesetStarted(RunId runId, FilesetId id, int files, long bytes) {
            record("filesetStarted", runId, id, files, bytes);
        }

        @Override public void bytesDownloaded(RunId runId, FilesetId id, long bytes) { record("bytesDownloaded", runId, id, bytes); }
        @Override public void fileFinished(RunId runId, FilesetId id, FileReport file) { record("fileFinished", runId, id, file); }
        @Override public void filesetFinished(RunId runId, FilesetReport report) { record("filesetFinished", runId, report); }
        @Override public void alertRaised(RunId runId, Alert alert) { record("alertRaised", runId, alert); }
        @Override public void runFinished(SyncReport report) { record("runFinished", report); }
    }

    private static void everyEvent(SyncListener l) {
        l.runStarted(RUN, true);
        l.filesetQueued(RUN, FS, 3);
        l.filesetStarted(RUN, FS, 4, 5L);
        l.bytesDownloaded(RUN, FS, 6L);
        l.fileFinished(RUN, FS, null);
        l.filesetFinished(RUN, null);
        l.alertRaised(RUN, null);
        l.runFinished(null);
    }

    private static final List<List<Object>> EXPECTED = List.of(
            Arrays.asList("runStarted", RUN, true),
            Arrays.asList("filesetQueued", RUN, FS, 3),
            Arrays.asList("filesetStarted", RUN, FS, 4, 5L),
            Arrays.asList("bytesDownloaded", RUN, FS, 6L),
            Arrays.asList("fileFinished", RUN, FS, null),
            Arrays.asList("filesetFinished", RUN, null),
            Arrays.asList("alertRaised", RUN, null),
            Arrays.asList("runFinished", (Object) null));

    @Test
    @DisplayName("rule 15: each event is passed on once, with its arguments")
    void forwardsEveryEvent() {
        Recording delegate = new Recording(false);
        everyEvent(new SafeListener(delegate));
        assertThat(delegate.events).isEqualTo(EXPECTED);
    }

    @Test
    @DisplayName("rule 15: a listener that throws never stops the run, and still gets every event")
    void swallowsTheListenersFailures() {
        Recording delegate = new Recording(true);
        assertThatCode(() -> everyEvent(new SafeListener(delegate))).doesNotThrowAnyException();
        assertThat(delegate.events).isEqualTo(EXPECTED);
    }
}
