package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SyncState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** DESIGN rule 9 / issue 9 item 1: the resume state as a run goes on, completes or is interrupted. */
class RunProgressTest {
    private static final FilesetId A = FilesetId.of("a");
    private static final FilesetId B = FilesetId.of("b");
    private static final FilesetId C = FilesetId.of("c");
    private static final Instant MARK = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant START = Instant.parse("2026-01-02T00:00:00Z");

    @Test
    void freshRunRecordsProcessedAndFailedAndWhereToResume() {
        RunProgress p = new RunProgress(new SyncState(Optional.of(MARK), SyncState.PartialSyncState.empty()), true);
        p.queued(A);
        p.queued(B);
        p.queued(C);
        assertThat(p.resuming()).isFalse();

        SyncState afterA = p.withProcessed(A);
        assertThat(afterA.partialSyncState().processedFilesets()).containsExactly(A);
        assertThat(afterA.partialSyncState().resumeFromFileset()).contains(B);
        assertThat(afterA.lastCompleteSync()).contains(MARK);
        p.markProcessed(A);

        SyncState bFailed = p.withFailed(B);
        assertThat(bFailed.partialSyncState().failedFilesets()).containsExactly(B);
        assertThat(bFailed.partialSyncState().resumeFromFileset()).contains(B);
        p.markFailed(B);
        p.markProcessed(C);
        assertThat(p.interrupted().partialSyncState().processedFilesets()).containsExactly(A, C);
        assertThat(p.interrupted().partialSyncState().resumeFromFileset()).contains(B);

        SyncState done = p.completed(START);
        assertThat(done.lastCompleteSync()).contains(START);
        assertThat(done.partialSyncState().processedFilesets()).isEmpty();
        assertThat(done.partialSyncState().failedFilesets()).containsExactly(B);
        assertThat(done.partialSyncState().resumeFromFileset()).isEmpty();
    }

    @Test
    void everyRunningStateNamesWhereToResumeEvenWhenAllQueuedFilesetsAreDone() {
        RunProgress p = new RunProgress(SyncState.initial(), true);
        p.queued(A);
        SyncState s = p.withProcessed(A);
        assertThat(s.partialSyncState().resumeFromFileset()).as("an interrupted run must look interrupted")
                .contains(A);
    }

    @Test
    void resumedRunSkipsProcessedRetriesFailedAndKeepsTheOlderMark() {
        SyncState interrupted = new SyncState(Optional.of(MARK),
                new SyncState.PartialSyncState(List.of(A), List.of(B), Optional.of(B)));
        RunProgress p = new RunProgress(interrupted, true);
        assertThat(p.resuming()).isTrue();
        assertThat(p.alreadyProcessed(A)).isTrue();
        assertThat(p.alreadyProcessed(B)).isFalse();
        p.markProcessed(B);
        assertThat(p.interrupted().partialSyncState().failedFilesets()).isEmpty();
        assertThat(p.interrupted().partialSyncState().processedFilesets()).containsExactly(A, B);
        SyncState done = p.completed(START);
        assertThat(done.partialSyncState().isEmpty()).isTrue();
        assertThat(done.lastCompleteSync()).contains(MARK);
    }

    @Test
    void aCompleteRunWithFailuresIsNotResumedButItsFailuresAreCarried() {
        SyncState complete = new SyncState(Optional.of(MARK),
                new SyncState.PartialSyncState(List.of(), List.of(B), Optional.empty()));
        RunProgress p = new RunProgress(complete, true);
        assertThat(p.resuming()).isFalse();
        assertThat(p.alreadyProcessed(A)).isFalse();
        assertThat(p.carriedFailures()).containsExactly(B);
        p.queued(A);
        SyncState afterA = p.withProcessed(A);
        assertThat(afterA.partialSyncState().failedFilesets()).as("B not attempted yet").containsExactly(B);
        p.markProcessed(A);
        p.markProcessed(B);
        assertThat(p.completed(START).partialSyncState().failedFilesets()).isEmpty();
        assertThat(p.completed(START).lastCompleteSync()).contains(START);
    }

    @Test
    void singleFilesetRunsIgnoreThePartialState() {
        SyncState interrupted = new SyncState(Optional.of(MARK),
                new SyncState.PartialSyncState(List.of(A), List.of(), Optional.of(B)));
        RunProgress p = new RunProgress(interrupted, false);
        assertThat(p.alreadyProcessed(A)).isFalse();
    }
}
