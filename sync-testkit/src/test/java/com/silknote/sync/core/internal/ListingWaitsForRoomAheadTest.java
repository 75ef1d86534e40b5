package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.admission.ContentSniffer;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.path.PathValidator;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.TestClock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN rule 9 and {@link RunProgress}'s bound (issue 12, a constant heap): the run queues no further fileset while
 * {@link RunProgress#MAX_AHEAD} filesets finished ahead of the oldest one still in flight, so a slow fileset cannot
 * make the resume state list every fileset that overtakes it. One slow fileset (the first) and 1,010 quick ones on
 * two fileset threads: the slow one is held until the listing waits for room (the run's thread parked in
 * {@code RunProgress.awaitRoomAhead}) or, where nothing makes it wait, until every quick one was queued. No fileset
 * more than {@code MAX_AHEAD} plus the dispatch window past the slow one may be queued before it committed.
 */
class ListingWaitsForRoomAheadTest {
    private static final int QUICK = RunProgress.MAX_AHEAD + 10;

    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    private final InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
    private final SilknoteSimulator silknote = new SilknoteSimulator(clock);
    /** Two fileset threads: the slow fileset holds one; a dispatch window of four. */
    private final SyncConfig config = SyncConfig.builder().filesetConcurrency(2).fileConcurrency(1).pageSize(1000)
            .build();

    private FilesetId fileset(int i) {
        String p = "P-" + i;
        return vsrx.addFileset(PatientId.of(p), new PatientUuid(UUID.nameUUIDFromBytes(p.getBytes(StandardCharsets.UTF_8))));
    }

    /** {@code true} while {@code t} waits in {@code RunProgress.awaitRoomAhead}. */
    private static boolean waitsForRoom(Thread t) {
        return t.getState() == Thread.State.WAITING && Arrays.stream(t.getStackTrace()).anyMatch(e ->
                e.getClassName().equals(RunProgress.class.getName()) && e.getMethodName().equals("awaitRoomAhead"));
    }

    @Test
    @DisplayName("rule 9 / issue 12: with 1,000 filesets finished ahead of the oldest one in flight the listing waits"
            + " for it; nothing further is queued until it committed")
    void theListingWaitsWhileAThousandFinishedAheadOfTheOldest() {
        FilesetId slow = fileset(0);
        List<FilesetId> quick = new ArrayList<>();
        for (int i = 1; i <= QUICK; i++) {
            quick.add(fileset(i));
        }
        Thread caller = Thread.currentThread();
        AtomicInteger queued = new AtomicInteger();
        List<Integer> queuedBeforeTheSlowOneCommitted = new ArrayList<>();
        SyncListener listener = new SyncListener() {
            @Override
            public void filesetQueued(RunId runId, FilesetId filesetId, int queuedSoFar) {
                queued.set(queuedSoFar);
                if (!filesetId.equals(slow) && silknote.documents().findFileset(slow).isEmpty()) {
                    queuedBeforeTheSlowOneCommitted.add(queuedSoFar);
                }
            }
        };
        VsrxSource slowFirst = new VsrxSource() {
            @Override
            public Page<VsrxFileset> listFilesets(PageRequest request) {
                return vsrx.listFilesets(request);
            }

            @Override
            public Optional<VsrxFileset> findFileset(FilesetId id) {
                return vsrx.findFileset(id);
            }

            @Override
            public Page<VsrxFile> listFiles(FilesetId id, PageRequest request) {
                if (id.equals(slow)) {
                    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                    while (queued.get() < QUICK + 1 && !waitsForRoom(caller)) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("the listing neither waited nor queued every fileset");
                        }
                        Thread.yield();
                    }
                }
                return vsrx.listFiles(id, request);
            }

            @Override
            public FileContent openContent(VsrxFileId fileId) {
                return vsrx.openContent(fileId);
            }
        };
        SyncEngine engine = new SyncEngine(slowFirst, silknote.documents(), silknote.blobs(), silknote.vectors(),
                silknote.processor(), silknote.lock(), Optional.empty(), listener, config, clock, clock,
                new SplittableRandom(9), PathValidator::validate, ContentSniffer::agrees, Optional.empty());

        SyncResult r = engine.run(SyncRequest.full());

        assertThat(r.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(r.report().orElseThrow().totals().filesetCount()).isEqualTo(QUICK + 1);
        // the slow one is queued first; at most MAX_AHEAD quick ones finish ahead of it, and up to the dispatch window
        // (four, the slow one's slot among them) more are queued before they finished
        assertThat(queuedBeforeTheSlowOneCommitted).as("queued while the slow fileset had not committed")
                .allMatch(n -> n <= 1 + RunProgress.MAX_AHEAD + 3);
        assertThat(quick).allMatch(fs -> silknote.documents().findFileset(fs).isPresent());
    }
}
