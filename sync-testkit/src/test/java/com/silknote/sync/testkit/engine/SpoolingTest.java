package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.dedup.ContentSpooler;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.ContentMd5;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 4: the run computes the MD5 only for a blob store that uses it, and holds small downloads in
 * memory instead of spool files (within a budget), while larger ones still go through a file.
 */
class SpoolingTest {
    private final EngineFixture fx = new EngineFixture();

    @TempDir
    Path spoolDir;

    /** What each upload carried and how many spool files existed while it was written. */
    private record Seen(long size, Optional<ContentMd5> md5, long spoolFiles) {
    }

    /** Forwards to the fixture's store, says whether it uses the MD5, records every upload. */
    private final class Recording implements BlobStore {
        final boolean md5;
        final Map<ContentHash, Seen> seen = new ConcurrentHashMap<>();

        Recording(boolean md5) {
            this.md5 = md5;
        }

        private void record(BlobUpload upload) {
            try (Stream<Path> s = Files.list(spoolDir)) {
                seen.put(upload.hash(), new Seen(upload.size(), upload.md5(), s.count()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override public boolean usesContentMd5() { return md5; }
        @Override public BlobPutResult putIfAbsent(BlobUpload u) { record(u); return fx.silknote.blobs().putIfAbsent(u); }
        @Override public BlobPutResult putNewIfAbsent(BlobUpload u) { record(u); return fx.silknote.blobs().putNewIfAbsent(u); }
        @Override public BlobInfo overwrite(BlobUpload u) { record(u); return fx.silknote.blobs().overwrite(u); }
        @Override public Optional<BlobInfo> stat(ContentHash h) { return fx.silknote.blobs().stat(h); }
        @Override public InputStream open(ContentHash h) { return fx.silknote.blobs().open(h); }
        @Override public boolean deleteIfMatch(ContentHash h, String etag) { return fx.silknote.blobs().deleteIfMatch(h, etag); }
        @Override public Page<BlobInfo> list(Optional<String> cursor, int limit) { return fx.silknote.blobs().list(cursor, limit); }
    }

    /** Plain text (the sniffing accepts it) of {@code size} bytes. */
    private static byte[] bytes(int size, int seed) {
        Random random = new Random(seed);
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) ('a' + random.nextInt(26));
        }
        return b;
    }

    private static byte[] md5(byte[] content) throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("MD5").digest(content);
    }

    private long spoolFiles() throws IOException {
        try (Stream<Path> s = Files.list(spoolDir)) {
            return s.count();
        }
    }

    @Test
    @DisplayName("issue 12.4: no MD5 for a store that does not use it; small files spooled in memory")
    void noMd5ForAStoreThatDoesNotUseItAndSmallFilesInMemory() throws Exception {
        Recording store = new Recording(false);
        fx.blobs = store;
        fx.config(c -> c.spoolDirectory(spoolDir));
        FilesetId fs = fx.linkedFileset("P1");
        List<byte[]> contents = List.of(bytes(10, 1), bytes(20_000, 2), bytes(ContentSpooler.MEMORY_FILE_MAX, 3));
        for (int i = 0; i < contents.size(); i++) {
            fx.vsrx.addFile(fs, "notes/small" + i + ".txt", "text/plain", contents.get(i));
        }

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(store.seen).hasSize(contents.size());
        for (Seen s : store.seen.values()) {
            assertThat(s.md5()).as("MD5 of a %d-byte upload", s.size()).isEmpty();
            assertThat(s.spoolFiles()).as("spool files while a small file is written").isZero();
        }
        assertThat(spoolFiles()).isZero();
        assertThat(fx.silknote.blobs().opens()).as("processed from the held copy").isZero();
        fx.silknote.assertQuiescent();
    }

    @Test
    @DisplayName("issue 12.4: a store that uses the MD5 gets it from the spooling pass; a large file is a spool file")
    void aStoreThatUsesTheMd5GetsItAndLargeFilesGoThroughAFile() throws Exception {
        Recording store = new Recording(true);
        fx.blobs = store;
        fx.config(c -> c.spoolDirectory(spoolDir).fileConcurrency(1));
        FilesetId fs = fx.linkedFileset("P1");
        byte[] small = bytes(5_000, 4);
        byte[] large = bytes(ContentSpooler.MEMORY_FILE_MAX + 1, 5);
        VsrxFileId smallId = fx.vsrx.addFile(fs, "notes/small.txt", "text/plain", small);
        VsrxFileId largeId = fx.vsrx.addFile(fs, "notes/large.txt", "text/plain", large);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        Seen s = store.seen.get(fx.silknote.documents().findDocumentByClientFileId(smallId).orElseThrow()
                .contentHash());
        Seen l = store.seen.get(fx.silknote.documents().findDocumentByClientFileId(largeId).orElseThrow()
                .contentHash());
        assertThat(s.md5()).contains(ContentMd5.ofBytes(md5(small)));
        assertThat(l.md5()).contains(ContentMd5.ofBytes(md5(large)));
        assertThat(l.spoolFiles()).as("spool files while the large file is written").isEqualTo(1);
        assertThat(spoolFiles()).as("spool files left after the run").isZero();
        fx.silknote.assertQuiescent();
    }

    @Test
    @DisplayName("issue 12.4 / issue 14 §4: the Silknote side's download of a large VSRX version (a conflict) leaves no "
            + "spool file behind")
    void silknoteSideDownloadLeavesNoSpoolFile() throws Exception {
        fx.config(c -> c.spoolDirectory(spoolDir).bidirectional(com.silknote.sync.core.model.BidirectionalConfig
                .builder().direction(com.silknote.sync.core.model.SyncDirection.BIDIRECTIONAL)
                .conflictStrategy(com.silknote.sync.core.model.ConflictStrategy.REPORT).build()));
        fx.target = fx.vsrx;
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId f = fx.vsrx.addFile(fs, "notes/large.txt", "text/plain", bytes(ContentSpooler.MEMORY_FILE_MAX + 1, 6));
        assertThat(fx.run().success()).isTrue();
        fx.vsrx.modifyFile(f, bytes(ContentSpooler.MEMORY_FILE_MAX + 1, 7));
        byte[] edit = "silknote edit".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ContentHash h = ContentHash.ofBytes(MessageDigest.getInstance("SHA-256").digest(edit));
        fx.silknote.blobs().putIfAbsent(new BlobUpload(h, edit.length, "text/plain",
                () -> new java.io.ByteArrayInputStream(edit)));
        fx.silknote.documents().silknoteUser().replaceContent(
                com.silknote.sync.core.model.DocumentUuid.forVsrxFile(f), h, edit.length, "text/plain");

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f)).isEqualTo(com.silknote.sync.core.model.FileAction.CONFLICT);
        assertThat(spoolFiles()).as("spool files left after the run").isZero();
    }
}
