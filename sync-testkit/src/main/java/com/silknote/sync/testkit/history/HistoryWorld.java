package com.silknote.sync.testkit.history;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.OrphanCleanup;
import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ChangeDetectionMode;
import com.silknote.sync.core.model.CleanupReport;
import com.silknote.sync.core.model.CleanupRequest;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.OperationStatus;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.RemovedDocumentPolicy;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.core.port.Sleeper;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.InMemoryDocumentProcessor;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultyBlobStore;
import com.silknote.sync.testkit.fault.FaultyDocumentProcessor;
import com.silknote.sync.testkit.fault.FaultyDocumentStore;
import com.silknote.sync.testkit.fault.FaultySyncLock;
import com.silknote.sync.testkit.fault.FaultyVectorStore;
import com.silknote.sync.testkit.fault.Interception;
import com.silknote.sync.testkit.fault.SimulatedCrash;
import com.silknote.sync.testkit.history.HistoryVsrx.FileState;
import com.silknote.sync.testkit.history.HistoryVsrx.FilesetState;
import com.silknote.sync.testkit.history.Step.MidRunEdit;
import com.silknote.sync.testkit.history.Step.RunKind;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * One history being played: VSRX ({@link HistoryVsrx}), the Silknote stores under test, the engine built
 * afresh for every run, and the reference model that says, from the history alone, what Silknote must hold.
 * {@link Step}s drive it; after every run it checks the {@link Invariant}s and keeps the first violation.
 *
 * <p>The model never looks at how the engine decides. It knows what VSRX held and when (every file keeps the
 * history of its states), what was changed in Silknote behind the engine's back, and what the run reported;
 * where the rules leave a choice it takes the decisions of issue 9 (conflicts for a removed document and for
 * a file id in another fileset, relinked documents moved unless a user changed them, vanished filesets
 * reported, the listing's SHA-256 never trusted to mean "unchanged").
 *
 * <p>Not thread-safe: one thread plays a history (the paused runner's thread is its own; in a scale-out step
 * the thread that stalls worker W makes the VSRX changes of the pause while coordinator C runs, joined before
 * the checks read the world).
 */
public final class HistoryWorld {
    static final String RUNNER = "host-1";
    private static final Set<FileAction> WRITES =
            EnumSet.of(FileAction.CREATED, FileAction.UPDATED, FileAction.METADATA_ONLY, FileAction.DELETED);

    /** What a Silknote user set on a document, which the engine must keep. */
    private record UserEdit(String grouping, ContentHash hash, PatientUuid patient) {
    }

    /** One engine run and what surrounded it. */
    private record RunRecord(RunKind kind, Optional<SyncResult> result, long seqAtStart, Set<VsrxFileId> downloaded,
            long processCalls, boolean resumePendingBefore, boolean silknoteChangedDuringRun) {
        RunRecord(RunKind kind, Optional<SyncResult> result, long seqAtStart, Set<VsrxFileId> downloaded,
                long processCalls, boolean resumePendingBefore) {
            this(kind, result, seqAtStart, downloaded, processCalls, resumePendingBefore, false);
        }

        Optional<SyncReport> report() {
            return result.flatMap(SyncResult::report);
        }
    }

    /** Without server time, VSRX's clock stays this close to the host's (well inside the watermark overlap). */
    private static final Duration MAX_SKEW_WITHOUT_SERVER_TIME = Duration.ofSeconds(60);

    private final long seed;
    private final HistorySetup setup;
    private final TestClock clock;
    private final HistoryVsrx vsrx;
    private final SilknoteStores stores;
    private final SyncConfig config;
    private final InMemoryDocumentProcessor processor;
    private final List<Step> applied = new ArrayList<>();
    private Optional<Violation> violation = Optional.empty();
    private int runs;

    // the reference model's memory of what happened behind the engine's back
    /** Contents whose reference count was damaged behind the engine's back (exempt from the count check). */
    private final Set<ContentHash> damagedCounts = new TreeSet<>();
    /** Contents whose blob was removed behind the engine's back (exempt from the blob check). */
    private final Set<ContentHash> removedBlobs = new TreeSet<>();
    private final Map<VsrxFileId, UserEdit> userEdited = new TreeMap<>();
    private final Set<VsrxFileId> userRemoved = new TreeSet<>();
    private final Set<VsrxFileId> removedSinceCheck = new TreeSet<>();
    /**
     * Files whose mapping and document were both removed behind the engine's back: Silknote holds no record
     * of them, so what is left (vector entries, a reference) is an orphan for the cleanup (rule 14), not
     * something a later run can know; a new document for them is a creation, not a move.
     */
    private final Set<VsrxFileId> forgotten = new TreeSet<>();
    private final Set<VsrxFileId> tamperedSinceFullRun = new TreeSet<>();
    private boolean resumePending;
    private Ledger previous = Ledger.empty();
    private long seqAtPreviousCheck;

    // the download hook's findings during one run
    private final Set<VsrxFileId> downloadedThisRun = new TreeSet<>();
    private volatile boolean silknoteChangedDuringRun;
    /** Files and filesets changed behind the engine's back while the current run was under way. */
    private final Set<VsrxFileId> tamperedDuringRun = new TreeSet<>();
    /** Files whose document a user had changed when the current run started. */
    private Set<VsrxFileId> editedBeforeRun = Set.of();
    private final Set<FilesetId> recordsRemovedDuringRun = new TreeSet<>();
    /** Reports of other runs since the last check (a paused runner's), consulted for reported moves. */
    private final List<SyncReport> alsoReported = new ArrayList<>();
    /** Files whose vector entries were removed behind the engine's back, with the content they were of. */
    private final Map<VsrxFileId, ContentHash> vectorsRemoved = new TreeMap<>();
    /** Files whose document a user removed, until a document exists again (its vector entries may stay). */
    private final Set<VsrxFileId> documentRemovedByUser = new TreeSet<>();

    /**
     * A fresh world.
     *
     * @param seed   seeds the engine's jitter
     * @param clock  the host's clock, shared with the stores
     * @param stores the Silknote side under test, on {@code clock}
     */
    public HistoryWorld(long seed, TestClock clock, SilknoteStores stores) {
        this(seed, HistorySetup.defaults(), clock, stores);
    }

    /**
     * A fresh world.
     *
     * @param seed   seeds the engine's jitter
     * @param setup  the engine's modes and VSRX's clock for this history
     * @param clock  the host's clock, shared with the stores
     * @param stores the Silknote side under test, on {@code clock}
     */
    public HistoryWorld(long seed, HistorySetup setup, TestClock clock, SilknoteStores stores) {
        this.seed = seed;
        this.setup = requireNonNull(setup, "setup");
        this.clock = requireNonNull(clock, "clock");
        this.stores = requireNonNull(stores, "stores");
        this.vsrx = new HistoryVsrx(clock);
        this.vsrx.setSkew(setup.baseSkew());
        this.vsrx.setSendsServerTime(setup.serverTime());
        this.processor = new InMemoryDocumentProcessor(stores.blobs(), stores.vectors());
        this.config = setup.config();
    }

    /** The engine configuration of the default setup: the design's defaults, a small size limit, one thread. */
    static SyncConfig config() {
        return HistorySetup.defaults().config();
    }

    /** This history's setup. */
    public HistorySetup setup() {
        return setup;
    }

    /** VSRX's clock moves by {@code by} (see {@link Step.ClockDrift}). */
    void drift(Duration by) {
        Duration next = vsrx.skew().plus(by);
        if (!setup.serverTime()) {
            next = next.compareTo(MAX_SKEW_WITHOUT_SERVER_TIME) > 0 ? MAX_SKEW_WITHOUT_SERVER_TIME
                    : next.compareTo(MAX_SKEW_WITHOUT_SERVER_TIME.negated()) < 0 ? MAX_SKEW_WITHOUT_SERVER_TIME.negated()
                    : next;
        }
        vsrx.setSkew(next);
    }

    /** The Silknote patient named {@code label} (A, B, ...). */
    public static PatientUuid patient(String label) {
        return new PatientUuid(UUID.nameUUIDFromBytes(("silknote-patient-" + label).getBytes(StandardCharsets.UTF_8)));
    }

    private static String label(PatientUuid uuid) {
        for (char c = 'A'; c <= 'Z'; c++) {
            if (patient(String.valueOf(c)).equals(uuid)) {
                return "patient " + c;
            }
        }
        return "an unknown patient";
    }

    private static String label(Optional<PatientUuid> uuid) {
        return uuid.map(HistoryWorld::label).orElse("no patient");
    }

    private static String label(ContentHash hash) {
        return HistoryContent.all().stream().filter(c -> c.hash().equals(hash)).findFirst()
                .map(HistoryContent.Content::toString).orElse(hash.toString());
    }

    public HistoryVsrx vsrx() {
        return vsrx;
    }

    public TestClock clock() {
        return clock;
    }

    public SilknoteStores stores() {
        return stores;
    }

    /** The steps applied so far. */
    public List<Step> applied() {
        return List.copyOf(applied);
    }

    /** The first violation, if any. */
    public Optional<Violation> violation() {
        return violation;
    }

    /** Applies a step unless a violation was found already; returns whether the world is still consistent. */
    public boolean apply(Step step) {
        requireNonNull(step, "step");
        if (violation.isPresent()) {
            return false;
        }
        applied.add(step);
        step.apply(this);
        return violation.isEmpty();
    }

    private void violated(Invariant invariant, String detail) {
        if (violation.isEmpty()) {
            violation = Optional.of(new Violation(invariant, applied.size() - 1, detail));
        }
    }

    private boolean ok() {
        return violation.isEmpty();
    }

    // ------------------------------------------------------------------ VSRX steps

    void createFileset(FilesetId id, Optional<String> patient) {
        if (!vsrx.hasFileset(id)) {
            vsrx.addFileset(id, PatientId.of("vsrx-patient-" + id), patient.map(HistoryWorld::patient), List.of());
        }
    }

    void linkFileset(FilesetId id, Optional<String> patient) {
        if (vsrx.hasFileset(id)) {
            vsrx.link(id, patient.map(HistoryWorld::patient));
        }
    }

    void rebook(FilesetId from, FilesetId to) {
        if (vsrx.hasFileset(from) && !vsrx.hasFileset(to)) {
            FilesetState old = vsrx.fileset(from);
            vsrx.addFileset(to, PatientId.of("vsrx-patient-" + to), old.link(), old.patientIdHistory());
        }
    }

    void setFilesetListed(FilesetId id, boolean listed) {
        if (vsrx.hasFileset(id)) {
            vsrx.setListed(id, listed);
        }
    }

    void outage(FilesetId id, boolean on) {
        if (vsrx.hasFileset(id)) {
            vsrx.setOutage(id, on);
        }
    }

    void createFile(Step.CreateFile s) {
        if (!vsrx.hasFile(s.id()) && vsrx.hasFileset(s.fileset())) {
            vsrx.addFile(s.id(), s.fileset(), s.path(), s.mime(), s.content(), s.etag(), s.sha(), s.declaredSize());
        }
    }

    private boolean live(VsrxFileId id) {
        return vsrx.hasFile(id) && !vsrx.file(id).deleted();
    }

    void editFile(VsrxFileId id, int content, boolean newEtag, boolean newMtime) {
        if (live(id)) {
            vsrx.edit(id, content, newEtag, newMtime);
        }
    }

    void staleShaEdit(VsrxFileId id, int content) {
        if (live(id)) {
            vsrx.fixSha256Claim(id, Optional.of(vsrx.file(id).hash()));
            vsrx.edit(id, content, true, true);
        }
    }

    void lyingSha(VsrxFileId id, int claimed) {
        if (vsrx.hasFile(id)) {
            vsrx.fixSha256Claim(id, Optional.of(HistoryContent.content(claimed).hash()));
        }
    }

    void renameFile(VsrxFileId id, String path, boolean newMtime) {
        if (vsrx.hasFile(id) && !HistoryContent.invalidPath(vsrx.file(id).path())) {
            vsrx.rename(id, path, newMtime);
        }
    }

    void deleteFiles(List<VsrxFileId> ids) {
        for (VsrxFileId id : ids) {
            if (live(id)) {
                vsrx.setDeleted(id, true);
            }
        }
    }

    void undeleteFile(VsrxFileId id) {
        if (vsrx.hasFile(id) && vsrx.file(id).deleted()) {
            vsrx.setDeleted(id, false);
        }
    }

    void setFileListed(VsrxFileId id, boolean listed) {
        if (vsrx.hasFile(id) && vsrx.file(id).listed() != listed) {
            vsrx.setFileListed(id, listed);
        }
    }

    void loseContent(VsrxFileId id, boolean lost) {
        if (vsrx.hasFile(id)) {
            vsrx.setContentLost(id, lost);
        }
    }

    void moveFile(VsrxFileId id, FilesetId to) {
        if (vsrx.hasFile(id) && vsrx.hasFileset(to) && !vsrx.file(id).filesetId().equals(to)) {
            vsrx.move(id, to);
        }
    }

    // ------------------------------------------------------------------ Silknote steps

    void userGroups(VsrxFileId file) {
        Optional<SilknoteDocument> doc = stores.documents().findDocumentByClientFileId(file);
        if (doc.isEmpty()) {
            return;
        }
        String grouping = "grouped-by-user-" + applied.size();
        stores.editDocumentAsUser(doc.get().uuid(), d -> new SilknoteDocument(d.uuid(), d.patientUuid(),
                d.filesetId(), d.clientFileId(), d.contentHash(), d.size(), d.mimeType(),
                new DocumentMetadata(d.metadata().vsrxReference(), d.metadata().originalPath(),
                        d.metadata().sourceSystem(), grouping, d.metadata().patientIdHistory()), d.updatedAt()));
        userEdited.put(file, new UserEdit(grouping, doc.get().contentHash(), doc.get().patientUuid()));
        tampered(file);
    }

    void userRemovesDocument(VsrxFileId file) {
        Optional<SilknoteDocument> doc = stores.documents().findDocumentByClientFileId(file);
        if (doc.isEmpty()) {
            return;
        }
        stores.removeDocumentRow(doc.get().uuid());
        if (stores.documents().findMapping(file).isEmpty()) {
            // Nothing names the file's reference any more (its mapping was removed before): the count keeps a
            // reference nobody can release, which only check/repair can find.
            damage(doc.get().contentHash(), damagedCounts);
            forgotten.add(file);
        } else {
            userRemoved.add(file);
        }
        documentRemovedByUser.add(file);
        removedSinceCheck.add(file);
        userEdited.remove(file);
        tampered(file);
    }

    /**
     * The orphan cleanup (rule 14) past the grace period, with VSRX as its source, under the {@code vsrx-sync}
     * lock. What it removed is bookkept like a removal behind the engine's back: a file left with neither document
     * nor mapping is forgotten (its next document is a creation), one whose document went is excused from the
     * checks of removals until the next check.
     */
    void orphanCleanup() {
        clock.advance(config.blobGracePeriod().plusMinutes(1));
        Set<VsrxFileId> documents = new TreeSet<>();
        Set<VsrxFileId> mapped = new TreeSet<>();
        for (FilesetId fs : vsrx.filesetIds()) { // every fileset VSRX ever listed
            stores.documents().documents(fs).forEach(d -> documents.add(d.clientFileId()));
            stores.documents().mappings(fs).forEach(m -> mapped.add(m.vsrxFileId()));
        }
        try {
            CleanupReport r = OrphanCleanup.builder().documents(stores.documents()).blobs(stores.blobs())
                    .vectors(stores.vectors()).lock(stores.lock("cleanup")).source(vsrx).config(config).clock(clock)
                    .sleeper(clock).random(new SplittableRandom(seed * 7_000_003L + runs)).build()
                    .run(CleanupRequest.removing());
            if (r.status() != OperationStatus.COMPLETED) {
                violated(Invariant.NO_FAILURE_WITHOUT_CAUSE, "the orphan cleanup ended " + r.status() + ": "
                        + r.error().orElse(""));
                return;
            }
        } catch (RuntimeException e) {
            violated(Invariant.NO_FAILURE_WITHOUT_CAUSE, "the orphan cleanup threw " + e);
            return;
        }
        Set<VsrxFileId> touched = new TreeSet<>(documents);
        touched.addAll(mapped);
        for (VsrxFileId f : touched) {
            boolean docNow = stores.documents().findDocumentByClientFileId(f).isPresent();
            boolean mappedNow = stores.documents().findMapping(f).isPresent();
            boolean docGone = documents.contains(f) && !docNow;
            boolean mappingGone = mapped.contains(f) && !mappedNow;
            if (!docGone && !mappingGone) {
                continue;
            }
            if (docGone) {
                removedSinceCheck.add(f);
                userEdited.remove(f);
            }
            if (!docNow && !mappedNow) {
                forgotten.add(f);
                userRemoved.remove(f);
            }
            tampered(f);
        }
    }

    void removeMappingRow(VsrxFileId file) {
        Optional<SyncMapping> mapping = stores.documents().findMapping(file);
        if (mapping.isPresent()) {
            stores.removeMappingRow(file);
            tampered(file);
            if (stores.documents().findDocumentByClientFileId(file).isEmpty()) {
                damage(mapping.get().contentHash(), damagedCounts);
                forgotten.add(file);
                userRemoved.remove(file);
            }
        }
    }

    /** Records that Silknote changed {@code file} behind the engine's back (during a run: that run's too). */
    private void tampered(VsrxFileId file) {
        tamperedSinceFullRun.add(file);
        if (silknoteChangedDuringRun) {
            tamperedDuringRun.add(file);
        }
    }

    void removeFilesetRecord(FilesetId fileset) {
        if (stores.documents().findFileset(fileset).isPresent()) {
            stores.removeFilesetRecord(fileset);
            if (silknoteChangedDuringRun) {
                recordsRemovedDuringRun.add(fileset);
            }
        }
    }

    void removeVectors(VsrxFileId file) {
        Optional<SilknoteDocument> doc = stores.documents().findDocumentByClientFileId(file);
        if (stores.removeVectorEntries(DocumentUuid.forVsrxFile(file)) > 0 && doc.isPresent()) {
            vectorsRemoved.put(file, doc.get().contentHash());
            tampered(file);
        }
    }

    void touchFile(VsrxFileId id) {
        if (live(id)) {
            vsrx.edit(id, vsrx.file(id).content(), true, true);
        }
    }

    void removeBlobRefRow(int content) {
        ContentHash hash = HistoryContent.content(content).hash();
        if (stores.documents().findBlobRef(hash).isPresent()) {
            stores.removeBlobRefRow(hash);
            damage(hash, damagedCounts);
        }
    }

    void removeBlob(int content) {
        ContentHash hash = HistoryContent.content(content).hash();
        Optional<BlobInfo> info = stores.blobs().stat(hash);
        if (info.isPresent() && stores.blobs().deleteIfMatch(hash, info.get().etag())) {
            damage(hash, removedBlobs);
        }
    }

    private void damage(ContentHash hash, Set<ContentHash> kind) {
        kind.add(hash);
        for (VsrxFileId f : vsrx.fileIds()) {
            boolean uses = stores.documents().findMapping(f).map(m -> m.contentHash().equals(hash)).orElse(false)
                    || stores.documents().findDocumentByClientFileId(f).map(d -> d.contentHash().equals(hash))
                            .orElse(false);
            if (uses) {
                tampered(f);
            }
        }
    }

    // ------------------------------------------------------------------ engines and runs

    private VsrxSync engine(DocumentStore documents, BlobStore blobs, VectorStore vectors, DocumentProcessor proc,
            SyncLock lock) {
        return VsrxSync.builder().source(vsrx).documents(documents).blobs(blobs).vectors(vectors).processor(proc)
                .lock(lock).config(config).clock(clock).sleeper(clock)
                .random(new SplittableRandom(seed * 1_000_003L + runs)).build();
    }

    private VsrxSync engine(String holder) {
        return engine(stores.documents(), stores.blobs(), stores.vectors(), processor, stores.lock(holder));
    }

    private static SyncRequest request(RunKind kind, Optional<FilesetId> only) {
        return switch (kind) {
            case FULL -> SyncRequest.full();
            case INCREMENTAL -> SyncRequest.incrementalRun();
            case FILESET -> SyncRequest.fileset(only.orElseThrow());
            case DRY -> SyncRequest.full().asDryRun();
        };
    }

    private void arm(Optional<MidRunEdit> edit) {
        synchronized (downloadedThisRun) {
            downloadedThisRun.clear();
        }
        int base = vsrx.downloads();
        vsrx.setDownloadHook(new HistoryVsrx.DownloadHook() {
            @Override
            public void beforeCapture(int download, VsrxFileId file) {
                synchronized (downloadedThisRun) {
                    downloadedThisRun.add(file);
                }
                edit.filter(e -> e.beforeCapture() && download == base + e.download()).ifPresent(e -> fire(e, file));
            }

            @Override
            public void afterCapture(int download, VsrxFileId file) {
                edit.filter(e -> !e.beforeCapture() && download == base + e.download()).ifPresent(e -> fire(e, file));
            }
        });
    }

    private void fire(MidRunEdit e, VsrxFileId downloading) {
        if (e.other().isPresent() && e.other().get() instanceof Step.GoneWhileDownloading g) {
            if (g.deleted()) {
                deleteFiles(List.of(downloading));
            } else {
                setFileListed(downloading, false);
            }
            return;
        }
        if (e.other().isPresent()) {
            if (!(e.other().get() instanceof Step.ClockDrift) && !vsrxChange(e.other().get())) {
                silknoteChangedDuringRun = true; // stays set until the next run: the checks of this run read it
            }
            e.other().get().apply(this);
            return;
        }
        VsrxFileId target = e.target().orElse(downloading);
        if (live(target)) {
            vsrx.edit(target, e.content(), true, true);
        }
    }

    /** A change on the VSRX side (not behind the engine's back in Silknote). */
    private static boolean vsrxChange(Step s) {
        return s instanceof Step.DeleteFiles || s instanceof Step.SetFileListed || s instanceof Step.MoveFile;
    }

    private void disarm() {
        vsrx.setDownloadHook(new HistoryVsrx.DownloadHook() { });
    }

    private RunRecord runOnce(VsrxSync engine, RunKind kind, Optional<FilesetId> only, Optional<MidRunEdit> edit) {
        long seq0 = vsrx.seq();
        long calls0 = processor.totalProcessCalls();
        boolean resumeBefore = resumePending;
        silknoteChangedDuringRun = false;
        tamperedDuringRun.clear();
        editedBeforeRun = Set.copyOf(userEdited.keySet());
        recordsRemovedDuringRun.clear();
        arm(edit);
        Optional<SyncResult> result = Optional.empty();
        try {
            result = Optional.of(engine.run(request(kind, only)));
        } catch (RuntimeException e) {
            violated(Invariant.NO_FAILURE_WITHOUT_CAUSE, "run " + kind + " threw " + e);
        } finally {
            disarm();
            runs++;
        }
        Set<VsrxFileId> downloaded;
        synchronized (downloadedThisRun) {
            downloaded = Set.copyOf(downloadedThisRun);
        }
        return new RunRecord(kind, result, seq0, downloaded, processor.totalProcessCalls() - calls0, resumeBefore,
                silknoteChangedDuringRun);
    }

    private Ledger read() {
        return Ledger.read(stores, vsrx.fileIds(), vsrx.filesetIds());
    }

    void run(Step.Run step) {
        if (step.kind() == RunKind.FILESET && (step.only().isEmpty() || !vsrx.hasFileset(step.only().get()))) {
            return;
        }
        Ledger before = step.kind() == RunKind.DRY ? read() : previous;
        check(runOnce(engine(RUNNER), step.kind(), step.only(), step.edit()), before);
    }

    void repeatedFullRun() {
        boolean resumeBefore = resumePending;
        RunRecord first = runOnce(engine(RUNNER), RunKind.FULL, Optional.empty(), Optional.empty());
        check(first, previous);
        if (!ok() || resumeBefore || first.result().map(r -> r.status() != SyncResult.Status.COMPLETED).orElse(true)) {
            return;
        }
        Ledger before = read();
        RunRecord second = runOnce(engine(RUNNER), RunKind.FULL, Optional.empty(), Optional.empty());
        Ledger after = read();
        // a file whose bytes VSRX does not serve is tried again every run (its GONE skip is not remembered)
        Set<VsrxFileId> downloaded = new TreeSet<>(second.downloaded());
        downloaded.removeIf(vsrx::contentLost);
        if (!downloaded.isEmpty() && setup.changeDetection() != ChangeDetectionMode.FULL_HASH) {
            violated(Invariant.REPEATED_RUN_IS_A_NO_OP, "the repeated full run downloaded " + downloaded);
        }
        if (second.processCalls() != 0) {
            violated(Invariant.REPEATED_RUN_IS_A_NO_OP, "the repeated full run processed " + second.processCalls()
                    + " documents again");
        }
        List<String> writes = after.writesSince(before);
        if (!writes.isEmpty()) {
            violated(Invariant.REPEATED_RUN_IS_A_NO_OP, "the repeated full run wrote: " + writes);
        }
        second.report().ifPresent(rep -> {
            List<String> acted = new ArrayList<>();
            rep.filesets().forEach(f -> f.files().stream().filter(x -> WRITES.contains(x.action()))
                    .forEach(x -> acted.add(x.fileId() + "=" + x.action())));
            if (!acted.isEmpty()) {
                violated(Invariant.REPEATED_RUN_IS_A_NO_OP, "the repeated full run reported changes " + acted);
            }
        });
        check(second, previous);
    }

    void incrementalThenFull(Optional<MidRunEdit> edit) {
        boolean resumeBefore = resumePending;
        Optional<Instant> watermark = stores.documents().loadState().lastCompleteSync();
        RunRecord first = runOnce(engine(RUNNER), RunKind.INCREMENTAL, Optional.empty(), edit);
        check(first, previous);
        if (!ok()) {
            return;
        }
        clock.advance(Duration.ofSeconds(1));
        RunRecord second = runOnce(engine(RUNNER), RunKind.INCREMENTAL, Optional.empty(), Optional.empty());
        check(second, previous);
        if (!ok()) {
            return;
        }
        Set<VsrxFileId> tampered = Set.copyOf(tamperedSinceFullRun);
        RunRecord full = runOnce(engine(RUNNER), RunKind.FULL, Optional.empty(), Optional.empty());
        check(full, previous);
        if (!ok() || resumeBefore) {
            return;
        }
        Set<FilesetId> failed = new TreeSet<>();
        for (RunRecord r : List.of(first, second)) {
            if (r.result().isEmpty() || r.result().get().status() == SyncResult.Status.FAILED) {
                return;
            }
            r.report().ifPresent(rep -> rep.filesets().stream().filter(f -> f.outcome().isFailure())
                    .forEach(f -> failed.add(f.filesetId())));
        }
        List<String> missed = new ArrayList<>();
        full.report().ifPresent(rep -> {
            for (FilesetReport fs : rep.filesets()) {
                if (fs.outcome() != FilesetOutcome.COMPLETED || failed.contains(fs.filesetId())) {
                    continue;
                }
                for (FileReport f : fs.files()) {
                    if (WRITES.contains(f.action()) && !tampered.contains(f.fileId())) {
                        FileState now = vsrx.file(f.fileId());
                        missed.add(f.fileId() + "=" + f.action() + " (fileset " + fs.filesetId() + ", file last changed "
                                + "in VSRX at state " + now.seq() + ")");
                    }
                }
            }
        });
        if (!missed.isEmpty()) {
            violated(Invariant.INCREMENTAL_MISSES_NOTHING, "after two incremental runs a full run still applied "
                    + missed + "; VSRX clock skew now " + vsrx.skew().toSeconds() + "s, lastCompleteSync before them "
                    + watermark.map(Instant::toString).orElse("none"));
        }
    }

    void pausedRunner(int pauseAt, List<Step> duringPause, boolean moreRuns) {
        GatedDocumentStore.WriteLog log = new GatedDocumentStore.WriteLog();
        GatedDocumentStore.Gate gate = new GatedDocumentStore.Gate(pauseAt);
        VsrxSync a = engine(new GatedDocumentStore(stores.documents(), "A", log, Optional.of(gate)),
                GatedDocumentStore.gated(stores.blobs(), gate), GatedDocumentStore.gated(stores.vectors(), gate),
                processor, stores.lock("host-a"));
        boolean resumeBefore = resumePending;
        long seqA = vsrx.seq();
        AtomicReference<Object> outcomeA = new AtomicReference<>();
        Thread runnerA = new Thread(() -> {
            try {
                outcomeA.set(a.run(SyncRequest.full()));
            } catch (Throwable t) {
                outcomeA.set(t);
            } finally {
                gate.runnerDone();
            }
        }, "history-runner-a");
        runnerA.start();
        boolean paused = gate.awaitPausedOrDone();
        if (!paused) {
            join(runnerA);
            runs++;
            if (outcomeA.get() instanceof SyncResult r) {
                check(new RunRecord(RunKind.FULL, Optional.of(r), seqA, Set.of(), 0, resumeBefore), previous);
            } else {
                rethrowOrRecord("runner A", outcomeA.get());
            }
            return;
        }
        refusedWhileHeld("runner B while runner A holds the lease", stores.lock("host-b"));
        for (Step s : duringPause) {
            s.apply(this);
        }
        clock.advance(config.lockTtl().plusSeconds(1));
        stores.forceLeaseExpiry(SyncConfig.LOCK_NAME);
        resumePending = true;
        VsrxSync b = engine(new GatedDocumentStore(stores.documents(), "B", log, Optional.empty()), stores.blobs(),
                stores.vectors(), processor, stores.lock("host-b"));
        RunRecord rb = runOnce(b, RunKind.FULL, Optional.empty(), Optional.empty());
        if (moreRuns) {
            // A stays paused for longer: another full run C syncs what B's resume skipped (A's committed
            // filesets), so A's late side effects meet newer work; a full run D after A judges the result.
            clock.advance(Duration.ofSeconds(30));
            runOnce(engine(RUNNER), RunKind.FULL, Optional.empty(), Optional.empty()).report()
                    .ifPresent(alsoReported::add);
        }
        gate.open();
        join(runnerA);
        List<GatedDocumentStore.WriteLog.Write> late = log.acceptedAfter("A", "B");
        if (!late.isEmpty()) {
            violated(Invariant.STALE_HOLDER_NEVER_COMMITS, "runner A's writes " + late + " landed after runner B's"
                    + " first write; all writes in order: " + log.writes());
        }
        if (!(outcomeA.get() instanceof SyncResult)) {
            rethrowOrRecord("runner A", outcomeA.get());
        } else {
            ((SyncResult) outcomeA.get()).report().ifPresent(alsoReported::add);
        }
        check(rb, previous);
        if (moreRuns && ok()) {
            clock.advance(Duration.ofSeconds(30));
            check(runOnce(engine(RUNNER), RunKind.FULL, Optional.empty(), Optional.empty()), previous);
        }
    }

    /**
     * A scale-out run (DESIGN §6, docs/architecture.md "Scale-out"): coordinator C takes the lease and opens a
     * full run, worker W joins it, and the two share its filesets through the ledger's claims. W pauses before its
     * {@code pauseAt}-th Silknote port call (or its first commit at 0; its claims and lock calls count too); VSRX
     * changes ({@code duringPause}, while C works on; with {@code editWorked}, the file W downloaded last gets that
     * content, so the fileset C takes over has moved on from what W holds); every claim held then expires (W
     * stalled past the ttl; C's own too, which C claims again), so C takes W's filesets over and completes the
     * run; then W resumes. C's run is checked as any full run; W's commits and fileset reports after the expiry
     * must all be refused (invariant 5); a full run after W judges what W did late. Waiting for claims does not move the
     * clock (as in {@code ScaleOutTest}): a claim expires here only when the step expires it.
     */
    void scaleOut(int pauseAt, List<Step> duringPause, Optional<Integer> editWorked) {
        Optional<FilesetClaims> claims = stores.claims();
        if (claims.isEmpty()) {
            return;
        }
        GatedDocumentStore.WriteLog log = new GatedDocumentStore.WriteLog();
        GatedDocumentStore.Gate gate = new GatedDocumentStore.Gate(pauseAt);
        CountDownLatch opened = new CountDownLatch(1);
        AtomicBoolean coordinatorDone = new AtomicBoolean();
        VsrxSync coordinator = participant("C", vsrx, log, Optional.empty(), stores.lock(RUNNER),
                signallingOpen(claims.get(), opened), 0);
        // W only ever joins: its lock is always refused, so it never runs as a coordinator of its own
        List<VsrxFileId> openedByW = java.util.Collections.synchronizedList(new ArrayList<>());
        VsrxSync worker = participant("W", recordingDownloads(openedByW), log, Optional.of(gate),
                refusing(stores.lock("host-w")), claims.get(), 500_000L);
        AtomicReference<Object> outcomeW = new AtomicReference<>();
        Thread runnerW = joiningWorker(worker, opened, coordinatorDone, outcomeW, gate::runnerDone);
        Thread staller = new Thread(() -> {
            if (gate.awaitPausedOrDone()) {
                for (Step step : duringPause) {
                    step.apply(this);
                }
                editWorked.ifPresent(content -> {
                    List<VsrxFileId> downloaded = List.copyOf(openedByW);
                    for (int i = downloaded.size() - 1; i >= 0; i--) {
                        if (live(downloaded.get(i))) {
                            vsrx.edit(downloaded.get(i), content, true, true);
                            return;
                        }
                    }
                });
                log.add("test", "claims expired", true);
                stores.forceClaimsExpiry();
            }
        }, "history-staller");
        staller.setDaemon(true);
        runnerW.start();
        staller.start();
        RunRecord rc;
        try {
            rc = runOnce(coordinator, RunKind.FULL, Optional.empty(), Optional.empty());
        } finally {
            coordinatorDone.set(true);
            opened.countDown();
        }
        join(staller);
        gate.open();
        join(runnerW);
        List<GatedDocumentStore.WriteLog.Write> late = log.acceptedAfter("W", "test").stream()
                .filter(w -> w.what().equals("commit") || w.what().equals("recordFilesetReport")).toList();
        if (!late.isEmpty()) {
            violated(Invariant.STALE_HOLDER_NEVER_COMMITS, "worker W's writes " + late + " landed after its claims"
                    + " expired and coordinator C took its filesets over; all writes in order: " + log.writes());
        }
        checkWorker(outcomeW.get());
        check(rc, previous);
        if (ok()) {
            clock.advance(Duration.ofSeconds(30));
            check(runOnce(engine(RUNNER), RunKind.FULL, Optional.empty(), Optional.empty()), previous);
        }
    }

    /**
     * A scale-out run whose coordinator stalls (DESIGN §6 "a dead coordinator", rule 10): coordinator C opens a
     * full run and worker W joins it; C pauses before its {@code pauseAt}-th call to any port (its claims and lock
     * included); VSRX changes; C's lease and every claim expire; W finds the lease gone at its next checkpoint and
     * stops; a full run D takes the lock with a newer token; C resumes. Neither C's nor W's writes may land after
     * D's first (invariant 5); D is checked as a resumed full run, and one more full run judges what C did late.
     */
    void scaleOutCoordinatorStalls(int pauseAt, List<Step> duringPause) {
        Optional<FilesetClaims> claims = stores.claims();
        if (claims.isEmpty()) {
            return;
        }
        GatedDocumentStore.WriteLog log = new GatedDocumentStore.WriteLog();
        GatedDocumentStore.Gate gate = new GatedDocumentStore.Gate(pauseAt);
        CountDownLatch opened = new CountDownLatch(1);
        AtomicBoolean noMoreJoins = new AtomicBoolean();
        AtomicBoolean acquired = new AtomicBoolean();
        VsrxSync coordinator = participant("C", vsrx, log, Optional.of(gate), noting(stores.lock("host-c"), acquired),
                signallingOpen(claims.get(), opened), 0);
        VsrxSync worker = participant("W", vsrx, log, Optional.empty(), refusing(stores.lock("host-w")), claims.get(),
                500_000L);
        boolean resumeBefore = resumePending;
        long seqC = vsrx.seq();
        AtomicReference<Object> outcomeC = new AtomicReference<>();
        AtomicReference<Object> outcomeW = new AtomicReference<>();
        Thread runnerC = new Thread(() -> {
            try {
                outcomeC.set(coordinator.run(SyncRequest.full()));
            } catch (Throwable t) {
                outcomeC.set(t);
            } finally {
                noMoreJoins.set(true);
                opened.countDown();
                gate.runnerDone();
            }
        }, "history-coordinator-c");
        runnerC.setDaemon(true);
        Thread runnerW = joiningWorker(worker, opened, noMoreJoins, outcomeW, () -> { });
        runnerC.start();
        runnerW.start();
        boolean paused = gate.awaitPausedOrDone();
        runs++;
        if (!paused) {
            join(runnerC);
            join(runnerW);
            checkWorker(outcomeW.get());
            if (outcomeC.get() instanceof SyncResult r) {
                check(new RunRecord(RunKind.FULL, Optional.of(r), seqC, Set.of(), 0, resumeBefore), previous);
            } else {
                rethrowOrRecord("coordinator C", outcomeC.get());
            }
            return;
        }
        // stalled before it took the lock, C runs later as a run of its own, after D: nothing stale to check
        boolean heldTheLease = acquired.get();
        for (Step s : duringPause) {
            s.apply(this);
        }
        clock.advance(config.lockTtl().plusSeconds(1));
        stores.forceLeaseExpiry(SyncConfig.LOCK_NAME);
        stores.forceClaimsExpiry();
        resumePending = true;
        noMoreJoins.set(true); // C stalled before it opened the run: W has nothing to join
        opened.countDown();
        // W finds the lease gone at its next checkpoint once a third of the ttl passed since its last renewal
        for (int i = 0; runnerW.isAlive(); i++) {
            if (i == 4_000) {
                violated(Invariant.NO_FAILURE_WITHOUT_CAUSE, "worker W never stopped after the lease of coordinator"
                        + " C was gone");
                return;
            }
            clock.advance(config.lockTtl().dividedBy(2));
            joinFor(runnerW, Duration.ofMillis(5));
        }
        VsrxSync d = engine(new GatedDocumentStore(stores.documents(), "D", log, Optional.empty()), stores.blobs(),
                stores.vectors(), processor, stores.lock(RUNNER));
        RunRecord rd = runOnce(d, RunKind.FULL, Optional.empty(), Optional.empty());
        gate.open();
        join(runnerC);
        List<GatedDocumentStore.WriteLog.Write> late = new ArrayList<>(log.acceptedAfter("W", "D"));
        if (heldTheLease) {
            late.addAll(log.acceptedAfter("C", "D"));
        }
        if (!late.isEmpty()) {
            violated(Invariant.STALE_HOLDER_NEVER_COMMITS, "the stalled coordinator's run wrote " + late + " after the"
                    + " newer run D's first write; all writes in order: " + log.writes());
        }
        checkWorker(outcomeW.get());
        if (outcomeC.get() instanceof SyncResult r) {
            r.report().ifPresent(alsoReported::add);
        } else {
            rethrowOrRecord("coordinator C", outcomeC.get());
        }
        check(rd, previous);
        if (ok()) {
            clock.advance(Duration.ofSeconds(30));
            check(runOnce(engine(RUNNER), RunKind.FULL, Optional.empty(), Optional.empty()), previous);
        }
    }

    /** {@code lock}, setting {@code acquired} once it hands out a lease. */
    private static SyncLock noting(SyncLock lock, AtomicBoolean acquired) {
        return Interception.around(SyncLock.class, lock, (name, call) -> {
            Object out = call.proceed();
            if (name.equals("tryAcquire") && out instanceof Optional<?> o && o.isPresent()) {
                acquired.set(true);
            }
            return out;
        });
    }

    /**
     * One engine of a scale-out step, its ledger writes logged as {@code name}; with a gate, every call it makes to
     * a Silknote port, its lock and its claims passes the gate (a stalled process renews and claims nothing).
     */
    private VsrxSync participant(String name, VsrxSource source, GatedDocumentStore.WriteLog log,
            Optional<GatedDocumentStore.Gate> gate, SyncLock lock, FilesetClaims claims, long seedOffset) {
        return VsrxSync.builder().source(source).documents(new GatedDocumentStore(stores.documents(), name, log, gate))
                .blobs(gate.map(g -> GatedDocumentStore.gated(stores.blobs(), g)).orElse(stores.blobs()))
                .vectors(gate.map(g -> GatedDocumentStore.gated(stores.vectors(), g)).orElse(stores.vectors()))
                .processor(processor)
                .lock(gate.map(g -> gatedPort(SyncLock.class, lock, g)).orElse(lock))
                .claims(gate.map(g -> gatedPort(FilesetClaims.class, claims, g)).orElse(claims))
                .config(config).clock(clock).sleeper(YIELDING)
                .random(new SplittableRandom(seed * 1_000_003L + runs + seedOffset)).build();
    }

    /** Waits for claims and completions without moving the clock (as in {@code ScaleOutTest}). */
    private static final Sleeper YIELDING = d -> Thread.yield();

    /** {@code claims} counting {@code opened} down once a run is opened. */
    private static FilesetClaims signallingOpen(FilesetClaims claims, CountDownLatch opened) {
        return Interception.around(FilesetClaims.class, claims, (name, call) -> {
            Object out = call.proceed();
            if (name.equals("open")) {
                opened.countDown();
            }
            return out;
        });
    }

    /** The history's VSRX, recording in {@code opened} the files whose content is opened through it. */
    private VsrxSource recordingDownloads(List<VsrxFileId> opened) {
        return (VsrxSource) java.lang.reflect.Proxy.newProxyInstance(VsrxSource.class.getClassLoader(),
                new Class<?>[] {VsrxSource.class}, (proxy, m, args) -> {
                    if (m.getName().equals("openContent")) {
                        opened.add((VsrxFileId) args[0]);
                    }
                    try {
                        return m.invoke(vsrx, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** A thread that runs {@code worker} once a run is open, unless {@code noJoin} is set by then. */
    private static Thread joiningWorker(VsrxSync worker, CountDownLatch opened, AtomicBoolean noJoin,
            AtomicReference<Object> outcome, Runnable done) {
        Thread t = new Thread(() -> {
            try {
                opened.await();
                if (!noJoin.get()) {
                    outcome.set(worker.run(SyncRequest.full()));
                }
            } catch (Throwable e) {
                outcome.set(e);
            } finally {
                done.run();
            }
        }, "history-worker-w");
        t.setDaemon(true);
        return t;
    }

    /**
     * Worker W joined the open run; or, resumed after the coordinator's lease was gone, it found it gone and
     * stopped; or it came too late to join (no run open, the lock refused). It never throws.
     */
    private void checkWorker(Object outcome) {
        if (outcome instanceof SyncResult r) {
            boolean leaseGone = r.status() == SyncResult.Status.FAILED
                    && r.error().orElse("").startsWith("lease lost");
            if (r.status() != SyncResult.Status.JOINED && !leaseGone && !r.isAlreadyInProgress()) {
                violated(Invariant.NO_FAILURE_WITHOUT_CAUSE, "worker W did not join coordinator C's open run: "
                        + r.status() + " " + r.error().orElse(""));
            }
            r.report().ifPresent(alsoReported::add);
        } else if (outcome != null) {
            rethrowOrRecord("worker W", outcome);
        }
    }

    /** {@code target} with every call counted, and held once closed, by {@code gate}. */
    private static <T> T gatedPort(Class<T> port, T target, GatedDocumentStore.Gate gate) {
        return Interception.around(port, target, (name, call) -> gate.call(false, () -> {
            try {
                return call.proceed();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }));
    }

    /** A host's view of the lock that never gets the lease (its inspections answer as the lock's). */
    private static SyncLock refusing(SyncLock lock) {
        return Interception.around(SyncLock.class, lock, (name, call) -> name.equals("tryAcquire")
                ? Optional.empty() : call.proceed());
    }

    private void rethrowOrRecord(String who, Object outcome) {
        if (outcome instanceof SimulatedCrash || !(outcome instanceof Error)) {
            violated(Invariant.NO_FAILURE_WITHOUT_CAUSE, who + "'s run threw " + outcome);
        } else {
            throw (Error) outcome;
        }
    }

    /** Waits for {@code t} to end, at most {@code d} (a thread that does not end is reported by the caller). */
    private static void joinFor(Thread t, Duration d) {
        try {
            t.join(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining " + t.getName(), e);
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining " + t.getName(), e);
        }
    }

    /** Another host's run while a lease is held must be refused and touch nothing. */
    private void refusedWhileHeld(String who, SyncLock lock) {
        Ledger before = read();
        int downloads = vsrx.downloads();
        SyncResult refused;
        try {
            refused = engine(stores.documents(), stores.blobs(), stores.vectors(), processor, lock)
                    .run(SyncRequest.full());
        } catch (RuntimeException e) {
            violated(Invariant.REFUSED_RUN_TOUCHES_NOTHING, who + " threw " + e);
            return;
        } finally {
            runs++;
        }
        if (!refused.isAlreadyInProgress()) {
            violated(Invariant.REFUSED_RUN_TOUCHES_NOTHING, who + " was not refused: " + refused.status() + " "
                    + refused.error().orElse(""));
            return;
        }
        Ledger after = read();
        List<String> writes = after.writesSince(before);
        if (!after.state().equals(before.state())) {
            writes = new ArrayList<>(writes);
            writes.add("resume state");
        }
        if (!writes.isEmpty() || vsrx.downloads() != downloads) {
            violated(Invariant.REFUSED_RUN_TOUCHES_NOTHING, who + " was refused but wrote " + writes + " and downloaded "
                    + (vsrx.downloads() - downloads) + " files");
        }
    }

    void crash(int effect, boolean afterEffect) {
        FaultPlan plan = afterEffect ? FaultPlan.crashAfterEffect(effect) : FaultPlan.crashBeforeEffect(effect);
        VsrxSync dying = engine(new FaultyDocumentStore(stores.documents(), plan),
                new FaultyBlobStore(stores.blobs(), plan), new FaultyVectorStore(stores.vectors(), plan),
                new FaultyDocumentProcessor(processor, plan), new FaultySyncLock(stores.lock("host-c"), plan));
        long seq0 = vsrx.seq();
        boolean resumeBefore = resumePending;
        SyncResult result;
        try {
            result = dying.run(SyncRequest.full());
        } catch (SimulatedCrash crashed) {
            result = null;
        } catch (RuntimeException e) {
            violated(Invariant.NO_FAILURE_WITHOUT_CAUSE, "run full (to crash at write " + effect + ") threw " + e);
            return;
        } finally {
            runs++;
        }
        if (result != null) {
            check(new RunRecord(RunKind.FULL, Optional.of(result), seq0, Set.of(), 0, resumeBefore), previous);
            return;
        }
        resumePending = true;
        checkLedger(Optional.empty(), read());
        if (!ok()) {
            return;
        }
        refusedWhileHeld("a run while the crashed run's lease holds", stores.lock("host-d"));
        if (!ok()) {
            return;
        }
        clock.advance(config.lockTtl().plusSeconds(1));
        stores.forceLeaseExpiry(SyncConfig.LOCK_NAME);
        check(runOnce(engine(RUNNER), RunKind.FULL, Optional.empty(), Optional.empty()), previous);
    }

    // ------------------------------------------------------------------ checks

    private void check(RunRecord r, Ledger before) {
        if (r.result().isEmpty()) {
            return;
        }
        SyncResult result = r.result().get();
        if (result.isAlreadyInProgress()) {
            violated(Invariant.NO_FAILURE_WITHOUT_CAUSE, "run " + r.kind() + " refused though no other run holds the lock");
            return;
        }
        if (r.kind() == RunKind.DRY) {
            checkDryRun(r, before);
            return;
        }
        Optional<SyncReport> report = result.report();
        if (report.isEmpty()) {
            violated(Invariant.NO_FAILURE_WITHOUT_CAUSE, "run " + r.kind() + " ended " + result.status() + " without a report");
            return;
        }
        if (result.status() == SyncResult.Status.FAILED) {
            violated(Invariant.NO_FAILURE_WITHOUT_CAUSE, "run " + r.kind() + " failed as a whole: "
                    + result.error().orElse("no error"));
            return;
        }
        Ledger now = read();
        checkOutcomes(r, report.get(), now);
        checkFiles(r, report.get(), now);
        checkAlarms(r, report.get());
        checkLedger(report, now);
        afterRun(r, result, now);
    }

    /**
     * {@link Invariant#NO_FALSE_ALARM}: {@code listed-but-not-served} only for a file whose bytes VSRX lost, and
     * {@code FILE_NOT_SERVED} only for a fileset with such a file in the run's report; and none missed: a lost
     * file skipped {@code GONE} while it stayed listed, live, in a listed fileset through the run is reported so.
     */
    private void checkAlarms(RunRecord r, SyncReport rep) {
        Set<String> alerted = new TreeSet<>();
        for (FilesetReport f : rep.filesets()) {
            for (FileReport x : f.files()) {
                boolean said = x.detail().filter("listed-but-not-served"::equals).isPresent();
                boolean lost = vsrx.hasFile(x.fileId()) && vsrx.contentLost(x.fileId());
                if (said && !lost) {
                    violated(Invariant.NO_FALSE_ALARM, "file " + x.fileId() + " reported listed but not served: "
                            + (vsrx.hasFile(x.fileId()) ? vsrx.file(x.fileId()) : "unknown"));
                }
                if (said) {
                    alerted.add(f.filesetId().value());
                }
                if (!said && lost && x.action() == FileAction.SKIPPED
                        && x.skipReason().filter(SkipReason.GONE::equals).isPresent()
                        && vsrx.statesSince(x.fileId(), r.seqAtStart()).stream().allMatch(s -> s.listed()
                                && !s.deleted() && s.filesetId().equals(f.filesetId())
                                && vsrx.fileset(s.filesetId()).listed())) {
                    violated(Invariant.NO_FALSE_ALARM, "file " + x.fileId() + " is listed but not served, reported "
                            + x.detail().orElse("without detail") + ": " + vsrx.file(x.fileId()));
                }
            }
        }
        for (Alert a : rep.alerts()) {
            if (a.kind() == Alert.Kind.FILE_NOT_SERVED
                    && alerted.stream().noneMatch(fs -> a.message().startsWith("fileset " + fs + ":"))) {
                violated(Invariant.NO_FALSE_ALARM, "run " + r.kind() + " raised " + a.kind() + " for no such file: "
                        + a.message());
            }
        }
        for (String fs : alerted) {
            if (rep.alerts().stream().noneMatch(a -> a.kind() == Alert.Kind.FILE_NOT_SERVED
                    && a.message().startsWith("fileset " + fs + ":"))) {
                violated(Invariant.NO_FALSE_ALARM, "fileset " + fs + " reported a file listed but not served without"
                        + " raising " + Alert.Kind.FILE_NOT_SERVED);
            }
        }
    }

    private void checkDryRun(RunRecord r, Ledger before) {
        Ledger after = read();
        List<String> writes = new ArrayList<>(after.writesSince(before));
        if (!after.state().equals(before.state())) {
            writes.add("resume state");
        }
        if (!writes.isEmpty()) {
            violated(Invariant.DRY_RUN_WRITES_NOTHING, "the dry run wrote " + writes);
        } else if (!r.downloaded().isEmpty()) {
            violated(Invariant.DRY_RUN_WRITES_NOTHING, "the dry run downloaded " + r.downloaded());
        } else if (r.processCalls() != 0) {
            violated(Invariant.DRY_RUN_WRITES_NOTHING, "the dry run processed " + r.processCalls() + " documents");
        } else if (r.report().map(rep -> !rep.dryRun()).orElse(false)) {
            violated(Invariant.DRY_RUN_WRITES_NOTHING, "the dry run's report says it was not a dry run");
        }
    }

    private int pendingDeletes(FilesetId fs, Ledger l) {
        int n = 0;
        for (VsrxFileId f : vsrx.fileIds()) {
            FileState s = vsrx.file(f);
            boolean known = Optional.ofNullable(l.mappings().get(f)).map(m -> m.filesetId().equals(fs)).orElse(false)
                    || Optional.ofNullable(l.documents().get(f)).map(d -> d.filesetId().equals(fs)).orElse(false);
            if (s.deleted() && s.filesetId().equals(fs) && known) {
                n++;
            }
        }
        return n;
    }

    private boolean silknoteKnows(FilesetId fs, Ledger l) {
        return l.filesets().containsKey(fs) || l.documents().values().stream().anyMatch(d -> d.filesetId().equals(fs));
    }

    private void checkOutcomes(RunRecord r, SyncReport rep, Ledger now) {
        Map<FilesetId, FilesetReport> byFileset = new HashMap<>();
        for (FilesetReport f : rep.filesets()) {
            FilesetId id = f.filesetId();
            byFileset.put(id, f);
            boolean exists = vsrx.hasFileset(id);
            FilesetState st = exists ? vsrx.fileset(id) : null;
            switch (f.outcome()) {
                case FAILED -> {
                    if (st != null && !st.listed() && silknoteKnows(id, now)) {
                        violated(Invariant.VANISHED_FILESET_REPORTED, "fileset " + id + " is no longer listed by VSRX"
                                + " and known to Silknote; expected VANISHED, the run reported FAILED: "
                                + f.failureReason().orElse("no reason"));
                    } else if (st == null || !(st.outage() || !st.listed() || concurrentChange(r, f))) {
                        violated(Invariant.NO_FAILURE_WITHOUT_CAUSE, "fileset " + id + " FAILED with no outage: "
                                + f.failureReason().orElse("no reason") + failedFiles(f));
                    }
                }
                case MASS_DELETE_BLOCKED -> {
                    int pending = pendingDeletes(id, now);
                    if (pending < config.massDeleteGuard().minDeletes()) {
                        violated(Invariant.NO_FAILURE_WITHOUT_CAUSE, "fileset " + id + " blocked by the mass-delete guard"
                                + " with only " + pending + " files marked deleted: " + f.failureReason().orElse(""));
                    }
                }
                case SKIPPED_ALREADY_PROCESSED -> {
                    if (!r.resumePendingBefore()) {
                        violated(Invariant.NO_STARVATION, "fileset " + id + " SKIPPED_ALREADY_PROCESSED by a run "
                                + r.kind() + " though the previous run was not interrupted");
                    }
                }
                case SKIPPED_NOT_LINKED -> {
                    if (st != null && st.listed() && st.link().isPresent()) {
                        violated(Invariant.NO_STARVATION, "linked fileset " + id + " reported SKIPPED_NOT_LINKED");
                    }
                }
                case VANISHED -> {
                    if (st != null && st.listed()) {
                        violated(Invariant.VANISHED_FILESET_REPORTED, "listed fileset " + id + " reported VANISHED");
                    }
                }
                case COMPLETED -> {
                    if (r.kind() != RunKind.DRY && st != null && st.listed() && st.link().isPresent()
                            && !recordsRemovedDuringRun.contains(id)) {
                        PatientFilesetRecord rec = now.filesets().get(id);
                        if (rec == null || !rec.patientUuid().equals(st.link().get())
                                || !rec.patientIdHistory().equals(st.patientIdHistory())) {
                            violated(Invariant.FILESET_RECORD_KEPT, "fileset " + id + " COMPLETED but Silknote's record"
                                    + " of it is " + (rec == null ? "missing" : "on " + label(rec.patientUuid())
                                    + " with patient-id history matching " + rec.patientIdHistory()
                                    .equals(st.patientIdHistory())) + "; VSRX links it to " + label(st.link()));
                        }
                    }
                }
            }
        }
        if (r.kind() != RunKind.FULL) {
            return;
        }
        for (FilesetId id : vsrx.filesetIds()) {
            FilesetState st = vsrx.fileset(id);
            FilesetReport f = byFileset.get(id);
            if (st.listed() && st.link().isPresent() && f == null) {
                violated(Invariant.NO_STARVATION, "listed, linked fileset " + id + " is missing from a full run's report");
            }
            if (!st.listed() && silknoteKnows(id, now) && (f == null || f.outcome() != FilesetOutcome.VANISHED)) {
                violated(Invariant.VANISHED_FILESET_REPORTED, "fileset " + id + " is no longer listed by VSRX but"
                        + " known to Silknote (documents or a fileset record); the full run reported " + (f == null ? "nothing" : f.outcome()));
            }
        }
    }

    /**
     * A fileset may fail because Silknote changed behind the engine's back while the run was under way: its
     * commit found the ledger no longer as planned (rule 10). The next run plans it again.
     */
    private static boolean concurrentChange(RunRecord r, FilesetReport f) {
        return r.silknoteChangedDuringRun()
                && f.failureReason().map(x -> x.startsWith("ConcurrentUpdateException")).orElse(false);
    }

    private static String failedFiles(FilesetReport f) {
        String files = f.files().stream().filter(x -> x.action() == FileAction.FAILED)
                .map(x -> x.fileId() + x.detail().map(d -> "(" + d + ")").orElse("")).collect(Collectors.joining(", "));
        return files.isEmpty() ? "" : "; failed files: " + files;
    }

    /**
     * An acceptable path, size and type: the file must reach Silknote. A listing whose SHA-256 is stale or lies
     * does not make it unacceptable: the engine may skip it as {@code CHECKSUM_MISMATCH} or trust the bytes.
     */
    private boolean acceptable(FileState s) {
        HistoryContent.Content c = HistoryContent.content(s.content());
        return !HistoryContent.invalidPath(s.path()) && s.declaredSize() == s.size()
                && s.size() <= config.maxFileSizeBytes() && config.allowedMimeTypes().contains(s.declaredMime())
                && s.declaredMime().equals(c.mime());
    }

    /** Bad for a reason that forbids syncing it whatever the engine trusts (rules 7 and 11). */
    private boolean mustNotSync(FileState s) {
        HistoryContent.Content c = HistoryContent.content(s.content());
        return HistoryContent.invalidPath(s.path()) || s.size() > config.maxFileSizeBytes()
                || !config.allowedMimeTypes().contains(s.declaredMime()) || !s.declaredMime().equals(c.mime());
    }

    /**
     * Whether skipping for {@code reason} fits what the file was while the engine could have looked at it:
     * listed as one of {@code states} (see {@link HistoryVsrx#statesSince}). Reasons that compare the listing
     * with the bytes also fit when the bytes came from a later state (the file changed between listing and
     * download, in this run or, for a remembered skip, in the run that remembered it).
     */
    private boolean fits(SkipReason reason, VsrxFileId id, List<FileState> states) {
        List<FileState> all = vsrx.history(id);
        for (FileState listed : states) {
            for (FileState served : all) {
                if (served.seq() >= listed.seq() && fits(reason, listed, served)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean fits(SkipReason reason, FileState listed, FileState served) {
        HistoryContent.Content bytes = HistoryContent.content(served.content());
        boolean allowed = config.allowedMimeTypes().contains(listed.declaredMime());
        return switch (reason) {
            case TOO_LARGE -> listed.declaredSize() > config.maxFileSizeBytes() || bytes.size() > config.maxFileSizeBytes();
            case UNSUPPORTED_TYPE -> !allowed;
            case TYPE_MISMATCH -> allowed && !listed.declaredMime().equals(bytes.mime());
            case SIZE_MISMATCH, TRUNCATED -> listed.declaredSize() != bytes.size();
            case CHECKSUM_MISMATCH -> listed.listedSha256().map(h -> !h.equals(bytes.hash())).orElse(false);
            case INVALID_PATH -> HistoryContent.invalidPath(listed.path());
            case REMEMBERED_SKIP -> EnumSet.allOf(SkipReason.class).stream()
                    .anyMatch(x -> x.permanent() && fits(x, listed, served));
            case EMPTY -> bytes.size() == 0;
            case UNREADABLE -> false;
            case PATIENT_NOT_LINKED -> vsrx.fileset(listed.filesetId()).link().isEmpty();
            // listed, then no longer served by its download: deleted, gone from the listing, or its fileset unlisted
            case GONE -> served.seq() > listed.seq() && (served.deleted() || !served.listed())
                    || !vsrx.fileset(served.filesetId()).listed() || vsrx.contentLost(listed.id());
        };
    }

    private void checkFiles(RunRecord r, SyncReport rep, Ledger now) {
        Map<FilesetId, FilesetReport> byFileset = new HashMap<>();
        Map<VsrxFileId, List<FileReport>> byFile = new HashMap<>();
        for (FilesetReport f : rep.filesets()) {
            byFileset.put(f.filesetId(), f);
            for (FileReport x : f.files()) {
                byFile.computeIfAbsent(x.fileId(), k -> new ArrayList<>()).add(x);
            }
        }
        for (FileReport x : byFile.values().stream().flatMap(List::stream).toList()) {
            if (x.action() == FileAction.SKIPPED && vsrx.hasFile(x.fileId())) {
                List<FileState> states = vsrx.statesSince(x.fileId(), r.seqAtStart());
                SkipReason why = x.skipReason().orElseThrow();
                if (!fits(why, x.fileId(), states)) {
                    violated(Invariant.LIVE_FILE_HAS_ITS_DOCUMENT, "file " + x.fileId() + " SKIPPED as " + why
                            + x.detail().map(d -> " (" + d + ")").orElse("") + ", which does not fit it: "
                            + vsrx.file(x.fileId()));
                }
            }
        }
        for (VsrxFileId id : vsrx.fileIds()) {
            FileState cur = vsrx.file(id);
            FilesetState st = vsrx.fileset(cur.filesetId());
            FilesetReport fsr = byFileset.get(cur.filesetId());
            if (fsr == null || fsr.outcome() != FilesetOutcome.COMPLETED || !st.listed() || st.link().isEmpty()) {
                continue;
            }
            List<FileReport> reports = byFile.getOrDefault(id, List.of());
            Optional<FileReport> mine = fsr.files().stream().filter(x -> x.fileId().equals(id)).findFirst();
            boolean conflict = reports.stream().anyMatch(x -> x.action() == FileAction.CONFLICT);
            List<FileState> states = vsrx.statesSince(id, r.seqAtStart());
            if (r.kind() == RunKind.INCREMENTAL && mine.isEmpty()) {
                continue;
            }
            if (tamperedDuringRun.contains(id)) {
                continue; // changed behind the engine's back after it read it: the next run is judged
            }
            if (reshapedDuringRun(r, states)) {
                continue; // created, deleted, moved or listed anew while the run was under way: the next run is judged
            }
            if (!cur.listed()) {
                continue;
            }
            if (cur.deleted()) {
                if (conflict) {
                    continue;
                }
                if (now.documents().containsKey(id)) {
                    violated(Invariant.DELETED_FILE_LEAVES_NOTHING, "file " + id + " is marked deleted but its document "
                            + "remains (reported " + actions(reports) + ")");
                } else if (now.mappings().containsKey(id)) {
                    violated(Invariant.DELETED_FILE_LEAVES_NOTHING, "file " + id + " is marked deleted and has no "
                            + "document, but its mapping remains (reported " + actions(reports) + ")");
                } else if (now.vectors().containsKey(id) && !forgotten.contains(id)) {
                    violated(Invariant.DELETED_FILE_LEAVES_NOTHING, "file " + id + " is marked deleted and has no "
                            + "document, but its vector entries remain (reported " + actions(reports) + ")");
                }
                continue;
            }
            if (!acceptable(cur)) {
                boolean synced = mine.map(x -> x.action() == FileAction.CREATED || x.action() == FileAction.UPDATED)
                        .orElse(false);
                if (synced && states.stream().allMatch(this::mustNotSync)) {
                    violated(Invariant.LIVE_FILE_HAS_ITS_DOCUMENT, "file " + id + " must not be synced but was "
                            + mine.get().action() + ": " + cur);
                }
                continue;
            }
            if (conflict || mine.map(x -> x.action() == FileAction.SKIPPED).orElse(false)) {
                continue;
            }
            checkDocument(id, cur, states, st, now, mine);
        }
    }

    /**
     * Whether the file was created, deleted or undeleted, moved to another fileset, or left or rejoined the
     * listing while the run was under way (VSRX changes while a scale-out worker is paused and its coordinator
     * works on): the run may have seen it either way. {@code states} are its states since the run started.
     */
    private static boolean reshapedDuringRun(RunRecord r, List<FileState> states) {
        FileState atStart = null;
        for (FileState s : states) {
            if (s.seq() <= r.seqAtStart()) {
                atStart = s;
            }
        }
        if (atStart == null) {
            return true;
        }
        for (FileState s : states) {
            if (s.seq() > r.seqAtStart() && (s.deleted() != atStart.deleted() || s.listed() != atStart.listed()
                    || !s.filesetId().equals(atStart.filesetId()))) {
                return true;
            }
        }
        return false;
    }

    private static String actions(List<FileReport> reports) {
        return reports.isEmpty() ? "nothing" : reports.stream()
                .map(x -> x.action() + x.detail().map(d -> "(" + d + ")").orElse("")).collect(Collectors.joining(", "));
    }

    private void checkDocument(VsrxFileId id, FileState cur, List<FileState> states, FilesetState st, Ledger now,
            Optional<FileReport> mine) {
        String reported = " (reported " + mine.map(x -> x.action() + x.detail().map(d -> "(" + d + ")").orElse(""))
                .orElse("nothing") + ")";
        SilknoteDocument doc = now.documents().get(id);
        if (doc == null) {
            violated(Invariant.LIVE_FILE_HAS_ITS_DOCUMENT, "live file " + id + " of linked fileset " + st.id()
                    + " has no document and no conflict was reported" + reported + ": " + cur);
            return;
        }
        PatientUuid linked = st.link().orElseThrow();
        if (!doc.patientUuid().equals(linked)) {
            violated(Invariant.DOCUMENT_ON_ITS_PATIENT, "the document of " + id + " is on " + label(doc.patientUuid())
                    + " but its fileset " + st.id() + " is linked to " + label(linked) + ", no conflict reported"
                    + reported);
            return;
        }
        if (!doc.filesetId().equals(cur.filesetId())) {
            violated(Invariant.DOCUMENT_ON_ITS_PATIENT, "the document of " + id + " belongs to fileset " + doc.filesetId()
                    + " but VSRX lists the file in " + cur.filesetId() + ", no conflict reported" + reported);
            return;
        }
        Set<ContentHash> hashes = states.stream().map(FileState::hash).collect(Collectors.toSet());
        if (!hashes.contains(doc.contentHash())) {
            violated(Invariant.LIVE_FILE_HAS_ITS_DOCUMENT, "the document of " + id + " holds " + label(doc.contentHash())
                    + " but the file has " + states.stream().map(s -> HistoryContent.content(s.content()).toString())
                    .distinct().toList() + reported + ": " + cur);
            return;
        }
        if (!removedBlobs.contains(doc.contentHash()) && !now.intactBlobs().contains(doc.contentHash())) {
            violated(Invariant.LIVE_FILE_HAS_ITS_DOCUMENT, "the blob of the document of " + id + " ("
                    + label(doc.contentHash()) + ") is missing or corrupt" + reported);
            return;
        }
        SyncMapping m = now.mappings().get(id);
        if (m != null && (!m.silknoteDocumentUuid().equals(doc.uuid()) || !m.contentHash().equals(doc.contentHash())
                || !m.filesetId().equals(doc.filesetId()))) {
            violated(Invariant.LIVE_FILE_HAS_ITS_DOCUMENT, "the mapping of " + id + " (" + label(m.contentHash())
                    + ", fileset " + m.filesetId() + ") disagrees with its document (" + label(doc.contentHash())
                    + ", fileset " + doc.filesetId() + ")" + reported);
            return;
        }
        if (userEdited.containsKey(id)) {
            return;
        }
        DocumentMetadata md = doc.metadata();
        Set<String> paths = states.stream().map(s -> Normalizer.normalize(s.path(), Normalizer.Form.NFC))
                .collect(Collectors.toSet());
        if (!doc.uuid().equals(DocumentUuid.forVsrxFile(id)) || !md.vsrxReference().equals(id)
                || !DocumentMetadata.SOURCE_SYSTEM.equals(md.sourceSystem())
                || !DocumentMetadata.UNGROUPED.equals(md.groupingStatus())
                || !md.patientIdHistory().equals(st.patientIdHistory()) || !paths.contains(md.originalPath())) {
            violated(Invariant.LIVE_FILE_HAS_ITS_DOCUMENT, "the metadata of the document of " + id + " is not the "
                    + "file's (rule 1): uuid derived " + doc.uuid().equals(DocumentUuid.forVsrxFile(id))
                    + ", vsrxReference " + md.vsrxReference() + ", sourceSystem " + md.sourceSystem() + ", grouping "
                    + md.groupingStatus() + ", patient-id history matches " + md.patientIdHistory()
                    .equals(st.patientIdHistory()) + ", originalPath matches " + paths.contains(md.originalPath())
                    + reported);
            return;
        }
        List<VectorEntry> vectors = now.vectors().get(id);
        boolean vectorsGone = doc.contentHash().equals(vectorsRemoved.get(id));
        if (!removedBlobs.contains(doc.contentHash()) && !vectorsGone && (vectors == null
                || vectors.stream().anyMatch(v -> !v.contentHash().equals(doc.contentHash())))) {
            violated(Invariant.LIVE_FILE_HAS_ITS_DOCUMENT, "the document of " + id + " was not processed from its "
                    + "content " + label(doc.contentHash()) + " (vector entries: " + (vectors == null ? "none"
                    : vectors.stream().map(v -> label(v.contentHash())).distinct().toList()) + ")" + reported);
        }
    }

    /** Invariants 3 (moves), 4, user changes and deletes: everything that must hold after any run, even a crashed one. */
    private void checkLedger(Optional<SyncReport> rep, Ledger now) {
        if (!now.strayDocuments().isEmpty()) {
            violated(Invariant.LIVE_FILE_HAS_ITS_DOCUMENT, "documents that are not their file's one document: "
                    + now.strayDocuments());
        }
        for (Map.Entry<VsrxFileId, SilknoteDocument> e : previous.documents().entrySet()) {
            VsrxFileId f = e.getKey();
            SilknoteDocument before = e.getValue();
            SilknoteDocument after = now.documents().get(f);
            if (after == null) {
                boolean deleted = vsrx.statesSince(f, seqAtPreviousCheck).stream().anyMatch(FileState::deleted);
                if (!deleted && !removedSinceCheck.contains(f)) {
                    violated(Invariant.ONLY_DELETED_DELETES, "the document of " + f + " was deleted though VSRX never "
                            + "marked the file deleted: " + vsrx.file(f) + " in fileset " + vsrx.fileset(vsrx.file(f)
                            .filesetId()).id() + (vsrx.fileset(vsrx.file(f).filesetId()).listed() ? "" : " (not listed)"));
                }
                continue;
            }
            if (removedSinceCheck.contains(f)) {
                // Removed behind the engine's back since the last check, then created anew (RESTORE, or nothing
                // was left of the file in Silknote): a creation on the fileset's patient, not a move.
                continue;
            }
            if (!after.filesetId().equals(before.filesetId())) {
                violated(Invariant.DOCUMENT_ON_ITS_PATIENT, "the document of " + f + " moved from fileset "
                        + before.filesetId() + " (" + label(before.patientUuid()) + ") to fileset " + after.filesetId()
                        + " (" + label(after.patientUuid()) + ")" + reportedIn(rep, f));
            } else if (!after.patientUuid().equals(before.patientUuid()) && !relinkedMove(rep, f, after)) {
                violated(Invariant.DOCUMENT_ON_ITS_PATIENT, "the document of " + f + " moved from "
                        + label(before.patientUuid()) + " to " + label(after.patientUuid()) + " without a relink of "
                        + "its fileset reported as such" + reportedIn(rep, f));
            }
        }
        rep.ifPresent(report -> {
            Map<FilesetId, FilesetOutcome> outcomes = new HashMap<>();
            Set<VsrxFileId> conflicts = new LinkedHashSet<>();
            for (FilesetReport fs : report.filesets()) {
                outcomes.put(fs.filesetId(), fs.outcome());
                fs.files().stream().filter(x -> x.action() == FileAction.CONFLICT).forEach(x -> conflicts.add(x.fileId()));
            }
            for (SilknoteDocument d : now.documents().values()) {
                if (!vsrx.hasFileset(d.filesetId()) || outcomes.get(d.filesetId()) != FilesetOutcome.COMPLETED) {
                    continue;
                }
                FilesetState st = vsrx.fileset(d.filesetId());
                if (st.listed() && st.link().isPresent() && !st.link().get().equals(d.patientUuid())
                        && !conflicts.contains(d.clientFileId())) {
                    violated(Invariant.DOCUMENT_ON_ITS_PATIENT, "the document of " + d.clientFileId() + " is on "
                            + label(d.patientUuid()) + " while its fileset " + d.filesetId() + " is linked to "
                            + label(st.link()) + ", no conflict reported" + reportedIn(rep, d.clientFileId()));
                }
            }
        });
        for (Map.Entry<VsrxFileId, UserEdit> e : List.copyOf(userEdited.entrySet())) {
            SilknoteDocument d = now.documents().get(e.getKey());
            UserEdit u = e.getValue();
            if (d == null) {
                userEdited.remove(e.getKey());
            } else if (!d.metadata().groupingStatus().equals(u.grouping()) || !d.contentHash().equals(u.hash())
                    || !d.patientUuid().equals(u.patient())) {
                violated(Invariant.USER_CHANGES_KEPT, "the document of " + e.getKey() + " that a user grouped was "
                        + "overwritten: grouping " + d.metadata().groupingStatus() + ", content " + label(d.contentHash())
                        + " (was " + label(u.hash()) + "), on " + label(d.patientUuid()) + " (was " + label(u.patient())
                        + ")");
            }
        }
        for (VsrxFileId f : List.copyOf(userRemoved)) {
            if (!now.mappings().containsKey(f) || setup.removedDocuments() == RemovedDocumentPolicy.RESTORE) {
                userRemoved.remove(f); // RESTORE: a removed document is created again, by design
            } else if (now.documents().containsKey(f)) {
                violated(Invariant.USER_CHANGES_KEPT, "the document of " + f + " that a user deleted was re-created "
                        + "while its mapping stays (expected a conflict, document-removed-in-silknote)");
            }
        }
        Map<ContentHash, List<VsrxFileId>> references = new HashMap<>();
        for (VsrxFileId f : vsrx.fileIds()) {
            SyncMapping m = now.mappings().get(f);
            SilknoteDocument d = now.documents().get(f);
            ContentHash h = m != null ? m.contentHash() : d != null ? d.contentHash() : null;
            if (h != null) {
                references.computeIfAbsent(h, k -> new ArrayList<>()).add(f);
            }
        }
        for (HistoryContent.Content c : HistoryContent.all()) {
            ContentHash h = c.hash();
            List<VsrxFileId> refs = references.getOrDefault(h, List.of());
            Optional<BlobRef> row = Optional.ofNullable(now.refs().get(h));
            long counted = row.map(BlobRef::refCount).orElse(0L);
            boolean live = row.map(x -> x.state() == BlobRef.State.LIVE).orElse(false);
            boolean intact = now.intactBlobs().contains(h);
            // Damage behind the engine's back exempts only what it damaged, until it is consistent again: a
            // damaged count never excuses a referenced blob that goes missing.
            if (damagedCounts.contains(h) && counted == refs.size() && (refs.isEmpty() || live)) {
                damagedCounts.remove(h);
            }
            if (removedBlobs.contains(h) && (refs.isEmpty() || intact)) {
                removedBlobs.remove(h);
            }
            boolean countExempt = damagedCounts.contains(h);
            if (!countExempt && counted != refs.size()) {
                violated(Invariant.REFERENCE_COUNTS_AND_BLOBS, "the blob ref of " + c + " counts " + counted + " but "
                        + refs.size() + " files reference it " + refs);
            } else if (!countExempt && !refs.isEmpty() && !live) {
                violated(Invariant.REFERENCE_COUNTS_AND_BLOBS, "the blob ref of " + c + " is " + row.map(BlobRef::state)
                        + " while " + refs + " reference it");
            } else if (!removedBlobs.contains(h) && !refs.isEmpty() && !intact) {
                violated(Invariant.REFERENCE_COUNTS_AND_BLOBS, "the blob of " + c + " is missing from the blob store"
                        + " while " + refs + " reference it");
            }
        }
        for (VsrxFileId f : List.copyOf(forgotten)) {
            if (now.mappings().containsKey(f) || now.documents().containsKey(f)) {
                forgotten.remove(f); // Silknote knows the file again
            }
        }
        documentRemovedByUser.removeIf(f -> now.documents().containsKey(f));
        vectorsRemoved.entrySet().removeIf(e -> Optional.ofNullable(now.documents().get(e.getKey()))
                .map(d -> !d.contentHash().equals(e.getValue())).orElse(true));
        if (rep.isPresent()) {
            checkVectorsHaveDocuments(now);
        }
        for (Map.Entry<VsrxFileId, SyncMapping> e : now.mappings().entrySet()) {
            if (!e.getValue().silknoteDocumentUuid().equals(DocumentUuid.forVsrxFile(e.getKey()))
                    || !e.getValue().vsrxFileId().equals(e.getKey())) {
                violated(Invariant.LIVE_FILE_HAS_ITS_DOCUMENT, "the mapping of " + e.getKey() + " does not name the"
                        + " document uuid derived from the file id (rule 2)");
            }
        }
        alsoReported.clear();
        previous = now;
        seqAtPreviousCheck = vsrx.seq();
        removedSinceCheck.clear();
    }

    /**
     * No vector entries outlive their document, unless a user removed the document (Silknote's own entries
     * then), Silknote forgot the file, or the purge is still pending in the outbox (DESIGN §2.5, §2.6).
     */
    private void checkVectorsHaveDocuments(Ledger now) {
        Set<com.silknote.sync.core.model.DocumentUuid> pending = new java.util.HashSet<>();
        long after = 0;
        while (true) {
            List<com.silknote.sync.core.model.OutboxEntry> page = stores.documents().pendingOutbox(after, 500);
            page.forEach(e -> pending.add(e.document()));
            if (page.size() < 500) {
                break;
            }
            after = page.get(page.size() - 1).id();
        }
        for (VsrxFileId f : now.vectors().keySet()) {
            DocumentUuid uuid = DocumentUuid.forVsrxFile(f);
            if (!now.documents().containsKey(f) && !documentRemovedByUser.contains(f) && !forgotten.contains(f)
                    && !pending.contains(uuid)) {
                violated(Invariant.DELETED_FILE_LEAVES_NOTHING, "vector entries of file " + f + " outlive its document"
                        + " (no purge pending): " + vsrx.file(f));
            }
        }
    }

    /**
     * A patient change is a relink move: the document's fileset is now linked to its new patient, no user
     * changed the document, and the run raised a relink alert without reporting the file unchanged, in
     * conflict or failed (a crashed run reports nothing).
     */
    private boolean relinkedMove(Optional<SyncReport> rep, VsrxFileId f, SilknoteDocument after) {
        // A user's change made during this run came after the move if the run reports it: the move's commit is
        // conditional on the document as read (rule 10), so a change before it would have refused it.
        boolean editedFirst = userEdited.containsKey(f)
                && (editedBeforeRun.contains(f) || !tamperedDuringRun.contains(f));
        if (editedFirst || !vsrx.hasFileset(after.filesetId())
                || !vsrx.fileset(after.filesetId()).link().equals(Optional.of(after.patientUuid()))) {
            return false;
        }
        if (rep.isEmpty()) {
            return true;
        }
        List<SyncReport> reports = new ArrayList<>(alsoReported);
        reports.add(rep.get());
        Set<FileAction> silent = EnumSet.of(FileAction.UNCHANGED, FileAction.CONFLICT, FileAction.FAILED,
                FileAction.CREATED, FileAction.DELETED);
        // Any run since the last check (a paused runner's too) may have made the move; it must say so.
        for (SyncReport one : reports) {
            boolean alert = one.alerts().stream().anyMatch(a -> a.kind() == Alert.Kind.FILESET_RELINKED);
            List<FileReport> mine = one.filesets().stream().filter(fs -> fs.filesetId().equals(after.filesetId()))
                    .flatMap(fs -> fs.files().stream()).filter(x -> x.fileId().equals(f)).toList();
            if (alert && !mine.isEmpty() && mine.stream().noneMatch(x -> silent.contains(x.action()))) {
                return true;
            }
        }
        return false;
    }

    private static String reportedIn(Optional<SyncReport> rep, VsrxFileId f) {
        if (rep.isEmpty()) {
            return " (after a crashed run)";
        }
        List<FileReport> reports = rep.get().filesets().stream().flatMap(fs -> fs.files().stream())
                .filter(x -> x.fileId().equals(f)).toList();
        return " (reported " + actions(reports) + ")";
    }

    private void afterRun(RunRecord r, SyncResult result, Ledger now) {
        if (r.kind() != RunKind.FULL && r.kind() != RunKind.INCREMENTAL) {
            return;
        }
        resumePending = result.status() == SyncResult.Status.FAILED;
        if (result.status() != SyncResult.Status.COMPLETED) {
            return;
        }
        Optional<Instant> mark = now.state().lastCompleteSync();
        boolean resumed = r.report().map(rep -> rep.filesets().stream()
                .anyMatch(f -> f.outcome() == FilesetOutcome.SKIPPED_ALREADY_PROCESSED)).orElse(false);
        if (mark.isEmpty() && !resumed) {
            violated(Invariant.NO_STARVATION, "lastCompleteSync is not set after a completed " + r.kind() + " run");
        }
        if (r.kind() == RunKind.FULL) {
            // a change behind the engine's back during this run may have come after its fileset was done: only
            // the next full run sees it (incremental runs follow VSRX's changes), seed 5049
            tamperedSinceFullRun.retainAll(tamperedDuringRun);
        }
    }
}
