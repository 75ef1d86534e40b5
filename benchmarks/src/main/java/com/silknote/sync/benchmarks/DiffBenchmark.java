package com.silknote.sync.benchmarks;

import com.silknote.sync.core.diff.DiffEngine;
import com.silknote.sync.core.diff.DiffInput;
import com.silknote.sync.core.diff.DiffPolicy;
import com.silknote.sync.core.diff.Plan;
import com.silknote.sync.core.diff.PlanAction;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.path.PathValidator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Target 1: the diff of one million entries takes at most 0.5 s.
 *
 * <p>{@link #plan} runs {@link DiffEngine#plan} on one fileset of {@link #FILES} listed files against its
 * mappings and documents, with the production policy ({@link SyncConfig#defaults()}, the real
 * {@link PathValidator}). {@link #baselineHashJoin} is the baseline measured in the same run: the least work
 * any diff must do, a hash join of the listing with the mappings by file id and an ETag comparison.
 *
 * <p>Mixes ({@link #mix}):
 * <ul>
 *   <li>{@code UNCHANGED}: every file listed with the ETag its mapping recorded;</li>
 *   <li>{@code CHANGED_1PCT}: 1 % of the files carry a new ETag (planned as updates, paths validated);</li>
 *   <li>{@code NEW_10PCT}: 10 % of the listed files have no mapping nor document yet (planned as creates),
 *       so 900,000 mappings face 1,000,000 listed files;</li>
 *   <li>{@code UNCHANGED_UNORDERED}: as {@code UNCHANGED}, but the mappings and documents come in no
 *       particular order (a ledger that does not return them by file id), so the diff cannot merge the
 *       three inputs and plans through its hash table.</li>
 * </ul>
 * The listing and, in the other mixes, the mappings and documents are in file id order, as VSRX and the
 * ledger give them.
 * Every string (ids, paths, ETags) on the store side is a distinct instance from the listing side, as they
 * would be when read from a database and parsed from JSON, so {@code equals} never short-cuts on identity.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar DiffBenchmark</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class DiffBenchmark {

    /** Listed files per fileset. */
    public static final int FILES = 1_000_000;

    /** The mix of unchanged, changed and new files. */
    public enum Mix { UNCHANGED, CHANGED_1PCT, NEW_10PCT, UNCHANGED_UNORDERED }

    @Param({"UNCHANGED", "CHANGED_1PCT", "NEW_10PCT", "UNCHANGED_UNORDERED"})
    public Mix mix;

    private DiffEngine engine;
    private DiffInput input;

    /** Builds the listing, mappings and documents of the mix (not measured). */
    @Setup(Level.Trial)
    public void setUp() {
        setUpWith(input(mix, FILES, 42L));
    }

    void setUpWith(DiffInput in) {
        engine = new DiffEngine(DiffPolicy.of(SyncConfig.defaults(), PathValidator::validate));
        input = in;
    }

    /** The diff engine on the whole fileset. */
    @Benchmark
    public Plan plan() {
        return engine.plan(input);
    }

    /**
     * Baseline: index the mappings by file id, then look every listed file up and compare ETags. Returns
     * the number of files that differ so the work cannot be eliminated.
     */
    @Benchmark
    public int baselineHashJoin() {
        Map<VsrxFileId, SyncMapping> byId = new HashMap<>((int) (input.mappings().size() / 0.75f) + 16);
        for (SyncMapping m : input.mappings()) {
            byId.put(m.vsrxFileId(), m);
        }
        int differing = 0;
        for (VsrxFile f : input.files()) {
            SyncMapping m = byId.get(f.id());
            if (m == null || !f.etag().equals(m.etag())) {
                differing++;
            }
        }
        return differing;
    }

    /**
     * The diff input of one fileset with {@code files} listed files in the given mix, deterministic for a
     * seed.
     *
     * @throws IllegalArgumentException when files is below 1
     */
    public static DiffInput input(Mix mix, int files, long seed) {
        if (files < 1) {
            throw new IllegalArgumentException("files must be >= 1");
        }
        SplittableRandom random = new SplittableRandom(seed);
        FilesetId fileset = FilesetId.of("fs-bench");
        PatientUuid patient = PatientUuid.of("00000000-0000-4000-8000-00000000b001");
        List<PatientId> history = List.of(PatientId.of("P-OLD-1"), PatientId.of("P-NOW-1"));
        Instant modified = Instant.parse("2026-01-01T00:00:00Z");
        Instant synced = Instant.parse("2026-01-02T00:00:00Z");
        List<VsrxFile> listing = new ArrayList<>(files);
        List<SyncMapping> mappings = new ArrayList<>(files);
        List<SilknoteDocument> documents = new ArrayList<>(files);
        for (int i = 0; i < files; i++) {
            String idText = String.format("file-%08d", i);
            String path = "notes/2026/visit-" + (i / 1000) + "/scan-" + i + ".pdf";
            long size = 10_000 + random.nextInt(1_000_000);
            String etag = "\"0x8DC" + Long.toHexString(random.nextLong()) + "\"";
            boolean isNew = mix == Mix.NEW_10PCT && i % 10 == 9;
            boolean changed = mix == Mix.CHANGED_1PCT && i % 100 == 99;
            String listedEtag = changed ? "\"0x8DD" + Long.toHexString(random.nextLong()) + "\"" : etag;
            VsrxFileId id = VsrxFileId.of(idText);
            listing.add(new VsrxFile(id, fileset, path, size, "application/pdf", modified, Optional.of(listedEtag),
                    Optional.empty(), false));
            if (isNew) {
                continue;
            }
            // The store side: fresh instances, as read from a database.
            VsrxFileId storedId = VsrxFileId.of(new String(idText));
            ContentHash hash = ContentHash.ofHex(hex64(random));
            DocumentUuid uuid = DocumentUuid.forVsrxFile(storedId);
            mappings.add(new SyncMapping(storedId, uuid, storedId, fileset, Optional.of(new String(etag)), modified,
                    size, hash, synced));
            documents.add(new SilknoteDocument(uuid, patient, fileset, storedId, hash, size, "application/pdf",
                    DocumentMetadata.synced(storedId, new String(path), history), synced));
        }
        if (mix == Mix.UNCHANGED_UNORDERED) {
            java.util.Random shuffler = new java.util.Random(seed);
            java.util.Collections.shuffle(mappings, shuffler);
            java.util.Collections.shuffle(documents, shuffler);
        }
        return new DiffInput(patient, history, listing, mappings, documents, Map.of());
    }

    private static String hex64(SplittableRandom random) {
        StringBuilder sb = new StringBuilder(64);
        for (int i = 0; i < 4; i++) {
            String h = Long.toHexString(random.nextLong());
            sb.append("0".repeat(16 - h.length())).append(h);
        }
        return sb.toString();
    }

    /** Expected plan counts of a mix, used by the smoke test. */
    static Map<PlanAction, Long> expectedCounts(Mix mix, int files) {
        Map<PlanAction, Long> m = new HashMap<>();
        long changed = switch (mix) {
            case UNCHANGED, UNCHANGED_UNORDERED -> 0;
            case CHANGED_1PCT -> files / 100;
            case NEW_10PCT -> files / 10;
        };
        m.put(PlanAction.UNCHANGED, files - changed);
        if (changed > 0) {
            m.put(mix == Mix.NEW_10PCT ? PlanAction.CREATE : PlanAction.UPDATE, changed);
        }
        return m;
    }
}
