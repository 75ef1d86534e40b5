package com.silknote.sync.testkit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.testkit.SilknoteSnapshot;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The checks after a crash, a kill or a fault storm: the state equals a clean run's, and one more run writes
 * nothing (DESIGN §4, issue 13).
 */
public final class Convergence {
    private Convergence() {
    }

    /**
     * The backend's state, read through its ports, equals {@code expected} (timeless; see
     * {@link SilknoteSnapshot#timeless()}) except for whether {@code lastCompleteSync} is set: a resumed run
     * keeps the older mark (DESIGN rule 9), so that part is left to {@link #assertQuietRerun}. Silknote's
     * invariants hold and the raw row counts agree with the ports.
     */
    public static void assertConverged(SilknoteBackend backend, SilknoteSnapshot expected, String where) {
        SilknoteSnapshot actual = Snapshots.read(backend);
        assertThat(Snapshots.invariantViolations(actual, backend.blobs())).as("%s: invariants", where).isEmpty();
        assertThat(Snapshots.countMismatches(actual, backend.rawCounts())).as("%s: raw row counts", where).isEmpty();
        SilknoteSnapshot timeless = actual.timeless();
        SilknoteSnapshot comparable = new SilknoteSnapshot(timeless.documents(), timeless.mappings(),
                timeless.filesets(), timeless.blobRefs(), timeless.blobs(), timeless.vectors(), timeless.skips(),
                timeless.outbox(), new SyncState(expected.state().lastCompleteSync(),
                        timeless.state().partialSyncState()));
        assertThat(comparable.differencesTo(expected)).as("%s: state", where).isEmpty();
    }

    /**
     * One more run ({@code run} hands the engine ports recording to the given log): it ends as
     * {@code expectedStatus}, writes no data (only the fence, its state and its run record), leaves the state
     * equal to {@code expected} (the resume state included), and the run history holds no run twice.
     */
    public static void assertQuietRerun(Function<WriteLog, SyncResult> run, SyncResult.Status expectedStatus,
            SilknoteBackend backend, SilknoteSnapshot expected, String where) {
        WriteLog log = new WriteLog();
        SyncResult again = run.apply(log);
        assertThat(again.status()).as("%s: one more run (%s)", where, again.error()).isEqualTo(expectedStatus);
        assertThat(log.dataWrites()).as("%s: one more run writes nothing", where).isEmpty();
        SilknoteSnapshot after = Snapshots.read(backend);
        assertThat(after.timeless().differencesTo(expected)).as("%s: state after one more run", where).isEmpty();
        List<SyncReport> runs = backend.documents().recentRuns(1000);
        Set<Object> ids = new HashSet<>();
        for (SyncReport r : runs) {
            assertThat(ids.add(r.runId())).as("%s: run %s recorded once", where, r.runId()).isTrue();
        }
    }
}
