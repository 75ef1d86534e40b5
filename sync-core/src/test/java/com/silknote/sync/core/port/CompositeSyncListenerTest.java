package com.silknote.sync.core.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.RunMetrics;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.VsrxFileId;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 11 (metrics): a host combines several listeners, e.g. a progress display and a metrics binding. */
class CompositeSyncListenerTest {
    private static final RunId RUN = RunId.of("run-1");
    private static final FilesetId FS = FilesetId.of("fs-1");
    private static final FileReport FILE = FileReport.of(VsrxFileId.of("f-1"), FileAction.CREATED);
    private static final FilesetReport FILESET = new FilesetReport(FS, FilesetOutcome.COMPLETED, Optional.empty(),
            List.of(FILE), Duration.ofSeconds(1), 10, 10);
    private static final Alert ALERT = new Alert(Alert.Kind.ERROR_RATE, Alert.Severity.WARNING, "error rate 6 %");
    private static final SyncReport REPORT = new SyncReport(RUN, Instant.EPOCH, Instant.EPOCH.plusSeconds(1), false,
            List.of(FILESET), new RunMetrics(Duration.ofSeconds(1), Duration.ofSeconds(1), 60, 0, 10, 10, 0),
            List.of(ALERT));

    /** Records the events it gets as "name@listener". */
    private static final class Recorder implements SyncListener {
        final String name;
        final List<String> events;
        final boolean fail;

        Recorder(String name, List<String> events, boolean fail) {
            this.name = name;
            this.events = events;
            this.fail = fail;
        }

        private void record(String event) {
            events.add(event + "@" + name);
            if (fail) {
                throw new IllegalStateException("listener " + name + " broke");
            }
        }

        @Override public void runStarted(RunId runId, boolean dryRun) { record("runStarted"); }
        @Override public void filesetQueued(RunId runId, FilesetId filesetId, int queuedSoFar) { record("filesetQueued"); }
        @Override public void filesetStarted(RunId runId, FilesetId filesetId, int files, long bytes) { record("filesetStarted"); }
        @Override public void bytesDownloaded(RunId runId, FilesetId filesetId, long bytes) { record("bytesDownloaded"); }
        @Override public void fileFinished(RunId runId, FilesetId filesetId, FileReport file) { record("fileFinished"); }
        @Override public void filesetFinished(RunId runId, FilesetReport report) { record("filesetFinished"); }
        @Override public void alertRaised(RunId runId, Alert alert) { record("alertRaised"); }
        @Override public void runFinished(SyncReport report) { record("runFinished"); }
    }

    private static void fireEveryEvent(SyncListener l) {
        l.runStarted(RUN, false);
        l.filesetQueued(RUN, FS, 1);
        l.filesetStarted(RUN, FS, 1, 10);
        l.bytesDownloaded(RUN, FS, 10);
        l.fileFinished(RUN, FS, FILE);
        l.filesetFinished(RUN, FILESET);
        l.alertRaised(RUN, ALERT);
        l.runFinished(REPORT);
    }

    private static final List<String> EVENTS = List.of("runStarted", "filesetQueued", "filesetStarted",
            "bytesDownloaded", "fileFinished", "filesetFinished", "alertRaised", "runFinished");

    @Test
    @DisplayName("every event reaches every listener, in the order the listeners were given")
    void forwardsEveryEventInOrder() {
        List<String> events = new ArrayList<>();
        SyncListener composite = SyncListener.composite(List.of(new Recorder("a", events, false),
                new Recorder("b", events, false)));

        fireEveryEvent(composite);

        List<String> expected = new ArrayList<>();
        for (String e : EVENTS) {
            expected.add(e + "@a");
            expected.add(e + "@b");
        }
        assertThat(events).containsExactlyElementsOf(expected);
    }

    @Test
    @DisplayName("a listener that throws does not keep the event from the listeners after it")
    void isolatesAFailingListener() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        SyncListener composite = SyncListener.composite(List.of(new Recorder("broken", events, true),
                new Recorder("ok", events, false)));

        fireEveryEvent(composite);

        assertThat(events).filteredOn(e -> e.endsWith("@ok"))
                .containsExactlyElementsOf(EVENTS.stream().map(e -> e + "@ok").toList());
        assertThat(events).filteredOn(e -> e.endsWith("@broken")).hasSize(EVENTS.size());
    }

    @Test
    @DisplayName("the composite overrides every SyncListener method, so a new event cannot be dropped silently")
    void overridesEveryListenerMethod() throws NoSuchMethodException {
        List<Method> events = Arrays.stream(SyncListener.class.getDeclaredMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()) && !m.isSynthetic())
                .toList();
        assertThat(events).hasSizeGreaterThanOrEqualTo(EVENTS.size());
        for (Method m : events) {
            Method impl = CompositeSyncListener.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
            assertThat(impl.getDeclaringClass()).as(m.getName()).isEqualTo(CompositeSyncListener.class);
        }
    }

    @Test
    void emptyIsNoneAndOneIsItself() {
        SyncListener one = new Recorder("one", new ArrayList<>(), false);
        assertThat(SyncListener.composite(List.of())).isSameAs(SyncListener.NONE);
        assertThat(SyncListener.composite(List.of(one))).isSameAs(one);
    }

    @Test
    void refusesNullListeners() {
        List<SyncListener> withNull = new ArrayList<>();
        withNull.add(SyncListener.NONE);
        withNull.add(null);
        assertThatThrownBy(() -> SyncListener.composite(withNull)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> SyncListener.composite(null)).isInstanceOf(NullPointerException.class);
    }
}
