package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.TestHashes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN rule 10: a fileset's unit of work commits only if what it was planned from is unchanged. A Silknote user
 * who edits a document while the run downloads its new version wins: the commit is refused, the edit stays, and
 * the next run reports the conflict instead of overwriting it.
 */
class CommitExpectationsTest {
    private final EngineFixture fx = new EngineFixture();

    private void group(VsrxFileId id) {
        fx.silknote.documents().editDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(id), d -> new SilknoteDocument(
                d.uuid(), d.patientUuid(), d.filesetId(), d.clientFileId(), d.contentHash(), d.size(), d.mimeType(),
                new DocumentMetadata(d.metadata().vsrxReference(), d.metadata().originalPath(),
                        d.metadata().sourceSystem(), "grouped", d.metadata().patientIdHistory()), d.updatedAt()));
    }

    private SilknoteDocument doc(VsrxFileId id) {
        return fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(id)).orElseThrow();
    }

    @Test
    @DisplayName("rule 10: a user edit between plan and commit refuses the commit; the edit stays; the next run reports a conflict")
    void aUserEditDuringTheDownloadWinsOverTheSync() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "first version");
        fx.text(fs, "b.txt", "another letter");
        fx.run();
        fx.vsrx.modifyFile(a, "second version");
        fx.vsrx.onOpen(a, () -> group(a));

        SyncResult during = fx.run();

        assertThat(fileset(during, fs).outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(doc(a).contentHash()).as("not overwritten").isEqualTo(TestHashes.sha256("first version"));
        assertThat(doc(a).metadata().untouchedBySilknoteUser()).as("the user's edit stays").isFalse();
        fx.silknote.assertInvariants();

        SyncResult next = fx.run();

        assertThat(action(next, a)).isEqualTo(FileAction.CONFLICT);
        assertThat(doc(a).contentHash()).isEqualTo(TestHashes.sha256("first version"));
        assertThat(doc(a).metadata().untouchedBySilknoteUser()).isFalse();
        fx.silknote.assertQuiescent();
    }
}
