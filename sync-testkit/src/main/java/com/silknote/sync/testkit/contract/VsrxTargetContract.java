package com.silknote.sync.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.ConcurrentUpdateException;
import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxWriteResult;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.core.port.VsrxTarget;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The behaviour every {@link VsrxTarget} must have (issue 14; docs/bidirectional.md §5.1): fenced writes with a
 * persistent high-water mark, idempotency keys answered with their first answer, {@code If-Match} on replace and
 * delete, content checked before anything becomes visible, the path rules of the read side. An implementation's
 * test extends this class and supplies one VSRX side (its read and write port over the same data) and the hooks
 * to put filesets and VSRX-made files into it.
 */
public abstract class VsrxTargetContract {
    private static final Logger LOG = LoggerFactory.getLogger(VsrxTargetContract.class);


    /** The clock of the VSRX side. */
    protected final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");

    /** One VSRX side: the read port and the write port over the same data. */
    public record Vsrx(VsrxSource source, VsrxTarget target) { }

    /** A fresh, empty VSRX side on storage unique to the test. Called once per test, before anything else. */
    protected abstract Vsrx newVsrx(Clock clock);

    /** Adds a fileset linked to a Silknote patient to the VSRX side; returns its id. */
    protected abstract FilesetId addFileset(String patientId);

    /** Adds a file VSRX itself made (no origin) to a fileset of the VSRX side; returns its id. */
    protected abstract VsrxFileId addVsrxFile(FilesetId fileset, String path, String mimeType, byte[] content);

    /** The VSRX side after a restart: new instances over the same storage (for the persistent high-water mark). */
    protected abstract Vsrx restart();

    /** Releases what the test started (servers, folders); called after each test. */
    protected void close() { }

    private Vsrx vsrx;

    @BeforeEach
    final void open() {
        vsrx = newVsrx(clock);
    }

    @AfterEach
    final void closeVsrx() {
        close();
    }

    private VsrxTarget target() {
        return vsrx.target();
    }

    private VsrxSource source() {
        return vsrx.source();
    }

    // ---------------------------------------------------------------- helpers

    private static final FencingToken T5 = FencingToken.of(5);

    protected static BlobUpload upload(String text, String mimeType) {
        return upload(text.getBytes(StandardCharsets.UTF_8), mimeType);
    }

    protected static BlobUpload upload(byte[] bytes, String mimeType) {
        byte[] copy = bytes.clone();
        return new BlobUpload(TestHashes.sha256(copy), copy.length, mimeType, () -> new ByteArrayInputStream(copy));
    }

    private static DocumentUuid doc(int n) {
        return new DocumentUuid(UUID.nameUUIDFromBytes(("document-" + n).getBytes(StandardCharsets.UTF_8)));
    }

    private List<VsrxFile> listed(FilesetId fs) {
        List<VsrxFile> all = new ArrayList<>();
        PageRequest r = PageRequest.first(1000);
        while (true) {
            var page = source().listFiles(fs, r);
            all.addAll(page.items());
            if (page.isLast()) {
                return all;
            }
            r = r.next(page.nextCursor().orElseThrow());
        }
    }

    private Optional<VsrxFile> listedFile(FilesetId fs, VsrxFileId id) {
        return listed(fs).stream().filter(f -> f.id().equals(id)).findFirst();
    }

