package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 9 items 1–4 attacked with seeded random histories on the in-memory simulators: VSRX edits,
 * deletes, renames, re-links, ids moved between filesets, vanishing files, Silknote users grouping and
 * removing documents, VSRX's clock skewed both ways, full and incremental runs. After every run Silknote's
 * invariants hold (references held per file id, referenced blobs exist); after every full run each live
 * file of a linked fileset has its document on the right patient with the right bytes, or the run reported
 * it (conflict or skip).
 *
 * <p>{@code -Dvsrx.sync.randomHistories=N} runs N seeds (default 40). A failure names its seed; replay it
 * with {@code -Dvsrx.sync.randomHistorySeed=S}.
 */
class RandomHistoryTest {
    private static final List<String> CONTENTS = List.of("letter", "scan", "lab", "referral", "x-ray note",
            "discharge", "prescription");

    static LongStream seeds() {
        String one = System.getProperty("vsrx.sync.randomHistorySeed");
        if (one != null) {
            return LongStream.of(Long.parseLong(one));
        }
        return LongStream.rangeClosed(1, Long.getLong("vsrx.sync.randomHistories", 40));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @DisplayName("issue 9: random histories keep Silknote consistent and every live file synced or reported")
    void randomHistoriesStayConsistent(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        EngineFixture fx = new EngineFixture();
        boolean restore = random.nextBoolean();
        boolean fullHash = random.nextInt(4) == 0;
        fx.config(c -> c.massDeleteGuard(new com.silknote.sync.core.model.MassDeleteGuard(1.0, 1))
                .removedDocumentPolicy(restore ? com.silknote.sync.core.model.RemovedDocumentPolicy.RESTORE
                        : com.silknote.sync.core.model.RemovedDocumentPolicy.REPORT)
                .changeDetection(fullHash ? com.silknote.sync.core.model.ChangeDetectionMode.FULL_HASH
                        : com.silknote.sync.core.model.ChangeDetectionMode.METADATA));
        List<FilesetId> filesets = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            filesets.add(fx.linkedFileset("P" + p));
        }
        List<VsrxFileId> files = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            files.add(add(fx, random, filesets.get(random.nextInt(filesets.size())), i));
        }
        int names = 10;
        for (int round = 1; round <= 12; round++) {
            String where = "seed " + seed + " round " + round;
            int ops = 1 + random.nextInt(4);
            for (int o = 0; o < ops; o++) {
                VsrxFileId f = files.get(random.nextInt(files.size()));
                boolean live = fx.vsrx.findFile(f).map(v -> !v.deleted()).orElse(false)
                        && fx.vsrx.listedFiles(fx.vsrx.findFile(f).get().filesetId()).stream()
                                .anyMatch(v -> v.id().equals(f));
                switch (random.nextInt(12)) {
                    case 0 -> files.add(add(fx, random, filesets.get(random.nextInt(filesets.size())), names++));
                    case 1 -> {
                        if (live) {
                            fx.vsrx.modifyFile(f, CONTENTS.get(random.nextInt(CONTENTS.size())));
                        }
                    }
                    case 2 -> {
                        if (live) {
                            fx.vsrx.touchFile(f);
                        }
                    }
                    case 3 -> {
                        if (live) {
                            fx.vsrx.renameFile(f, "notes/renamed-" + names++ + ".txt");
                        }
                    }
                    case 4 -> {
                        if (live) {
                            fx.vsrx.deleteFile(f);
                        }
                    }
                    case 5 -> fx.vsrx.linkPatient(filesets.get(random.nextInt(filesets.size())),
                            EngineFixture.patient("P" + random.nextInt(6)));
                    case 6 -> {
                        if (live) {
                            fx.vsrx.moveFile(f, filesets.get(random.nextInt(filesets.size())));
                        }
                    }
                    case 7 -> fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(f)).ifPresent(d ->
                            fx.silknote.documents().editDocumentAsSilknoteUser(d.uuid(), x -> grouped(x)));
                    case 8 -> fx.silknote.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(f));
                    case 9 -> fx.vsrx.setClockSkew(Duration.ofSeconds(random.nextInt(11) - 5));
                    case 10 -> {
                        if (random.nextInt(3) == 0) {
                            fx.vsrx.unlinkPatient(filesets.get(random.nextInt(filesets.size())));
                        }
                    }
                    default -> {
                        if (live && random.nextInt(3) == 0) {
                            fx.vsrx.removeFromListing(f);
                        }
                    }
                }
                fx.clock.advance(Duration.ofSeconds(random.nextInt(90)));
            }
            boolean full = random.nextInt(3) > 0;
            SyncResult result = fx.run(full ? SyncRequest.full() : SyncRequest.incrementalRun());

            assertThat(result.status()).as(where + ": " + result.error())
                    .isIn(SyncResult.Status.COMPLETED, SyncResult.Status.PARTIAL_FAILURE);
            List<String> violations = fx.silknote.invariantViolations();
            assertThat(violations).as(where).isEmpty();
            if (full) {
                checkEveryLiveFile(fx, filesets, result, where);
            }
            fx.clock.advance(Duration.ofMinutes(random.nextInt(10)));
        }
    }

    private static VsrxFileId add(EngineFixture fx, SplittableRandom random, FilesetId fs, int n) {
        return fx.vsrx.addFile(fs, "notes/file-" + n + ".txt", "text/plain",
                CONTENTS.get(random.nextInt(CONTENTS.size())));
    }

    private static SilknoteDocument grouped(SilknoteDocument d) {
        return new SilknoteDocument(d.uuid(), d.patientUuid(), d.filesetId(), d.clientFileId(), d.contentHash(),
                d.size(), d.mimeType(), new DocumentMetadata(d.metadata().vsrxReference(),
                        d.metadata().originalPath(), d.metadata().sourceSystem(), "grouped",
                        d.metadata().patientIdHistory()), d.updatedAt());
    }

    /** Every live file of a linked fileset: its document right, or the run reported it. */
    private static void checkEveryLiveFile(EngineFixture fx, List<FilesetId> filesets, SyncResult result,
            String where) {
        Map<VsrxFileId, FileReport> reported = new HashMap<>();
        Map<FilesetId, FilesetReport> byFileset = new HashMap<>();
        for (FilesetReport r : result.report().orElseThrow().filesets()) {
            byFileset.put(r.filesetId(), r);
            for (FileReport f : r.files()) {
                reported.merge(f.fileId(), f, (a, b) -> a.action() == FileAction.CONFLICT ? a : b);
            }
        }
        for (FilesetId fs : filesets) {
            VsrxFileset set = fx.vsrx.findFileset(fs).orElseThrow();
            if (set.silknotePatientUuid().isEmpty()) {
                continue; // not linked: its documents stay as they are (reported unlinked-with-documents)
            }
            PatientUuid patient = set.silknotePatientUuid().get();
            for (VsrxFile f : fx.vsrx.listedFiles(fs)) {
                FileReport r = reported.get(f.id());
                if (f.deleted()) {
                    assertThat(fx.silknote.documents().findDocumentByClientFileId(f.id())
                            .filter(d -> d.filesetId().equals(fs) && d.metadata().untouchedBySilknoteUser()))
                            .as(where + ": deleted file " + f.id() + " (" + r + ", fileset "
                                    + byFileset.get(fs) + ") has no document").isEmpty();
                    continue;
                }
                if (r != null && (r.action() == FileAction.CONFLICT || r.action() == FileAction.SKIPPED
                        || r.action() == FileAction.FAILED)) {
                    continue;
                }
                Optional<SilknoteDocument> d = fx.silknote.documents().findDocumentByClientFileId(f.id());
                assertThat(d).as(where + ": live file " + f.id() + " (" + (r == null ? "not reported" : r.action())
                        + ") has a document").isPresent();
                assertThat(d.get().filesetId()).as(where + ": fileset of " + f.id()).isEqualTo(fs);
                assertThat(d.get().contentHash()).as(where + ": bytes of " + f.id())
                        .isEqualTo(fx.vsrx.contentHash(f.id()));
                assertThat(d.get().patientUuid()).as(where + ": patient of " + f.id()).isEqualTo(patient);
            }
        }
    }
}
