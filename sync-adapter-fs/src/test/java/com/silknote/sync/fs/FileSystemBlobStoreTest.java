package com.silknote.sync.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.testkit.TestClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File-system specifics of {@link FileSystemBlobStore}: layout, temp files, ETags, races. */
class FileSystemBlobStoreTest {

    @TempDir
    Path root;

    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private FileSystemBlobStore store() {
        return FileSystemBlobStore.builder().root(root).clock(clock).build();
    }

    static byte[] bytes(long seed, int size) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static ContentHash hash(byte[] content) throws Exception {
        return ContentHash.ofBytes(MessageDigest.getInstance("SHA-256").digest(content));
    }

    static BlobUpload upload(byte[] content) throws Exception {
        return new BlobUpload(hash(content), content.length, "application/pdf", () -> new ByteArrayInputStream(content));
    }

    private List<Path> allFiles() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    /** The id of a process that has exited. */
    private static long deadProcessId() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor();
        return p.pid();
    }

    /**
     * Issue 13 item 1: a process killed while uploading leaves its temporary file (patient content) in the
     * blob's directory, and one killed inside a conditional delete leaves the blob moved aside. The next write
     * in that directory, and {@code list} (the orphan cleanup's walk), remove the upload's leftover, put back a
     * blob that is missing and drop an aside whose blob is there. Files of a live process are never touched.
     */
    @Test
    void leftoversOfAKilledProcessAreCleanedByTheNextWriteAndByList() throws Exception {
        FileSystemBlobStore store = store();
        byte[] kept = bytes(21, 1000);
        byte[] collected = bytes(22, 1000);
        store.putIfAbsent(upload(kept));
        ContentHash keptHash = hash(kept);
        ContentHash missing = hash(collected);
        Path dir = root.resolve("sha256").resolve(keptHash.hex().substring(0, 2))
                .resolve(keptHash.hex().substring(2, 4));
        Path missingDir = root.resolve("sha256").resolve(missing.hex().substring(0, 2))
                .resolve(missing.hex().substring(2, 4));
        Files.createDirectories(missingDir);
        long dead = deadProcessId();
        long alive = ProcessHandle.current().pid();
        Path deadUpload = Files.write(dir.resolve(".upload-" + dead + "-123.tmp"), bytes(23, 500));
        Path liveUpload = Files.write(dir.resolve(".upload-" + alive + "-456.tmp"), bytes(24, 500));
        Path asideOfPresent = Files.write(dir.resolve(".deleting-" + dead + "-" + keptHash.hex() + "-7.tmp"), kept);
        Path asideOfMissing = Files.write(missingDir.resolve(".deleting-" + dead + "-" + missing.hex() + "-8.tmp"),
                collected);

        store.putIfAbsent(upload(bytes(25, 10)));   // a write elsewhere: other directories stay as they are
        assertThat(deadUpload).exists();

        store.overwrite(upload(kept));
        assertThat(deadUpload).as("a killed upload's temporary file").doesNotExist();
        assertThat(asideOfPresent).as("an aside whose blob is stored").doesNotExist();
        assertThat(liveUpload).as("a live process's upload").exists();
        assertThat(asideOfMissing).as("another directory is left to its own writes and to list").exists();

        List<BlobInfo> listed = store.list(Optional.empty(), 1000).items();
        assertThat(asideOfMissing).doesNotExist();
        assertThat(store.stat(missing)).as("an interrupted delete keeps the content").isPresent();
        assertThat(listed.stream().map(BlobInfo::hash)).contains(keptHash);
        try (InputStream in = store.open(missing)) {
            assertThat(in.readAllBytes()).isEqualTo(collected);
        }
        assertThat(liveUpload).exists();
    }

    @Test
    void storesTheBareContentAtTheContentAddressedPathAndLeavesNoTemporaryFile() throws Exception {
        byte[] content = bytes(1, 100_000);
        ContentHash h = hash(content);

        BlobInfo info = store().putIfAbsent(upload(content)).info();

        Path expected = root.resolve("sha256").resolve(h.hex().substring(0, 2)).resolve(h.hex().substring(2, 4))
                .resolve(h.hex());
        assertThat(allFiles()).containsExactly(expected);
        assertThat(Files.readAllBytes(expected)).isEqualTo(content);
        assertThat(info.lastModified()).isEqualTo(clock.instant());
    }

    @Test
    void aRejectedUploadLeavesNoFileAtAll() throws Exception {
        byte[] content = bytes(2, 5_000);
        ContentHash claimed = hash(bytes(3, 5_000));
        BlobUpload lying = new BlobUpload(claimed, content.length, "application/pdf",
                () -> new ByteArrayInputStream(content));

        assertThatThrownBy(() -> store().putIfAbsent(lying)).isInstanceOfSatisfying(ContentRejectedException.class,
                e -> assertThat(e.reason()).isEqualTo(SkipReason.CHECKSUM_MISMATCH));
        assertThatThrownBy(() -> store().overwrite(lying)).isInstanceOf(ContentRejectedException.class);
        assertThat(allFiles()).isEmpty();
    }

    @Test
    void everyOverwriteGetsAFreshEtagEvenWithAStoppedClock() throws Exception {
        BlobUpload up = upload(bytes(4, 1_000));
        FileSystemBlobStore store = store();
        List<BlobInfo> versions = new ArrayList<>();
        versions.add(store.putIfAbsent(up).info());
        for (int i = 0; i < 5; i++) {
            versions.add(store.overwrite(up));
        }

        assertThat(versions).extracting(BlobInfo::etag).doesNotHaveDuplicates();
        assertThat(versions).extracting(BlobInfo::lastModified).isSorted().doesNotHaveDuplicates();
        for (BlobInfo old : versions.subList(0, versions.size() - 1)) {
            assertThat(store.deleteIfMatch(up.hash(), old.etag())).isFalse();
        }
        assertThat(store.deleteIfMatch(up.hash(), versions.get(versions.size() - 1).etag())).isTrue();
        assertThat(allFiles()).isEmpty();
    }

    @Test
    void concurrentCreatorsOnTwoStoresOverOneRootCreateOnce() throws Exception {
        byte[] content = bytes(5, 300_000);
        BlobUpload up = upload(content);
        FileSystemBlobStore a = store();
        FileSystemBlobStore b = store();
        CyclicBarrier start = new CyclicBarrier(8);
        List<Future<BlobPutResult>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            FileSystemBlobStore s = i % 2 == 0 ? a : b;
            results.add(pool.submit(() -> {
                start.await();
                return s.putIfAbsent(up);
            }));
        }
        int created = 0;
        for (Future<BlobPutResult> f : results) {
            created += f.get().created() ? 1 : 0;
        }

        assertThat(created).isEqualTo(1);
        assertThat(allFiles()).hasSize(1);
        assertThat(Files.readAllBytes(allFiles().get(0))).isEqualTo(content);
    }

    @Test
    void aStaleConditionalDeleteRacingOverwritesNeverLosesTheBlob() throws Exception {
        byte[] content = bytes(6, 50_000);
        BlobUpload up = upload(content);
        FileSystemBlobStore store = store();
        for (int round = 0; round < 20; round++) {
            BlobInfo seenByCollector = store.putIfAbsent(up).info();
            CyclicBarrier start = new CyclicBarrier(2);
            Future<BlobInfo> revive = pool.submit(() -> {
                start.await();
                return store.overwrite(up);
            });
            Future<Boolean> collect = pool.submit(() -> {
                start.await();
                return store.deleteIfMatch(up.hash(), seenByCollector.etag());
            });
            BlobInfo revived = revive.get();
            collect.get();

            // whichever won, the revived version is what is stored afterwards
            assertThat(store.stat(up.hash())).contains(revived);
            try (InputStream in = store.open(up.hash())) {
                assertThat(in.readAllBytes()).isEqualTo(content);
            }
        }
        assertThat(allFiles()).hasSize(1);
    }

    @Test
    void anOpenStreamKeepsReadingTheVersionItOpened() throws Exception {
        byte[] content = bytes(7, 200_000);
        BlobUpload up = upload(content);
        FileSystemBlobStore store = store();
        BlobInfo info = store.putIfAbsent(up).info();

        try (InputStream in = store.open(up.hash())) {
            byte[] head = in.readNBytes(1000);
            assertThat(store.deleteIfMatch(up.hash(), info.etag())).isTrue();
            byte[] rest = in.readAllBytes();
            assertThat(head.length + rest.length).isEqualTo(content.length);
        }
    }

    @Test
    void listingSkipsTemporaryAndForeignFilesAndRefusesForeignCursors() throws Exception {
        FileSystemBlobStore store = store();
        BlobInfo info = store.putIfAbsent(upload(bytes(8, 10))).info();
        Path dir = root.resolve(info.key().value()).getParent();
        Files.writeString(dir.resolve(".upload-123.tmp"), "partial");
        Files.writeString(dir.resolve("notes.txt"), "x");
        Files.createDirectories(root.resolve("sha256").resolve("zz"));

        assertThat(store.list(Optional.empty(), 10).items()).containsExactly(info);
        assertThatThrownBy(() -> store.list(Optional.of("../../etc"), 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.list(Optional.empty(), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listPagesAcrossShardDirectoriesInKeyOrder() throws Exception {
        FileSystemBlobStore store = store();
        List<ContentHash> stored = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            stored.add(store.putIfAbsent(upload(bytes(100 + i, 20))).info().hash());
        }
        List<ContentHash> seen = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            var page = store.list(cursor, 7);
            page.items().forEach(i -> seen.add(i.hash()));
            cursor = page.nextCursor();
        } while (cursor.isPresent());

        assertThat(seen).containsExactlyElementsOf(stored.stream().sorted().toList());
    }
}
