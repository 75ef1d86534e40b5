package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static com.silknote.sync.testkit.engine.EngineFixture.file;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.diff.DiffEngine;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.RemovedDocumentPolicy;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The plan's reason codes as a run reports them (issue 10: the operator reads why a file was created or deleted)
 * and the path rule on a rename (DESIGN rule 11: a path is checked whenever it is written, also without new
 * content).
 */
class PlanDetailsTest {
    private final EngineFixture fx = new EngineFixture();

    @Test
    @DisplayName("issue 10: a plain create and a plain delete carry no detail; a delete of a document Silknote removed says so")
    void createsAndDeletesCarryTheirDetailOnlyWhenThereIsOne() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        VsrxFileId b = fx.text(fs, "b.txt", "another letter");
        fx.text(fs, "c.txt", "a third letter");
        fx.text(fs, "d.txt", "a fourth letter");
        fx.text(fs, "e.txt", "a fifth letter");
        SyncResult first = fx.run();
        assertThat(action(first, a)).isEqualTo(FileAction.CREATED);
        assertThat(file(first, a).detail()).isEmpty();

        fx.silknote.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(b));
        fx.vsrx.deleteFile(a);
        fx.vsrx.deleteFile(b);
        SyncResult second = fx.run();

        assertThat(action(second, a)).isEqualTo(FileAction.DELETED);
        assertThat(file(second, a).detail()).isEmpty();
        assertThat(action(second, b)).isEqualTo(FileAction.DELETED);
        assertThat(file(second, b).detail()).contains(DiffEngine.DETAIL_DOCUMENT_REMOVED);
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("issue 10: a document Silknote removed comes back under RESTORE with detail restored")
    void aRestoredDocumentSaysSo() {
        fx.config(c -> c.removedDocumentPolicy(RemovedDocumentPolicy.RESTORE));
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        fx.run();
        fx.silknote.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(a));
        fx.vsrx.modifyFile(a, "a corrected letter");

        SyncResult result = fx.run();

        assertThat(action(result, a)).isEqualTo(FileAction.CREATED);
        assertThat(file(result, a).detail()).contains(DiffEngine.DETAIL_RESTORED);
    }

    @Test
    @DisplayName("rule 11: a rename to a path outside notes/ is skipped as INVALID_PATH; the document keeps its path")
    void aRenameToAnInvalidPathIsSkipped() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        fx.run();
        fx.vsrx.renameFile(a, "notes/../../etc/a.txt");

        SyncResult result = fx.run();

        assertThat(action(result, a)).isEqualTo(FileAction.SKIPPED);
        assertThat(file(result, a).skipReason()).contains(SkipReason.INVALID_PATH);
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(a)).orElseThrow().metadata()
                .originalPath()).isEqualTo("notes/a.txt");
    }

    @Test
    @DisplayName("rule 1, issue 9: a file id whose mapping another fileset holds stays a conflict even when that fileset's document is gone")
    void aFileIdMappedInAnotherFilesetIsAConflictEvenWithoutItsDocument() {
        FilesetId first = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(first, "a.txt", "a letter");
        fx.text(first, "b.txt", "another letter");
        FilesetId second = fx.linkedFileset("P2");
        fx.text(second, "c.txt", "a third letter");
        fx.run();
        fx.silknote.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(a));
        fx.vsrx.moveFile(a, second);

        SyncResult result = fx.run();

        FileReport inSecond = EngineFixture.fileset(result, second).files().stream()
                .filter(f -> f.fileId().equals(a)).findFirst().orElseThrow();
        assertThat(inSecond.action()).isEqualTo(FileAction.CONFLICT);
        assertThat(inSecond.detail()).contains(DiffEngine.DETAIL_OTHER_FILESET);
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(a))).as("not imported").isEmpty();
        assertThat(fx.silknote.documents().findMapping(a).orElseThrow().filesetId()).isEqualTo(first);
    }
}
