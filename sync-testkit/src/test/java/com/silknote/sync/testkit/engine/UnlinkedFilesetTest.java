package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A fileset without a Silknote patient: reported {@code unlinked-with-documents} while Silknote still holds
 * anything of it, its record or its documents (issue 9 item 3, docs/architecture.md's table of unexpected
 * histories), and counted as processed in the resume state like any finished fileset (DESIGN rule 9).
 */
class UnlinkedFilesetTest {
    private final EngineFixture fx = new EngineFixture();

    @Test
    @DisplayName("issue 9.3: documents of an unlinked fileset whose record Silknote removed are still reported, and kept")
    void documentsWithoutTheirRecordAreReported() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        fx.run();
        fx.silknote.documents().removeFilesetAsSilknoteUser(fs);
        fx.vsrx.unlinkPatient(fs);

        SyncResult result = fx.run();

        assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.SKIPPED_NOT_LINKED);
        assertThat(fileset(result, fs).failureReason()).contains("unlinked-with-documents");
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(a))).isPresent();
    }

    @Test
    @DisplayName("issue 9.3: an unlinked fileset whose documents Silknote removed, but whose record it keeps, is reported")
    void aRecordWithoutDocumentsIsReported() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        FilesetId never = fx.vsrx.addFileset("P-WAITING");
        fx.run();
        fx.silknote.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(a));
        fx.vsrx.unlinkPatient(fs);

        SyncResult result = fx.run();

        assertThat(fx.silknote.documents().documents(fs)).isEmpty();
        assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.SKIPPED_NOT_LINKED);
        // Silknote still links the fileset to a patient: an operator must look, it is no plain waiting fileset
        assertThat(fileset(result, fs).failureReason()).contains("unlinked-with-documents");
        assertThat(fileset(result, never).failureReason()).contains(SkipReason.PATIENT_NOT_LINKED.name());
        assertThat(fx.silknote.documents().findFileset(fs)).isPresent();
    }

    @Test
    @DisplayName("rule 9: an unlinked fileset counts as processed, so a crash later in the run does not resume from it")
    void anUnlinkedFilesetIsNotWhereTheNextRunResumes() {
        fx.config(c -> c.filesetConcurrency(1));
        FilesetId waiting = fx.vsrx.addFileset("P-WAITING");
        FilesetId first = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(first, "a.txt", "first version");
        FilesetId second = fx.linkedFileset("P2");
        VsrxFileId x = fx.text(second, "x.txt", "first version");
        assertThat(waiting).isLessThan(first);
        assertThat(first).isLessThan(second);
        fx.run();
        fx.vsrx.modifyFile(a, "second version");
        fx.vsrx.modifyFile(x, "second version");
        AtomicBoolean downloaded = new AtomicBoolean();
        fx.vsrx.onOpen(x, () -> downloaded.set(true));
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
                if (downloaded.get()) {
                    throw new ProcessDied();
                }
                return super.inUnitOfWork(token, work);
            }
        };

        try {
            fx.run();
        } catch (ProcessDied expected) {
            // the process died at the last fileset's commit
        }

        assertThat(downloaded).isTrue();
        SyncState.PartialSyncState partial = fx.silknote.documents().loadState().partialSyncState();
        assertThat(partial.resumeFromFileset()).as("resume point").isPresent();
        assertThat(partial.resumeFromFileset().orElseThrow()).isGreaterThan(waiting);
        assertThat(partial.failedFilesets()).isEmpty();
    }

    private static final class ProcessDied extends Error {
        private static final long serialVersionUID = 1L;
    }
}
