package com.silknote.sync.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.FileGoneException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link VsrxSource} must have. An adapter's test extends this class and supplies
 * {@link #newSource(InMemoryVsrxSource)}: a source exposing exactly the data of the given simulator (the
 * HTTP adapter's test serves it over loopback through the server handler and returns the client). The
 * simulator may be changed after the call; the source must show the changes.
 */
public abstract class VsrxSourceContract {

    /** The clock of the simulator. */
    protected final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");

    /** The simulated VSRX whose data the source under test exposes. */
    protected final InMemoryVsrxSource backing = new InMemoryVsrxSource(clock);

    /** A source exposing {@code backing}. Called at most once per test. */
    protected abstract VsrxSource newSource(InMemoryVsrxSource backing);

    private VsrxSource source;

    /** The source of the running test (created on first use). */
    protected final synchronized VsrxSource source() {
        if (source == null) {
            source = newSource(backing);
        }
        return source;
    }

    private static final PatientUuid LINKED = PatientUuid.of("7d444840-9dc0-11d1-b245-5ffdce74fad2");

    private FilesetId main;
    private final List<VsrxFileId> mainFiles = new ArrayList<>();

    /** Three filesets (linked, unlinked, re-booked) and a main fileset of varied files. */
    private void populate() {
        main = backing.addFileset(PatientId.of("P-1001"), LINKED);
        backing.addFileset(PatientId.of("P-2002"));
        backing.rebook(main, PatientId.of("P-1001-R"));
        SplittableRandom random = new SplittableRandom(11);
        byte[] pdf = new byte[40_000];
        random.nextBytes(pdf);
        mainFiles.add(backing.addFile(main, "notes/2024/report one.pdf", "application/pdf", pdf));
        mainFiles.add(backing.addFile(main, "notes/Übersicht – ärztlich.txt", "text/plain", "Grüße ✓"));
        mainFiles.add(backing.addFileWithoutEtag(main, "notes/no-etag.txt", "text/plain",
                "no etag here".getBytes(StandardCharsets.UTF_8)));
        mainFiles.add(backing.newFile(main).path("notes/declared.txt").mimeType("text/plain")
                .content("declared hash".getBytes(StandardCharsets.UTF_8)).listSha256(true).add());
        mainFiles.add(backing.addFile(main, "notes/empty.txt", "text/plain", new byte[0]));
        VsrxFileId deleted = backing.addFile(main, "notes/deleted.txt", "text/plain", "bye");
        mainFiles.add(deleted);
        backing.deleteFile(deleted);
        for (int i = 0; i < 5; i++) {
            mainFiles.add(backing.addFile(main, "notes/page-" + i + ".txt", "text/plain", "page " + i));
        }
    }

    private static <T> List<T> drain(Function<PageRequest, Page<T>> lister, PageRequest first) {
        List<T> all = new ArrayList<>();
        PageRequest request = first;
        for (int pages = 0; ; pages++) {
            assertThat(pages).as("pages").isLessThan(1_000);
            Page<T> page = lister.apply(request);
            assertThat(page.items().size()).isLessThanOrEqualTo(first.limit());
            all.addAll(page.items());
            if (page.isLast()) {
                return all;
            }
            assertThat(page.items()).as("a page before the last is not empty").isNotEmpty();
            request = request.next(page.nextCursor().orElseThrow());
        }
    }

    private static byte[] readAll(FileContent content) throws IOException {
        try (content; InputStream in = content.stream()) {
            return in.readAllBytes();
        }
    }

    @Test
    public void filesetPagesCoverEveryFilesetOnceInIdOrder() {
        populate();
        List<VsrxFileset> expected = drain(backing::listFilesets, PageRequest.first(1000));
        assertThat(expected).hasSize(3);
        for (int limit : new int[] {1, 2, 3, 1000}) {
            List<VsrxFileset> all = drain(source()::listFilesets, PageRequest.first(limit));
            assertThat(all).as("limit %d", limit).containsExactlyElementsOf(expected);
            assertThat(all).extracting(VsrxFileset::id).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    public void filesetsCarryLinkAndRebookingHistory() {
        populate();
        List<VsrxFileset> all = drain(source()::listFilesets, PageRequest.first(10));
        assertThat(all.get(0).silknotePatientUuid()).contains(LINKED);
        assertThat(all.get(0).patientId()).isEqualTo(PatientId.of("P-1001"));
        assertThat(all.get(1).silknotePatientUuid()).isEmpty();
        assertThat(all.get(2).previousPatientIds()).containsExactly(PatientId.of("P-1001"));
        assertThat(all.get(2).patientId()).isEqualTo(PatientId.of("P-1001-R"));
        assertThat(all.get(2).silknotePatientUuid()).contains(LINKED);
    }

    @Test
    public void filePagesCoverEveryFileOnceInIdOrderDeletedIncluded() {
        populate();
        List<VsrxFile> expected = backing.listedFiles(main);
        assertThat(expected).hasSize(mainFiles.size());
        for (int limit : new int[] {1, 3, 4, 1000}) {
            List<VsrxFile> all = drain(r -> source().listFiles(main, r), PageRequest.first(limit));
            assertThat(all).as("limit %d", limit).containsExactlyElementsOf(expected);
            assertThat(all).extracting(VsrxFile::id).isSorted().doesNotHaveDuplicates();
        }
        List<VsrxFile> all = drain(r -> source().listFiles(main, r), PageRequest.first(100));
        assertThat(all).filteredOn(VsrxFile::deleted).hasSize(1);
        assertThat(all).filteredOn(f -> f.etag().isEmpty()).extracting(VsrxFile::id).containsExactly(mainFiles.get(2));
        assertThat(all).filteredOn(f -> f.sha256().isPresent()).extracting(VsrxFile::id)
                .containsExactly(mainFiles.get(3));
        assertThat(all.get(1).path()).isEqualTo("notes/Übersicht – ärztlich.txt");
    }

    @Test
    public void emptyFilesetListsOneEmptyLastPage() {
        FilesetId empty = backing.addFileset("P-EMPTY");
        Page<VsrxFile> page = source().listFiles(empty, PageRequest.first(10));
        assertThat(page.items()).isEmpty();
        assertThat(page.isLast()).isTrue();
    }

    @Test
    public void vanishedFilesAreNotListed() {
        populate();
        backing.removeFromListing(mainFiles.get(0));
        List<VsrxFile> all = drain(r -> source().listFiles(main, r), PageRequest.first(4));
        assertThat(all).extracting(VsrxFile::id).doesNotContain(mainFiles.get(0)).hasSize(mainFiles.size() - 1);
        assertThatThrownBy(() -> source().openContent(mainFiles.get(0))).isInstanceOf(FileGoneException.class)
                .satisfies(e -> assertThat(((FileGoneException) e).markedDeleted()).isFalse());
    }

    /**
     * A file marked deleted is listed but not served, and says so: the engine skips a file that became deleted
     * between its listing and its download (DESIGN rule 3) only on this answer.
     */
    @Test
    public void deletedFilesAreGone() {
        populate();
        backing.deleteFile(mainFiles.get(1));
        assertThatThrownBy(() -> source().openContent(mainFiles.get(1))).isInstanceOf(FileGoneException.class)
                .satisfies(e -> assertThat(((FileGoneException) e).markedDeleted()).isTrue());
    }

    @Test
    public void changedSinceFiltersFilesAndFilesets() {
        populate();
        clock.advance(Duration.ofHours(1));
        Instant since = clock.instant();
        backing.modifyFile(mainFiles.get(5 + 1), "changed page 0");
        clock.advance(Duration.ofMinutes(1));
        VsrxFileId added = backing.addFile(main, "notes/new.txt", "text/plain", "new");
        backing.deleteFile(mainFiles.get(1));

        List<VsrxFile> changed = drain(r -> source().listFiles(main, r), PageRequest.first(1).changedSince(since));
        assertThat(changed).extracting(VsrxFile::id)
                .containsExactly(mainFiles.get(1), mainFiles.get(6), added);
        assertThat(changed.get(0).deleted()).isTrue();

        List<VsrxFileset> filesets = drain(source()::listFilesets, PageRequest.first(1).changedSince(since));
        assertThat(filesets).extracting(VsrxFileset::id).containsExactly(main);
        assertThat(drain(source()::listFilesets, PageRequest.first(5).changedSince(clock.instant().plusSeconds(1))))
                .isEmpty();
    }

    @Test
    public void findFileset() {
        populate();
        VsrxFileset expected = backing.findFileset(main).orElseThrow();
        assertThat(source().findFileset(main)).contains(expected);
        assertThat(source().findFileset(FilesetId.of("fs-unknown"))).isEmpty();
    }

    @Test
    public void unknownFilesetOrFileIsPermanent() {
        populate();
        assertThatThrownBy(() -> source().listFiles(FilesetId.of("fs-unknown"), PageRequest.first(10)))
                .isInstanceOf(PermanentSyncException.class);
        assertThatThrownBy(() -> source().openContent(VsrxFileId.of("file-unknown")))
                .isInstanceOf(FileGoneException.class);
    }

    @Test
    public void contentMatchesTheSimulatorsBytesAndMetadata() throws IOException {
        populate();
        for (VsrxFile f : backing.listedFiles(main)) {
            if (f.deleted()) {
                continue;
            }
            byte[] expected = backing.content(f.id());
            FileContent content = source().openContent(f.id());
            assertThat(content.etag()).as("etag of %s", f.id()).isEqualTo(f.etag());
            content.contentLength().ifPresent(n -> assertThat(n).as("length of %s", f.id()).isEqualTo(expected.length));
            content.sha256().ifPresent(h -> assertThat(h).as("sha256 of %s", f.id()).isEqualTo(TestHashes.sha256(expected)));
            assertThat(readAll(content)).as("bytes of %s", f.id()).isEqualTo(expected);
        }
        FileContent big = source().openContent(mainFiles.get(0));
        assertThat(big.contentLength()).hasValue(40_000);
        assertThat(big.sha256()).contains(backing.contentHash(mainFiles.get(0)));
        readAll(big);
    }

    @Test
    public void contentFollowsModifications() throws IOException {
        populate();
        VsrxFileId id = mainFiles.get(6);
        String before = backing.findFile(id).orElseThrow().etag().orElseThrow();
        backing.modifyFile(id, "rewritten");
        FileContent content = source().openContent(id);
        assertThat(content.etag()).isPresent().isNotEqualTo(Optional.of(before));
        assertThat(content.etag()).isEqualTo(backing.findFile(id).orElseThrow().etag());
        assertThat(readAll(content)).isEqualTo("rewritten".getBytes(StandardCharsets.UTF_8));
        List<VsrxFile> listed = drain(r -> source().listFiles(main, r), PageRequest.first(100));
        assertThat(listed).filteredOn(f -> f.id().equals(id)).singleElement()
                .satisfies(f -> assertThat(f.size()).isEqualTo(9));
    }

    /** Parallel downloads (the engine downloads several files at once) each get their own file's bytes. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21L, 505L})
    public void concurrentDownloadsGetTheirOwnBytes(long seed) throws Exception {
        populate();
        List<VsrxFileId> live = backing.listedFiles(main).stream().filter(f -> !f.deleted()).map(VsrxFile::id).toList();
        VsrxSource shared = source();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                SplittableRandom random = new SplittableRandom(seed * 10 + t);
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 15; i++) {
                        VsrxFileId id = live.get(random.nextInt(live.size()));
                        assertThat(readAll(shared.openContent(id))).as("bytes of %s", id).isEqualTo(backing.content(id));
                    }
                    return null;
                }));
            }
            for (Future<?> f : results) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void listingsReportWhatTheSourceDeclaresEvenWhenItLies() {
        populate();
        VsrxFileId id = mainFiles.get(7);
        backing.setDeclaredSize(id, 123_456);
        backing.setDeclaredMime(id, "application/pdf");
        backing.setDeclaredSha256(id, TestHashes.sha256("not the content"));
        VsrxFile listed = drain(r -> source().listFiles(main, r), PageRequest.first(100)).stream()
                .filter(f -> f.id().equals(id)).findFirst().orElseThrow();
        assertThat(listed.size()).isEqualTo(123_456);
        assertThat(listed.mimeType()).isEqualTo("application/pdf");
        assertThat(listed.sha256()).contains(TestHashes.sha256("not the content"));
    }
}
