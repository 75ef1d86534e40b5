package com.silknote.sync.examples.folder;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.testkit.TestClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A file listing of the folder source walks its fileset once, for the first page, and serves the pages that follow
 * from that walk ({@link ListingScans}; issue 12: "listings streamed page by page", where each page used to walk
 * the whole fileset again). What a client reads stays what the protocol promises: the pages join to the full
 * listing in id order, each file once; a listing is a snapshot as of its first page; a first page, a write through
 * the source and an old walk all see the folder as it is.
 */
class FolderListingPagesTest {
    private static final FilesetId FS = FilesetId.of("fs-a");
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

    @TempDir
    Path root;

    private final TestClock clock = TestClock.at(T0);

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void pagesOfAnySizeJoinToTheFullListing(long seed) throws IOException {
        Random rnd = new Random(seed);
        fileset("fs-a");
        int n = rnd.nextInt(80);
        for (int i = 0; i < n; i++) {
            Path f = write("fs-a/notes/d" + rnd.nextInt(4) + "/f" + i + ".txt", "x" + i);
            Files.setLastModifiedTime(f, FileTime.from(T0.minus(Duration.ofDays(rnd.nextInt(10)))));
        }
        FolderVsrxSource source = new FolderVsrxSource(root, clock);
        Optional<Instant> since = rnd.nextBoolean() ? Optional.empty()
                : Optional.of(T0.minus(Duration.ofDays(rnd.nextInt(10))));
        PageRequest all = since.map(s -> PageRequest.first(PageRequest.MAX_LIMIT).changedSince(s))
                .orElse(PageRequest.first(PageRequest.MAX_LIMIT));
        List<VsrxFile> expected = source.listFiles(FS, all).items();
        for (int round = 0; round < 3; round++) {
            int limit = 1 + rnd.nextInt(12);
            PageRequest first = since.map(s -> PageRequest.first(limit).changedSince(s)).orElse(PageRequest.first(limit));
            List<VsrxFile> joined = new ArrayList<>();
            Page<VsrxFile> page = source.listFiles(FS, first);
            joined.addAll(page.items());
            while (page.nextCursor().isPresent()) {
                assertThat(page.items()).hasSize(limit);
                page = source.listFiles(FS, first.next(page.nextCursor().get()));
                joined.addAll(page.items());
            }
            assertThat(joined).as("limit %d, since %s", limit, since).containsExactlyElementsOf(expected);
        }
        assertThat(expected).isSortedAccordingTo((a, b) -> a.id().compareTo(b.id()));
    }

    @Test
    void continuationPagesServeTheFirstPagesWalkUntilItIsOld() throws IOException {
        FolderVsrxSource source = withFiles(6);
        Page<VsrxFile> p1 = source.listFiles(FS, PageRequest.first(2));
        String cursor = p1.nextCursor().orElseThrow();
        String added = pathSortingAfter(cursor);
        write("fs-a/" + added, "added by hand");
        VsrxFile gone = source.listFiles(FS, PageRequest.first(2).next(cursor)).items().get(0);
        Files.delete(root.resolve("fs-a").resolve(gone.path()));

        // the same listing goes on from its snapshot: the removed file still listed, the added one not yet
        assertThat(rest(source, cursor)).extracting(VsrxFile::path).contains(gone.path()).doesNotContain(added);
        // a new listing sees the folder as it is
        assertThat(all(source)).extracting(VsrxFile::path).contains(added).doesNotContain(gone.path());

        // an old walk is not served: a continuation page a minute later walks again
        Page<VsrxFile> q1 = source.listFiles(FS, PageRequest.first(2));
        Files.delete(root.resolve("fs-a").resolve(added));
        assertThat(rest(source, q1.nextCursor().orElseThrow())).extracting(VsrxFile::path).contains(added);
        clock.advance(FolderVsrxSource.LISTING_REUSE);
        assertThat(rest(source, q1.nextCursor().orElseThrow())).extracting(VsrxFile::path).doesNotContain(added);
    }

