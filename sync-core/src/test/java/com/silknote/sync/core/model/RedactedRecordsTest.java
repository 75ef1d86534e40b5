package com.silknote.sync.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Privacy rule (common rules; STYLE "Redaction by type"): the {@code toString()} of every record that holds a
 * path, a patient id or a title prints opaque ids only, so a record that ends up in a log line leaks nothing.
 * Each test also checks what the record does print, so a {@code toString} emptied to "" is noticed.
 */
class RedactedRecordsTest {
    private static final String PATH = "notes/Müller Anna/Befund 2024.pdf";
    private static final String PATIENT = "P-4711";
    private static final String PATIENT_UUID = "0f8fad5b-d9cb-469f-a165-70867728950e";
    private static final ContentHash HASH = ContentHash.ofHex("ab".repeat(32));
    private static final VsrxFileId FILE = VsrxFileId.of("file-1");
    private static final FilesetId FILESET = FilesetId.of("fs-1");
    private static final DocumentUuid DOC = DocumentUuid.forVsrxFile(FILE);
    private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");

    private static void leaksNothing(Object record) {
        assertThat(record.toString()).doesNotContain("Müller", "Befund", "notes/", PATIENT, PATIENT_UUID, "0f8fad5b");
    }

    @Test
    void vsrxFilePrintsIdsNotThePath() {
        VsrxFile f = new VsrxFile(FILE, FILESET, PATH, 12, "application/pdf", T, Optional.of("e"), Optional.empty(),
                false);
        leaksNothing(f);
        assertThat(f).hasToString("VsrxFile[id=file-1, fileset=fs-1, size=12, deleted=false]");
        VsrxFile pushed = new VsrxFile(FILE, FILESET, PATH, 12, "application/pdf", T, Optional.empty(),
                Optional.empty(), true, Optional.of(DOC));
        assertThat(pushed).hasToString("VsrxFile[id=file-1, fileset=fs-1, size=12, deleted=true, origin=" + DOC + "]");
    }

    @Test
    void filesetPrintsWhetherLinkedNotWhom() {
        VsrxFileset fs = new VsrxFileset(FILESET, PatientId.of(PATIENT), Optional.of(PatientUuid.of(PATIENT_UUID)),
                List.of(PatientId.of("P-0001")), T);
        leaksNothing(fs);
        assertThat(fs.toString()).doesNotContain("P-0001")
                .isEqualTo("VsrxFileset[id=fs-1, linked=true, updatedAt=" + T + "]");
        PatientFilesetRecord r = new PatientFilesetRecord(FILESET, PatientUuid.of(PATIENT_UUID),
                List.of(PatientId.of(PATIENT)), T);
        leaksNothing(r);
        assertThat(r).hasToString("PatientFilesetRecord[filesetId=fs-1, lastSyncedAt=" + T + "]");
    }

    @Test
    void documentsPrintIdsAndHashesOnly() {
        DocumentMetadata meta = DocumentMetadata.synced(FILE, PATH, List.of(PatientId.of(PATIENT)));
        leaksNothing(meta);
        assertThat(meta).hasToString("DocumentMetadata[vsrxReference=file-1, sourceSystem=VSRX_SYNC, "
                + "groupingStatus=ungrouped]");
        assertThat(meta.withMigratedFrom(Optional.of(FilesetId.of("fs-0"))).toString())
                .isEqualTo("DocumentMetadata[vsrxReference=file-1, sourceSystem=VSRX_SYNC, "
                        + "groupingStatus=ungrouped, migratedFrom=fs-0]");
        SilknoteDocument doc = new SilknoteDocument(DOC, PatientUuid.of(PATIENT_UUID), FILESET, FILE, HASH, 5,
                "application/pdf", meta, T);
        leaksNothing(doc);
        assertThat(doc).hasToString("SilknoteDocument[uuid=" + DOC + ", fileset=fs-1, clientFileId=file-1, hash="
                + HASH + ", size=5]");
        AuthoredDocument authored = new AuthoredDocument(DOC, PatientUuid.of(PATIENT_UUID), Optional.of(FILESET),
                HASH, 5, "application/pdf", Optional.of("Befund Müller"), "SILKNOTE", "ungrouped", T);
        leaksNothing(authored);
        assertThat(authored).hasToString("AuthoredDocument[uuid=" + DOC + ", fileset=fs-1, hash=" + HASH
                + ", size=5, sourceSystem=SILKNOTE]");
        AuthoredDocument unfiled = new AuthoredDocument(DOC, PatientUuid.of(PATIENT_UUID), Optional.empty(), HASH, 5,
                "application/pdf", Optional.empty(), "SILKNOTE", "ungrouped", T);
        assertThat(unfiled.toString()).contains("fileset=-,");
    }

