package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.VsrxFileId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN rule 15 (monitoring figures) and issue 12 (constant heap): a run's fileset reports are added up one at a
 * time and only a bounded, ranked selection of them is kept.
 */
class RunTallyTest {
    private static int files;

    private static FileReport file(FileAction action) {
        VsrxFileId id = VsrxFileId.of("f" + files++);
        return action == FileAction.SKIPPED ? FileReport.skipped(id, SkipReason.EMPTY, "zero-bytes", 0)
                : FileReport.of(id, action);
    }

    private static FilesetReport report(String id, FilesetOutcome outcome, FileAction... actions) {
        return report(id, outcome, Optional.empty(), actions);
    }

    private static FilesetReport report(String id, FilesetOutcome outcome, Optional<String> reason,
            FileAction... actions) {
        List<FileReport> list = new ArrayList<>();
        for (FileAction a : actions) {
            list.add(file(a));
        }
        return new FilesetReport(FilesetId.of(id), outcome, reason, list, Duration.ofSeconds(2), 100, 10);
    }

    @Test
    void aLimitBelowOneIsRefused() {
        assertThatThrownBy(() -> new RunTally(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new RunTally(1).kept()).isEmpty();
    }

    @Test
    @DisplayName("issue 12: failures rank before findings, findings before changes, changes before the rest")
    void reportsAreRankedByWhatAnOperatorMustSee() {
        assertThat(RunTally.rank(report("a", FilesetOutcome.FAILED))).isZero();
        assertThat(RunTally.rank(report("a", FilesetOutcome.MASS_DELETE_BLOCKED))).isZero();
        assertThat(RunTally.rank(report("a", FilesetOutcome.VANISHED))).isEqualTo(1);
        assertThat(RunTally.rank(report("a", FilesetOutcome.SKIPPED_NOT_LINKED,
                Optional.of(FilesetSync.UNLINKED_WITH_DOCUMENTS)))).as("unlinked, Silknote holds documents")
                .isEqualTo(1);
        assertThat(RunTally.rank(report("a", FilesetOutcome.SKIPPED_NOT_LINKED, Optional.of("PATIENT_NOT_LINKED"))))
                .as("unlinked, nothing held").isEqualTo(3);
        for (FileAction finding : List.of(FileAction.CONFLICT, FileAction.FAILED, FileAction.VANISHED,
                FileAction.SKIPPED)) {
            assertThat(RunTally.rank(report("a", FilesetOutcome.COMPLETED, FileAction.CREATED, finding)))
                    .as("%s", finding).isEqualTo(1);
        }
        for (FileAction change : List.of(FileAction.CREATED, FileAction.UPDATED, FileAction.METADATA_ONLY,
                FileAction.DELETED)) {
            assertThat(RunTally.rank(report("a", FilesetOutcome.COMPLETED, FileAction.UNCHANGED, change)))
                    .as("%s", change).isEqualTo(2);
        }
        assertThat(RunTally.rank(report("a", FilesetOutcome.COMPLETED, FileAction.UNCHANGED))).isEqualTo(3);
        assertThat(RunTally.rank(report("a", FilesetOutcome.COMPLETED))).isEqualTo(3);
        assertThat(RunTally.rank(report("a", FilesetOutcome.SKIPPED_ALREADY_PROCESSED))).isEqualTo(3);
    }

    @Test
    @DisplayName("issue 12: over the limit the lowest-ranked, latest report goes; the kept ones come in processing order")
    void theMostImportantReportsAreKeptInProcessingOrder() {
        RunTally tally = new RunTally(3);
        FilesetReport quiet1 = report("q1", FilesetOutcome.COMPLETED, FileAction.UNCHANGED);
        FilesetReport changed = report("c", FilesetOutcome.COMPLETED, FileAction.CREATED);
        FilesetReport quiet2 = report("q2", FilesetOutcome.COMPLETED, FileAction.UNCHANGED);
        FilesetReport failed = report("f", FilesetOutcome.FAILED, FileAction.FAILED);
        FilesetReport finding = report("s", FilesetOutcome.COMPLETED, FileAction.SKIPPED);
        tally.add(0, quiet1);
        tally.add(1, changed);
        tally.add(2, quiet2);
        assertThat(tally.kept()).containsExactly(quiet1, changed, quiet2);
        tally.add(3, failed);
        assertThat(tally.kept()).as("the later of two quiet ones goes first").containsExactly(quiet1, changed, failed);
        tally.add(4, finding);
        assertThat(tally.kept()).containsExactly(changed, failed, finding);
        tally.add(5, report("q3", FilesetOutcome.COMPLETED));
        assertThat(tally.kept()).as("a quiet one never displaces a more important one")
                .containsExactly(changed, failed, finding);
        FilesetReport failed2 = report("f2", FilesetOutcome.MASS_DELETE_BLOCKED, FileAction.DELETED);
        tally.add(6, failed2);
        assertThat(tally.kept()).containsExactly(failed, finding, failed2);
        FilesetReport failed3 = report("f3", FilesetOutcome.FAILED);
        tally.add(7, failed3);
        assertThat(tally.kept()).as("a finding gives way to a failure").containsExactly(failed, failed2, failed3);
        tally.add(8, report("f4", FilesetOutcome.FAILED));
        assertThat(tally.kept()).as("within a rank the earlier ones stay").containsExactly(failed, failed2, failed3);
        assertThat(tally.filesets()).isEqualTo(9);
    }

    @Test
    @DisplayName("rule 15: the figures count file syncs, failures and the time of filesets that did work")
    void figuresAddUpWhatTheMetricsNeed() {
        RunTally tally = new RunTally(1);
        tally.add(0, report("a", FilesetOutcome.COMPLETED, FileAction.CREATED, FileAction.UNCHANGED,
                FileAction.FAILED, FileAction.SKIPPED));
        tally.add(1, report("b", FilesetOutcome.FAILED, FileAction.FAILED, FileAction.FAILED));
        tally.add(2, report("c", FilesetOutcome.MASS_DELETE_BLOCKED, FileAction.FAILED, FileAction.DELETED));
        tally.add(3, report("d", FilesetOutcome.SKIPPED_NOT_LINKED));
        tally.add(4, report("e", FilesetOutcome.SKIPPED_ALREADY_PROCESSED));
        tally.add(5, report("g", FilesetOutcome.VANISHED));

        assertThat(tally.filesets()).isEqualTo(6);
        assertThat(tally.failedFilesets()).as("failed and blocked").isEqualTo(2);
        assertThat(tally.worked()).as("skipped and vanished filesets did no work").isEqualTo(3);
        assertThat(tally.workedTime()).isEqualTo(Duration.ofSeconds(6));
        assertThat(tally.fileSyncs()).as("unchanged files and a blocked fileset's files are no file syncs")
                .isEqualTo(5);
        assertThat(tally.failedFiles()).isEqualTo(3);
        assertThat(tally.bytesDownloaded()).isEqualTo(600);
        assertThat(tally.newUniqueBytes()).isEqualTo(60);
        assertThat(tally.totals().filesets()).containsEntry(FilesetOutcome.COMPLETED, 1L)
                .containsEntry(FilesetOutcome.FAILED, 1L).containsEntry(FilesetOutcome.MASS_DELETE_BLOCKED, 1L);
        assertThat(tally.totals().files()).containsEntry(FileAction.FAILED, 4L).containsEntry(FileAction.DELETED, 1L);
        assertThat(tally.kept()).hasSize(1);
    }
}