    private String content(VsrxFileId id) {
        try (FileContent c = source().openContent(id); InputStream in = c.stream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private VsrxWriteResult create(FencingToken token, int document, FilesetId fs, String path, String text) {
        return target().createFile(token, IdempotencyKey.create(doc(document)),
                new NewVsrxFile(fs, path, "text/plain", doc(document)), upload(text, "text/plain"));
    }

    private static int status(Throwable t) {
        return ((PermanentSyncException) t).statusCode().orElse(-1);
    }

    // ---------------------------------------------------------------- create

    @Test
    public void aCreatedFileIsListedWithItsOriginAndServesItsContent() {
        FilesetId fs = addFileset("P-1");
        VsrxWriteResult r = create(T5, 1, fs, "notes/silknote/Brief-0001.txt", "Grüße aus Silknote");
        assertThat(r.replayed()).isFalse();
        VsrxFile created = r.file();
        assertThat(created.filesetId()).isEqualTo(fs);
        assertThat(created.path()).isEqualTo("notes/silknote/Brief-0001.txt");
        assertThat(created.origin()).contains(doc(1));
        assertThat(created.deleted()).isFalse();
        assertThat(created.etag()).as("a file the sync writes has an ETag (later writes need If-Match)").isPresent();
        assertThat(created.size()).isEqualTo("Grüße aus Silknote".getBytes(StandardCharsets.UTF_8).length);
        VsrxFile listed = listedFile(fs, created.id()).orElseThrow();
        assertThat(listed.origin()).contains(doc(1));
        assertThat(listed.etag()).isEqualTo(created.etag());
        assertThat(listed.path()).isEqualTo(created.path());
        assertThat(content(created.id())).isEqualTo("Grüße aus Silknote");
    }

    @Test
    public void aRepeatedCreateKeyReturnsTheFirstFileAndCreatesNoSecond() {
        FilesetId fs = addFileset("P-1");
        VsrxFile first = create(T5, 1, fs, "notes/silknote/a.txt", "one").file();
        // The retry after a lost answer, even with content or a path changed since: still the first file.
        VsrxWriteResult again = create(T5, 1, fs, "notes/silknote/b.txt", "one, edited");
        assertThat(again.replayed()).isTrue();
        assertThat(again.file()).isEqualTo(first);
        assertThat(listed(fs)).hasSize(1);
        assertThat(content(first.id())).isEqualTo("one");
    }

    @Test
    public void aKeyUsedBeforeForAnotherWriteIsRefused() {
        FilesetId fs = addFileset("P-1");
        FilesetId other = addFileset("P-2");
        VsrxFile f = create(T5, 1, fs, "notes/a.txt", "one").file();
        assertThatThrownBy(() -> target().createFile(T5, IdempotencyKey.create(doc(1)),
                new NewVsrxFile(other, "notes/a.txt", "text/plain", doc(1)), upload("one", "text/plain")))
                .isInstanceOf(PermanentSyncException.class).satisfies(e -> assertThat(status(e)).isEqualTo(422));
        assertThatThrownBy(() -> target().replaceContent(T5, IdempotencyKey.create(doc(1)), f.id(),
                f.etag().orElseThrow(), upload("two", "text/plain")))
                .isInstanceOf(PermanentSyncException.class).satisfies(e -> assertThat(status(e)).isEqualTo(422));
        assertThat(listed(other)).isEmpty();
        assertThat(content(f.id())).isEqualTo("one");
    }

    @Test
    public void createIsRefusedForUnknownFilesetsPathsOutsideNotesAndTakenPaths() {
        FilesetId fs = addFileset("P-1");
        VsrxFileId existing = addVsrxFile(fs, "notes/taken.txt", "text/plain", bytes("vsrx"));
        assertThatThrownBy(() -> create(T5, 1, FilesetId.of("fs-nope"), "notes/a.txt", "x"))
                .isInstanceOf(PermanentSyncException.class).satisfies(e -> assertThat(status(e)).isEqualTo(404));
        int n = 2;
        for (String bad : List.of("a.txt", "notes", "notes/", "notes/../a.txt", "/notes/a.txt", "notes/a\u202e.txt",
                "notes\\a.txt", "Notes/a.txt")) {
            int d = n++;
            assertThatThrownBy(() -> create(T5, d, fs, bad, "x")).as(bad)
                    .isInstanceOf(PermanentSyncException.class).satisfies(e -> assertThat(status(e)).isEqualTo(403));
        }
        assertThatThrownBy(() -> create(T5, 99, fs, "notes/taken.txt", "x"))
                .isInstanceOf(PermanentSyncException.class).satisfies(e -> assertThat(status(e)).isEqualTo(409));
        assertThat(listed(fs)).extracting(VsrxFile::id).containsExactly(existing);
        assertThat(content(existing)).isEqualTo("vsrx");
        // A refused create used no key: the same key works once the request is right.
        assertThat(create(T5, 99, fs, "notes/free.txt", "x").replayed()).isFalse();
    }

    @Test
    public void contentThatDoesNotMatchItsDeclaredSizeOrDigestIsRefusedAndNothingIsWritten() {
        FilesetId fs = addFileset("P-1");
        byte[] real = bytes("the real bytes");
        BlobUpload lyingHash = new BlobUpload(TestHashes.different(TestHashes.sha256(real)), real.length,
                "text/plain", () -> new ByteArrayInputStream(real));
        BlobUpload lyingSize = new BlobUpload(TestHashes.sha256(real), real.length + 1, "text/plain",
                () -> new ByteArrayInputStream(real));
        for (BlobUpload bad : List.of(lyingHash, lyingSize)) {
            assertThatThrownBy(() -> target().createFile(T5, IdempotencyKey.create(doc(1)),
                    new NewVsrxFile(fs, "notes/a.txt", "text/plain", doc(1)), bad))
                    .isInstanceOfAny(ContentRejectedException.class, PermanentSyncException.class);
        }
        assertThat(listed(fs)).isEmpty();
        VsrxFile f = create(T5, 1, fs, "notes/a.txt", "good").file();
        String etag = f.etag().orElseThrow();
        assertThatThrownBy(() -> target().replaceContent(T5, IdempotencyKey.replace(f.id(), etag, lyingHash.hash()),
                f.id(), etag, lyingHash)).isInstanceOfAny(ContentRejectedException.class, PermanentSyncException.class);
        assertThat(content(f.id())).isEqualTo("good");
        assertThat(listedFile(fs, f.id()).orElseThrow().etag()).contains(etag);
    }

    @Test
    public void rejectedContentNamesTheMismatchWhenTheImplementationSaysWhy() {
        FilesetId fs = addFileset("P-1");
        byte[] real = bytes("bytes");
        BlobUpload lying = new BlobUpload(TestHashes.different(TestHashes.sha256(real)), real.length, "text/plain",
                () -> new ByteArrayInputStream(real));
        try {
            target().createFile(T5, IdempotencyKey.create(doc(1)), new NewVsrxFile(fs, "notes/a.txt", "text/plain",
                    doc(1)), lying);
        } catch (ContentRejectedException e) {
            assertThat(e.reason()).isEqualTo(SkipReason.CHECKSUM_MISMATCH);
        } catch (PermanentSyncException e) {
            assertThat(e.statusCode()).as("over a wire the refusal is a 400").hasValue(400);
        }
    }

    // ---------------------------------------------------------------- replace

    @Test
    public void replaceIsConditionalOnTheEtagAndGivesANewOne() {
        FilesetId fs = addFileset("P-1");
        VsrxFileId vsrxMade = addVsrxFile(fs, "notes/scan.txt", "text/plain", bytes("v1"));
        VsrxFile before = listedFile(fs, vsrxMade).orElseThrow();
        String etag = before.etag().orElseThrow();
        clock.advance(java.time.Duration.ofSeconds(5));
        assertThatThrownBy(() -> target().replaceContent(T5, IdempotencyKey.replace(vsrxMade, "\"nope\"",
                TestHashes.sha256("v2")), vsrxMade, "\"nope\"", upload("v2", "text/plain")))
                .isInstanceOf(ConcurrentUpdateException.class);
        assertThat(content(vsrxMade)).isEqualTo("v1");
        VsrxWriteResult r = target().replaceContent(T5, IdempotencyKey.replace(vsrxMade, etag, TestHashes.sha256("v2")),
                vsrxMade, etag, upload("v2", "text/plain"));
        assertThat(r.replayed()).isFalse();
        assertThat(r.file().etag()).isPresent().isNotEqualTo(Optional.of(etag));
        assertThat(r.file().path()).isEqualTo("notes/scan.txt");
        assertThat(r.file().size()).isEqualTo(2);
        assertThat(content(vsrxMade)).isEqualTo("v2");
        VsrxFile after = listedFile(fs, vsrxMade).orElseThrow();
        assertThat(after.etag()).isEqualTo(r.file().etag());
        assertThat(after.origin()).as("a replace keeps the origin (none here)").isEmpty();
        // The old ETag is stale now.
        assertThatThrownBy(() -> target().replaceContent(T5, IdempotencyKey.replace(vsrxMade, etag,
                TestHashes.sha256("v3")), vsrxMade, etag, upload("v3", "text/plain")))
                .isInstanceOf(ConcurrentUpdateException.class);
        assertThat(content(vsrxMade)).isEqualTo("v2");
    }

    @Test
    public void aRepeatedReplaceKeyChangesNothingAndAnswersAsTheFirstTime() {
        FilesetId fs = addFileset("P-1");
        VsrxFile f = create(T5, 1, fs, "notes/a.txt", "v1").file();
        String e1 = f.etag().orElseThrow();
        IdempotencyKey k = IdempotencyKey.replace(f.id(), e1, TestHashes.sha256("v2"));
        VsrxWriteResult first = target().replaceContent(T5, k, f.id(), e1, upload("v2", "text/plain"));
        String e2 = first.file().etag().orElseThrow();
        // Someone changes it again; then the retry of the first replace comes in.
        VsrxWriteResult third = target().replaceContent(T5, IdempotencyKey.replace(f.id(), e2, TestHashes.sha256("v3")),
                f.id(), e2, upload("v3", "text/plain"));
        VsrxWriteResult retry = target().replaceContent(T5, k, f.id(), e1, upload("v2", "text/plain"));
        assertThat(retry.replayed()).isTrue();
        assertThat(retry.file()).isEqualTo(first.file());
        assertThat(content(f.id())).isEqualTo("v3");
        assertThat(listedFile(fs, f.id()).orElseThrow().etag()).isEqualTo(third.file().etag());
        assertThat(listedFile(fs, f.id()).orElseThrow().origin()).contains(doc(1));
    }

    @Test
    public void replaceOfAnUnknownOrDeletedFileIsRefused() {
        FilesetId fs = addFileset("P-1");
        VsrxFile f = create(T5, 1, fs, "notes/a.txt", "v1").file();
        String e1 = f.etag().orElseThrow();
        assertThatThrownBy(() -> target().replaceContent(T5, IdempotencyKey.of("replace:x"), VsrxFileId.of("nope"),
                e1, upload("v2", "text/plain")))
                .isInstanceOf(PermanentSyncException.class).satisfies(e -> assertThat(status(e)).isEqualTo(404));
        VsrxFile deleted = target().markDeleted(T5, IdempotencyKey.delete(f.id(), e1), f.id(), e1).file();
        assertThatThrownBy(() -> target().replaceContent(T5, IdempotencyKey.of("replace:y"), f.id(),
                deleted.etag().orElse(e1), upload("v2", "text/plain")))
                .isInstanceOf(PermanentSyncException.class).satisfies(e -> assertThat(status(e)).isEqualTo(410));
    }

    // ---------------------------------------------------------------- delete

    @Test
    public void markDeletedIsConditionalKeepsTheFileListedAndIsIdempotent() {
        FilesetId fs = addFileset("P-1");
        VsrxFileId id = addVsrxFile(fs, "notes/scan.txt", "text/plain", bytes("v1"));
        String etag = listedFile(fs, id).orElseThrow().etag().orElseThrow();
        assertThatThrownBy(() -> target().markDeleted(T5, IdempotencyKey.delete(id, "\"nope\""), id, "\"nope\""))
                .isInstanceOf(ConcurrentUpdateException.class);
        assertThat(listedFile(fs, id).orElseThrow().deleted()).isFalse();
        IdempotencyKey k = IdempotencyKey.delete(id, etag);
        VsrxWriteResult r = target().markDeleted(T5, k, id, etag);
        assertThat(r.replayed()).isFalse();
        assertThat(r.file().deleted()).isTrue();
        VsrxFile listed = listedFile(fs, id).orElseThrow();
        assertThat(listed.deleted()).as("a deleted file stays listed, marked").isTrue();
        assertThatThrownBy(() -> source().openContent(id)).isInstanceOf(SyncException.class);
        VsrxWriteResult again = target().markDeleted(T5, k, id, etag);
        assertThat(again.replayed()).isTrue();
        assertThat(again.file()).isEqualTo(r.file());
        assertThatThrownBy(() -> target().markDeleted(T5, IdempotencyKey.of("delete:other"), id, etag))
                .isInstanceOf(PermanentSyncException.class).satisfies(e -> assertThat(status(e)).isEqualTo(410));
        assertThat(listed(fs)).hasSize(1);
    }

    // ---------------------------------------------------------------- fencing

    @Test
    public void aLowerTokenThanTheHighestSeenIsRefusedAndChangesNothing() {
        FilesetId fs = addFileset("P-1");
        VsrxFile f = create(FencingToken.of(3), 1, fs, "notes/a.txt", "v1").file();
        String e1 = f.etag().orElseThrow();
        target().fence(FencingToken.of(7));
        target().fence(FencingToken.of(7));
        assertThatThrownBy(() -> target().fence(FencingToken.of(6))).isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> create(FencingToken.of(6), 2, fs, "notes/b.txt", "x"))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> target().replaceContent(FencingToken.of(6),
                IdempotencyKey.replace(f.id(), e1, TestHashes.sha256("v2")), f.id(), e1, upload("v2", "text/plain")))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> target().markDeleted(FencingToken.of(6), IdempotencyKey.delete(f.id(), e1), f.id(), e1))
                .isInstanceOf(StaleFencingTokenException.class);
        // A stale holder's retry of its own earlier write is refused too: fencing comes before the replay.
        assertThatThrownBy(() -> create(FencingToken.of(3), 1, fs, "notes/a.txt", "v1"))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThat(listed(fs)).extracting(VsrxFile::id).containsExactly(f.id());
        assertThat(content(f.id())).isEqualTo("v1");
        // A write with a higher token raises the mark.
        create(FencingToken.of(9), 3, fs, "notes/c.txt", "c");
        assertThatThrownBy(() -> target().fence(FencingToken.of(8))).isInstanceOf(StaleFencingTokenException.class);
        create(FencingToken.of(9), 4, fs, "notes/d.txt", "d");
    }

    @Test
    public void theHighWaterMarkSurvivesARestartOfTheVsrxSide() {
        FilesetId fs = addFileset("P-1");
        target().fence(FencingToken.of(11));
        vsrx = restart();
        assertThatThrownBy(() -> target().fence(FencingToken.of(10))).isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> create(FencingToken.of(10), 1, fs, "notes/a.txt", "x"))
                .isInstanceOf(StaleFencingTokenException.class);
        VsrxFile f = create(FencingToken.of(11), 1, fs, "notes/a.txt", "x").file();
        vsrx = restart();
        assertThat(create(FencingToken.of(11), 1, fs, "notes/a.txt", "x").file())
                .as("keys survive a restart too").isEqualTo(f);
        assertThat(listed(fs)).hasSize(1);
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    public void concurrentRetriesOfOneCreateMakeOneFile() throws Exception {
        FilesetId fs = addFileset("P-1");
        int threads = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<VsrxWriteResult>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return create(T5, 1, fs, "notes/a.txt", "once");
                }));
            }
            start.countDown();
            Set<VsrxFile> answers = new HashSet<>();
            int fresh = 0;
            for (Future<VsrxWriteResult> f : results) {
                VsrxWriteResult r = f.get(30, TimeUnit.SECONDS);
                answers.add(r.file());
                fresh += r.replayed() ? 0 : 1;
            }
            assertThat(answers).as("every caller got the same file").hasSize(1);
            assertThat(fresh).as("exactly one create happened").isEqualTo(1);
            assertThat(listed(fs)).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Seeded: writers with shuffled tokens fence and then write concurrently. No write may be applied after a
     * fence with a higher token completed (the paused holder's write), and the mark only rises.
     */
    @Test
    public void noWriteLandsAfterAHigherTokenFenced() throws Exception {
        long seed = new SplittableRandom().nextLong();
        LOG.info("VsrxTargetContract.noWriteLandsAfterAHigherTokenFenced seed={}", seed);
        SplittableRandom random = new SplittableRandom(seed);
        FilesetId fs = addFileset("P-1");
        int writers = 8;
        List<Integer> tokens = new ArrayList<>();
        for (int i = 1; i <= writers; i++) {
            tokens.add(i);
        }
        for (int i = tokens.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Integer t = tokens.get(i);
            tokens.set(i, tokens.get(j));
            tokens.set(j, t);
        }
        AtomicLong seq = new AtomicLong();
        long[] fenceDone = new long[writers + 1];
        long[] writeStart = new long[writers + 1];
        boolean[] applied = new boolean[writers + 1];
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int token : tokens) {
                done.add(pool.submit(() -> {
                    start.await();
                    FencingToken t = FencingToken.of(token);
                    try {
                        target().fence(t);
                        fenceDone[token] = seq.incrementAndGet();
                    } catch (StaleFencingTokenException e) {
                        fenceDone[token] = Long.MAX_VALUE;
                    }
                    writeStart[token] = seq.incrementAndGet();
                    try {
                        create(t, 100 + token, fs, "notes/w" + token + ".txt", "w" + token);
                        applied[token] = true;
                    } catch (StaleFencingTokenException e) {
                        applied[token] = false;
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int t = 1; t <= writers; t++) {
            if (!applied[t]) {
                continue;
            }
            for (int u = t + 1; u <= writers; u++) {
                assertThat(fenceDone[u] < writeStart[t])
                        .as("seed %d: write of token %d applied although token %d had fenced before it started", seed, t, u)
                        .isFalse();
            }
        }
        assertThat(applied[writers]).as("seed %d: the highest token is never refused", seed).isTrue();
        long files = listed(fs).size();
        long writes = 0;
        for (int t = 1; t <= writers; t++) {
            writes += applied[t] ? 1 : 0;
        }
        assertThat(files).as("seed %d: exactly the applied writes are visible", seed).isEqualTo(writes);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
