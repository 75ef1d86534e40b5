package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.diff.FilePlan;
import com.silknote.sync.core.diff.PlanAction;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 (an operator's first day: a skipped, vanished or conflicting file can be found) and the log rule
 * (a path only where it is needed): a file's report carries its path for those outcomes and for no other.
 */
class FileWorkTest {
    private static final VsrxFile FILE = new VsrxFile(VsrxFileId.of("f1"), FilesetId.of("fs1"), "notes/Befund.pdf",
            10, "application/pdf", Instant.parse("2026-01-01T00:00:00Z"), Optional.of("e1"), Optional.empty(), false);

    private static FileWork work(FileAction action) {
        FileWork w = new FileWork(new FilePlan(FILE.id(), PlanAction.CREATE, Optional.of(FILE), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(FILE.path())));
        w.action = action;
        return w;
    }

    @Test
    @DisplayName("issue 10: skipped, vanished and conflicting files are reported with their path")
    void pathWhereTheOperatorNeedsIt() {
        FileWork skipped = work(null);
        skipped.skip(SkipReason.TYPE_MISMATCH, "sniffed-image/png");
        assertThat(skipped.report().path()).contains("notes/Befund.pdf");
        assertThat(skipped.report().skipReason()).contains(SkipReason.TYPE_MISMATCH);
        assertThat(work(FileAction.VANISHED).report().path()).contains("notes/Befund.pdf");
        assertThat(work(FileAction.CONFLICT).report().path()).contains("notes/Befund.pdf");
    }

    @Test
    @DisplayName("log rule: files that synced normally are reported without their path")
    void noPathOtherwise() {
        for (FileAction action : new FileAction[] {FileAction.CREATED, FileAction.UPDATED, FileAction.UNCHANGED,
                FileAction.DELETED, FileAction.FAILED}) {
            assertThat(work(action).report().path()).as("%s", action).isEmpty();
        }
    }
}
