package com.silknote.sync.core.diff;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.ChangeDetectionMode;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VanishedFilePolicy;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.path.PathVerdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class DiffEngineTest {
    static final FilesetId FS = FilesetId.of("fs-1");
    static final PatientUuid PATIENT = new PatientUuid(UUID.fromString("00000000-0000-0000-0000-000000000001"));
    static final List<PatientId> HISTORY = List.of(PatientId.of("P1"));
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant T1 = Instant.parse("2026-01-02T00:00:00Z");
    static final Function<String, PathVerdict> PATHS = p -> p.startsWith("notes/") && !p.contains("..")
            ? PathVerdict.accept(p) : PathVerdict.reject(PathVerdict.Reason.NOT_UNDER_NOTES);

    static ContentHash hash(int n) {
        String hex = Integer.toHexString(n);
        return ContentHash.ofHex("0".repeat(64 - hex.length()) + hex);
    }

    static VsrxFile file(String id, String etag, long size, Instant modified) {
        return new VsrxFile(VsrxFileId.of(id), FS, "notes/" + id + ".txt", size, "text/plain", modified,
                Optional.ofNullable(etag), Optional.empty(), false);
    }

    static VsrxFile with(VsrxFile f, String path, String mime, Optional<ContentHash> sha, boolean deleted) {
        return new VsrxFile(f.id(), f.filesetId(), path, f.size(), mime, f.modifiedAt(), f.etag(), sha, deleted);
    }

    static SyncMapping mapping(VsrxFile f, ContentHash h) {
        return new SyncMapping(f.id(), DocumentUuid.forVsrxFile(f.id()), f.id(), FS, f.etag(), f.modifiedAt(),
                f.size(), h, T0);
    }

    static SilknoteDocument doc(VsrxFile f, ContentHash h) {
        return new SilknoteDocument(DocumentUuid.forVsrxFile(f.id()), PATIENT, FS, f.id(), h, f.size(), "text/plain",
                DocumentMetadata.synced(f.id(), f.path(), HISTORY), T0);
    }

    static SilknoteDocument grouped(SilknoteDocument d) {
        DocumentMetadata m = d.metadata();
        return new SilknoteDocument(d.uuid(), d.patientUuid(), d.filesetId(), d.clientFileId(), d.contentHash(),
                d.size(), d.mimeType(), new DocumentMetadata(m.vsrxReference(), m.originalPath(), m.sourceSystem(),
                        "grouped", m.patientIdHistory()), d.updatedAt());
    }

    /** A fileset world: synced files (mapping + document) and the current listing. */
    private final List<VsrxFile> listing = new ArrayList<>();
    private final List<SyncMapping> mappings = new ArrayList<>();
    private final List<SilknoteDocument> documents = new ArrayList<>();
    private final Map<VsrxFileId, PermanentSkip> skips = new HashMap<>();
    private DiffPolicy policy = new DiffPolicy(ChangeDetectionMode.METADATA, VanishedFilePolicy.REPORT, 1000,
            Set.of("text/plain", "application/pdf"), PATHS);

    private void synced(VsrxFile f, ContentHash h) {
        mappings.add(mapping(f, h));
        documents.add(doc(f, h));
    }

    private Plan plan() {
        return new DiffEngine(policy).plan(new DiffInput(PATIENT, HISTORY, listing, mappings, documents, skips));
    }

    private FilePlan only(String id) {
        return plan().files().stream().filter(p -> p.fileId().value().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no plan entry for " + id));
    }

    /** Issue 12: a listed file with nothing to do and nothing to report is counted, not an entry. */
    private void assertCountedUnchanged(String id) {
        Plan plan = plan();
        assertThat(listing).extracting(f -> f.id().value()).contains(id);
        assertThat(plan.files()).extracting(p -> p.fileId().value()).doesNotContain(id);
        assertThat(plan.unchanged()).isPositive();
        assertThat(plan.count(PlanAction.UNCHANGED)).isEqualTo(plan.unchanged()
                + plan.files().stream().filter(p -> p.action() == PlanAction.UNCHANGED).count());
    }

    /** The document of {@code f} as the re-booking migration leaves it: another fileset, patient and history. */
    static SilknoteDocument migrated(VsrxFile f, ContentHash h) {
        SilknoteDocument d = doc(f, h);
        return new SilknoteDocument(d.uuid(), new PatientUuid(UUID.fromString("00000000-0000-0000-0000-000000000002")),
                FilesetId.of("fs-new"), d.clientFileId(), h, d.size(), d.mimeType(), d.metadata()
                        .withPatientIdHistory(List.of(PatientId.of("P1"), PatientId.of("P2")))
                        .withMigratedFrom(Optional.of(FS)), T0);
    }

    @Test
    void aMigratedDocumentOfAnUnchangedFileIsUnchangedNotRelinked() {
        // DESIGN rule 13: the owner it was moved to is not drift, nor a re-link to move it back
        VsrxFile f = file("a", "e1", 10, T0);
        mappings.add(mapping(f, hash(1)));
        documents.add(migrated(f, hash(1)));
        listing.add(f);
        assertCountedUnchanged("a");
    }

    @Test
    void aMigratedDocumentFollowsItsFilesChangesAndRenames() {
        VsrxFile f = file("a", "e1", 10, T0);
        VsrxFile g = file("b", "e1", 10, T0);
        mappings.add(mapping(f, hash(1)));
        documents.add(migrated(f, hash(1)));
        mappings.add(mapping(g, hash(2)));
        documents.add(migrated(g, hash(2)));
        listing.add(file("a", "e2", 10, T0));
        listing.add(with(g, "notes/b-renamed.txt", "text/plain", Optional.empty(), false));
        assertThat(only("a").action()).isEqualTo(PlanAction.UPDATE);
        assertThat(only("a").detail()).isEmpty();
        assertThat(only("b").action()).isEqualTo(PlanAction.METADATA_ONLY);
        assertThat(only("b").detail()).contains("metadata-drift");
    }

    @Test
    void aMigratedDocumentOfAVanishedFileIsReportedVanishedNotMoved() {
        VsrxFile f = file("a", "e1", 10, T0);
        mappings.add(mapping(f, hash(1)));
        documents.add(migrated(f, hash(1)));
        assertThat(only("a").action()).isEqualTo(PlanAction.VANISHED);
    }

    @Test
    void documentsMigratedHereAreNotVanishedFromTheNewFileset() {
        // DESIGN rule 13: the new fileset holds the moved documents without their mappings (those stay with the
        // VSRX fileset the files live in): nothing vanished here. A document that lost its mapping otherwise does.
        VsrxFile moved = file("a", "e1", 10, T0);
        documents.add(migrated(moved, hash(1)));
        VsrxFile lost = file("b", "e1", 10, T0);
        documents.add(doc(lost, hash(2)));
        assertThat(plan().files()).as("inputs in file id order (one merge)")
                .extracting(p -> p.fileId().value()).containsExactly("b");
        assertThat(only("b").action()).isEqualTo(PlanAction.VANISHED);
        java.util.Collections.reverse(documents);
        assertThat(plan().files()).as("inputs in another order (hashed)")
                .extracting(p -> p.fileId().value()).containsExactly("b");
    }

    @Test
    void newFileIsCreatedWithNormalizedPath() {
        listing.add(file("a", "e1", 10, T0));
        FilePlan p = only("a");
        assertThat(p.action()).isEqualTo(PlanAction.CREATE);
        assertThat(p.normalizedPath()).contains("notes/a.txt");
        assertThat(p.action().needsDownload()).isTrue();
    }

    @Test
    void sameEtagIsUnchangedEvenWhenModifiedAtMoved() {
        VsrxFile f = file("a", "e1", 10, T0);
        synced(f, hash(1));
        listing.add(file("a", "e1", 10, T1));
        assertCountedUnchanged("a");
    }

    @Test
    void newEtagIsAnUpdate() {
        synced(file("a", "e1", 10, T0), hash(1));
        listing.add(file("a", "e2", 10, T0));
        assertThat(only("a").action()).isEqualTo(PlanAction.UPDATE);
    }

    @Test
    void withoutEtagModifiedAtAndSizeDecide() {
        synced(file("a", null, 10, T0), hash(1));
        synced(file("b", null, 10, T0), hash(2));
        synced(file("c", null, 10, T0), hash(3));
        listing.add(file("a", null, 10, T0));
        listing.add(file("b", null, 10, T1));
        listing.add(file("c", null, 11, T0));
        assertCountedUnchanged("a");
        assertThat(only("b").action()).isEqualTo(PlanAction.UPDATE);
        assertThat(only("c").action()).isEqualTo(PlanAction.UPDATE);
    }

    @Test
    void etagOnlyOnOneSideFallsBackToModifiedAtAndSize() {
        synced(file("a", null, 10, T0), hash(1));
        listing.add(file("a", "now-has-etag", 10, T0));
        assertCountedUnchanged("a");
    }

    @Test
    @org.junit.jupiter.api.DisplayName("rule 3 / issue 9.3: a declared hash equal to the synced one never skips the download")
    void changedVersionWithDeclaredSameHashIsDownloadedToCompare() {
        VsrxFile f = file("a", "e1", 10, T0);
        synced(f, hash(1));
        listing.add(with(file("a", "e2", 10, T1), f.path(), "text/plain", Optional.of(hash(1)), false));
        FilePlan p = only("a");
        assertThat(p.action()).isEqualTo(PlanAction.UPDATE);
        assertThat(p.action().needsDownload()).isTrue();
    }

    @Test
    void renamedFileWithSameVersionIsMetadataOnly() {
        VsrxFile f = file("a", "e1", 10, T0);
        synced(f, hash(1));
        listing.add(with(f, "notes/renamed.txt", "text/plain", Optional.empty(), false));
        FilePlan p = only("a");
        assertThat(p.action()).isEqualTo(PlanAction.METADATA_ONLY);
        assertThat(p.normalizedPath()).contains("notes/renamed.txt");
    }

    @Test
    void changedPatientHistoryIsMetadataOnly() {
        VsrxFile f = file("a", "e1", 10, T0);
        mappings.add(mapping(f, hash(1)));
        SilknoteDocument d = doc(f, hash(1));
        documents.add(new SilknoteDocument(d.uuid(), d.patientUuid(), FS, f.id(), hash(1), 10, "text/plain",
                DocumentMetadata.synced(f.id(), f.path(), List.of()), T0));
        listing.add(f);
        assertThat(only("a").action()).isEqualTo(PlanAction.METADATA_ONLY);
    }

    @Test
    @org.junit.jupiter.api.DisplayName("issue 9.3: FULL_HASH downloads every live synced file, declared hash or not")
    void fullHashModeDownloadsEveryLiveSyncedFileToVerify() {
        policy = new DiffPolicy(ChangeDetectionMode.FULL_HASH, VanishedFilePolicy.REPORT, 1000, Set.of("text/plain"),
                PATHS);
        VsrxFile a = file("a", "e1", 10, T0);
        VsrxFile b = file("b", "e1", 10, T0);
        VsrxFile c = file("c", "e1", 10, T0);
        synced(a, hash(1));
        synced(b, hash(2));
        synced(c, hash(3));
        listing.add(with(a, a.path(), "text/plain", Optional.of(hash(99)), false));
        listing.add(with(b, b.path(), "text/plain", Optional.of(hash(2)), false));
        listing.add(c);
        for (String id : List.of("a", "b", "c")) {
            assertThat(only(id).action()).as(id).isEqualTo(PlanAction.UPDATE);
            assertThat(only(id).detail()).as(id).contains("verify-hash");
        }
    }

    @Test
    void metadataModeIgnoresDeclaredHashWhenVersionIsUnchanged() {
        VsrxFile a = file("a", "e1", 10, T0);
        synced(a, hash(1));
        listing.add(with(a, a.path(), "text/plain", Optional.of(hash(99)), false));
        assertCountedUnchanged("a");
    }

    @Test
    void onlyDeletedTrueDeletes() {
        VsrxFile a = file("a", "e1", 10, T0);
        synced(a, hash(1));
        listing.add(with(a, a.path(), "text/plain", Optional.empty(), true));
        listing.add(with(file("never", "e1", 1, T0), "notes/never.txt", "text/plain", Optional.empty(), true));
        assertThat(only("a").action()).isEqualTo(PlanAction.DELETE);
        // issue 9.3: reported, not counted: nothing is left to delete
        assertThat(only("never").action()).isEqualTo(PlanAction.UNCHANGED);
        assertThat(only("never").detail()).contains(DiffEngine.DETAIL_DELETED_NOT_IN_SILKNOTE);
    }

    @Test
    void vanishedFileIsReportedOrDeletedByPolicy() {
        synced(file("gone", "e1", 10, T0), hash(1));
        assertThat(only("gone").action()).isEqualTo(PlanAction.VANISHED);
        assertThat(only("gone").file()).isEmpty();

        policy = new DiffPolicy(ChangeDetectionMode.METADATA, VanishedFilePolicy.DELETE, 1000, Set.of("text/plain"),
                PATHS);
        assertThat(only("gone").action()).isEqualTo(PlanAction.DELETE);
    }

    @Test
    void userModifiedDocumentIsAConflictWhenTheFileChangedOrWasDeleted() {
        VsrxFile a = file("a", "e1", 10, T0);
        VsrxFile b = file("b", "e1", 10, T0);
        VsrxFile c = file("c", "e1", 10, T0);
        for (VsrxFile f : List.of(a, b, c)) {
            mappings.add(mapping(f, hash(1)));
            documents.add(grouped(doc(f, hash(1))));
        }
        listing.add(file("a", "e2", 10, T0));
        listing.add(with(b, b.path(), "text/plain", Optional.empty(), true));
        listing.add(c);
        assertThat(only("a").action()).isEqualTo(PlanAction.CONFLICT);
        assertThat(only("b").action()).isEqualTo(PlanAction.CONFLICT);
        assertCountedUnchanged("c");

        policy = new DiffPolicy(ChangeDetectionMode.METADATA, VanishedFilePolicy.DELETE, 1000, Set.of("text/plain"),
                PATHS);
        listing.remove(2);
        assertThat(only("c").action()).isEqualTo(PlanAction.CONFLICT);
    }

    @Test
    void rememberedSkipOfTheSameVersionIsNotDownloadedAgain() {
        VsrxFile a = file("a", "e1", 10, T0);
        listing.add(a);
        skips.put(a.id(), new PermanentSkip(a.id(), FS, ChangeDetection.versionKey(a), SkipReason.TYPE_MISMATCH, T0));
        FilePlan p = only("a");
        assertThat(p.action()).isEqualTo(PlanAction.SKIP);
        assertThat(p.skipReason()).contains(SkipReason.REMEMBERED_SKIP);
        assertThat(p.detail()).contains("TYPE_MISMATCH");

        listing.set(0, file("a", "e2", 10, T0));
        assertThat(only("a").action()).isEqualTo(PlanAction.CREATE);
    }

    @Test
    void metadataDecidableRejectionsHappenBeforeDownload() {
        listing.add(with(file("path", "e", 1, T0), "notes/../secret", "text/plain", Optional.empty(), false));
        listing.add(file("big", "e", 1001, T0));
        listing.add(with(file("exe", "e", 1, T0), "notes/x.exe", "application/x-msdownload", Optional.empty(), false));
        listing.add(with(file("pdf", "e", 1, T0), "notes/x.pdf", "Application/PDF; charset=binary", Optional.empty(),
                false));
        assertThat(only("path").skipReason()).contains(SkipReason.INVALID_PATH);
        assertThat(only("path").detail()).contains("NOT_UNDER_NOTES");
        assertThat(only("big").skipReason()).contains(SkipReason.TOO_LARGE);
        assertThat(only("exe").skipReason()).contains(SkipReason.UNSUPPORTED_TYPE);
        assertThat(only("pdf").action()).isEqualTo(PlanAction.CREATE);
    }

    @Test
    void documentWithoutMappingIsRecreatedUnderTheSameUuid() {
        VsrxFile a = file("a", "e1", 10, T0);
        documents.add(doc(a, hash(1)));
        listing.add(a);
        FilePlan p = only("a");
        assertThat(p.action()).isEqualTo(PlanAction.CREATE);
        assertThat(p.document()).isPresent();
    }

    @Test
    void planKeepsListingOrderThenVanishedById() {
        synced(file("z-gone", "e", 1, T0), hash(1));
        synced(file("m-gone", "e", 1, T0), hash(2));
        listing.add(file("b", "e", 1, T0));
        listing.add(file("a", "e", 1, T0));
        listing.add(file("b", "e", 1, T0));
        Plan plan = new DiffEngine(policy).plan(new DiffInput(PATIENT, HISTORY, listing, mappings, documents, skips));
        assertThat(plan.files()).extracting(p -> p.fileId().value()).containsExactly("b", "a", "m-gone", "z-gone");
        assertThat(plan.bytesToDownload()).isEqualTo(2);
        assertThat(plan.count(PlanAction.VANISHED)).isEqualTo(2);
    }

    @Test
    void largeFilesetsArePlannedInOnePass() {
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            VsrxFile f = file("f" + (10_000_000 + i), "e" + i, 10, T0);
            if (i % 2 == 0) {
                DocumentUuid uuid = new DocumentUuid(new UUID(0, i));
                mappings.add(new SyncMapping(f.id(), uuid, f.id(), FS, f.etag(), T0, 10, hash(i), T0));
                documents.add(new SilknoteDocument(uuid, PATIENT, FS, f.id(), hash(i), 10, "text/plain",
                        DocumentMetadata.synced(f.id(), f.path(), HISTORY), T0));
            }
            listing.add(i % 10 == 0 ? file(f.id().value(), "new", 10, T0) : f);
        }
        int[] pathChecks = {0};
        policy = new DiffPolicy(ChangeDetectionMode.METADATA, VanishedFilePolicy.REPORT, 1000, Set.of("text/plain"),
                p -> {
                    pathChecks[0]++;
                    return PATHS.apply(p);
                });
        Plan plan = new DiffEngine(policy).plan(new DiffInput(PATIENT, HISTORY, listing, mappings, documents, skips));
        // issue 12: entries only for the files with something to do; the unchanged ones are counted
        assertThat(plan.files()).hasSize(n / 2 + n / 10);
        assertThat(plan.size()).isEqualTo(n);
        assertThat(plan.unchanged()).isEqualTo(n / 2 - n / 10);
        assertThat(plan.count(PlanAction.UPDATE)).isEqualTo(n / 10);
        assertThat(plan.count(PlanAction.CREATE)).isEqualTo(n / 2);
        assertThat(plan.count(PlanAction.UNCHANGED)).isEqualTo(n / 2 - n / 10);
        // each file is looked at once: unchanged files need no path validation at all
        assertThat(pathChecks[0]).isEqualTo(n / 2 + n / 10);
    }

    @Test
    @org.junit.jupiter.api.DisplayName("issue 12.1: unchanged files are counted, never planned one by one")
    void unchangedFilesAreCountedNotPlanned() {
        for (int i = 0; i < 1000; i++) {
            VsrxFile f = file("u" + i, "e" + i, 10, T0);
            synced(f, hash(i));
            listing.add(f);
        }
        Plan plan = plan();
        assertThat(plan.files()).isEmpty();
        assertThat(plan.unchanged()).isEqualTo(1000);
        assertThat(plan.count(PlanAction.UNCHANGED)).isEqualTo(1000);
        assertThat(plan.counts()).containsExactly(Map.entry(PlanAction.UNCHANGED, 1000L));
        assertThat(plan.writesNothing()).isTrue();
    }

    @Test
    @org.junit.jupiter.api.DisplayName("issue 12.1: a user-modified unchanged document is counted; a deleted file Silknote holds nothing of is a reported entry (issue 9.3)")
    void unchangedEntriesRemainOnlyWhereSomethingIsWritten() {
        VsrxFile a = file("a", "e1", 10, T0);
        mappings.add(mapping(a, hash(1)));
        documents.add(grouped(doc(a, hash(1))));
        listing.add(a);
        VsrxFile gone = with(file("gone", "e1", 1, T0), "notes/gone.txt", "text/plain", Optional.empty(), true);
        listing.add(gone);
        skips.put(gone.id(), new PermanentSkip(gone.id(), FS, "etag:e0", SkipReason.TYPE_MISMATCH, T0));
        Plan plan = plan();
        assertThat(plan.unchanged()).isEqualTo(1);
        assertThat(plan.files()).singleElement().satisfies(p -> {
            assertThat(p.fileId().value()).isEqualTo("gone");
            assertThat(p.action()).isEqualTo(PlanAction.UNCHANGED);
            assertThat(p.detail()).contains(DiffEngine.DETAIL_DELETED_NOT_IN_SILKNOTE);
        });
        assertThat(plan.count(PlanAction.UNCHANGED)).isEqualTo(2);
    }

    @Test
    void aPlanBuiltFromEntriesCountsNothingElse() {
        FilePlan p = new FilePlan(VsrxFileId.of("x"), PlanAction.VANISHED, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        Plan plan = new Plan(List.of(p));
        assertThat(plan.unchanged()).isZero();
        assertThat(plan.size()).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Plan(List.of(), -1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
