package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.VsrxFileId;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 12 (the run budget: files and bytes a run may download): what the meter counts, and that it hides nothing. */
class RunMeterTest {
    private static final RunId RUN = RunId.of("run-1");
    private static final FilesetId FS = FilesetId.of("fs-1");

    private final SafeListenerTest.Recording delegate = new SafeListenerTest.Recording(false);
    private final RunMeter meter = new RunMeter();
    private final RunMeter.Metering metering = new RunMeter.Metering(delegate, meter);

    private static FileReport report(String id, FileAction action, long bytes) {
        return new FileReport(VsrxFileId.of(id), action, java.util.Optional.empty(), java.util.Optional.empty(), bytes);
    }

    @Test
    @DisplayName("issue 12 budget: bytes add up; a file counts once downloaded, whatever became of it")
    void countsDownloadedFilesAndBytes() {
        metering.bytesDownloaded(RUN, FS, 100);
        metering.bytesDownloaded(RUN, FS, 23);
        metering.fileFinished(RUN, FS, report("created-empty", FileAction.CREATED, 0));
        metering.fileFinished(RUN, FS, report("updated-empty", FileAction.UPDATED, 0));
        metering.fileFinished(RUN, FS, FileReport.skipped(VsrxFileId.of("skipped-after-download"),
                SkipReason.TYPE_MISMATCH, "sniffed-image/png", 1));
        metering.fileFinished(RUN, FS, report("unchanged", FileAction.UNCHANGED, 0));
        metering.fileFinished(RUN, FS, report("metadata", FileAction.METADATA_ONLY, 0));
        metering.fileFinished(RUN, FS, report("deleted", FileAction.DELETED, 0));
        metering.fileFinished(RUN, FS, FileReport.skipped(VsrxFileId.of("skipped-before-download"),
                SkipReason.TYPE_MISMATCH, null, 0));

        assertThat(meter.bytes()).isEqualTo(123);
        assertThat(meter.files()).isEqualTo(3);
    }

    @Test
    @DisplayName("issue 12 budget: every event still reaches the run's listener, with its arguments")
    void forwardsEveryEvent() {
        FileReport file = report("f", FileAction.CREATED, 5);
        metering.runStarted(RUN, false);
        metering.filesetQueued(RUN, FS, 1);
        metering.filesetStarted(RUN, FS, 2, 3L);
        metering.bytesDownloaded(RUN, FS, 4L);
        metering.fileFinished(RUN, FS, file);
        metering.filesetFinished(RUN, null);
        metering.alertRaised(RUN, null);
        metering.runFinished(null);

        assertThat(delegate.events).isEqualTo(List.of(
                Arrays.asList("runStarted", RUN, false),
                Arrays.asList("filesetQueued", RUN, FS, 1),
                Arrays.asList("filesetStarted", RUN, FS, 2, 3L),
                Arrays.asList("bytesDownloaded", RUN, FS, 4L),
                Arrays.asList("fileFinished", RUN, FS, file),
                Arrays.asList("filesetFinished", RUN, null),
                Arrays.asList("alertRaised", RUN, null),
                Arrays.asList("runFinished", (Object) null)));
    }
}
