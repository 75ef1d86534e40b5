package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SyncState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        assertThat(afterA.partialSyncState().resumeFromFileset()).contains(B);
        assertThat(afterA.partialSyncState().processed(A)).as("before the resume point: committed").isTrue();
        assertThat(afterA.partialSyncState().processedFilesets()).as("implied by the resume point").isEmpty();
        assertThat(afterA.lastCompleteSync()).contains(MARK);
        p.markProcessed(A);

        SyncState bFailed = p.withFailed(B);
        assertThat(bFailed.partialSyncState().failedFilesets()).containsExactly(B);
        assertThat(bFailed.partialSyncState().resumeFromFileset()).contains(C);
        assertThat(bFailed.partialSyncState().processed(B)).as("a failed one is retried").isFalse();
        p.markFailed(B);
        p.markProcessed(C);
        SyncState interrupted = p.interrupted();
        assertThat(interrupted.partialSyncState().processedFilesets()).containsExactly(C);
        assertThat(interrupted.partialSyncState().resumeFromFileset()).contains(C);
        assertThat(interrupted.partialSyncState().processed(A)).isTrue();
        assertThat(interrupted.partialSyncState().processed(B)).isFalse();
        assertThat(interrupted.partialSyncState().processed(C)).isTrue();

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
        assertThat(s.partialSyncState().processed(A)).isTrue();
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

    @Test
    @DisplayName("rule 9: filesets must be queued in id order, the order the resume state relies on")
    void aFilesetOutOfIdOrderIsRefused() {
        RunProgress p = new RunProgress(SyncState.initial(), true);
        assertThat(p.queued(B)).isTrue();
        assertThat(p.queued(A)).isFalse();
        assertThat(p.queued(B)).isFalse();
        assertThat(p.queued(C)).isTrue();
    }

    @Test
    @DisplayName("rule 9: a state that lists every committed fileset (as written before) reads the same")
    void aStateListingEveryProcessedFilesetIsResumedAsBefore() {
        SyncState old = new SyncState(Optional.of(MARK), new SyncState.PartialSyncState(List.of(A, C), List.of(),
                Optional.of(B)));
        RunProgress p = new RunProgress(old, true);
        assertThat(p.alreadyProcessed(A)).isTrue();
        assertThat(p.alreadyProcessed(B)).isFalse();
        assertThat(p.alreadyProcessed(C)).isTrue();
    }

    /**
     * Issue 12 (constant heap) with rule 9: however many filesets a run commits, every state it saves lists at
     * most the filesets that overtook the oldest one in flight (bounded as the engine bounds them with
     * {@code awaitRoomAhead}) plus the failed ones, and a run resuming it skips exactly the committed filesets.
     * Random completion order within a window, random failures, a random interruption point.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 7L, 42L, 20261125L})
    void stateStaysSmallAndResumesExactlyTheUnfinishedFilesets(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int total = 5_000;
        int window = 1 + random.nextInt(16);
        int maxAhead = 1 + random.nextInt(64);
        int stopAt = random.nextInt(total);
        List<FilesetId> all = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            all.add(FilesetId.of(String.format("fs-%07d", i)));
        }
        RunProgress p = new RunProgress(new SyncState(Optional.of(MARK), SyncState.PartialSyncState.empty()), true);
        List<FilesetId> inFlight = new ArrayList<>();
        Set<FilesetId> committed = new HashSet<>();
        Set<FilesetId> failed = new HashSet<>();
        int next = 0;
        int maxSaved = 0;
        while (next < stopAt || !inFlight.isEmpty() && random.nextInt(4) > 0) {
            boolean room = inFlight.size() < window && (inFlight.isEmpty() || p.ahead() < maxAhead);
            if (next < stopAt && (room && random.nextBoolean() || inFlight.isEmpty())) {
                assertThat(p.queued(all.get(next))).isTrue();
                inFlight.add(all.get(next++));
                continue;
            }
            FilesetId done = inFlight.remove(random.nextInt(inFlight.size()));
            SyncState saved;
            if (random.nextInt(20) == 0) {
                saved = p.withFailed(done);
                p.markFailed(done);
                failed.add(done);
            } else {
                saved = p.withProcessed(done);
                p.markProcessed(done);
                committed.add(done);
            }
            maxSaved = Math.max(maxSaved, saved.partialSyncState().processedFilesets().size());
        }
        SyncState state = p.interrupted();
        assertThat(maxSaved).as("seed %d: processed filesets in a saved state", seed)
                .isLessThanOrEqualTo(maxAhead + window);
        assertThat(state.partialSyncState().processedFilesets().size()).isLessThanOrEqualTo(maxAhead + window);
        RunProgress resumed = new RunProgress(state, true);
        for (FilesetId id : all) {
            assertThat(resumed.alreadyProcessed(id)).as("seed %d: %s skipped by the resumed run", seed, id)
                    .isEqualTo(committed.contains(id));
        }
        assertThat(state.partialSyncState().failedFilesets()).containsExactlyInAnyOrderElementsOf(failed);
    }
}
