package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.VsrxSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 12 (a download bandwidth cap): every byte read from VSRX is paid for, in reads of at most 64 KiB. */
class ThrottledVsrxSourceTest {
    private static final int BYTES_PER_SECOND = 1000;
    private static final VsrxFileset LISTED = new VsrxFileset(FilesetId.of("fs-1"), PatientId.of("P-1"),
            Optional.empty(), List.of(), Instant.parse("2026-01-01T00:00:00Z"));

    private final List<Duration> waits = new ArrayList<>();
    private final DownloadThrottle throttle = new DownloadThrottle(BYTES_PER_SECOND,
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), waits::add);
    private final Page<VsrxFileset> filesets = Page.last(List.of());
    private final Page<VsrxFile> files = Page.last(List.of());
    private final FileContent content = new FileContent(new ByteArrayInputStream(new byte[200_000]),
            Optional.of("etag-1"), OptionalLong.of(200_000), Optional.of(ContentHash.ofHex("a".repeat(64))));

    private final VsrxSource delegate = new VsrxSource() {
        @Override public Page<VsrxFileset> listFilesets(PageRequest request) { return filesets; }
        @Override public Optional<VsrxFileset> findFileset(FilesetId id) {
            return id.equals(LISTED.id()) ? Optional.of(LISTED) : Optional.empty();
        }
        @Override public Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) { return files; }
        @Override public FileContent openContent(VsrxFileId fileId) { return content; }
    };
    private final ThrottledVsrxSource source = new ThrottledVsrxSource(delegate, throttle);

    /** How far ahead the bucket is booked: the clock stands still, so the last wait is the time of all bytes paid. */
    private Duration waited() {
        return waits.isEmpty() ? Duration.ZERO : waits.get(waits.size() - 1);
    }

    @Test
    @DisplayName("issue 12 cap: listings pass through; content keeps its etag, length and digest")
    void passesEverythingElseThrough() {
        assertThat(source.listFilesets(PageRequest.first(10))).isSameAs(filesets);
        assertThat(source.listFiles(FilesetId.of("fs"), PageRequest.first(10))).isSameAs(files);
        assertThat(source.findFileset(FilesetId.of("fs"))).isEmpty();
        assertThat(source.findFileset(LISTED.id())).as("a single-fileset run finds its fileset through the cap")
                .containsSame(LISTED);
        FileContent c = source.openContent(VsrxFileId.of("f"));
        assertThat(c.etag()).isEqualTo(content.etag());
        assertThat(c.contentLength()).isEqualTo(content.contentLength());
        assertThat(c.sha256()).isEqualTo(content.sha256());
        assertThat(c.stream()).isNotSameAs(content.stream());
    }

    @Test
    @DisplayName("issue 12 cap: each byte read, in bulk, one at a time or skipped, is paid; a read is cut to 64 KiB")
    void everyByteIsPaid() throws IOException {
        InputStream in = source.openContent(VsrxFileId.of("f")).stream();
        byte[] buffer = new byte[100_000];

        assertThat(in.read(buffer, 0, buffer.length)).isEqualTo(ThrottledVsrxSource.MAX_READ);
        assertThat(waited()).isEqualTo(Duration.ofMillis(ThrottledVsrxSource.MAX_READ));
        assertThat(in.read()).isZero();
        assertThat(waited()).isEqualTo(Duration.ofMillis(ThrottledVsrxSource.MAX_READ + 1));
        assertThat(in.skip(100_000)).isEqualTo(ThrottledVsrxSource.MAX_READ);
        assertThat(waited()).isEqualTo(Duration.ofMillis(2L * ThrottledVsrxSource.MAX_READ + 1));

        long rest = 200_000 - 2L * ThrottledVsrxSource.MAX_READ - 1;
        assertThat(in.read(buffer, 0, buffer.length)).isEqualTo(ThrottledVsrxSource.MAX_READ);
        assertThat(in.read(buffer, 0, buffer.length)).isEqualTo(rest - ThrottledVsrxSource.MAX_READ);
        assertThat(in.read(buffer, 0, buffer.length)).isEqualTo(-1);
        assertThat(in.read()).isEqualTo(-1);
        assertThat(waited()).isEqualTo(Duration.ofMillis(200_000));
        assertThat(waits).as("nothing paid at the end").hasSize(5);
    }

    @Test
    @DisplayName("issue 12 cap / rule 9: a download interrupted while it waits for the cap ends with an"
            + " InterruptedIOException and leaves the thread's interrupt set, so the run sees it was interrupted")
    void anInterruptWhileThrottledIsKeptForTheThread() {
        DownloadThrottle interrupting = new DownloadThrottle(BYTES_PER_SECOND,
                Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), d -> {
                    throw new InterruptedException("interrupted while waiting for the cap");
                });
        InputStream in = new ThrottledVsrxSource(delegate, interrupting).openContent(VsrxFileId.of("f")).stream();
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> in.read(new byte[10], 0, 10))
                    .isInstanceOf(InterruptedIOException.class);
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
