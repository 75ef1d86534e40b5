package com.silknote.sync.core.diff;

import static com.silknote.sync.core.diff.DiffEngineTest.T0;
import static com.silknote.sync.core.diff.DiffEngineTest.doc;
import static com.silknote.sync.core.diff.DiffEngineTest.file;
import static com.silknote.sync.core.diff.DiffEngineTest.hash;
import static com.silknote.sync.core.diff.DiffEngineTest.mapping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The plan values the engine acts on (DESIGN rules 1–7) and their redaction (no path in {@code toString}). */
class PlanTest {
    private static final VsrxFile F = file("a", "e1", 10, T0);

    private static FilePlan plan(VsrxFile f, PlanAction action) {
        return new FilePlan(f.id(), action, Optional.of(f), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(f.path()));
    }

    private static FilePlan skip(VsrxFile f, SkipReason reason) {
        return new FilePlan(f.id(), PlanAction.SKIP, Optional.of(f), Optional.empty(), Optional.empty(),
                Optional.of(reason), Optional.of("detail-code"), Optional.empty());
    }

    @Test
    @DisplayName("only creates, updates, metadata-only updates and deletes write; only creates and updates download")
    void whatEachActionDoes() {
        EnumSet<PlanAction> writing = EnumSet.noneOf(PlanAction.class);
        EnumSet<PlanAction> downloading = EnumSet.noneOf(PlanAction.class);
        for (PlanAction a : PlanAction.values()) {
            if (a.writes()) {
                writing.add(a);
            }
            if (a.needsDownload()) {
                downloading.add(a);
            }
        }
        assertThat(writing).containsExactlyInAnyOrder(PlanAction.CREATE, PlanAction.UPDATE, PlanAction.METADATA_ONLY,
                PlanAction.DELETE);
        assertThat(downloading).containsExactlyInAnyOrder(PlanAction.CREATE, PlanAction.UPDATE);
    }

    @Test
    @DisplayName("rule 7: a plan writes nothing unless it changes a document or remembers a permanent skip")
    void aPlanWritesWhenItChangesADocumentOrRemembersASkip() {
        VsrxFile b = file("b", "e2", 20, T0);
        assertThat(new Plan(List.of()).writesNothing()).isTrue();
        assertThat(new Plan(List.of(plan(F, PlanAction.UNCHANGED), plan(b, PlanAction.VANISHED))).writesNothing())
                .isTrue();
        assertThat(new Plan(List.of(plan(F, PlanAction.UNCHANGED), skip(b, SkipReason.REMEMBERED_SKIP)))
                .writesNothing()).as("a skip already remembered").isTrue();
        assertThat(new Plan(List.of(skip(b, SkipReason.TRUNCATED))).writesNothing())
                .as("a transient skip is not remembered").isTrue();
        assertThat(new Plan(List.of(plan(F, PlanAction.UNCHANGED), skip(b, SkipReason.TOO_LARGE))).writesNothing())
                .as("a permanent skip is remembered").isFalse();
        for (PlanAction a : List.of(PlanAction.CREATE, PlanAction.UPDATE, PlanAction.METADATA_ONLY,
                PlanAction.DELETE)) {
            assertThat(new Plan(List.of(plan(b, PlanAction.UNCHANGED), plan(F, a))).writesNothing()).as("%s", a)
                    .isFalse();
        }
    }

    @Test
    void countsAndBytesToDownload() {
        VsrxFile b = file("b", "e2", 20, T0);
        VsrxFile c = file("c", "e3", 300, T0);
        VsrxFile d = file("d", "e4", 4000, T0);
        Plan p = new Plan(List.of(plan(F, PlanAction.CREATE), plan(b, PlanAction.UPDATE),
                plan(c, PlanAction.METADATA_ONLY), plan(d, PlanAction.CREATE)));
        assertThat(p.count(PlanAction.CREATE)).isEqualTo(2);
        assertThat(p.count(PlanAction.DELETE)).isZero();
        assertThat(p.counts()).isEqualTo(Map.of(PlanAction.CREATE, 2L, PlanAction.UPDATE, 1L,
                PlanAction.METADATA_ONLY, 1L));
        assertThat(p.bytesToDownload()).as("listed sizes of creates and updates").isEqualTo(10 + 20 + 4000);
    }

