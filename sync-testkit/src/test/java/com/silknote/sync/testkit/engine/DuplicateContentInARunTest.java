package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.ForwardingBlobStore;
import com.silknote.sync.testkit.TestHashes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Content that appears in several files of one run (a form letter in many patients' filesets) is sent to the blob
 * store once: the later files ask whether it is stored ({@code putIfAbsent}) instead of sending their bytes to have
 * them refused ({@code putNewIfAbsent}), so the store does no more work than for a plain upload that skips what
 * it has (issue 12). The run's memory of what it stored is only a hint: content removed behind its back since is
 * stored again (DESIGN rule 2: a document never references content the store does not have).
 */
class DuplicateContentInARunTest {
    private static final String LETTER = "a form letter every patient gets";

    private final EngineFixture fx = new EngineFixture();
    private final Map<ContentHash, AtomicInteger> sent = new ConcurrentHashMap<>();
    private final Map<ContentHash, AtomicInteger> asked = new ConcurrentHashMap<>();

    DuplicateContentInARunTest() {
        // putNewIfAbsent sends the bytes whatever the store holds (Azure: a conditional PUT with the body);
        // putIfAbsent asks first and sends them only for content the store does not have
        fx.blobs = new ForwardingBlobStore(fx.silknote.blobs()) {
            @Override
            public BlobPutResult putNewIfAbsent(BlobUpload upload) {
                sent.computeIfAbsent(upload.hash(), h -> new AtomicInteger()).incrementAndGet();
                return super.putNewIfAbsent(upload);
            }

            @Override
            public BlobPutResult putIfAbsent(BlobUpload upload) {
                asked.computeIfAbsent(upload.hash(), h -> new AtomicInteger()).incrementAndGet();
                BlobPutResult r = super.putIfAbsent(upload);
                if (r.created()) {
                    sent.computeIfAbsent(upload.hash(), h -> new AtomicInteger()).incrementAndGet();
                }
                return r;
            }
        };
    }

    private static ContentHash letter() {
        return TestHashes.sha256(LETTER.getBytes(StandardCharsets.UTF_8));
    }

    private int sent(ContentHash h) {
        return sent.getOrDefault(h, new AtomicInteger()).get();
    }

    private int asked(ContentHash h) {
        return asked.getOrDefault(h, new AtomicInteger()).get();
    }

    private void assertReferences(List<VsrxFileId> files, ContentHash h) {
        for (VsrxFileId f : files) {
            assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(f)))
                    .as("document of %s", f).hasValueSatisfying(d -> assertThat(d.contentHash()).isEqualTo(h));
        }
        assertThat(fx.silknote.blobs().rawBytes(h)).as("the stored content")
                .hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo(LETTER));
        assertThat(fx.silknote.documents().findBlobRef(h))
                .hasValueSatisfying(r -> assertThat(r.refCount()).isEqualTo(files.size()));
    }

    /** The letter's bytes went to the store once; every other file with it asked; every document has it. */
    private void assertSentOnce(SyncResult result, List<VsrxFileId> letters) {
        assertThat(result.success()).isTrue();
        letters.forEach(f -> assertThat(action(result, f)).isEqualTo(FileAction.CREATED));
        assertThat(sent(letter())).as("the letter's bytes sent once").isEqualTo(1);
        assertThat(asked(letter())).as("every later file asks").isEqualTo(letters.size() - 1);
        assertReferences(letters, letter());
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("issue 12: content stored by an earlier fileset of the run is asked for, not sent again")
    void contentStoredEarlierInTheRunIsAskedForNotSentAgain() {
        fx.config(c -> c.filesetConcurrency(1));
        List<VsrxFileId> letters = new java.util.ArrayList<>();
        for (String patient : List.of("P1", "P2", "P3")) {
            FilesetId fs = fx.linkedFileset(patient);
            letters.add(fx.text(fs, "letter.txt", LETTER));
            fx.text(fs, "own.txt", "notes of " + patient);
        }

        SyncResult result = fx.run();

        assertSentOnce(result, letters);
        ContentHash own = TestHashes.sha256("notes of P2".getBytes(StandardCharsets.UTF_8));
        assertThat(sent(own)).as("content new to the run is sent at once").isEqualTo(1);
        assertThat(asked(own)).isZero();
    }

    @Test
    @DisplayName("issue 12: duplicates within one fileset are sent once")
    void duplicatesWithinOneFilesetAreSentOnce() {
        fx.config(c -> c.fileConcurrency(1));
        FilesetId fs = fx.linkedFileset("P1");
        List<VsrxFileId> letters = List.of(fx.text(fs, "a.txt", LETTER), fx.text(fs, "b.txt", LETTER),
                fx.text(fs, "c.txt", LETTER));

        SyncResult result = fx.run();

        assertSentOnce(result, letters);
    }

    @Test
    @DisplayName("rule 2: content the run stored and someone removed behind its back is stored again for the next file")
    void contentRemovedBehindTheRunsBackIsStoredAgain() {
        fx.config(c -> c.filesetConcurrency(1));
        FilesetId a = fx.linkedFileset("P1");
        FilesetId b = fx.linkedFileset("P2");
        List<VsrxFileId> letters = List.of(fx.text(a, "letter.txt", LETTER), fx.text(b, "letter.txt", LETTER));
        AtomicInteger opened = new AtomicInteger();
        Runnable removeOnSecond = () -> {
            if (opened.incrementAndGet() == 2) {
                String etag = fx.silknote.blobs().stat(letter()).orElseThrow().etag();
                assertThat(fx.silknote.blobs().deleteIfMatch(letter(), etag)).isTrue();
            }
        };
        letters.forEach(f -> fx.vsrx.beforeOpen(f, removeOnSecond));

        SyncResult result = fx.run();

        assertThat(result.success()).isTrue();
        assertThat(opened).hasValue(2);
        assertThat(asked(letter())).as("the run's hint said stored").isEqualTo(1);
        assertThat(sent(letter())).as("the hint was wrong: the second file's put sent the bytes again").isEqualTo(2);
        assertReferences(letters, letter());
        fx.silknote.assertInvariants();

        SyncResult again = fx.run();
        assertThat(again.success()).isTrue();
        assertReferences(letters, letter());
        fx.silknote.assertInvariants();
    }

    /**
     * Seeded: many filesets and files in flight at once, their contents drawn from a few letters. Whatever the
     * interleaving, every document has its content stored with the right bytes and reference count (the
     * simulator's invariants), no content's bytes go out more often than files of it can be in flight before
     * the first upload of it finished, and a second run sends nothing.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 20261207})
    void concurrentFilesetsSendEachContentAtMostOncePerFileInFlight(long seed) {
        int fileConcurrency = 8;
        fx.config(c -> c.filesetConcurrency(4).fileConcurrency(fileConcurrency));
        Random rnd = new Random(seed);
        Map<String, List<VsrxFileId>> byText = new java.util.TreeMap<>();
        for (int f = 0; f < 12; f++) {
            FilesetId fs = fx.linkedFileset("P" + f);
            for (int i = 0; i < 8; i++) {
                String text = rnd.nextInt(4) == 0 ? "own note " + f + "/" + i : "form letter " + rnd.nextInt(6);
                byText.computeIfAbsent(text, t -> new java.util.ArrayList<>()).add(fx.text(fs, "n" + i + ".txt", text));
            }
        }

        SyncResult result = fx.run();

        assertThat(result.success()).isTrue();
        fx.silknote.assertInvariants();
        byText.forEach((text, files) -> {
            ContentHash h = TestHashes.sha256(text.getBytes(StandardCharsets.UTF_8));
            files.forEach(f -> assertThat(action(result, f)).isEqualTo(FileAction.CREATED));
            assertThat(fx.silknote.blobs().rawBytes(h)).hasValueSatisfying(
                    b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo(text));
            assertThat(fx.silknote.documents().findBlobRef(h))
                    .hasValueSatisfying(r -> assertThat(r.refCount()).isEqualTo(files.size()));
            assertThat(sent(h)).as("bodies sent of a content in %d files", files.size())
                    .isBetween(1, Math.min(files.size(), fileConcurrency));
        });

        sent.clear();
        asked.clear();
        SyncResult again = fx.run();
        assertThat(again.success()).isTrue();
        assertThat(sent).as("nothing sent by a run that changes nothing").isEmpty();
        fx.silknote.assertInvariants();
    }
}
