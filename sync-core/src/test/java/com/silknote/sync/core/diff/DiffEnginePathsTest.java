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
import com.silknote.sync.core.model.RemovedDocumentPolicy;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VanishedFilePolicy;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.path.PathVerdict;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 1: the diff plans inputs in file id order by one merge, without a table or an entry per
 * unchanged file, and any other order through a hash table. Both must decide every file the same way.
 */
class DiffEnginePathsTest {
    static final FilesetId FS = DiffEngineTest.FS;
    static final PatientUuid PATIENT = DiffEngineTest.PATIENT;
    static final PatientUuid OTHER = new PatientUuid(UUID.fromString("00000000-0000-0000-0000-000000000002"));
    static final List<PatientId> HISTORY = DiffEngineTest.HISTORY;
    static final Instant T0 = DiffEngineTest.T0;
    static final Instant T1 = DiffEngineTest.T1;
    static final Function<String, PathVerdict> PATHS = DiffEngineTest.PATHS;

    @Test
    @DisplayName("issue 12.1: seeded random filesets plan alike in id order (merge) and shuffled (hash table)")
    void mergeAndHashTableDecideAlike() {
        long seed = Long.getLong("diff.seed", System.nanoTime());
        System.out.println("DiffEnginePathsTest seed=" + seed + " (replay with -Ddiff.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 400; round++) {
            World w = World.random(random);
            for (DiffPolicy policy : policies()) {
                DiffEngine engine = new DiffEngine(policy);
                Plan sorted = engine.plan(w.input(false, random));
                Plan shuffled = engine.plan(w.input(true, random));
                assertThat(sorted).as("seed %d round %d policy %s", seed, round, policy.mode()).isEqualTo(shuffled);
                long listedPlanned = sorted.files().stream().filter(p -> p.file().isPresent()).count()
                        + sorted.unchanged();
                assertThat(listedPlanned).as("every distinct listed id planned once (seed %d round %d)", seed, round)
                        .isEqualTo(w.distinctListed());
            }
        }
    }

    @Test
    @DisplayName("issue 12.1: a listing out of order, or repeating an id apart, is planned as by the hash table")
    void outOfOrderInputsFallBackToTheTable() {
        List<VsrxFile> listing = new ArrayList<>();
        List<SyncMapping> mappings = new ArrayList<>();
        List<SilknoteDocument> documents = new ArrayList<>();
        for (String id : List.of("b", "a", "c", "a")) {
            listing.add(DiffEngineTest.file(id, "e-" + id, 10, T0));
        }
        for (String id : List.of("a", "c", "d")) {
            VsrxFile f = DiffEngineTest.file(id, "e-" + id, 10, T0);
            mappings.add(DiffEngineTest.mapping(f, DiffEngineTest.hash(id.charAt(0))));
            documents.add(DiffEngineTest.doc(f, DiffEngineTest.hash(id.charAt(0))));
        }
        Plan plan = new DiffEngine(policies().get(0)).plan(new DiffInput(PATIENT, HISTORY, listing, mappings,
                documents, Map.of()));
        assertThat(plan.files()).extracting(p -> p.fileId().value() + ":" + p.action())
                .containsExactly("b:CREATE", "d:VANISHED");
        assertThat(plan.unchanged()).isEqualTo(2);
    }