    @Test
    @DisplayName("a skip reason is set exactly for SKIP")
    void skipReasonExactlyForSkip() {
        assertThatThrownBy(() -> new FilePlan(F.id(), PlanAction.SKIP, Optional.of(F), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FilePlan(F.id(), PlanAction.CREATE, Optional.of(F), Optional.empty(),
                Optional.empty(), Optional.of(SkipReason.EMPTY), Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(skip(F, SkipReason.EMPTY).skipReason()).contains(SkipReason.EMPTY);
    }

    @Test
    void aVanishedFileHasNoListing() {
        FilePlan vanished = new FilePlan(F.id(), PlanAction.VANISHED, Optional.empty(),
                Optional.of(mapping(F, hash(1))), Optional.of(doc(F, hash(1))), Optional.empty(), Optional.empty(),
                Optional.empty());
        assertThat(vanished.file()).isEmpty();
        assertThatThrownBy(vanished::listed).isInstanceOf(NoSuchElementException.class);
        assertThat(plan(F, PlanAction.CREATE).listed()).isSameAs(F);
    }

    @Test
    @DisplayName("equal exactly when every part is equal")
    void valueEquality() {
        FilePlan a = new FilePlan(F.id(), PlanAction.UPDATE, Optional.of(F), Optional.of(mapping(F, hash(1))),
                Optional.of(doc(F, hash(1))), Optional.empty(), Optional.of("verify-hash"), Optional.of(F.path()));
        FilePlan same = new FilePlan(F.id(), PlanAction.UPDATE, Optional.of(F), Optional.of(mapping(F, hash(1))),
                Optional.of(doc(F, hash(1))), Optional.empty(), Optional.of("verify-hash"), Optional.of(F.path()));
        assertThat(a).isEqualTo(a).isEqualTo(same).hasSameHashCodeAs(same);
        assertThat(a).isNotEqualTo(null).isNotEqualTo("FilePlan");
        VsrxFile other = file("a", "e9", 10, T0);
        List<FilePlan> different = List.of(
                new FilePlan(VsrxFileId.of("z"), PlanAction.UPDATE, Optional.of(F), Optional.of(mapping(F, hash(1))),
                        Optional.of(doc(F, hash(1))), Optional.empty(), Optional.of("verify-hash"),
                        Optional.of(F.path())),
                new FilePlan(F.id(), PlanAction.CREATE, Optional.of(F), Optional.of(mapping(F, hash(1))),
                        Optional.of(doc(F, hash(1))), Optional.empty(), Optional.of("verify-hash"),
                        Optional.of(F.path())),
                new FilePlan(F.id(), PlanAction.UPDATE, Optional.of(other), Optional.of(mapping(F, hash(1))),
                        Optional.of(doc(F, hash(1))), Optional.empty(), Optional.of("verify-hash"),
                        Optional.of(F.path())),
                new FilePlan(F.id(), PlanAction.UPDATE, Optional.of(F), Optional.of(mapping(F, hash(2))),
                        Optional.of(doc(F, hash(1))), Optional.empty(), Optional.of("verify-hash"),
                        Optional.of(F.path())),
                new FilePlan(F.id(), PlanAction.UPDATE, Optional.of(F), Optional.of(mapping(F, hash(1))),
                        Optional.of(doc(F, hash(2))), Optional.empty(), Optional.of("verify-hash"),
                        Optional.of(F.path())),
                new FilePlan(F.id(), PlanAction.UPDATE, Optional.of(F), Optional.of(mapping(F, hash(1))),
                        Optional.of(doc(F, hash(1))), Optional.empty(), Optional.empty(), Optional.of(F.path())),
                new FilePlan(F.id(), PlanAction.UPDATE, Optional.of(F), Optional.of(mapping(F, hash(1))),
                        Optional.of(doc(F, hash(1))), Optional.empty(), Optional.of("verify-hash"),
                        Optional.of("notes/elsewhere.txt")));
        for (FilePlan d : different) {
            assertThat(a).as("%s", d).isNotEqualTo(d);
        }
        assertThat(skip(F, SkipReason.EMPTY)).isNotEqualTo(skip(F, SkipReason.TOO_LARGE))
                .isEqualTo(skip(F, SkipReason.EMPTY));
    }

    @Test
    @DisplayName("toString shows ids and codes, never the path (patient data)")
    void toStringIsRedacted() {
        VsrxFile secret = DiffEngineTest.with(F, "notes/Jane Doe cancer.txt", "text/plain", Optional.empty(), false);
        FilePlan p = new FilePlan(secret.id(), PlanAction.SKIP, Optional.of(secret), Optional.empty(),
                Optional.empty(), Optional.of(SkipReason.TOO_LARGE), Optional.of("size 11 > 10"),
                Optional.of(secret.path()));
        assertThat(p.toString()).isEqualTo("FilePlan[file=a, action=SKIP, reason=TOO_LARGE, detail=size 11 > 10]")
                .doesNotContain("Jane");
        assertThat(plan(secret, PlanAction.CREATE).toString()).isEqualTo("FilePlan[file=a, action=CREATE]");
    }

    @Test
    @DisplayName("a plan keeps its own copy of the list it was given")
    void aPlanIsNotChangedThroughTheListItWasMadeFrom() {
        java.util.ArrayList<FilePlan> list = new java.util.ArrayList<>(List.of(plan(F, PlanAction.CREATE)));
        Plan p = new Plan(list);
        list.add(plan(file("b", "e2", 20, T0), PlanAction.DELETE));
        assertThat(p.files()).hasSize(1);
        assertThat(p.writesNothing()).isFalse();
        assertThat(p.count(PlanAction.DELETE)).isZero();
    }

    @Test
    @DisplayName("rule 7: the size limit is at least one byte")
    void theSizeLimitIsAtLeastOneByte() {
        assertThat(new DiffPolicy(com.silknote.sync.core.model.ChangeDetectionMode.METADATA,
                com.silknote.sync.core.model.VanishedFilePolicy.REPORT, 1, java.util.Set.of("text/plain"),
                DiffEngineTest.PATHS).maxFileSizeBytes()).isEqualTo(1);
        assertThatThrownBy(() -> new DiffPolicy(com.silknote.sync.core.model.ChangeDetectionMode.METADATA,
                com.silknote.sync.core.model.VanishedFilePolicy.REPORT, 0, java.util.Set.of("text/plain"),
                DiffEngineTest.PATHS)).isInstanceOf(IllegalArgumentException.class);
    }
}
