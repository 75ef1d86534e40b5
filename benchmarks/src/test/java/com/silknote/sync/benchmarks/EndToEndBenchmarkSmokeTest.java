package com.silknote.sync.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.benchmarks.Results.HeapSample;
import com.silknote.sync.benchmarks.Results.Sample;
import com.silknote.sync.benchmarks.Results.SyncSample;
import org.junit.jupiter.api.Test;

/**
 * Runs the end-to-end harness on a tiny data set against a real Azurite (installed with npm when missing,
 * as the Azure adapter's tests do), so the harness cannot rot. Checks what the harness verifies and reports,
 * never how fast anything was.
 */
class EndToEndBenchmarkSmokeTest {

    @Test
    void harnessSyncsEverythingOnceAndReportsEveryPart() throws Exception {
        Options o = Options.parse("throughput", "http", "heap", "--small-files=12", "--small-bytes=2k",
                "--large-files=2", "--large-bytes=600k", "--filesets=3", "--concurrency=4", "--repeats=1",
                "--heap-sizes=1m,5m", "--in-memory-azurite=true");

        Results r = EndToEndBenchmark.run(o);

        assertThat(r.samples()).extracting(Sample::side).contains("raw SDK", "vsrx-sync (in-memory store)",
                "vsrx-sync over HTTP (in-memory store)");
        assertThat(r.samples()).allSatisfy(s -> {
            assertThat(s.files()).isEqualTo(14);
            assertThat(s.bytes()).isEqualTo(12 * 2048L + 2 * 600 * 1024L);
        });
        assertThat(r.syncs()).hasSize(2).allSatisfy(s -> {
            assertThat(s.rerunDownloads()).isZero();
            assertThat(s.rerunUploads()).isZero();
            assertThat(s.rerunUnchanged()).isEqualTo(14);
            assertThat(s.processed()).isEqualTo(14);
        });
        assertThat(r.heaps()).extracting(HeapSample::side, HeapSample::size).containsExactly(
                org.assertj.core.groups.Tuple.tuple("raw SDK", 1L << 20),
                org.assertj.core.groups.Tuple.tuple("vsrx-sync", 1L << 20),
                org.assertj.core.groups.Tuple.tuple("raw SDK", 5L << 20),
                org.assertj.core.groups.Tuple.tuple("vsrx-sync", 5L << 20));
        assertThat(r.markdown()).contains("| raw SDK |", "Re-run with nothing changed", "Peak heap per file size");
    }
}
