package com.silknote.sync.testkit.history;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.OrphanCleanup;
import com.silknote.sync.core.SyncConflicts;
import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.CleanupRequest;
import com.silknote.sync.core.model.ConflictKind;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.ReferenceTally;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxWriteResult;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.core.port.VsrxTarget;
import com.silknote.sync.testkit.InMemoryDocumentProcessor;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import com.silknote.sync.testkit.fault.Interception;
import com.silknote.sync.testkit.fault.Operation;
import com.silknote.sync.testkit.fault.SimulatedCrash;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One bi-directional history (issue 14): a scripted VSRX (the testkit's in-memory VSRX, source and target),
 * Silknote users writing documents through {@link SilknoteStores#silknoteUser()}, runs of the engine with a
 * strategy drawn for the history, crashes, a paused holder, operators and the maintenance operations. After
 * every step it checks the {@link BidiInvariant}s against what the history did, never against what the engine
 * says it decided.
 *
 * <p>Every version a user writes (on either side) has bytes of its own, so a content hash names one version.
 * A version is <em>kept</em> from its write until a user on either side replaces or removes it where it is
 * current (that user saw it and chose otherwise), or an operator releases or decides against it; while kept it
 * must be current on a side or held by a conflict record whose blob is stored.
 */
final class BidiHistoryWorld {
    static final String TEXT = "text/plain";
    private static final Set<String> DOCUMENT_WRITES = Set.of("fence", "inUnitOfWork", "completeOutbox",
            "failOutbox", "markBlobDeleting", "removeBlobRefIfDeleting", "reviveBlobRef", "recordRunStarted",
            "recordFilesetReport", "recordRun", "pruneRuns");
    private static final Set<String> TARGET_WRITES = Set.of("fence", "createFile", "replaceContent", "markDeleted");
    private static final Set<ConflictKind> DECIDED_BY_STRATEGY = EnumSet.of(ConflictKind.CHANGED_ON_BOTH_SIDES,
            ConflictKind.DELETED_IN_VSRX, ConflictKind.REMOVED_IN_SILKNOTE);
    private static final Set<ConflictStatus> HOLDING = EnumSet.of(ConflictStatus.OPEN, ConflictStatus.APPLIED);
    private static final int FILESETS = 3;

    private final long seed;
    private final BidiSetup setup;
    private final TestClock clock;
    private final SilknoteStores stores;
    private final SyncConfig config;
    private final InMemoryVsrxSource vsrx;
    private final VsrxTarget recordingTarget;
    private final InMemoryDocumentProcessor processor;
    private final SplittableRandom random;
    private final Map<FilesetId, PatientUuid> filesets = new LinkedHashMap<>();
    private final List<String> applied = new ArrayList<>();
    /** Versions that must not be lost, by hash, with who wrote them. */
    private final Map<ContentHash, String> kept = new LinkedHashMap<>();
    /** Documents Silknote users created, with the fileset they filed them under. */
    private final Map<DocumentUuid, FilesetId> authored = new LinkedHashMap<>();
    /** VSRX files the sync marked deleted (not replays), in order. */
    private final List<VsrxFile> syncDeletes = new ArrayList<>();
    /** Files a VSRX user changed the content of: the only ones row 13 may report changed in VSRX. */
    private final Set<VsrxFileId> vsrxUpdated = new TreeSet<>();
    /** Files whose listing declares a stale SHA-256: the pull skips them, so their sides may differ, reported. */
    private final Set<VsrxFileId> staleSha = new TreeSet<>();
    /**
     * Contents whose reference count a ledger row removed behind the engine's back damaged: exempt from the count
     * check (never from the stored-blob check) until the count matches its references again.
     */
    private final Set<ContentHash> damagedCounts = new TreeSet<>();
    /**
     * Files whose mapping row was removed behind the engine's back, with the hash it named, while their document
     * stays without one: that hash and the document's current one are exempt from the count check (a user's edit
     * of such a document moves its reference from one to the other, which no store counts), then damaged until
     * their counts match again.
     */
    private final Map<VsrxFileId, ContentHash> unmapped = new TreeMap<>();
    /**
     * Files VSRX lists live but whose bytes its store lost: their downloads answer {@code file_not_found}
     * ({@link #vsrxLosesContent}). Changed only by steps, never while a run is under way; cleared at quiescence.
     */
    private final Set<VsrxFileId> lost = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Draws the damage behind the engine's back apart from the steps, so a seed's steps stay what they were. */
    private final SplittableRandom damage;
    private int versions;
    private long engines;
    private Optional<String> violation = Optional.empty();

    BidiHistoryWorld(long seed, BidiSetup setup, TestClock clock, SilknoteStores stores) {
        this.seed = seed;
        this.setup = requireNonNull(setup, "setup");
        this.clock = requireNonNull(clock, "clock");
        this.stores = requireNonNull(stores, "stores");
        this.config = setup.config();
        this.vsrx = new InMemoryVsrxSource(clock);
        this.processor = new InMemoryDocumentProcessor(stores.blobs(), stores.vectors());
        this.random = new SplittableRandom(seed ^ 0xB1D1_5EEDL);
        this.damage = new SplittableRandom(seed ^ 0xDA3A_6E5EL);
        this.recordingTarget = Interception.around(VsrxTarget.class, vsrx, (method, call) -> {
            Object r = call.proceed();
            if (method.equals("markDeleted") && r instanceof VsrxWriteResult w && !w.replayed()) {
                synchronized (syncDeletes) {
                    syncDeletes.add(w.file());
                }
            }
            return r;
        });
        for (int i = 1; i <= FILESETS; i++) {
            PatientUuid patient = new PatientUuid(UUID.nameUUIDFromBytes(("bidi-patient-" + seed + "-" + i)
                    .getBytes(StandardCharsets.UTF_8)));
            filesets.put(vsrx.addFileset(PatientId.of("P-" + i), patient), patient);
        }
    }

    BidiSetup setup() {
        return setup;
    }

    List<String> applied() {
        return List.copyOf(applied);
    }

    Optional<String> violation() {
        return violation;
    }

    /** Set by {@link #quiesce}: no more edits, VSRX's included. */
    private volatile boolean quiescing;

    boolean ok() {
        return violation.isEmpty();
    }

    // ------------------------------------------------------------------ steps

    /** Draws and plays one step; false once an invariant is broken. */
    boolean step() {
        int roll = random.nextInt(100);
        if (roll < 10) {
            vsrxCreate();
        } else if (roll < 18) {
            vsrxUpdate();
        } else if (roll < 21) {
            vsrxDelete();
        } else if (roll < 22) {
            vsrxDeleteDuringRun();
        } else if (roll < 25) {
            vsrxRename();
        } else if (roll < 34) {
            silknoteCreate();
        } else if (roll < 44) {
            silknoteReplace();
        } else if (roll < 48) {
            silknoteRemove();
        } else if (roll < 50) {
            silknoteGroup();
        } else if (roll < 60) {
            plainRun("full run", SyncRequest.full(), Optional.empty());
        } else if (roll < 65) {
            plainRun("incremental run", SyncRequest.incrementalRun(), Optional.empty());
        } else if (roll < 70) {
            editBeforeCommit();
        } else if (roll < 78) {
            crash();
        } else if (roll < 83) {
            pausedHolder();
        } else if (roll < 88) {
            operatorDecides();
        } else if (roll < 92) {
            operatorReleases();
        } else if (roll < 95) {
            orphanCleanup();
        } else if (roll < 96) {
            vsrxClockSkew();
        } else if (roll < 97) {
            vsrxLosesContent();
        } else if (roll < 98) {
            vsrxStaleSha();
        } else {
            collector();
        }
        int harm = damage.nextInt(100);
        if (ok() && harm < 4) {
            removeMappingRow();
        } else if (ok() && harm < 6) {
            removeBlobRefRow();
        }
        return ok();
    }

    /** No more edits: two full runs, the quiescence checks, and one more full run that must write nothing. */
    void quiesce() {
        quiescing = true; // a delete still armed for a file's next download does not happen any more
        if (!ok()) {
            return;
        }
        if (!lost.isEmpty()) {
            lost.clear();
            log("VSRX serves every file it lists again");
        }
        clock.advance(Duration.ofMinutes(1));
        plainRun("quiet full run 1", SyncRequest.full(), Optional.empty());
        if (!ok()) {
            return;
        }
        clock.advance(Duration.ofMinutes(1));
        Optional<SyncReport> last = plainRun("quiet full run 2", SyncRequest.full(), Optional.empty());
        if (!ok() || last.isEmpty()) {
            return;
        }
        checkQuiescent(last.get());
        if (!ok()) {
            return;
        }
        String before = snapshot();
        clock.advance(Duration.ofMinutes(1));
        plainRun("quiet full run 3", SyncRequest.full(), Optional.empty());
        String after = snapshot();
        if (ok() && !before.equals(after)) {
            violated(BidiInvariant.QUIET_RUN_WRITES_NOTHING, "a full run after quiescence changed the state:\nbefore "
                    + before + "\nafter  " + after);
        }
    }

    private void vsrxCreate() {
        FilesetId fs = pick(new ArrayList<>(filesets.keySet()));
        byte[] bytes = newVersion("vsrx user");
        VsrxFileId id = vsrx.addFile(fs, "notes/v" + versions + ".txt", TEXT, bytes);
        keep(TestHashes.sha256(bytes), "vsrx create of " + id);
        log("VSRX user creates " + id + " in " + fs);
    }

    private void vsrxUpdate() {
        List<VsrxFile> live = liveFiles();
        if (live.isEmpty()) {
            vsrxCreate();
            return;
        }
        updateInVsrx(pick(live));
    }

    /** A VSRX user writes a new version of {@code f}; the one it replaces may be lost. */
    private void updateInVsrx(VsrxFile f) {
        supersede(vsrx.contentHash(f.id()));
        byte[] bytes = newVersion("vsrx user");
        vsrx.modifyFile(f.id(), bytes);
        vsrxUpdated.add(f.id());
        keep(TestHashes.sha256(bytes), "vsrx update of " + f.id());
        log("VSRX user updates " + f.id() + originNote(f));
    }

    /**
     * A VSRX user updates a file and VSRX's listing keeps declaring the old SHA-256 from then on (a stale cache):
     * the declaration never decides anything, the served bytes do; the pull skips the file while the two disagree.
     */
    private void vsrxStaleSha() {
        List<VsrxFile> live = liveFiles();
        if (live.isEmpty()) {
            vsrxCreate();
            return;
        }
        VsrxFile f = pick(live);
        ContentHash old = vsrx.contentHash(f.id());
        supersede(old);
        byte[] bytes = newVersion("vsrx user");
        vsrx.modifyFile(f.id(), bytes);
        vsrx.setDeclaredSha256(f.id(), old);
        vsrxUpdated.add(f.id());
        staleSha.add(f.id());
        keep(TestHashes.sha256(bytes), "vsrx update of " + f.id());
        log("VSRX user updates " + f.id() + originNote(f) + "; the listing keeps declaring its old SHA-256");
    }

    private void vsrxDelete() {
        List<VsrxFile> live = liveFiles();
        if (live.isEmpty()) {
            vsrxCreate();
            return;
        }
        VsrxFile f = pick(live);
        supersede(vsrx.contentHash(f.id()));
        vsrx.deleteFile(f.id());
        log("VSRX user deletes " + f.id() + originNote(f));
    }

    /**
     * Rule 3: a VSRX user deletes a file while a full run is under way, as the run (or, when it never reads that
     * file, a later one) opens its content; in half of them the file changed first, so the run downloads it. The
     * run must not fail for it, nor half-apply it: the next run sees the file deleted.
     */
    private void vsrxDeleteDuringRun() {
        List<VsrxFile> live = liveFiles();
        if (live.isEmpty()) {
            vsrxCreate();
            return;
        }
        VsrxFile f = pick(live);
        if (random.nextBoolean()) {
            updateInVsrx(f);
        }
        AtomicBoolean fired = new AtomicBoolean();
        vsrx.beforeOpen(f.id(), () -> {
            if (!quiescing && fired.compareAndSet(false, true)
                    && !vsrx.findFile(f.id()).map(VsrxFile::deleted).orElse(true)) {
                supersede(vsrx.contentHash(f.id()));
                vsrx.deleteFile(f.id());
                log("VSRX user deletes " + f.id() + " as a run opens its content");
            }
        });
        plainRun("full run, VSRX deletes " + f.id() + " when it opens its content", SyncRequest.full(),
                Optional.empty());
    }

    private void vsrxRename() {
        List<VsrxFile> live = liveFiles();
        if (live.isEmpty()) {
            vsrxCreate();
            return;
        }
        VsrxFile f = pick(live);
        vsrx.renameFile(f.id(), "notes/renamed-" + (++versions) + ".txt");
        log("VSRX user renames " + f.id());
    }

    private void silknoteCreate() {
        FilesetId fs = pick(new ArrayList<>(filesets.keySet()));
        boolean grouped = random.nextInt(4) == 0;
        byte[] bytes = newVersion("silknote user");
        ContentHash hash = store(bytes);
        DocumentUuid uuid = new DocumentUuid(UUID.nameUUIDFromBytes(("bidi-doc-" + seed + "-" + versions)
                .getBytes(StandardCharsets.UTF_8)));
        stores.silknoteUser().create(new AuthoredDocument(uuid, filesets.get(fs), Optional.of(fs), hash, bytes.length,
                TEXT, Optional.of("Befund " + versions), AuthoredDocument.SILKNOTE, grouped ? "grouped" : "ungrouped",
                clock.instant()));
        synchronized (this) {
            authored.put(uuid, fs);
        }
        keep(hash, "silknote create of " + uuid);
        log("Silknote user creates " + uuid + (grouped ? " (grouped)" : "") + " for " + fs);
    }

    private void silknoteReplace() {
        List<Doc> docs = documents();
        if (docs.isEmpty()) {
            silknoteCreate();
            return;
        }
        replaceAsUser(pick(docs), "");
    }

    private void replaceAsUser(Doc d, String when) {
        supersede(d.hash());
        byte[] bytes = newVersion("silknote user");
        ContentHash hash = store(bytes);
        stores.silknoteUser().replaceContent(d.uuid(), hash, bytes.length, TEXT);
        keep(hash, "silknote replace of " + d.uuid());
        log("Silknote user replaces the content of " + d + when);
    }

    private void silknoteRemove() {
        List<Doc> docs = documents();
        if (docs.isEmpty()) {
            silknoteCreate();
            return;
        }
        Doc d = pick(docs);
        supersede(d.hash());
        stores.silknoteUser().remove(d.uuid());
        log("Silknote user removes " + d);
    }

    private void silknoteGroup() {
        List<Doc> docs = documents().stream().filter(d -> d.file().isPresent()).toList();
        if (docs.isEmpty()) {
            silknoteReplace();
            return;
        }
        Doc d = pick(docs);
        stores.silknoteUser().group(d.uuid(), "grouped");
        log("Silknote user groups " + d);
    }

    /** Rule 10: a Silknote user edits a document between a run's plan and its n-th unit of work. */
    private void editBeforeCommit() {
        List<Doc> docs = documents();
        if (docs.isEmpty()) {
            plainRun("full run", SyncRequest.full(), Optional.empty());
            return;
        }
        Doc d = pick(docs);
        int nth = 1 + random.nextInt(3);
        AtomicInteger units = new AtomicInteger();
        Interception.Hook hook = (method, call) -> {
            if (method.equals("inUnitOfWork") && units.incrementAndGet() == nth) {
                stores.documents().findDocument(d.uuid()).map(x -> new Doc(x.uuid(), x.contentHash(),
                        Optional.of(x.clientFileId()))).or(() -> authoredNow(d.uuid()))
                        .ifPresent(now -> replaceAsUser(now, " before unit of work " + nth + " commits"));
            }
            return call.proceed();
        };
        plainRun("full run with a Silknote edit before unit of work " + nth, SyncRequest.full(), Optional.of(hook));
    }

    private Optional<Doc> authoredNow(DocumentUuid uuid) {
        AuthoredDocument a = stores.documents().findAuthoredDocuments(List.of(uuid)).get(uuid);
        return Optional.ofNullable(a).map(x -> new Doc(x.uuid(), x.contentHash(), Optional.empty()));
    }

    /**
     * A run that dies at its n-th port call (before it, or after it with the answer lost), or at its first
     * unit of work after a VSRX write; every later call of the dead process fails too. Its lease then expires.
     */
    private void crash() {
        boolean betweenWriteAndCommit = random.nextInt(4) == 0;
        int nth = 1 + random.nextInt(60);
        boolean afterCall = random.nextBoolean();
        String what = betweenWriteAndCommit ? "crash between a VSRX write and the next commit"
                : "crash " + (afterCall ? "after (answer lost)" : "before") + " port call " + nth;
        AtomicInteger calls = new AtomicInteger();
        AtomicBoolean dead = new AtomicBoolean();
        AtomicBoolean wrote = new AtomicBoolean();
        Interception.Hook hook = (method, call) -> {
            if (dead.get()) {
                throw new SimulatedCrash(nth, Operation.DOCUMENTS_READ, "dead process");
            }
            if (betweenWriteAndCommit) {
                if (method.equals("inUnitOfWork") && wrote.get()) {
                    dead.set(true);
                    throw new SimulatedCrash(nth, Operation.DOCUMENTS_UNIT_OF_WORK, "crash before the commit");
                }
                Object r = call.proceed();
                if (Set.of("createFile", "replaceContent", "markDeleted").contains(method)) {
                    wrote.set(true);
                }
                return r;
            }
            int c = calls.incrementAndGet();
            if (c == nth && !afterCall) {
                dead.set(true);
                throw new SimulatedCrash(nth, Operation.DOCUMENTS_READ, "crash before call " + method);
            }
            Object r = call.proceed();
            if (c == nth) {
                dead.set(true);
                throw new SimulatedCrash(nth, Operation.DOCUMENTS_READ, "crash after call " + method);
            }
            return r;
        };
        VsrxSync dying = engine(wrap(DocumentStore.class, stores.documents(), hook),
                wrap(BlobStore.class, stores.blobs(), hook), wrap(VectorStore.class, stores.vectors(), hook),
                wrap(VsrxSource.class, vsrx, hook), wrap(VsrxTarget.class, recordingTarget, hook),
                wrap(SyncLock.class, stores.lock("host-crashing"), hook));
        String outcome;
        try {
            SyncResult r = dying.run(SyncRequest.full());
            outcome = "ended " + r.status();
        } catch (SimulatedCrash crashed) {
            outcome = "died";
        } catch (RuntimeException e) {
            log(what);
            violated(BidiInvariant.RUN_NEVER_THROWS, "the run threw " + e);
            return;
        }
        log(what + ": the run " + outcome);
        clock.advance(config.lockTtl().plusSeconds(1));
        stores.forceLeaseExpiry(SyncConfig.LOCK_NAME);
        checkAlways();
    }

    /** Waits until no call of the paused runner is under way (its other threads finish the call they are in). */
    private static void awaitIdle(AtomicInteger inFlight, Object idle) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        synchronized (idle) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("a call of the paused runner did not end within 60 s");
                }
                try {
                    idle.wait(Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while the paused runner finished its calls", e);
                }
            }
        }
    }

    /**
     * Rule 10 and docs/bidirectional.md §5.1: runner A pauses before its n-th port call, its lease expires,
     * B runs, A resumes; nothing A writes to VSRX or the ledger after that may land.
     */
    private void pausedHolder() {
        int pauseAt = 1 + random.nextInt(50);
        CountDownLatch pausedOrDone = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        AtomicBoolean resumed = new AtomicBoolean();
        AtomicBoolean paused = new AtomicBoolean();
        List<String> late = new ArrayList<>();
        // The whole process pauses, not one thread: from the n-th call on, every call of A (any of its threads)
        // waits at the gate, and the world goes on only once no call of A is under way, so nothing A does can
        // interleave with the edits made while it is paused (a call inside one under way passes).
        AtomicInteger inFlight = new AtomicInteger();
        ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);
        Object idle = new Object();
        Interception.Hook hook = (method, call) -> {
            int[] nested = depth.get();
            if (nested[0] == 0) {
                if (calls.incrementAndGet() == pauseAt) {
                    paused.set(true);
                    pausedOrDone.countDown();
                }
                if (paused.get()) {
                    Interception.await(gate);
                    resumed.set(true);
                }
            }
            inFlight.incrementAndGet();
            nested[0]++;
            try {
                return call.proceed();
            } finally {
                nested[0]--;
                inFlight.decrementAndGet();
                synchronized (idle) {
                    idle.notifyAll();
                }
            }
        };
        Interception.Hook docWrites = (method, call) -> {
            Object r = call.proceed();
            if (resumed.get() && DOCUMENT_WRITES.contains(method)) {
                synchronized (late) {
                    late.add("ledger " + method);
                }
            }
            return r;
        };
        Interception.Hook targetWrites = (method, call) -> {
            Object r = call.proceed();
            if (resumed.get() && TARGET_WRITES.contains(method)) {
                synchronized (late) {
                    late.add("VSRX " + method);
                }
            }
            return r;
        };
        VsrxSync a = engine(wrap(DocumentStore.class, wrap(DocumentStore.class, stores.documents(), docWrites), hook),
                wrap(BlobStore.class, stores.blobs(), hook), stores.vectors(), wrap(VsrxSource.class, vsrx, hook),
                wrap(VsrxTarget.class, wrap(VsrxTarget.class, recordingTarget, targetWrites), hook),
                stores.lock("host-a"));
        AtomicReference<Object> outcomeA = new AtomicReference<>();
        Thread runnerA = new Thread(() -> {
            try {
                outcomeA.set(a.run(SyncRequest.full()));
            } catch (Throwable t) {
                outcomeA.set(t);
            } finally {
                pausedOrDone.countDown();
            }
        }, "bidi-history-runner-a");
        runnerA.start();
        Interception.await(pausedOrDone);
        if (outcomeA.get() != null) {
            join(runnerA);
            log("runner A ran to its end before port call " + pauseAt);
            judge("runner A", outcomeA.get());
            checkAlways();
            return;
        }
        awaitIdle(inFlight, idle);
        log("runner A pauses before port call " + pauseAt + "; its lease expires");
        if (random.nextBoolean()) {
            if (random.nextBoolean()) {
                silknoteReplace();
            } else {
                vsrxUpdate();
            }
        }
        clock.advance(config.lockTtl().plusSeconds(1));
        stores.forceLeaseExpiry(SyncConfig.LOCK_NAME);
        plainRun("runner B full run", SyncRequest.full(), Optional.empty());
        gate.countDown();
        join(runnerA);
        log("runner A resumes and ends");
        if (!ok()) {
            return;
        }
        if (!late.isEmpty()) {
            violated(BidiInvariant.STALE_HOLDER_WRITES_NOTHING, "runner A wrote after it lost its lease: " + late);
            return;
        }
        judge("runner A", outcomeA.get());
        checkAlways();
    }

    private void judge(String who, Object outcome) {
        if (outcome instanceof SyncResult r) {
            if (r.status() == SyncResult.Status.FAILED && r.report().isEmpty()) {
                violated(BidiInvariant.RUN_NEVER_THROWS, who + " failed as a whole: " + r.error().orElse(""));
            }
        } else if (outcome instanceof Error e) {
            throw e;
        } else {
            violated(BidiInvariant.RUN_NEVER_THROWS, who + " threw " + outcome);
        }
    }

    private void operatorDecides() {
        List<ConflictRecord> open = conflicts(EnumSet.of(ConflictStatus.OPEN)).stream()
                .filter(r -> r.decision().isEmpty()).toList();
        if (open.isEmpty()) {
            plainRun("full run", SyncRequest.full(), Optional.empty());
            return;
        }
        ConflictRecord r = pick(open);
        ConflictStrategy keep = pick(List.of(ConflictStrategy.VSRX_WINS, ConflictStrategy.SILKNOTE_WINS,
                ConflictStrategy.KEEP_BOTH));
        log("operator decides " + keep + " on conflict " + r.id() + " (" + r.kind() + ")");
        try {
            operators().decide(r.id(), keep);
        } catch (RuntimeException e) {
            violated(BidiInvariant.RUN_NEVER_THROWS, "deciding an open conflict threw " + e);
            return;
        }
        // the operator chose: the losing side's bytes may go once the decision is applied
        if (keep == ConflictStrategy.VSRX_WINS) {
            r.silknoteHash().ifPresent(this::supersede);
        } else if (keep == ConflictStrategy.SILKNOTE_WINS) {
            r.vsrxHash().ifPresent(this::supersede);
        }
        checkAlways();
    }

    private void operatorReleases() {
        List<ConflictRecord> appliedRecords = conflicts(EnumSet.of(ConflictStatus.APPLIED));
        if (appliedRecords.isEmpty()) {
            operatorDecides();
            return;
        }
        ConflictRecord r = pick(appliedRecords);
        log("operator releases conflict " + r.id() + " (" + r.kind() + ", " + r.detail().orElse("") + ")");
        try {
            operators().release(r.id());
        } catch (RuntimeException e) {
            violated(BidiInvariant.RUN_NEVER_THROWS, "releasing an applied conflict threw " + e);
            return;
        }
        r.keptHash().ifPresent(this::supersede);
        checkAlways();
    }

    private SyncConflicts operators() {
        return SyncConflicts.builder().documents(stores.documents()).lock(stores.lock("operator")).config(config)
                .clock(clock).build();
    }

    /** Rule 14: the orphan cleanup, past every grace period, must keep every version the history keeps. */
    private void orphanCleanup() {
        clock.advance(config.blobGracePeriod().plusHours(1));
        log("orphan cleanup, " + config.blobGracePeriod().plusHours(1).toHours() + " h later");
        try {
            OrphanCleanup.builder().documents(stores.documents()).blobs(stores.blobs()).vectors(stores.vectors())
                    .lock(stores.lock("cleanup")).source(vsrx).config(config).clock(clock).sleeper(clock)
                    .random(new SplittableRandom(seed + engines++)).build().run(CleanupRequest.removing());
        } catch (RuntimeException e) {
            violated(BidiInvariant.RUN_NEVER_THROWS, "the orphan cleanup threw " + e);
            return;
        }
        checkAlways();
    }

    /**
     * VSRX's clock runs ahead of or behind the sync's by up to two hours from now on: its modification times no
     * longer order against Silknote's ({@code NEWER_WINS} may pick the other side), but no version may be lost.
     */
    /**
     * VSRX's store loses the bytes of a file its index still lists (its downloads answer {@code file_not_found}),
     * or serves such a file again. Whoever reads it, the pull or the Silknote side deciding a change on both sides,
     * skips it ({@code GONE}, {@code listed-but-not-served}) and raises {@code FILE_NOT_SERVED}, and nothing is
     * written for it until VSRX serves it again.
     */
    private void vsrxLosesContent() {
        if (!lost.isEmpty() && random.nextBoolean()) {
            VsrxFileId back = pick(new ArrayList<>(new TreeSet<>(lost)));
            lost.remove(back);
            log("VSRX serves " + back + " again");
            return;
        }
        List<VsrxFile> live = liveFiles().stream().filter(f -> !lost.contains(f.id())).toList();
        if (live.isEmpty()) {
            return;
        }
        VsrxFile f = pick(live);
        lost.add(f.id());
        log("VSRX's store loses the bytes of " + f.id() + originNote(f) + "; its index still lists it");
    }

    private void vsrxClockSkew() {
        Duration skew = Duration.ofMinutes(random.nextInt(241) - 120L);
        vsrx.setClockSkew(skew);
        log("VSRX's clock is now " + skew.toMinutes() + " min off the sync's");
    }

    /**
     * Rule 2 and issue 9 item 3: a mapping row removed behind the engine's back (a restore, a hand edit). The
     * document stays; the next runs must neither lose a version nor import, overwrite or delete anything for it.
     */
    private void removeMappingRow() {
        List<SyncMapping> all = new ArrayList<>();
        filesets.keySet().forEach(fs -> all.addAll(stores.documents().mappings(fs)));
        if (all.isEmpty()) {
            return;
        }
        SyncMapping m = all.get(damage.nextInt(all.size()));
        unmapped.put(m.vsrxFileId(), m.contentHash());
        stores.removeMappingRow(m.vsrxFileId());
        log("Silknote's mapping row of " + m.vsrxFileId() + " (" + m.contentHash().shortHex()
                + ") is removed behind the engine's back");
        checkAlways();
    }

    /**
     * Rule 12: a blob-reference row removed behind the engine's back. Its count is exempt until it matches again;
     * the blob of a content anything still references must stay stored all the same (the collector never takes
     * it).
     */
    private void removeBlobRefRow() {
        List<ContentHash> rows = new ArrayList<>(referenceRows().keySet());
        if (rows.isEmpty()) {
            return;
        }
        ContentHash h = rows.get(damage.nextInt(rows.size()));
        damagedCounts.add(h);
        stores.removeBlobRefRow(h);
        log("Silknote's blob-reference row of " + h.shortHex() + " is removed behind the engine's back");
        checkAlways();
    }

    /** Rule 12: a full run past the blob grace period, so its collection pass collects what it may. */
    private void collector() {
        clock.advance(config.blobGracePeriod().plusMinutes(1));
        plainRun("full run past the blob grace period (collector)", SyncRequest.full(), Optional.empty());
    }

    // ------------------------------------------------------------------ runs

    private Optional<SyncReport> plainRun(String label, SyncRequest request, Optional<Interception.Hook> documentsHook) {
        clock.advance(Duration.ofSeconds(5));
        Map<FilesetId, Integer> mapped = new HashMap<>();
        filesets.keySet().forEach(fs -> mapped.put(fs, guardPopulation(fs)));
        int deletesBefore;
        synchronized (syncDeletes) {
            deletesBefore = syncDeletes.size();
        }
        DocumentStore docs = documentsHook.map(h -> wrap(DocumentStore.class, stores.documents(), h))
                .orElse(stores.documents());
        SyncResult result;
        try {
            result = engine(docs, stores.blobs(), stores.vectors(), vsrx, recordingTarget, stores.lock("host-main"))
                    .run(request);
        } catch (RuntimeException e) {
            log(label);
            violated(BidiInvariant.RUN_NEVER_THROWS, label + " threw " + e);
            return Optional.empty();
        }
        log(label + ": " + summary(result));
        if (result.isAlreadyInProgress() || result.report().isEmpty()) {
            violated(BidiInvariant.RUN_NEVER_THROWS, label + " ended " + result.status() + " "
                    + result.error().orElse("") + " without a report");
            return Optional.empty();
        }
        checkAlarms(label, result.report().get());
        boolean editedDuringRun = documentsHook.isPresent();
        for (FilesetReport fs : result.report().get().filesets()) {
            String reason = fs.failureReason().orElse("");
            boolean refusedCommit = reason.contains("ConcurrentUpdateException") || fs.files().stream()
                    .anyMatch(f -> f.detail().orElse("").contains("ConcurrentUpdateException"));
            if (fs.outcome() == FilesetOutcome.FAILED && !(editedDuringRun && refusedCommit)) {
                violated(BidiInvariant.FILESET_FAILS_ONLY_FOR_A_CAUSE, label + ": fileset " + fs.filesetId()
                        + " failed: " + reason);
                return Optional.empty();
            }
        }
        List<VsrxFile> deleted;
        synchronized (syncDeletes) {
            deleted = List.copyOf(syncDeletes.subList(deletesBefore, syncDeletes.size()));
        }
        checkDeletes(label, deleted, mapped);
        checkAlways();
        return result.report();
    }

    /**
     * {@link BidiInvariant#NO_FALSE_ALARM}: {@code listed-but-not-served} only for a file whose bytes VSRX lost and
     * still lists live; {@code FILE_NOT_SERVED} exactly for the filesets with such a skip, counting them.
     */
    private void checkAlarms(String label, SyncReport report) {
        Set<VsrxFileId> listedLive = new TreeSet<>();
        liveFiles().forEach(f -> listedLive.add(f.id()));
        for (FilesetReport fs : report.filesets()) {
            long said = 0;
            for (FileReport x : fs.files()) {
                if (x.detail().filter("listed-but-not-served"::equals).isEmpty()) {
                    if (x.skipReason().filter(SkipReason.GONE::equals).isPresent() && lost.contains(x.fileId())
                            && listedLive.contains(x.fileId())) {
                        violated(BidiInvariant.NO_FALSE_ALARM, label + ": file " + x.fileId() + " is listed but not"
                                + " served, reported " + x.detail().orElse("without a detail"));
                    }
                    continue;
                }
                said++;
                if (!lost.contains(x.fileId()) || !listedLive.contains(x.fileId())) {
                    violated(BidiInvariant.NO_FALSE_ALARM, label + ": file " + x.fileId()
                            + " reported listed but not served, but VSRX serves it or no longer lists it");
                }
            }
            String count = said + " listed file(s)";
            List<Alert> alerts = report.alerts().stream().filter(a -> a.kind() == Alert.Kind.FILE_NOT_SERVED
                    && a.message().startsWith("fileset " + fs.filesetId() + ":")).toList();
            if (said == 0 && !alerts.isEmpty() || said > 0 && (alerts.size() != 1
                    || !alerts.get(0).message().contains(count))) {
                violated(BidiInvariant.NO_FALSE_ALARM, label + ": fileset " + fs.filesetId() + " reported " + said
                        + " file(s) listed but not served, alerts " + alerts);
            }
        }
        report.alerts().stream().filter(a -> a.kind() == Alert.Kind.FILE_NOT_SERVED)
                .filter(a -> report.filesets().stream().noneMatch(fs -> a.message().startsWith(
                        "fileset " + fs.filesetId() + ":")))
                .forEach(a -> violated(BidiInvariant.NO_FALSE_ALARM, label + " raised " + a.kind()
                        + " for no fileset of its report: " + a.message()));
    }

    /**
     * The mass-delete guard's population of a fileset (§7), as the engine counts it: its documents, its live mapped
     * files whose document a user removed (row 7), and the files the sync wrote whose document and mapping are gone
     * (row 13).
     */
    private int guardPopulation(FilesetId fs) {
        Set<VsrxFileId> withDocument = new TreeSet<>();
        stores.documents().documents(fs).forEach(d -> withDocument.add(d.clientFileId()));
        Set<VsrxFileId> live = new TreeSet<>();
        List<VsrxFile> listed = vsrx.listedFiles(fs);
        listed.stream().filter(f -> !f.deleted()).forEach(f -> live.add(f.id()));
        long removed = stores.documents().mappings(fs).stream()
                .filter(m -> live.contains(m.vsrxFileId()) && !withDocument.contains(m.vsrxFileId())).count();
        long orphaned = listed.stream().filter(f -> !f.deleted() && f.origin().isPresent()
                && stores.documents().findMapping(f.id()).isEmpty()
                && stores.documents().findDocument(f.origin().get()).isEmpty()).count();
        return withDocument.size() + (int) (removed + orphaned);
    }

    /** §7: no VSRX delete without {@code deletes} on, and never past the mass-delete guard. */
    private void checkDeletes(String label, List<VsrxFile> deleted, Map<FilesetId, Integer> mappedBefore) {
        if (deleted.isEmpty()) {
            return;
        }
        if (!setup.deletes()) {
            violated(BidiInvariant.VSRX_DELETES_ONLY_WHEN_ON_AND_GUARDED, label + " marked VSRX files deleted with "
                    + "deletes off: " + deleted.stream().map(VsrxFile::id).toList());
            return;
        }
        Map<FilesetId, Integer> perFileset = new TreeMap<>();
        deleted.forEach(f -> perFileset.merge(f.filesetId(), 1, Integer::sum));
        perFileset.forEach((fs, n) -> {
            int m = mappedBefore.getOrDefault(fs, 0);
            if (setup.guard().trips(n, m)) {
                violated(BidiInvariant.VSRX_DELETES_ONLY_WHEN_ON_AND_GUARDED, label + " marked " + n + " VSRX files of "
                        + fs + " deleted while it had " + m + " mapped files: past the guard " + setup.guard());
            }
        });
    }

    private VsrxSync engine(DocumentStore docs, BlobStore blobs, VectorStore vectors, VsrxSource source,
            VsrxTarget target, SyncLock lock) {
        VsrxSource served = new com.silknote.sync.testkit.ForwardingVsrxSource(source) {
            @Override
            public com.silknote.sync.core.model.FileContent openContent(VsrxFileId fileId) {
                if (lost.contains(fileId)) {
                    throw com.silknote.sync.core.exception.FileGoneException.notFound();
                }
                return super.openContent(fileId);
            }
        };
        return VsrxSync.builder().source(served).documents(docs).blobs(blobs).vectors(vectors).processor(processor)
                .lock(lock).config(config).clock(clock).sleeper(clock).target(target)
                .random(new SplittableRandom(seed * 1_000_003L + engines++)).build();
    }

    private static <T> T wrap(Class<T> port, T target, Interception.Hook hook) {
        return Interception.around(port, target, hook);
    }

    private static String summary(SyncResult r) {
        StringBuilder sb = new StringBuilder(r.status().toString());
        r.report().ifPresent(rep -> {
            for (FilesetReport fs : rep.filesets()) {
                sb.append(" | ").append(fs.filesetId()).append(' ').append(fs.outcome());
                fs.failureReason().ifPresent(x -> sb.append('(').append(x).append(')'));
                for (FileReport f : fs.files()) {
                    sb.append(' ').append(f.fileId()).append('=').append(f.action());
                    f.detail().ifPresent(d -> sb.append('(').append(d).append(')'));
                }
            }
        });
        return sb.toString();
    }

    // ------------------------------------------------------------------ checks

    /** The invariants that hold after every step. */
    void checkAlways() {
        if (!ok()) {
            return;
        }
        List<ConflictRecord> holding = conflicts(HOLDING);
        List<Doc> docs = documents();
        checkVersionsKept(docs, holding);
        checkExportsAndLoops();
        checkPatients();
        checkReferences(holding);
    }

    /** docs/bidirectional.md §4, issue 14 "no version lost": every kept version is current or held and stored. */
    private void checkVersionsKept(List<Doc> docs, List<ConflictRecord> holding) {
        Set<ContentHash> current = new TreeSet<>();
        liveFiles().forEach(f -> current.add(vsrx.contentHash(f.id())));
        for (Doc d : docs) {
            current.add(d.hash());
            if (!stored(d.hash())) {
                violated(BidiInvariant.NO_VERSION_LOST, "the bytes of document " + d + " are not in the blob store");
                return;
            }
        }
        Set<ContentHash> held = new TreeSet<>();
        holding.forEach(r -> held.addAll(r.heldHashes()));
        Map<ContentHash, String> copy;
        synchronized (this) {
            copy = new LinkedHashMap<>(kept);
        }
        for (Map.Entry<ContentHash, String> e : copy.entrySet()) {
            ContentHash h = e.getKey();
            if (current.contains(h)) {
                continue;
            }
            if (!held.contains(h)) {
                violated(BidiInvariant.NO_VERSION_LOST, "version " + h + " (" + e.getValue() + ") is current on neither"
                        + " side and no open or applied conflict record holds it");
                return;
            }
            if (!stored(h)) {
                violated(BidiInvariant.NO_VERSION_LOST, "version " + h + " (" + e.getValue() + ") is held by a conflict"
                        + " record but missing from the blob store");
                return;
            }
        }
    }

    /** §5.1 and row 15: one live VSRX file per Silknote document, in its fileset; a file the sync wrote is never imported. */
    private void checkExportsAndLoops() {
        Map<DocumentUuid, List<VsrxFile>> byOrigin = new HashMap<>();
        for (FilesetId fs : filesets.keySet()) {
            for (VsrxFile f : vsrx.listedFiles(fs)) {
                if (f.origin().isEmpty()) {
                    continue;
                }
                DocumentUuid origin = f.origin().get();
                if (!f.deleted()) {
                    byOrigin.computeIfAbsent(origin, k -> new ArrayList<>()).add(f);
                }
                Optional<SilknoteDocument> linked = stores.documents().findDocumentByClientFileId(f.id());
                if (linked.isPresent() && !linked.get().uuid().equals(origin)) {
                    violated(BidiInvariant.NO_LOOP, "VSRX file " + f.id() + " written for document " + origin
                            + " was imported as document " + linked.get().uuid());
                    return;
                }
                if (stores.documents().findDocument(DocumentUuid.forVsrxFile(f.id())).isPresent()) {
                    violated(BidiInvariant.NO_LOOP, "VSRX file " + f.id() + " written for document " + origin
                            + " has a document of its own");
                    return;
                }
                FilesetId filed;
                synchronized (this) {
                    filed = authored.get(origin);
                }
                if (filed != null && !filed.equals(fs)) {
                    violated(BidiInvariant.DOCUMENT_ON_ITS_PATIENT, "document " + origin + " filed under " + filed
                            + " was written to VSRX in " + fs);
                    return;
                }
            }
        }
        byOrigin.forEach((origin, files) -> {
            if (files.size() > 1) {
                violated(BidiInvariant.EXPORTED_AT_MOST_ONCE, "document " + origin + " has " + files.size()
                        + " live VSRX files: " + files.stream().map(VsrxFile::id).toList());
            }
        });
    }

    /** Rule 1 and issue 9 item 3: every document sits on its fileset's patient, and its file in that fileset. */
    private void checkPatients() {
        for (Map.Entry<FilesetId, PatientUuid> e : filesets.entrySet()) {
            for (SilknoteDocument d : stores.documents().documents(e.getKey())) {
                if (!d.patientUuid().equals(e.getValue()) || !d.filesetId().equals(e.getKey())) {
                    violated(BidiInvariant.DOCUMENT_ON_ITS_PATIENT, "document " + d.uuid() + " of fileset "
                            + e.getKey() + " is on another patient or fileset");
                    return;
                }
                Optional<VsrxFile> f = vsrx.findFile(d.clientFileId());
                if (f.isPresent() && !f.get().filesetId().equals(e.getKey())) {
                    violated(BidiInvariant.DOCUMENT_ON_ITS_PATIENT, "document " + d.uuid() + " in fileset " + e.getKey()
                            + " is linked to file " + d.clientFileId() + " of fileset " + f.get().filesetId());
                    return;
                }
            }
        }
    }

    /**
     * Rule 12 and docs/bidirectional.md §4: every reference row counts its references (per file id the mapping's
     * hash, else the document's, plus every hash an open or applied conflict record holds), and a referenced blob
     * is stored.
     */
    private void checkReferences(List<ConflictRecord> holding) {
        Set<ContentHash> unmappedNow = new TreeSet<>();
        for (var it = unmapped.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Optional<SilknoteDocument> d = stores.documents().findDocumentByClientFileId(e.getKey());
            if (d.isEmpty() || stores.documents().findMapping(e.getKey()).isPresent()) {
                damagedCounts.add(e.getValue());
                d.ifPresent(x -> damagedCounts.add(x.contentHash()));
                it.remove();
            } else {
                unmappedNow.add(e.getValue());
                unmappedNow.add(d.get().contentHash());
            }
        }
        Map<ContentHash, Integer> expected = new TreeMap<>();
        for (FilesetId fs : filesets.keySet()) {
            Map<VsrxFileId, ContentHash> perFile = new HashMap<>();
            for (SilknoteDocument d : stores.documents().documents(fs)) {
                perFile.put(d.clientFileId(), d.contentHash());
            }
            for (SyncMapping m : stores.documents().mappings(fs)) {
                perFile.put(m.vsrxFileId(), m.contentHash());
            }
            perFile.values().forEach(h -> expected.merge(h, 1, Integer::sum));
        }
        holding.forEach(r -> r.heldHashes().forEach(h -> expected.merge(h, 1, Integer::sum)));
        Map<ContentHash, Long> rows = referenceRows();
        Map<ContentHash, BlobRef> found = stores.documents().findBlobRefs(expected.keySet());
        found.forEach((h, r) -> rows.put(h, r.refCount()));
        Set<ContentHash> all = new TreeSet<>(expected.keySet());
        all.addAll(rows.keySet());
        for (ContentHash h : all) {
            long want = expected.getOrDefault(h, 0);
            long have = rows.getOrDefault(h, 0L);
            if (unmappedNow.contains(h)) {
                damagedCounts.add(h);
            } else if (want == have) {
                damagedCounts.remove(h);
            } else if (!damagedCounts.contains(h)) {
                violated(BidiInvariant.REFERENCE_COUNTS_MATCH, "the reference row of " + h + " counts " + have
                        + " but " + want + " references name it");
                return;
            }
            if (want > 0 && !stored(h)) {
                violated(BidiInvariant.REFERENCE_COUNTS_MATCH, "blob " + h + " has " + want
                        + " references but is not in the blob store");
                return;
            }
        }
    }

    /** Every reference row the store pages through, with its count, by hash. */
    private Map<ContentHash, Long> referenceRows() {
        Map<ContentHash, Long> rows = new TreeMap<>();
        Optional<String> cursor = Optional.empty();
        do {
            Page<ReferenceTally> page = stores.documents().referenceTallies(cursor, 200);
            page.items().forEach(t -> t.row().ifPresent(r -> rows.put(t.hash(), r.refCount())));
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        return rows;
    }

    /**
     * After quiescence (docs/bidirectional.md §3, §4, row 15): both sides agree on every file that is not in a
     * reported conflict or out of scope, every Silknote-created document in scope is in VSRX exactly once, and
     * every conflict a strategy decides is decided.
     */
    private void checkQuiescent(SyncReport report) {
        Set<VsrxFileId> exempt = new TreeSet<>();
        Set<FilesetId> blocked = new TreeSet<>();
        for (FilesetReport fs : report.filesets()) {
            if (fs.outcome() == FilesetOutcome.MASS_DELETE_BLOCKED) {
                blocked.add(fs.filesetId());
            } else if (fs.outcome() != FilesetOutcome.COMPLETED) {
                violated(BidiInvariant.SIDES_AGREE_AFTER_QUIESCENCE, "fileset " + fs.filesetId() + " ended "
                        + fs.outcome() + " in a quiet full run: " + fs.failureReason().orElse(""));
                return;
            }
            for (FileReport f : fs.files()) {
                String detail = f.detail().orElse("");
                if (detail.equals("origin-document-removed:changed-in-vsrx") && !vsrxUpdated.contains(f.fileId())) {
                    violated(BidiInvariant.SIDES_AGREE_AFTER_QUIESCENCE, "VSRX file " + f.fileId() + " is reported"
                            + " changed in VSRX after its document was removed, but no VSRX user changed it: the"
                            + " sync's own bytes are left behind");
                    return;
                }
                if (f.action() == FileAction.SKIPPED && staleSha.contains(f.fileId())) {
                    exempt.add(f.fileId()); // reported every run while the listing's declaration is wrong
                }
                if (f.action() == FileAction.CONFLICT || detail.startsWith("silknote-change-not-pushed")
                        || detail.equals("origin-document-removed")) {
                    exempt.add(f.fileId());
                }
            }
        }
        List<ConflictRecord> open = conflicts(EnumSet.of(ConflictStatus.OPEN));
        Set<DocumentUuid> openDocuments = new TreeSet<>();
        for (ConflictRecord r : open) {
            r.fileId().ifPresent(exempt::add);
            openDocuments.add(r.document());
            if (setup.strategy() != ConflictStrategy.REPORT && setup.strategy() != ConflictStrategy.NEWER_WINS
                    && DECIDED_BY_STRATEGY.contains(r.kind())) {
                violated(BidiInvariant.SIDES_AGREE_AFTER_QUIESCENCE, "conflict " + r.id() + " (" + r.kind()
                        + ") is still open under " + setup.strategy() + ": " + r.detail().orElse(""));
                return;
            }
        }
        for (FilesetId fs : filesets.keySet()) {
            if (blocked.contains(fs)) {
                continue;
            }
            for (VsrxFile f : vsrx.listedFiles(fs)) {
                if (exempt.contains(f.id())) {
                    continue;
                }
                Optional<SilknoteDocument> d = stores.documents().findDocumentByClientFileId(f.id());
                if (f.deleted()) {
                    if (d.isPresent()) {
                        violated(BidiInvariant.SIDES_AGREE_AFTER_QUIESCENCE, "VSRX file " + f.id() + " is deleted but"
                                + " document " + d.get().uuid() + " stays, with no conflict reported");
                        return;
                    }
                } else if (d.isEmpty() || !d.get().contentHash().equals(vsrx.contentHash(f.id()))) {
                    violated(BidiInvariant.SIDES_AGREE_AFTER_QUIESCENCE, "VSRX file " + f.id() + originNote(f) + " holds "
                            + vsrx.contentHash(f.id()) + " but its document " + d.map(x -> x.uuid() + " holds "
                            + x.contentHash()).orElse("is missing") + ", with no conflict reported");
                    return;
                }
            }
        }
        Map<DocumentUuid, FilesetId> created;
        synchronized (this) {
            created = new LinkedHashMap<>(authored);
        }
        for (Map.Entry<DocumentUuid, FilesetId> e : created.entrySet()) {
            DocumentUuid u = e.getKey();
            if (blocked.contains(e.getValue()) || openDocuments.contains(u)) {
                continue;
            }
            AuthoredDocument waiting = stores.documents().findAuthoredDocuments(List.of(u)).get(u);
            boolean linkConflict = vsrx.listedFiles(e.getValue()).stream()
                    .anyMatch(f -> f.origin().equals(Optional.of(u)) && exempt.contains(f.id()));
            if (waiting != null && linkConflict) {
                // row 11 with different bytes: reported CONFLICT linked-with-different-content every run, nothing
                // written (docs/bidirectional.md §0, not implemented yet: no conflict record)
                continue;
            }
            if (waiting != null) {
                if (setup.groupedDocuments() || waiting.groupingStatus().equals("ungrouped")) {
                    violated(BidiInvariant.EXPORTED_ONCE_AFTER_QUIESCENCE, "Silknote-created document " + u
                            + " is still not in VSRX after quiet full runs");
                    return;
                }
                continue;
            }
            Optional<SilknoteDocument> linked = stores.documents().findDocument(u);
            if (linked.isEmpty()) {
                continue;
            }
            long live = vsrx.listedFiles(e.getValue()).stream()
                    .filter(f -> !f.deleted() && f.origin().equals(Optional.of(u))).count();
            Optional<VsrxFile> its = vsrx.findFile(linked.get().clientFileId());
            if (live != 1 || its.isEmpty() || its.get().deleted()) {
                if (its.isPresent() && exempt.contains(its.get().id())) {
                    continue;
                }
                violated(BidiInvariant.EXPORTED_ONCE_AFTER_QUIESCENCE, "Silknote-created document " + u + " has "
                        + live + " live VSRX files after quiet full runs, and is linked to "
                        + linked.get().clientFileId());
                return;
            }
        }
    }

    /** What a quiet run must leave as it found it: documents, mappings, references, conflicts and VSRX. */
    private String snapshot() {
        StringBuilder sb = new StringBuilder();
        for (FilesetId fs : filesets.keySet()) {
            sb.append(fs).append(" docs=");
            stores.documents().documents(fs).stream().map(d -> d.uuid() + ":" + d.contentHash().shortHex() + ":"
                    + d.clientFileId() + ":" + d.metadata().groupingStatus()).sorted().forEach(x -> sb.append(x).append(','));
            sb.append(" authored=");
            stores.documents().authoredDocuments(fs, filesets.get(fs)).stream()
                    .map(d -> d.uuid() + ":" + d.contentHash().shortHex()).sorted().forEach(x -> sb.append(x).append(','));
            sb.append(" mappings=");
            stores.documents().mappings(fs).stream().map(m -> m.vsrxFileId() + ":" + m.contentHash().shortHex() + ":"
                    + m.etag().orElse("-")).sorted().forEach(x -> sb.append(x).append(','));
            sb.append(" vsrx=");
            vsrx.listedFiles(fs).forEach(f -> sb.append(f.id()).append(':').append(f.etag().orElse("-"))
                    .append(f.deleted() ? ":deleted" : "").append(','));
            sb.append('\n');
        }
        sb.append("conflicts=");
        conflicts(EnumSet.allOf(ConflictStatus.class)).stream().map(r -> r.id() + ":" + r.status() + ":"
                + r.heldHashes() + ":" + r.decision().map(Enum::name).orElse("-")).sorted()
                .forEach(x -> sb.append(x).append(','));
        sb.append(" vsrxWrites=").append(vsrx.writes());
        return sb.toString();
    }

    // ------------------------------------------------------------------ reading the two sides

    /** A Silknote document as a step sees it: synced (with its file) or Silknote-created, not yet linked. */
    record Doc(DocumentUuid uuid, ContentHash hash, Optional<VsrxFileId> file) {
        @Override
        public String toString() {
            return "document " + uuid + file.map(f -> " (file " + f + ")").orElse(" (Silknote-created)");
        }
    }

    private List<Doc> documents() {
        List<Doc> out = new ArrayList<>();
        for (Map.Entry<FilesetId, PatientUuid> e : filesets.entrySet()) {
            stores.documents().documents(e.getKey()).forEach(d -> out.add(new Doc(d.uuid(), d.contentHash(),
                    Optional.of(d.clientFileId()))));
            stores.documents().authoredDocuments(e.getKey(), e.getValue()).forEach(a -> out.add(new Doc(a.uuid(),
                    a.contentHash(), Optional.empty())));
        }
        Map<DocumentUuid, Doc> unique = new LinkedHashMap<>();
        out.forEach(d -> unique.putIfAbsent(d.uuid(), d));
        return new ArrayList<>(unique.values());
    }

    private List<VsrxFile> liveFiles() {
        List<VsrxFile> out = new ArrayList<>();
        filesets.keySet().forEach(fs -> vsrx.listedFiles(fs).stream().filter(f -> !f.deleted()).forEach(out::add));
        return out;
    }

    private List<ConflictRecord> conflicts(Set<ConflictStatus> statuses) {
        List<ConflictRecord> out = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            Page<ConflictRecord> page = stores.documents().conflicts(statuses, cursor, 100);
            out.addAll(page.items());
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        return out;
    }

    private boolean stored(ContentHash h) {
        return stores.blobs().stat(h).isPresent();
    }

    private static String originNote(VsrxFile f) {
        return f.origin().map(o -> " (written for document " + o + ")").orElse("");
    }

    // ------------------------------------------------------------------ bookkeeping

    private synchronized byte[] newVersion(String who) {
        versions++;
        return ("bidi history " + seed + ", version " + versions + " by a " + who + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private ContentHash store(byte[] bytes) {
        ContentHash hash = TestHashes.sha256(bytes);
        stores.blobs().putIfAbsent(new BlobUpload(hash, bytes.length, TEXT, () -> new ByteArrayInputStream(bytes)));
        return hash;
    }

    private synchronized void keep(ContentHash hash, String who) {
        kept.put(hash, who);
    }

    private synchronized void supersede(ContentHash hash) {
        kept.remove(hash);
    }

    private synchronized void log(String what) {
        applied.add(what);
    }

    private <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    private synchronized void violated(BidiInvariant invariant, String detail) {
        if (violation.isEmpty()) {
            violation = Optional.of(invariant + " (" + invariant.rule() + ") broken after step " + applied.size()
                    + ": " + detail);
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

    static Collection<String> describe(List<String> steps) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            out.add(String.format("%3d. %s", i + 1, steps.get(i)));
        }
        return out;
    }
}
