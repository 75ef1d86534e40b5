package com.silknote.sync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.SyncReport;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlainJavaExampleTest {
    @TempDir
    Path dir;

    @Test
    void aFullThenAnIncrementalRunWithHandMadeParts() {
        try (SimulatedVsrx vsrx = new SimulatedVsrx().withSampleData()) {
            PlainJavaExample.Outcome o = PlainJavaExample.run(vsrx.url(), SimulatedVsrx.TOKEN, dir);

            assertThat(o.full().success()).isTrue();
            assertThat(o.full().report().orElseThrow().count(FileAction.CREATED)).isEqualTo(3);
            assertThat(o.incremental().success()).isTrue();
            SyncReport incremental = o.incremental().report().orElseThrow();
            assertThat(incremental.count(FileAction.CREATED) + incremental.count(FileAction.UPDATED)).isZero();
            assertThat(o.filesetsSeen()).isGreaterThanOrEqualTo(2);
            assertThat(o.bytesSeen()).isGreaterThan(20_000);
        }
    }
}
