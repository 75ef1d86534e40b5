package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.OrphanCleanup;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.CleanupReport;
import com.silknote.sync.core.model.CleanupRequest;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.OrphanClass;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The orphan cleanup between a Silknote-side removal and the bi-directional sync that handles it (issue 14 rows
 * 7–9 and 13, DESIGN rule 14; found by the bi-directional random histories, seed 312). The mapping of a removed
 * document is the sync's base for telling "unchanged in VSRX" (delete there) from "changed in VSRX" (a conflict):
 * the cleanup must leave it to the sync, or a VSRX user's newer version is marked deleted.
 */
class CleanupBeforeBidirectionalSyncTest {
    private static final Duration GRACE = Duration.ofHours(1);

    private final EngineFixture fx = new EngineFixture();

    private void bidirectional() {
        fx.config(c -> c.blobGracePeriod(GRACE).bidirectional(BidirectionalConfig.builder()
                .direction(SyncDirection.BIDIRECTIONAL).deletes(true).conflictStrategy(ConflictStrategy.REPORT)
                .build()));
        fx.target = fx.vsrx;
    }

    private CleanupReport cleanupLater() {
        fx.clock.advance(GRACE.plusMinutes(1));
        return OrphanCleanup.builder().documents(fx.documents).blobs(fx.blobs).vectors(fx.vectors).lock(fx.lock)
                .config(fx.config).clock(fx.clock).sleeper(fx.clock).random(new SplittableRandom(7)).build()
                .run(CleanupRequest.removing());
    }

    /** A Silknote-created document, exported by a run: its VSRX file carries its origin and is linked. */
    private VsrxFileId exported(FilesetId fs, DocumentUuid uuid) {
        byte[] bytes = "written in Silknote".getBytes(StandardCharsets.UTF_8);
        ContentHash h = TestHashes.sha256(bytes);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(h, bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes)));
        fx.silknote.documents().createDocumentAsSilknoteUser(new AuthoredDocument(uuid, EngineFixture.patient("P-1"),
                Optional.of(fs), h, bytes.length, "text/plain", Optional.of("Brief"), "SILKNOTE", "ungrouped",
                fx.clock.instant()));
        assertThat(fx.run().success()).isTrue();
        VsrxFileId file = fx.silknote.documents().findDocument(uuid).orElseThrow().clientFileId();
        assertThat(fx.silknote.documents().findMapping(file)).isPresent();
        return file;
    }

    /** A document exported and linked by a run, then removed by a Silknote user: returns its VSRX file. */
    private VsrxFileId exportedThenRemoved() {
        DocumentUuid uuid = new DocumentUuid(UUID.randomUUID());
        VsrxFileId file = exported(fx.linkedFileset("P-1"), uuid);
        fx.silknote.documents().removeDocumentAsSilknoteUser(uuid);
        return file;
    }

    @Test
    @DisplayName("row 8 after a cleanup: a file a VSRX user changed after its document was removed is a conflict, not deleted")
    void aVsrxChangeAfterTheRemovalSurvivesTheCleanup() {
        bidirectional();
        VsrxFileId file = exportedThenRemoved();
        fx.vsrx.modifyFile(file, "a VSRX user's newer version");
        ContentHash newer = fx.vsrx.contentHash(file);

        CleanupReport cleanup = cleanupLater();

        assertThat(cleanup.removed(OrphanClass.MAPPING_WITHOUT_DOCUMENT).count()).isZero();
        assertThat(cleanup.notes()).anySatisfy(n -> assertThat(n).contains("kept for the next sync"));
        assertThat(fx.silknote.documents().findMapping(file)).as("the sync's base").isPresent();

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, file)).isEqualTo(FileAction.CONFLICT);
        assertThat(EngineFixture.file(r, file).detail()).contains("removed-in-silknote-changed-in-vsrx");
        assertThat(fx.vsrx.findFile(file).orElseThrow().deleted()).as("the newer version stays in VSRX").isFalse();
        assertThat(fx.vsrx.contentHash(file)).isEqualTo(newer);
    }

    @Test
    @DisplayName("row 7 after a cleanup: a file unchanged since its document was removed is marked deleted in VSRX")
    void anUnchangedFileIsStillDeletedAndTheNextCleanupHasNothingLeft() {
        bidirectional();
        VsrxFileId file = exportedThenRemoved();

        assertThat(cleanupLater().removed(OrphanClass.MAPPING_WITHOUT_DOCUMENT).count()).isZero();
        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, file)).isEqualTo(FileAction.DELETED);
        assertThat(fx.vsrx.findFile(file).orElseThrow().deleted()).isTrue();
        assertThat(fx.silknote.documents().findMapping(file)).isEmpty();
        assertThat(cleanupLater().found(OrphanClass.MAPPING_WITHOUT_DOCUMENT).count()).isZero();
    }

    @Test
    @DisplayName("a removal a sync has passed no longer keeps the mapping: deletes off leaves it to the cleanup")
    void aRemovalTheSyncHasSeenNoLongerKeepsTheMapping() {
        fx.config(c -> c.blobGracePeriod(GRACE).bidirectional(BidirectionalConfig.builder()
                .direction(SyncDirection.BIDIRECTIONAL).deletes(false).build()));
        fx.target = fx.vsrx;
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId file = fx.text(fs, "befund.txt", "from VSRX");
        assertThat(fx.run().success()).isTrue();
        fx.silknote.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(file));

        assertThat(cleanupLater().removed(OrphanClass.MAPPING_WITHOUT_DOCUMENT).count()).as("not synced yet").isZero();
        SyncResult r = fx.run();
        assertThat(EngineFixture.action(r, file)).isEqualTo(FileAction.CONFLICT);

        assertThat(cleanupLater().removed(OrphanClass.MAPPING_WITHOUT_DOCUMENT).count()).isEqualTo(1);
        assertThat(fx.silknote.documents().findMapping(file)).isEmpty();
    }
}
