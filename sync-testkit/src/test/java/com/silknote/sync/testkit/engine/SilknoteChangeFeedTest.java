package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.RunControl;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.SyncListener;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, "Detect Silknote-side changes without scanning every document" (docs/bidirectional.md §6): an
 * incremental bi-directional run reads the Silknote change sequence from the stored position and looks at the
 * filesets it names even when VSRX reports no change; the settled position is stored only by a run that
 * completes, so an interrupted run's changes are read again.
 */
class SilknoteChangeFeedTest {
    private final EngineFixture fx = new EngineFixture();

    private void bidirectional() {
        fx.config(c -> c.filesetConcurrency(1).watermarkOverlap(Duration.ofMinutes(1))
                .bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL).build()));
        fx.target = fx.vsrx;
    }

    private static ContentHash sha256(String text) {
        try {
            return ContentHash.ofBytes(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private ContentHash stored(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ContentHash h = sha256(text);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(h, bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes)));
        return h;
    }

    /** A Silknote user writes new content into the document of a linked file. */
    private ContentHash userEdits(VsrxFileId f, String text) {
        ContentHash h = stored(text);
        fx.silknote.documents().silknoteUser().replaceContent(DocumentUuid.forVsrxFile(f), h,
                text.getBytes(StandardCharsets.UTF_8).length, "text/plain");
        return h;
    }

    /**
     * Time passes beyond the watermark overlap: a full run after this marks what VSRX holds now as seen, so an
     * incremental listing no longer returns it.
     */
    private void later() {
        fx.clock.advance(Duration.ofHours(1));
    }

    /** The full run every scenario starts from, taken after VSRX's content is older than the overlap. */
    private void fullRun() {
        later();
        assertThat(fx.run().success()).isTrue();
    }

    private SyncResult incremental() {
        return fx.run(SyncRequest.incrementalRun());
    }

    private static boolean visited(SyncResult r, FilesetId fs) {
        return EngineFixture.report(r).filesets().stream().anyMatch(f -> f.filesetId().equals(fs));
    }

    @Test
    @DisplayName("issue 14 §6: an incremental run with no VSRX change pushes a Silknote edit found in the change sequence")
    void incrementalRunPushesASilknoteEditWithoutAVsrxChange() {
        bidirectional();
        FilesetId fs = fx.linkedFileset("P-1");
        FilesetId quiet = fx.linkedFileset("P-2");
        VsrxFileId f = fx.text(fs, "befund.txt", "base");
        fx.text(quiet, "other.txt", "other");
        fullRun();
        long afterFull = fx.silknote.documents().loadChangePosition();
        ContentHash edit = userEdits(f, "silknote edit");

        SyncResult r = incremental();

        assertThat(r.success()).isTrue();
        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.UPDATED);
        assertThat(EngineFixture.file(r, f).detail()).contains("pushed-to-vsrx");
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(edit);
        assertThat(visited(r, quiet)).as("a fileset with no change on either side is not looked at").isFalse();
        assertThat(fx.silknote.documents().loadChangePosition()).as("the completed run stores its settled position")
                .isGreaterThan(afterFull);

        assertThat(fx.silknote.documents().silknoteChanges(fx.silknote.documents().loadChangePosition(),
                Optional.empty(), 100).changes()).as("the push is no Silknote change: no loop").isEmpty();
    }

    @Test
    @DisplayName("issue 14 §6: a document filed under no fileset adds its patient's filesets to an incremental run")
    void aChangeWithoutAFilesetAddsThePatientsFilesets() {
        bidirectional();
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "from vsrx");
        fullRun();
        ContentHash h = stored("written in silknote");
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.empty(), h, "written in silknote".length(), "text/plain", Optional.of("Brief"), "SILKNOTE",
                "ungrouped", fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(a);

        SyncResult r = incremental();

        assertThat(r.success()).isTrue();
        assertThat(fx.vsrx.listedFiles(fs)).filteredOn(x -> x.origin().equals(Optional.of(a.uuid()))).hasSize(1);
    }

    @Test
    @DisplayName("issue 14 §6: an interrupted run stores no change position; its changes are read again")
    void anInterruptedRunReadsTheChangesAgain() {
        bidirectional();
        FilesetId a = fx.linkedFileset("P-1");
        FilesetId b = fx.linkedFileset("P-2");
        VsrxFileId fa = fx.text(a, "a.txt", "base a");
        VsrxFileId fb = fx.text(b, "b.txt", "base b");
        fullRun();
        long position = fx.silknote.documents().loadChangePosition();
        // A change that writes nothing to VSRX (a grouping does not flow back), so only the change sequence
        // brings fileset a into an incremental run.
        fx.silknote.documents().silknoteUser().group(DocumentUuid.forVsrxFile(fa), "grouped-by-user");
        ContentHash editB = userEdits(fb, "edit b");

        RunControl control = new RunControl();
        fx.listener = new SyncListener() {
            @Override
            public void filesetFinished(RunId runId, FilesetReport report) {
                control.requestStop("test stops after the first fileset");
            }
        };
        SyncResult stopped = fx.sync().run(SyncRequest.incrementalRun(), control);
        fx.listener = SyncListener.NONE;
        assertThat(stopped.status()).isEqualTo(SyncResult.Status.STOPPED);
        assertThat(visited(stopped, a)).isTrue();
        assertThat(visited(stopped, b)).isFalse();
        assertThat(fx.vsrx.contentHash(fb)).isNotEqualTo(editB);
        assertThat(fx.silknote.documents().loadChangePosition()).as("interrupted: the position stays")
                .isEqualTo(position);

        // A change to the fileset the interrupted run committed, made before the resuming run skips it.
        fx.silknote.documents().silknoteUser().group(DocumentUuid.forVsrxFile(fa), "ungrouped");
        ContentHash editA = userEdits(fa, "edit a");
        SyncResult resumed = incremental();
        assertThat(resumed.success()).isTrue();
        assertThat(fx.vsrx.contentHash(fb)).as("the resuming run reads the interrupted run's changes").isEqualTo(editB);
        assertThat(fx.vsrx.contentHash(fa)).as("fileset a was committed by the interrupted run: skipped")
                .isNotEqualTo(editA);
        assertThat(fx.silknote.documents().loadChangePosition())
                .as("a resumed run skipped committed filesets: the position stays").isEqualTo(position);

        SyncResult next = incremental();
        assertThat(next.success()).isTrue();
        assertThat(fx.vsrx.contentHash(fa)).as("the change the resumed run skipped is not lost").isEqualTo(editA);
        assertThat(fx.silknote.documents().loadChangePosition()).isGreaterThan(position);
    }

    @Test
    @DisplayName("issue 14 §6: one-way runs never read or store a change position")
    void oneWayStoresNoPosition() {
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = fx.text(fs, "a.txt", "base");
        fullRun();
        userEdits(f, "edit");
        assertThat(incremental().success()).isTrue();
        assertThat(fx.silknote.documents().loadChangePosition()).isZero();
    }
}
