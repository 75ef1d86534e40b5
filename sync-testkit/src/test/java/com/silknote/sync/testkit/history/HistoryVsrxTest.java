package com.silknote.sync.testkit.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import com.silknote.sync.testkit.history.HistoryVsrx.FileState;
import com.silknote.sync.testkit.history.HistoryVsrx.ShaClaim;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The scripted VSRX the random histories run on behaves as the model assumes. */
class HistoryVsrxTest {
    private static final FilesetId FS1 = FilesetId.of("fs-01");
    private static final FilesetId FS2 = FilesetId.of("fs-02");
    private static final VsrxFileId F1 = VsrxFileId.of("f-001");

    private final TestClock clock = TestClock.at("2026-03-02T08:00:00Z");
    private final HistoryVsrx vsrx = new HistoryVsrx(clock);

    HistoryVsrxTest() {
        vsrx.addFileset(FS1, PatientId.of("p1"), Optional.of(HistoryWorld.patient("A")), List.of());
        vsrx.addFileset(FS2, PatientId.of("p2"), Optional.of(HistoryWorld.patient("B")), List.of());
    }

    private void add(VsrxFileId id, FilesetId fs, int content, boolean etag) {
        vsrx.addFile(id, fs, "notes/" + id + ".txt", HistoryContent.content(content).mime(), content, etag,
                ShaClaim.NONE, OptionalLong.empty());
    }

    private List<VsrxFile> files(FilesetId fs, Optional<Instant> since) {
        return vsrx.listFiles(fs, new PageRequest(Optional.empty(), 1000, since)).items();
    }

    private List<FilesetId> filesets(Optional<Instant> since) {
        List<FilesetId> out = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            var page = vsrx.listFilesets(new PageRequest(cursor, 1, since));
            page.items().stream().map(VsrxFileset::id).forEach(out::add);
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        return out;
    }

    @Test
    void timesComeFromTheSkewedClockAndChangedSinceUsesWhenVsrxChangedTheFile() {
        vsrx.setSkew(Duration.ofSeconds(-5));
        add(F1, FS1, 0, true);
        Instant created = vsrx.file(F1).modifiedAt();
        assertThat(created).isEqualTo(clock.instant().minusSeconds(5));

        clock.advance(Duration.ofSeconds(60));
        Instant mark = vsrx.now();
        clock.advance(Duration.ofSeconds(1));
        vsrx.edit(F1, 1, true, false);

        assertThat(vsrx.file(F1).modifiedAt()).as("mtime kept").isEqualTo(created);
        assertThat(files(FS1, Optional.of(mark))).extracting(VsrxFile::id).containsExactly(F1);
        assertThat(filesets(Optional.of(mark))).containsExactly(FS1);
        assertThat(filesets(Optional.empty())).containsExactly(FS1, FS2);
    }

    @Test
    void statesSinceHoldWhatAnEngineMayHaveSeen() {
        add(F1, FS1, 0, true);
        vsrx.edit(F1, 1, false, true);              // same etag: invisible to metadata change detection
        long runStart = vsrx.seq();
        vsrx.edit(F1, 2, true, true);               // during the run
        vsrx.edit(F1, 3, true, true);

        List<Integer> contents = vsrx.statesSince(F1, runStart).stream().map(FileState::content).toList();

        assertThat(contents).containsExactly(0, 1, 2, 3);
        assertThat(vsrx.statesSince(F1, vsrx.seq()).stream().map(FileState::content)).containsExactly(3);
    }

    @Test
    void statesSinceIncludeAnEarlierStateWithTheSameVersionKey() {
        add(F1, FS1, 6, false);                     // no etag: version is modifiedAt + size
        vsrx.edit(F1, 3, true, true);               // other size, same instant
        vsrx.edit(F1, 6, true, true);               // back to the first size at the same instant
        long now = vsrx.seq();

        assertThat(vsrx.statesSince(F1, now).stream().map(FileState::content)).containsExactly(6, 6);
    }

    @Test
    void aMovedFileIsListedInItsNewFilesetOnlyAndBothFilesetsChanged() {
        add(F1, FS1, 0, true);
        clock.advance(Duration.ofSeconds(10));
        Instant mark = vsrx.now();
        vsrx.move(F1, FS2);

        assertThat(files(FS1, Optional.empty())).isEmpty();
        assertThat(files(FS2, Optional.empty())).extracting(VsrxFile::id).containsExactly(F1);
        assertThat(filesets(Optional.of(mark))).containsExactly(FS1, FS2);
    }

    @Test
    void unlistedFilesetsAndOutagesFailAsTheSourcePortSays() {
        add(F1, FS1, 0, true);
        vsrx.setListed(FS1, false);

        assertThat(filesets(Optional.empty())).containsExactly(FS2);
        assertThat(vsrx.findFileset(FS1)).isEmpty();
        assertThatThrownBy(() -> files(FS1, Optional.empty())).isInstanceOf(PermanentSyncException.class);
        assertThatThrownBy(() -> vsrx.openContent(F1)).isInstanceOf(PermanentSyncException.class);

        vsrx.setListed(FS1, true);
        vsrx.setOutage(FS1, true);
        assertThatThrownBy(() -> files(FS1, Optional.empty())).isInstanceOf(TransientSyncException.class);
        assertThatThrownBy(() -> vsrx.openContent(F1)).isInstanceOf(TransientSyncException.class);
    }

    @Test
    void aDownloadHookChangesTheFileBeforeOrAfterTheBytesAreCaptured() throws IOException {
        add(F1, FS1, 0, true);
        String firstEtag = vsrx.file(F1).etag().orElseThrow();
        vsrx.setDownloadHook(new HistoryVsrx.DownloadHook() {
            @Override
            public void afterCapture(int download, VsrxFileId file) {
                vsrx.edit(file, 1, true, true);
            }
        });

        try (FileContent c = vsrx.openContent(F1)) {
            assertThat(c.etag()).contains(firstEtag);
            assertThat(TestHashes.sha256(c.stream().readAllBytes())).isEqualTo(HistoryContent.content(0).hash());
        }
        assertThat(vsrx.file(F1).content()).isEqualTo(1);

        vsrx.setDownloadHook(new HistoryVsrx.DownloadHook() {
            @Override
            public void beforeCapture(int download, VsrxFileId file) {
                vsrx.edit(file, 2, true, true);
            }
        });
        try (FileContent c = vsrx.openContent(F1)) {
            assertThat(c.etag()).isEqualTo(vsrx.file(F1).etag());
            assertThat(TestHashes.sha256(c.stream().readAllBytes())).isEqualTo(HistoryContent.content(2).hash());
        }
    }

    @Test
    void aStaleShaClaimStaysWhileTheContentChanges() {
        vsrx.addFile(F1, FS1, "notes/a.txt", "text/plain", 0, true, ShaClaim.TRUE, OptionalLong.empty());
        assertThat(vsrx.file(F1).listedSha256()).contains(HistoryContent.content(0).hash());

        vsrx.fixSha256Claim(F1, vsrx.file(F1).listedSha256());
        vsrx.edit(F1, 1, true, true);

        assertThat(vsrx.file(F1).listedSha256()).contains(HistoryContent.content(0).hash());
        assertThat(vsrx.file(F1).hash()).isEqualTo(HistoryContent.content(1).hash());
    }
}
