package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static com.silknote.sync.testkit.engine.EngineFixture.file;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.ForwardingVsrxSource;
import com.silknote.sync.testkit.TestHashes;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN rule 7 (bad files are skipped, the run goes on): every check of downloaded bytes, against what the
 * listing declared and against what the content answer declared, skips with its own reason and detail, and the
 * good files of the same fileset are synced.
 */
class DownloadChecksTest {
    private final EngineFixture fx = new EngineFixture();
    /** Changes to the content answer of chosen files, as a server would send them. */
    private final Map<VsrxFileId, UnaryOperator<FileContent>> served = new HashMap<>();

    DownloadChecksTest() {
        VsrxSource real = fx.vsrx;
        fx.source = new ForwardingVsrxSource(real) {
            @Override
            public FileContent openContent(VsrxFileId fileId) {
                return served.getOrDefault(fileId, UnaryOperator.identity()).apply(real.openContent(fileId));
            }
        };
    }

    private static void skipped(SyncResult result, VsrxFileId id, SkipReason reason, String detail) {
        FileReport r = file(result, id);
        assertThat(r.skipReason()).as("%s", id).contains(reason);
        assertThat(r.detail()).as("%s", id).contains(detail);
    }

    @Test
    @DisplayName("rule 7: listed size and digest, served length and digest, empty content: each its own skip")
    void everyCheckOfTheBytesSkipsWithItsOwnReason() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId good = fx.text(fs, "good.txt", "a good letter");
        VsrxFileId listedSize = fx.text(fs, "listed-size.txt", "twelve bytes");
        fx.vsrx.setDeclaredSize(listedSize, 11);
        VsrxFileId listedDigest = fx.text(fs, "listed-digest.txt", "digest listed wrong");
        fx.vsrx.setDeclaredSha256(listedDigest, TestHashes.different(TestHashes.sha256("digest listed wrong")));
        VsrxFileId servedLength = fx.text(fs, "served-length.txt", "length served wrong");
        served.put(servedLength, c -> new FileContent(c.stream(), c.etag(), OptionalLong.of(18), c.sha256()));
        VsrxFileId servedDigest = fx.text(fs, "served-digest.txt", "digest served wrong");
        served.put(servedDigest, c -> new FileContent(c.stream(), c.etag(), c.contentLength(),
                Optional.of(TestHashes.different(TestHashes.sha256("digest served wrong")))));
        VsrxFileId servedRight = fx.text(fs, "served-right.txt", "length and digest served right");
        served.put(servedRight, c -> new FileContent(c.stream(), c.etag(), OptionalLong.of(30),
                Optional.of(TestHashes.sha256("length and digest served right"))));
        VsrxFileId empty = fx.vsrx.addFile(fs, "notes/empty.txt", "text/plain", new byte[0]);

        SyncResult result = fx.run();

        assertThat(result.success()).isTrue();
        assertThat(action(result, good)).isEqualTo(FileAction.CREATED);
        assertThat(action(result, servedRight)).isEqualTo(FileAction.CREATED);
        skipped(result, listedSize, SkipReason.SIZE_MISMATCH, "listed-size");
        skipped(result, listedDigest, SkipReason.CHECKSUM_MISMATCH, "listed-digest");
        skipped(result, servedLength, SkipReason.SIZE_MISMATCH, "content-length");
        skipped(result, servedDigest, SkipReason.CHECKSUM_MISMATCH, "served-digest");
        skipped(result, empty, SkipReason.EMPTY, "zero-bytes");
        assertThat(fx.silknote.documents().allDocuments()).hasSize(2);
        assertThat(fx.silknote.documents().allSkips()).containsOnlyKeys(listedSize, listedDigest, servedLength,
                servedDigest, empty);
        fx.silknote.assertQuiescent();
    }

    @Test
    @DisplayName("rule 3/7: a file that changed between listing and download is judged by the answer, not the stale listing")
    void aFileChangedBeforeItsDownloadIsStoredAsServed() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "short");
        fx.vsrx.setDeclaredSha256(a, TestHashes.sha256("short"));
        fx.vsrx.beforeOpen(a, () -> fx.vsrx.modifyFile(a, "a much longer second version"));

        SyncResult result = fx.run();

        assertThat(action(result, a)).as("listed size and digest are of the older version").isEqualTo(
                FileAction.CREATED);
        assertThat(fx.silknote.documents().allDocuments().values()).singleElement()
                .satisfies(d -> assertThat(d.contentHash()).isEqualTo(
                        TestHashes.sha256("a much longer second version")));
        fx.silknote.assertQuiescent();
    }
}
