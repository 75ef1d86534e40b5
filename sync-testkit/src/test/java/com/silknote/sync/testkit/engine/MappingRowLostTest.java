package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Bi-directional sync after a mapping row was removed behind the engine's back (a restore of an older ledger, a
 * manual fix): the document is still there, filed under its file, but nothing records the base both sides last
 * agreed on. When the bytes agree the mapping is written again (as in one-way sync); when they differ, either may
 * be a user's newer version, so neither is overwritten: a conflict reported every run until the sides agree
 * (issue 14: no version lost; DESIGN rule 2). An exported document's file is its own, never a duplicate of it.
 */
class MappingRowLostTest {
    private final EngineFixture fx = new EngineFixture();

    private void bidirectional(boolean deletes) {
        fx.bidirectional(deletes);
    }

    private ContentHash stored(String text) {
        return fx.stored(text);
    }

    private FileAction action(SyncResult r, VsrxFileId f) {
        return EngineFixture.action(r, f);
    }

    @ParameterizedTest(name = "deletes {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("a pulled document whose mapping row is gone, bytes unchanged: the mapping is written again, once")
    void pulledDocumentIsAdoptedAgain(boolean deletes) {
        bidirectional(deletes);
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "one");
        VsrxFileId b = fx.text(fs, "b.txt", "two");
        assertThat(fx.run().success()).isTrue();
        fx.silknote.documents().removeMappingRow(b);

        SyncResult r = fx.run();

        assertThat(action(r, b)).isEqualTo(FileAction.METADATA_ONLY);
        assertThat(fx.silknote.documents().findMapping(b)).hasValueSatisfying(m -> assertThat(m.silknoteDocumentUuid())
                .isEqualTo(DocumentUuid.forVsrxFile(b)));
        assertThat(EngineFixture.unchanged(fx.run(), b)).isTrue();
    }

    @ParameterizedTest(name = "deletes {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("an exported document whose mapping row is gone: its file is its own (not a duplicate, not vanished, "
            + "never marked deleted); the mapping is written again under the document's uuid")
    void exportedDocumentIsAdoptedAgain(boolean deletes) {
        bidirectional(deletes);
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "one");
        fx.text(fs, "b.txt", "two");
        ContentHash h = stored("letter");
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.of(fs), h, 6, "text/plain", Optional.of("Brief"), "SILKNOTE", "ungrouped",
                fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(a);
        assertThat(fx.run().success()).isTrue();
        VsrxFileId f = fx.silknote.documents().findDocument(a.uuid()).orElseThrow().clientFileId();
        fx.silknote.documents().removeMappingRow(f);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(EngineFixture.report(r).filesets().stream().flatMap(x -> x.files().stream())
                .filter(x -> x.fileId().equals(f))).singleElement()
                .satisfies(x -> assertThat(x.action()).isEqualTo(FileAction.METADATA_ONLY));
        assertThat(fx.silknote.documents().findMapping(f)).hasValueSatisfying(m -> assertThat(m.silknoteDocumentUuid())
                .isEqualTo(a.uuid()));
        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).isFalse();
        assertThat(fx.silknote.documents().findDocument(a.uuid())).isPresent();
        assertThat(EngineFixture.unchanged(fx.run(), f)).isTrue();
    }

    @Test
    @DisplayName("a document a Silknote user changed whose mapping row is gone: no base, so neither side is "
            + "overwritten; a conflict every run, adopted once the sides agree")
    void differentBytesWithoutABaseAreAConflict() {
        bidirectional(true);
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "one");
        VsrxFileId b = fx.text(fs, "b.txt", "two");
        assertThat(fx.run().success()).isTrue();
        ContentHash vsrxVersion = fx.vsrx.contentHash(b);
        fx.silknote.documents().removeMappingRow(b);
        ContentHash edit = stored("a silknote edit");
        fx.silknote.documents().replaceContentAsSilknoteUser(DocumentUuid.forVsrxFile(b), edit, 15, "text/plain");
        long writes = fx.vsrx.writes();

        for (int run = 0; run < 2; run++) {
            SyncResult r = fx.run();
            assertThat(r.success()).isTrue();
            assertThat(action(r, b)).as("run %d", run).isEqualTo(FileAction.CONFLICT);
            assertThat(EngineFixture.file(r, b).detail()).contains("document-without-mapping:content-differs");
        }
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(b)).orElseThrow().contentHash())
                .as("the Silknote edit stays").isEqualTo(edit);
        assertThat(fx.vsrx.contentHash(b)).as("the VSRX version stays").isEqualTo(vsrxVersion);
        assertThat(fx.vsrx.writes()).as("nothing written to VSRX").isEqualTo(writes);
        assertThat(fx.silknote.documents().findMapping(b)).isEmpty();

        fx.vsrx.modifyFile(b, "a silknote edit");
        SyncResult agreed = fx.run();
        assertThat(action(agreed, b)).isEqualTo(FileAction.METADATA_ONLY);
        assertThat(fx.silknote.documents().findMapping(b)).isPresent();
    }

    @ParameterizedTest(name = "edited in Silknote {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("a file VSRX deleted whose document has no mapping row: the document stays (a Silknote user may "
            + "have changed it since; nothing tells), a conflict every run; not counted by the mass-delete guard")
    void deletedInVsrxWithoutABaseIsAConflict(boolean edited) {
        // history seed 31 (bi-directional, SILKNOTE_WINS): the pull deleted the document and the user's edit with it
        bidirectional(true);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId a = fx.text(fs, "a.txt", "one");
        VsrxFileId b = fx.text(fs, "b.txt", "two");
        assertThat(fx.run().success()).isTrue();
        DocumentUuid doc = DocumentUuid.forVsrxFile(b);
        fx.silknote.documents().removeMappingRow(b);
        ContentHash kept = fx.silknote.documents().findDocument(doc).orElseThrow().contentHash();
        if (edited) {
            kept = stored("a silknote edit");
            fx.silknote.documents().replaceContentAsSilknoteUser(doc, kept, 15, "text/plain");
        }
        fx.vsrx.deleteFile(b);
        fx.vsrx.deleteFile(a);
        long writes = fx.vsrx.writes();

        for (int run = 0; run < 2; run++) {
            SyncResult r = fx.run();
            assertThat(r.success()).as("run %d: the guard (50 %%) counts the one real delete of two", run).isTrue();
            assertThat(action(r, b)).as("run %d", run).isEqualTo(FileAction.CONFLICT);
            assertThat(EngineFixture.file(r, b).detail()).contains("document-without-mapping:deleted-in-vsrx");
        }
        assertThat(fx.silknote.documents().findDocument(doc).orElseThrow().contentHash()).isEqualTo(kept);
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(a))).as("the mapped one goes")
                .isEmpty();
        assertThat(fx.vsrx.writes()).as("nothing written to VSRX").isEqualTo(writes);
    }

    @Test
    @DisplayName("one-way sync keeps its rule: VSRX is the source, a document without a mapping takes the file's bytes")
    void oneWayStillPulls() {
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId b = fx.text(fs, "b.txt", "two");
        assertThat(fx.run().success()).isTrue();
        fx.silknote.documents().removeMappingRow(b);
        fx.vsrx.modifyFile(b, "two, changed in vsrx");

        SyncResult r = fx.run();

        assertThat(action(r, b)).isEqualTo(FileAction.UPDATED);
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(b)).orElseThrow().contentHash())
                .isEqualTo(fx.vsrx.contentHash(b));
    }
}