    @Test
    void aClockThatWentBackDoesNotKeepAWalkAlive() throws IOException {
        FolderVsrxSource source = withFiles(4);
        String cursor = source.listFiles(FS, PageRequest.first(1)).nextCursor().orElseThrow();
        String added = pathSortingAfter(cursor);
        write("fs-a/" + added, "added");
        clock.set(T0.minus(Duration.ofHours(1)));
        assertThat(rest(source, cursor)).extracting(VsrxFile::path).contains(added);
    }

    @Test
    void aWriteThroughTheSourceIsListedOnTheNextContinuationPage() throws IOException {
        FolderVsrxSource source = withFiles(4);
        String cursor = source.listFiles(FS, PageRequest.first(1)).nextCursor().orElseThrow();
        String created = pathSortingAfter(cursor);
        byte[] bytes = "from Silknote".getBytes(StandardCharsets.UTF_8);
        DocumentUuid origin = DocumentUuid.of("00000000-0000-0000-0000-0000000000c1");
        source.createFile(FencingToken.of(1), IdempotencyKey.create(origin),
                new NewVsrxFile(FS, created, "text/plain", origin),
                new BlobUpload(sha256(bytes), bytes.length, "text/plain", () -> new ByteArrayInputStream(bytes)));
        assertThat(rest(source, cursor)).extracting(VsrxFile::path).contains(created);
    }

    @Test
    void aRemovedFilesetIsNotFoundOnAContinuationPage() throws IOException {
        FolderVsrxSource source = withFiles(2);
        String cursor = source.listFiles(FS, PageRequest.first(1)).nextCursor().orElseThrow();
        Files.delete(root.resolve("fs-a").resolve(FolderVsrxSource.FILESET_FILE));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> source.listFiles(FS, PageRequest.first(1).next(cursor)))
                .hasMessageContaining("fileset not found");
    }

    /** The rest of a listing after {@code cursor}, page by page (pages of 2). */
    private static List<VsrxFile> rest(FolderVsrxSource source, String cursor) {
        List<VsrxFile> out = new ArrayList<>();
        Optional<String> c = Optional.of(cursor);
        while (c.isPresent()) {
            Page<VsrxFile> p = source.listFiles(FS, PageRequest.first(2).next(c.get()));
            out.addAll(p.items());
            c = p.nextCursor();
        }
        return out;
    }

    private static List<VsrxFile> all(FolderVsrxSource source) {
        Page<VsrxFile> first = source.listFiles(FS, PageRequest.first(2));
        List<VsrxFile> out = new ArrayList<>(first.items());
        first.nextCursor().ifPresent(c -> out.addAll(rest(source, c)));
        return out;
    }

    /** A new path under notes/ whose file id sorts after the cursor. */
    private static String pathSortingAfter(String cursor) {
        for (int i = 0; ; i++) {
            String path = "notes/new-" + i + ".txt";
            if (FolderVsrxSource.fileId(FS, path).value().compareTo(cursor) > 0) {
                return path;
            }
        }
    }

    private static ContentHash sha256(byte[] bytes) {
        try {
            return ContentHash.ofBytes(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** fs-a with the files notes/f0.txt to notes/f{n-1}.txt, and a source over the folder on the test's clock. */
    private FolderVsrxSource withFiles(int n) throws IOException {
        fileset("fs-a");
        for (int i = 0; i < n; i++) {
            write("fs-a/notes/f" + i + ".txt", "x" + i);
        }
        return new FolderVsrxSource(root, clock);
    }

    private void fileset(String id) throws IOException {
        Files.createDirectories(root.resolve(id));
        Files.writeString(root.resolve(id).resolve(FolderVsrxSource.FILESET_FILE), "patientId=P-1\n");
    }

    private Path write(String rel, String content) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, content);
    }
}
