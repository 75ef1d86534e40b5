package com.silknote.sync.testkit.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InMemoryVsrxSourceTest {
    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    private final InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
    private static final PatientUuid PATIENT = PatientUuid.of("7d444840-9dc0-11d1-b245-5ffdce74fad2");

    private static byte[] read(FileContent c) throws IOException {
        try (c; InputStream in = c.stream()) {
            return in.readAllBytes();
        }
    }

    @Test
    void idsAreDeterministicAndOrdered() {
        FilesetId a = vsrx.addFileset("P-1");
        FilesetId b = vsrx.addFileset(PatientId.of("P-2"), PATIENT);
        VsrxFileId f1 = vsrx.addFile(a, "notes/1.txt", "text/plain", "1");
        VsrxFileId f2 = vsrx.addFile(b, "notes/2.txt", "text/plain", "2");
        assertThat(a).isEqualTo(FilesetId.of("fs-000001"));
        assertThat(b).isEqualTo(FilesetId.of("fs-000002"));
        assertThat(f1).isEqualTo(VsrxFileId.of("file-000001"));
        assertThat(f2).isEqualTo(VsrxFileId.of("file-000002"));
        assertThat(vsrx.filesetIds()).containsExactly(a, b);
    }

    @Test
    void everyContentChangeGivesANewEtagAndModifiedAt() {
        FilesetId fs = vsrx.addFileset("P-1");
        VsrxFileId f = vsrx.addFile(fs, "notes/a.txt", "text/plain", "one");
        VsrxFile v1 = vsrx.findFile(f).orElseThrow();
        clock.advance(Duration.ofMinutes(1));
        vsrx.modifyFile(f, "two");
        VsrxFile v2 = vsrx.findFile(f).orElseThrow();
        assertThat(v2.etag()).isNotEqualTo(v1.etag());
        assertThat(v2.modifiedAt()).isEqualTo(v1.modifiedAt().plusSeconds(60));
        assertThat(v2.size()).isEqualTo(3);
        clock.advance(Duration.ofMinutes(1));
        vsrx.touchFile(f);
        VsrxFile v3 = vsrx.findFile(f).orElseThrow();
        assertThat(v3.etag()).isNotEqualTo(v2.etag());
        assertThat(vsrx.contentHash(f)).isEqualTo(TestHashes.sha256("two"));
        vsrx.renameFile(f, "notes/b.txt");
        VsrxFile v4 = vsrx.findFile(f).orElseThrow();
        assertThat(v4.etag()).isEqualTo(v3.etag());
        assertThat(v4.path()).isEqualTo("notes/b.txt");
        assertThat(vsrx.findFileset(fs).orElseThrow().updatedAt()).isEqualTo(clock.instant());
    }

    @Test
    void etagLessFilesHaveNoneAnywhere() throws IOException {
        FilesetId fs = vsrx.addFileset("P-1");
        VsrxFileId f = vsrx.addFileWithoutEtag(fs, "notes/a.txt", "text/plain", new byte[] {1, 2});
        assertThat(vsrx.findFile(f).orElseThrow().etag()).isEmpty();
        FileContent c = vsrx.openContent(f);
        assertThat(c.etag()).isEmpty();
        assertThat(read(c)).containsExactly(1, 2);
    }

    @Test
    void servedDigestAndListedDigestAreOptions() {
        FilesetId fs = vsrx.addFileset("P-1");
        byte[] bytes = "x".getBytes(StandardCharsets.UTF_8);
        VsrxFileId listed = vsrx.newFile(fs).content(bytes).listSha256(true).serveSha256(false).add();
        VsrxFileId plain = vsrx.addFile(fs, "notes/p.txt", "text/plain", bytes);
        assertThat(vsrx.findFile(listed).orElseThrow().sha256()).contains(TestHashes.sha256(bytes));
        assertThat(vsrx.openContent(listed).sha256()).isEmpty();
        assertThat(vsrx.findFile(plain).orElseThrow().sha256()).isEmpty();
        assertThat(vsrx.openContent(plain).sha256()).contains(TestHashes.sha256(bytes));
    }

    @Test
    void countersTrackDownloadsBytesAndListings() throws IOException {
        FilesetId fs = vsrx.addFileset("P-1");
        VsrxFileId f = vsrx.addFile(fs, "notes/a.txt", "text/plain", "hello");
        vsrx.listFilesets(PageRequest.first(10));
        vsrx.listFiles(fs, PageRequest.first(10));
        read(vsrx.openContent(f));
        vsrx.openContent(f).close();
        assertThat(vsrx.downloads()).isEqualTo(2);
        assertThat(vsrx.downloads(f)).isEqualTo(2);
        assertThat(vsrx.bytesServed()).isEqualTo(5);
        assertThat(vsrx.listingCalls()).isEqualTo(2);
        assertThat(vsrx.listFilesetsCalls()).isEqualTo(1);
        assertThat(vsrx.listFilesCalls()).isEqualTo(1);
        vsrx.resetCounters();
        assertThat(vsrx.downloads()).isZero();
        assertThat(vsrx.bytesServed()).isZero();
        assertThat(vsrx.listingCalls()).isZero();
    }

    @Test
    void deletedFilesStayListedButServeNothing() {
        FilesetId fs = vsrx.addFileset("P-1");
        VsrxFileId f = vsrx.addFile(fs, "notes/a.txt", "text/plain", "x");
        vsrx.deleteFile(f);
        assertThat(vsrx.listFiles(fs, PageRequest.first(10)).items()).singleElement()
                .satisfies(v -> assertThat(v.deleted()).isTrue());
        assertThatThrownBy(() -> vsrx.openContent(f)).isInstanceOf(PermanentSyncException.class);
    }

    @Test
    void onOpenServesTheOldVersionWhileTheFileChanges() throws IOException {
        FilesetId fs = vsrx.addFileset("P-1");
        VsrxFileId f = vsrx.addFile(fs, "notes/a.txt", "text/plain", "old");
        Optional<String> oldEtag = vsrx.findFile(f).orElseThrow().etag();
        vsrx.onOpen(f, () -> vsrx.modifyFile(f, "new"));
        FileContent c = vsrx.openContent(f);
        assertThat(c.etag()).isEqualTo(oldEtag);
        assertThat(read(c)).isEqualTo("old".getBytes(StandardCharsets.UTF_8));
        assertThat(vsrx.findFile(f).orElseThrow().etag()).isNotEqualTo(oldEtag);
        assertThat(read(vsrx.openContent(f))).isEqualTo("new".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void beforeOpenServesTheNewVersion() throws IOException {
        FilesetId fs = vsrx.addFileset("P-1");
        VsrxFileId f = vsrx.addFile(fs, "notes/a.txt", "text/plain", "old");
        vsrx.beforeOpen(f, () -> vsrx.modifyFile(f, "new"));
        FileContent c = vsrx.openContent(f);
        assertThat(c.etag()).isEqualTo(vsrx.findFile(f).orElseThrow().etag());
        assertThat(read(c)).isEqualTo("new".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void rebookingMakesANewFilesetWithHistory() {
        FilesetId old = vsrx.addFileset(PatientId.of("P-1"), PATIENT);
        vsrx.addFile(old, "notes/a.txt", "text/plain", "x");
        FilesetId first = vsrx.rebook(old, PatientId.of("P-2"));
        FilesetId second = vsrx.rebook(first, PatientId.of("P-3"));
        var fs = vsrx.findFileset(second).orElseThrow();
        assertThat(fs.patientIdHistory()).containsExactly(PatientId.of("P-1"), PatientId.of("P-2"), PatientId.of("P-3"));
        assertThat(fs.silknotePatientUuid()).contains(PATIENT);
        assertThat(vsrx.listedFiles(second)).isEmpty();
        assertThat(vsrx.listedFiles(old)).hasSize(1);
    }

    @Test
    void linkingMovesUpdatedAt() {
        FilesetId fs = vsrx.addFileset("P-1");
        clock.advance(Duration.ofHours(1));
        vsrx.linkPatient(fs, PATIENT);
        assertThat(vsrx.findFileset(fs).orElseThrow().silknotePatientUuid()).contains(PATIENT);
        assertThat(vsrx.findFileset(fs).orElseThrow().updatedAt()).isEqualTo(Instant.parse("2026-01-01T01:00:00Z"));
        vsrx.unlinkPatient(fs);
        assertThat(vsrx.findFileset(fs).orElseThrow().silknotePatientUuid()).isEmpty();
    }

    @Test
    void foreignCursorsAreRefused() {
        assertThatThrownBy(() -> vsrx.listFilesets(new PageRequest(Optional.of("!!not-ours"), 10, Optional.empty())))
                .isInstanceOf(PermanentSyncException.class);
    }
}