    @Test
    void reportsAndWritesRedactThePath() {
        FileReport r = FileReport.of(FILE, FileAction.CREATED).withPath(PATH);
        leaksNothing(r);
        assertThat(r.path()).contains(PATH);
        assertThat(r).hasToString("FileReport[fileId=file-1, action=CREATED, skipReason=Optional.empty, "
                + "detail=Optional.empty, bytes=0, path=[redacted]]");
        assertThat(FileReport.of(FILE, FileAction.CREATED).toString()).doesNotContain("path");
        NewVsrxFile n = new NewVsrxFile(FILESET, PATH, "application/pdf", DOC);
        leaksNothing(n);
        assertThat(n).hasToString("NewVsrxFile[fileset=fs-1, origin=" + DOC + "]");
        SilknoteChange c = new SilknoteChange(7, DOC, PatientUuid.of(PATIENT_UUID), Optional.of(FILESET), true);
        leaksNothing(c);
        assertThat(c).hasToString("SilknoteChange[position=7, document=" + DOC + ", fileset=fs-1, removed=true]");
        assertThat(new SilknoteChange(7, DOC, PatientUuid.of(PATIENT_UUID), Optional.empty(), false).toString())
                .contains("fileset=-,");
    }

    @Test
    void contentAndVectorsPrintSizesNotBytes() {
        FileContent content = new FileContent(new ByteArrayInputStream("Befund".getBytes()), Optional.of("\"e\""),
                OptionalLong.of(6), Optional.empty());
        leaksNothing(content);
        assertThat(content).hasToString("FileContent[etag=true, length=OptionalLong[6]]");
        VectorEntry v = new VectorEntry(DOC, 2, HASH, new float[] {0.5f, 0.25f, 0.125f});
        assertThat(v).hasToString("VectorEntry[document=" + DOC + ", ordinal=2, dims=3]");
    }

    @Test
    @DisplayName("rule 7: closing content closes its stream; a failing close is reported unchecked")
    void fileContentClose() {
        boolean[] closed = {false};
        FileContent ok = new FileContent(new FilterInputStream(new ByteArrayInputStream(new byte[1])) {
            @Override
            public void close() {
                closed[0] = true;
            }
        }, Optional.empty(), OptionalLong.empty(), Optional.empty());
        ok.close();
        assertThat(closed[0]).isTrue();
        FileContent failing = new FileContent(new FilterInputStream(new ByteArrayInputStream(new byte[1])) {
            @Override
            public void close() throws IOException {
                throw new IOException("disk");
            }
        }, Optional.empty(), OptionalLong.empty(), Optional.empty());
        assertThatThrownBy(failing::close).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    @DisplayName("records keep their own copies: a caller's list or array changed later changes nothing")
    void defensiveCopies() {
        List<PatientId> history = new ArrayList<>(List.of(PatientId.of(PATIENT)));
        DocumentMetadata meta = DocumentMetadata.synced(FILE, PATH, history);
        VsrxFileset fs = new VsrxFileset(FILESET, PatientId.of("P-2"), Optional.empty(), history, T);
        PatientFilesetRecord rec = new PatientFilesetRecord(FILESET, PatientUuid.of(PATIENT_UUID), history, T);
        history.add(PatientId.of("P-9"));
        assertThat(meta.patientIdHistory()).containsExactly(PatientId.of(PATIENT));
        assertThat(fs.previousPatientIds()).containsExactly(PatientId.of(PATIENT));
        assertThat(fs.patientIdHistory()).containsExactly(PatientId.of(PATIENT), PatientId.of("P-2"));
        assertThat(rec.patientIdHistory()).containsExactly(PatientId.of(PATIENT));
        float[] e = {1f, 2f};
        VectorEntry v = new VectorEntry(DOC, 0, HASH, e);
        e[0] = 9f;
        assertThat(v.embedding()).containsExactly(1f, 2f);
        v.embedding()[1] = 9f;
        assertThat(v.embedding()).containsExactly(1f, 2f);
        assertThatThrownBy(() -> new VectorEntry(DOC, -1, HASH, e)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new VectorEntry(DOC, 0, HASH, new float[] {1f, 2f})).isEqualTo(v)
                .hasSameHashCodeAs(new VectorEntry(DOC, 0, HASH, new float[] {1f, 2f}));
        assertThat(v).isNotEqualTo(new VectorEntry(DOC, 1, HASH, new float[] {1f, 2f}))
                .isNotEqualTo(new VectorEntry(DOC, 0, HASH, new float[] {1f, 3f}))
                .isNotEqualTo(new VectorEntry(DocumentUuid.forVsrxFile(VsrxFileId.of("x")), 0, HASH,
                        new float[] {1f, 2f}))
                .isNotEqualTo(new VectorEntry(DOC, 0, ContentHash.ofHex("cd".repeat(32)), new float[] {1f, 2f}))
                .isNotEqualTo("v");
        assertThat(v.hashCode()).isNotEqualTo(new VectorEntry(DOC, 1, HASH, new float[] {1f, 2f}).hashCode());
    }

    @Test
    @DisplayName("issue 14: the origin marker round-trips; anything else is no origin")
    void origins() {
        String marker = VsrxFile.originOf(DOC);
        assertThat(marker).isEqualTo("silknote:" + DOC.value());
        assertThat(VsrxFile.parseOrigin(marker)).contains(DOC);
        assertThat(VsrxFile.parseOrigin(null)).isEmpty();
        assertThat(VsrxFile.parseOrigin(DOC.value().toString())).isEmpty();
        assertThat(VsrxFile.parseOrigin("silknote:not-a-uuid")).isEmpty();
        assertThat(VsrxFile.parseOrigin(marker + "0")).isEmpty();
    }
}