    @Test
    @DisplayName("issue 12.1: planning unchanged files in id order allocates nothing per file")
    void unchangedFilesInIdOrderAllocateNothingPerFile() {
        int n = 200_000;
        List<VsrxFile> listing = new ArrayList<>(n);
        List<SyncMapping> mappings = new ArrayList<>(n);
        List<SilknoteDocument> documents = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            VsrxFile f = DiffEngineTest.file(String.format("f%08d", i), "e" + i, 10, T0);
            listing.add(f);
            mappings.add(DiffEngineTest.mapping(f, DiffEngineTest.hash(i)));
            documents.add(DiffEngineTest.doc(f, DiffEngineTest.hash(i)));
        }
        DiffInput input = new DiffInput(PATIENT, HISTORY, listing, mappings, documents, Map.of());
        DiffEngine engine = new DiffEngine(policies().get(0));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long before = threads.getThreadAllocatedBytes(self);
            Plan plan = engine.plan(input);
            long after = threads.getThreadAllocatedBytes(self);
            assertThat(plan.unchanged()).isEqualTo(n);
            assertThat(plan.files()).isEmpty();
            least = Math.min(least, after - before);
        }
        // a table of the mappings alone would take more than 30 bytes per file; one plan entry per file 40
        assertThat(least).as("bytes allocated planning %d unchanged files", n).isLessThan(n);
    }

    private static List<DiffPolicy> policies() {
        Set<String> types = Set.of("text/plain", "application/pdf");
        return List.of(
                new DiffPolicy(ChangeDetectionMode.METADATA, VanishedFilePolicy.REPORT, 1000, types, PATHS),
                new DiffPolicy(ChangeDetectionMode.FULL_HASH, VanishedFilePolicy.DELETE, 1000, types, PATHS,
                        RemovedDocumentPolicy.RESTORE));
    }

    /** A random fileset: ids from a small space, so listed, mapped and documented ids overlap in every way. */
    private record World(List<VsrxFile> listing, List<SyncMapping> mappings, List<SilknoteDocument> documents,
            Map<VsrxFileId, PermanentSkip> skips, Map<VsrxFileId, SyncMapping> foreignMappings,
            Map<VsrxFileId, SilknoteDocument> foreignDocuments) {

        static World random(SplittableRandom r) {
            int space = 1 + r.nextInt(40);
            List<VsrxFile> listing = new ArrayList<>();
            List<SyncMapping> mappings = new ArrayList<>();
            List<SilknoteDocument> documents = new ArrayList<>();
            Map<VsrxFileId, PermanentSkip> skips = new HashMap<>();
            Map<VsrxFileId, SyncMapping> foreignMappings = new HashMap<>();
            Map<VsrxFileId, SilknoteDocument> foreignDocuments = new HashMap<>();
            for (int i = 0; i < space; i++) {
                String id = "id-" + Integer.toString(i, 36) + (r.nextBoolean() ? "" : "x");
                VsrxFile synced = DiffEngineTest.file(id, r.nextInt(4) == 0 ? null : "e1", 10, T0);
                boolean listed = r.nextInt(4) != 0;
                if (listed) {
                    VsrxFile f = synced;
                    switch (r.nextInt(6)) {
                        case 0 -> f = DiffEngineTest.file(id, "e2", 10, T0);
                        case 1 -> f = DiffEngineTest.with(f, "notes/renamed-" + id + ".txt", "text/plain",
                                Optional.empty(), false);
                        case 2 -> f = DiffEngineTest.with(f, f.path(), "text/plain", Optional.empty(), true);
                        case 3 -> f = DiffEngineTest.with(f, "elsewhere/" + id, "text/plain", Optional.empty(),
                                false);
                        default -> { }
                    }
                    listing.add(f);
                    if (r.nextInt(8) == 0) {
                        listing.add(f); // a repeated id, in a row
                    }
                    if (r.nextInt(8) == 0) {
                        skips.put(f.id(), new PermanentSkip(f.id(), FS, ChangeDetection.versionKey(f),
                                SkipReason.TYPE_MISMATCH, T0));
                    }
                }
                ContentHash h = DiffEngineTest.hash(i + 1);
                if (r.nextInt(3) != 0) {
                    mappings.add(DiffEngineTest.mapping(synced, h));
                }
                if (r.nextInt(3) != 0) {
                    SilknoteDocument d = DiffEngineTest.doc(synced, h);
                    if (r.nextInt(5) == 0) {
                        d = DiffEngineTest.grouped(d);
                    }
                    if (r.nextInt(5) == 0) {
                        d = new SilknoteDocument(d.uuid(), OTHER, d.filesetId(), d.clientFileId(), d.contentHash(),
                                d.size(), d.mimeType(), d.metadata(), d.updatedAt());
                    }
                    documents.add(d);
                }
                if (r.nextInt(10) == 0) {
                    foreignMappings.put(synced.id(), DiffEngineTest.mapping(synced, h));
                }
                if (r.nextInt(10) == 0) {
                    foreignDocuments.put(synced.id(), DiffEngineTest.doc(synced, h));
                }
            }
            Comparator<VsrxFile> byId = Comparator.comparing(VsrxFile::id);
            listing.sort(byId);
            mappings.sort(Comparator.comparing(SyncMapping::vsrxFileId));
            documents.sort(Comparator.comparing(SilknoteDocument::clientFileId));
            return new World(listing, mappings, documents, skips, foreignMappings, foreignDocuments);
        }

        DiffInput input(boolean shuffle, SplittableRandom r) {
            List<SyncMapping> m = new ArrayList<>(mappings);
            List<SilknoteDocument> d = new ArrayList<>(documents);
            if (shuffle) {
                Random jr = new Random(r.nextLong());
                Collections.shuffle(m, jr);
                Collections.shuffle(d, jr);
            }
            return new DiffInput(PATIENT, HISTORY, listing, m, d, skips, foreignMappings, foreignDocuments);
        }

        long distinctListed() {
            return listing.stream().map(VsrxFile::id).distinct().count();
        }
    }
}
