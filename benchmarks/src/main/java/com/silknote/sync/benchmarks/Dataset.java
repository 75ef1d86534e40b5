package com.silknote.sync.benchmarks;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The files of the throughput benchmark, loaded into an {@link InMemoryVsrxSource}: {@code smallFiles} of
 * {@code smallBytes} and {@code largeFiles} of {@code largeBytes}, alternately PDF and PNG, with distinct
 * content, spread round-robin over {@code filesets} linked filesets. The bytes are also kept here so the
 * raw-SDK baseline uploads exactly the same bytes without touching the source's counters.
 */
final class Dataset {

    /** One file of the data set. */
    record Entry(VsrxFileId id, String blobName, String mimeType, byte[] bytes) { }

    private final InMemoryVsrxSource source;
    private final List<Entry> entries;
    private final long totalBytes;

    private Dataset(InMemoryVsrxSource source, List<Entry> entries, long totalBytes) {
        this.source = source;
        this.entries = List.copyOf(entries);
        this.totalBytes = totalBytes;
    }

    /** Generates the data set (deterministic for the options). */
    static Dataset generate(Options o, Clock clock) {
        requireNonNull(o, "o");
        InMemoryVsrxSource source = new InMemoryVsrxSource(clock);
        List<FilesetId> filesets = new ArrayList<>();
        for (int i = 0; i < o.filesets(); i++) {
            UUID patient = new UUID(0x0000_0000_0000_4000L, 0x8000_0000_0000_0000L | i);
            filesets.add(source.addFileset(PatientId.of("P-" + (100_000 + i)), new PatientUuid(patient)));
        }
        List<Entry> entries = new ArrayList<>();
        long total = 0;
        int n = o.smallFiles() + o.largeFiles();
        for (int i = 0; i < n; i++) {
            boolean large = i >= o.smallFiles();
            GeneratedContent.Kind kind = i % 2 == 0 ? GeneratedContent.Kind.PDF : GeneratedContent.Kind.PNG;
            GeneratedContent c = new GeneratedContent(kind, large ? o.largeBytes() : o.smallBytes(), 1_000_003L * (i + 1));
            byte[] bytes = c.bytes();
            FilesetId fs = filesets.get(i % filesets.size());
            String path = "notes/visit-" + (i / 100) + "/" + (large ? "scan-" : "page-") + i + "." + kind.extension();
            VsrxFileId id = source.addFile(fs, path, kind.mimeType, bytes);
            entries.add(new Entry(id, "baseline/" + id.value(), kind.mimeType, bytes));
            total += bytes.length;
        }
        return new Dataset(source, entries, total);
    }

    InMemoryVsrxSource source() {
        return source;
    }

    List<Entry> entries() {
        return entries;
    }

    long totalBytes() {
        return totalBytes;
    }

    /** Writes every file into {@code dir} (for rclone, which copies from a local folder). */
    void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Entry e : entries) {
            try (OutputStream out = Files.newOutputStream(dir.resolve(e.id().value()))) {
                out.write(e.bytes());
            }
        }
    }
}
