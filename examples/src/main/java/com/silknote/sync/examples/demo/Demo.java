package com.silknote.sync.examples.demo;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.diff.DiffEngine;
import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.examples.config.ConfigKey;
import com.silknote.sync.examples.config.VsrxSyncConfigFile;
import com.silknote.sync.examples.config.VsrxSyncSettings;
import com.silknote.sync.examples.embedded.Backends;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.vsrx.http.HttpVsrxSource;
import com.silknote.sync.vsrx.http.VsrxHttpHandler;
import com.silknote.sync.vsrx.http.VsrxHttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The demo: a VSRX simulator served over HTTP on loopback, synced three times into the embedded default.
 * First everything is new (creates, skips, dedup, a fileset waiting for its patient link, a re-booked
 * patient); then VSRX changes (an update, a metadata-only change, deletes, a new file, a link); then nothing
 * changes and the run is a no-op. Each step prints the run's report and what it shows. The demo checks
 * its own story and fails (exit code 1) when the library did not do what the narration says.
 */
public final class Demo {
    /** The size limit the demo syncs with, so the oversized file can stay small. */
    public static final long MAX_FILE_SIZE = 1024 * 1024;
    /** Marker file: the demo wipes its folder only when this is in it. */
    static final String MARKER = ".vsrx-sync-demo";
    private static final long SEED = 2026;

    /** Runs one sync with the caller's progress display. */
    @FunctionalInterface
    public interface Runner {
        /** @throws com.silknote.sync.core.exception.SyncException when the run cannot start */
        SyncResult run(Backends backends, com.silknote.sync.core.port.VsrxSource source, SyncRequest request);
    }

    private final PrintWriter out;
    private final Function<VsrxSyncSettings, Backends> backendFactory;
    private final Runner runner;
    private final Clock clock;

    /**
     * @param out            where the story is told
     * @param backendFactory opens the Silknote side (the embedded default)
     * @param runner         runs one sync (with a progress display)
     * @param clock          the simulator's clock
     * @throws NullPointerException when an argument is null
     */
    public Demo(PrintWriter out, Function<VsrxSyncSettings, Backends> backendFactory, Runner runner, Clock clock) {
        this.out = requireNonNull(out, "out");
        this.backendFactory = requireNonNull(backendFactory, "backendFactory");
        this.runner = requireNonNull(runner, "runner");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * The demo's settings: the embedded default in {@code demoDir}, whatever the environment says (the demo
     * never writes to a configured database or storage account), with a 1 MiB size limit and no blob grace
     * period (the story shows a released blob collected in the same run).
     */
    public static VsrxSyncSettings settings(Path demoDir) {
        return VsrxSyncConfigFile.load(Optional.empty(), Map.of(), Map.of(
                ConfigKey.DATA_DIR, demoDir.toString(),
                ConfigKey.MAX_FILE_SIZE_BYTES, Long.toString(MAX_FILE_SIZE),
                ConfigKey.BLOB_GRACE_PERIOD, "0s")); // the story shows blobs collected in the same run
    }

    /**
     * Tells the story. Returns {@code true} when every step did what the narration says.
     *
     * @param demoDir the demo's own folder; wiped first (only if it is empty or holds the demo's marker)
     * @throws ConfigurationException when the folder holds something else
     */
    public boolean run(Path demoDir) {
        prepare(demoDir);
        VsrxSyncSettings settings = settings(demoDir);
        InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
        DemoData.Story story = DemoData.populate(vsrx, new SplittableRandom(SEED), MAX_FILE_SIZE);
        Secret token = Secret.of(randomToken());
        List<String> problems = new ArrayList<>();

        VsrxHttpHandler handler = VsrxHttpHandler.builder().source(vsrx).acceptedToken(token).clock(clock).build();
        try (VsrxHttpServer server = VsrxHttpServer.builder().handler(handler).port(0).build().start();
                Backends backends = backendFactory.apply(settings)) {
            HttpVsrxSource source = HttpVsrxSource.builder().baseUri(server.baseUri()).token(token).clock(clock).build();
            long totalBytes = vsrx.filesetIds().stream().flatMap(f -> vsrx.listedFiles(f).stream())
                    .mapToLong(f -> f.size()).sum();
            long files = vsrx.filesetIds().stream().mapToLong(f -> vsrx.listedFiles(f).size()).sum();
            out.println("vsrx-sync demo");
            out.println("==============");
            out.println("VSRX simulator: " + vsrx.filesetIds().size() + " patient filesets, " + files + " files ("
                    + human(totalBytes) + "), made up on the fly, served over HTTP on " + server.baseUri()
                    + " (loopback, bearer token)");
            out.println("Silknote side:  the embedded default: PostgreSQL in " + settings.postgresDir()
                    + ", content-addressed blobs in " + settings.blobsDir());
            out.println();

            step(1, "first sync: everything is new");
            long downloadsBefore = vsrx.downloads();
            SyncReport first = sync(backends, source, problems);
            explainFirst(first, story, backends, problems);

            step(2, "VSRX changes: a scan re-scanned, lab results re-saved with the same bytes, the letter's copy "
                    + "and a visit note deleted, a follow-up added, the waiting fileset linked");
            Optional<ContentHash> visitNoteBlob = backends.documents().findDocumentByClientFileId(story.toDelete())
                    .map(SilknoteDocument::contentHash);
            Optional<ContentHash> oldScanBlob = backends.documents().findDocumentByClientFileId(story.toModify())
                    .map(SilknoteDocument::contentHash);
            DemoData.applyChanges(vsrx, story, new SplittableRandom(SEED + 1));
            SyncReport second = sync(backends, source, problems);
            explainSecond(second, story, backends, problems);
            check(problems, visitNoteBlob.isPresent() && backends.blobs().stat(visitNoteBlob.get()).isEmpty(),
                    "the deleted visit note's blob should be collected");
            check(problems, oldScanBlob.isPresent() && backends.blobs().stat(oldScanBlob.get()).isEmpty(),
                    "the re-scanned page's old blob should be collected");

            step(3, "sync again, nothing changed in VSRX");
            long downloadsBeforeThird = vsrx.downloads();
            SyncReport third = sync(backends, source, problems);
            long downloaded = vsrx.downloads() - downloadsBeforeThird;
            long writes = third.count(FileAction.CREATED) + third.count(FileAction.UPDATED)
                    + third.count(FileAction.METADATA_ONLY) + third.count(FileAction.DELETED);
            check(problems, downloaded == 0, "the third run downloaded " + downloaded + " file(s)");
            check(problems, writes == 0, "the third run wrote " + writes + " change(s)");
            out.println("What this shows:");
            out.println("  - a re-run is a no-op: " + downloaded + " files downloaded, " + writes
                    + " documents created, updated or deleted; remembered skips are not fetched again");
            boolean gone = deletedNotInSilknote(third, story.letterCopy())
                    && deletedNotInSilknote(third, story.toDelete());
            check(problems, gone, "the files deleted in step 2 should be UNCHANGED (" + DiffEngine
                    .DETAIL_DELETED_NOT_IN_SILKNOTE + ") in step 3");
            out.println("  - " + story.letterCopy() + " and " + story.toDelete() + ", deleted in step 2, are still"
                    + " listed by VSRX as deleted: nothing is left to delete, so they count as unchanged (SAME,"
                    + " detail " + DiffEngine.DETAIL_DELETED_NOT_IN_SILKNOTE + ")");
            out.println();

            summary(backends, story, vsrx.downloads() - downloadsBefore);
        }
        if (problems.isEmpty()) {
            out.println("Demo complete. Look again with:");
            out.println("  ./vsrx-sync --data-dir " + demoDir + " status");
            out.println("  ./vsrx-sync --data-dir " + demoDir + " report --json");
        } else {
            out.println("The demo did not go as told:");
            problems.forEach(p -> out.println("  - " + p));
        }
        out.flush();
        return problems.isEmpty();
    }

    private SyncReport sync(Backends backends, HttpVsrxSource source, List<String> problems) {
        out.flush();
        SyncResult result = runner.run(backends, source, SyncRequest.full());
        SyncReport report = result.report().orElseThrow(() -> new IllegalStateException(
                "the demo's sync did not start: " + result.error().orElse("unknown")));
        out.print(com.silknote.sync.examples.report.ReportFormat.table(report));
        out.println();
        check(problems, report.allFilesetsSucceeded(), "a fileset failed in run " + report.runId());
        return report;
    }

    private void explainFirst(SyncReport r, DemoData.Story s, Backends b, List<String> problems) {
        out.println("What this shows:");
        out.println("  - one VSRX file, one Silknote document: " + r.count(FileAction.CREATED) + " documents created");
        expectSkip(r, s.oversized(), SkipReason.TOO_LARGE, problems,
                "is larger than the limit (" + human(MAX_FILE_SIZE) + "): skipped from its listed size, never downloaded");
        expectSkip(r, s.forgedMime(), SkipReason.TYPE_MISMATCH, problems,
                "says image/png but its bytes are an executable: skipped after sniffing its first bytes");
        expectSkip(r, s.traversal(), SkipReason.INVALID_PATH, problems,
                "has a path that climbs out of the notes folder (..): refused before any download");
        FilesetReport waiting = fileset(r, s.notLinked().value());
        check(problems, waiting != null && waiting.outcome() == FilesetOutcome.SKIPPED_NOT_LINKED,
                s.notLinked() + " should wait for its Silknote patient");
        out.println("  - " + s.notLinked() + " is not linked to a Silknote patient yet: left alone for now");
        Optional<SilknoteDocument> letter = b.documents().findDocumentByClientFileId(s.letter());
        Optional<SilknoteDocument> copy = b.documents().findDocumentByClientFileId(s.letterCopy());
        boolean shared = letter.isPresent() && copy.isPresent()
                && letter.get().contentHash().equals(copy.get().contentHash())
                && !letter.get().uuid().equals(copy.get().uuid());
        check(problems, shared, "the letter and its copy should be two documents on one blob");
        out.println("  - dedup: " + s.letter() + " (" + s.firstPatient() + ") and " + s.letterCopy() + " ("
                + s.secondPatient() + ") have the same bytes: two documents, one blob "
                + letter.map(d -> d.contentHash().toString()).orElse("?"));
        List<SilknoteDocument> rebooked = b.documents().documents(s.rebooked());
        boolean history = !rebooked.isEmpty()
                && rebooked.stream().allMatch(d -> d.metadata().patientIdHistory().size() == 2);
        check(problems, history, "documents of the re-booked fileset should carry two patient ids");
        out.println("  - re-booking: " + s.rebooked() + " is the new fileset of the patient of " + s.firstPatient()
                + "; its documents carry the patient-id history (2 ids) and " + s.firstPatient()
                + " keeps its documents (no automatic migration)");
        out.println();
    }

    private void explainSecond(SyncReport r, DemoData.Story s, Backends b, List<String> problems) {
        out.println("What this shows:");
        expectAction(r, s.toModify(), FileAction.UPDATED, problems,
                "new bytes: the same document (same uuid " + DocumentUuid.forVsrxFile(s.toModify())
                        + "), new blob, processed again; the old blob is collected");
        expectAction(r, s.toTouch(), FileAction.METADATA_ONLY, problems,
                "new ETag, same bytes: metadata updated, nothing uploaded or processed again");
        expectAction(r, s.letterCopy(), FileAction.DELETED, problems,
                "marked deleted in VSRX: document and vector entries removed; the blob stays, "
                        + s.letter() + " still references it");
        expectAction(r, s.toDelete(), FileAction.DELETED, problems,
                "marked deleted in VSRX: document, vector entries and its now unreferenced blob are removed");
        boolean letterBlob = b.documents().findDocumentByClientFileId(s.letter())
                .map(d -> b.blobs().stat(d.contentHash()).isPresent()).orElse(false);
        check(problems, letterBlob, "the shared letter blob must survive the copy's delete");
        FilesetReport linked = fileset(r, s.notLinked().value());
        check(problems, linked != null && linked.count(FileAction.CREATED) == 2,
                s.notLinked() + " should be synced once linked");
        out.println("  - " + s.notLinked() + " got its Silknote patient: its " + (linked == null ? 0
                : linked.count(FileAction.CREATED)) + " files are synced now");
        out.println("  - skipped files are remembered per version: not downloaded again");
        out.println();
    }

    private void summary(Backends b, DemoData.Story story, long downloads) {
        int blobs = 0;
        long blobBytes = 0;
        for (BlobInfo info : all(b.blobs())) {
            blobs++;
            blobBytes += info.size();
        }
        int withVectors = countVectorDocuments(b.vectors());
        long documents = story.filesets().stream().mapToLong(f -> b.documents().documents(f).size()).sum();
        out.println("Silknote now holds " + documents + " documents on " + blobs + " unique blobs (" + human(blobBytes)
                + "); " + withVectors + " documents have vector entries. " + downloads
                + " downloads over the three runs.");
        out.println();
    }

    private static List<BlobInfo> all(BlobStore blobs) {
        List<BlobInfo> all = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            Page<BlobInfo> page = blobs.list(cursor, 1000);
            all.addAll(page.items());
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        return all;
    }

    private static int countVectorDocuments(VectorStore vectors) {
        int n = 0;
        Optional<String> cursor = Optional.empty();
        do {
            Page<DocumentUuid> page = vectors.documents(cursor, 1000);
            n += page.items().size();
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        return n;
    }

    private void expectSkip(SyncReport r, VsrxFileId id, SkipReason reason, List<String> problems, String story) {
        Optional<FileReport> f = file(r, id);
        boolean ok = f.isPresent() && f.get().action() == FileAction.SKIPPED && f.get().skipReason().orElse(null) == reason;
        check(problems, ok, id + " should be skipped with " + reason + ", was "
                + f.map(x -> x.action() + x.skipReason().map(s -> " " + s).orElse("")).orElse("absent"));
        out.println("  - " + id + " " + story + " (" + reason + ")");
    }

    private void expectAction(SyncReport r, VsrxFileId id, FileAction action, List<String> problems, String story) {
        Optional<FileReport> f = file(r, id);
        check(problems, f.isPresent() && f.get().action() == action,
                id + " should be " + action + ", was " + f.map(x -> x.action().name()).orElse("absent"));
        out.println("  - " + id + " " + action + ": " + story);
    }

    private static boolean deletedNotInSilknote(SyncReport r, VsrxFileId id) {
        return file(r, id).map(f -> f.action() == FileAction.UNCHANGED
                && f.detail().filter(DiffEngine.DETAIL_DELETED_NOT_IN_SILKNOTE::equals).isPresent()).orElse(false);
    }

    private static Optional<FileReport> file(SyncReport r, VsrxFileId id) {
        return r.filesets().stream().flatMap(f -> f.files().stream()).filter(f -> f.fileId().equals(id)).findFirst();
    }

    private static FilesetReport fileset(SyncReport r, String id) {
        return r.filesets().stream().filter(f -> f.filesetId().value().equals(id)).findFirst().orElse(null);
    }

    private static void check(List<String> problems, boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
        }
    }

    private void step(int n, String title) {
        out.println("Step " + n + "/3: " + title);
        out.println("-".repeat(Math.min(100, 10 + title.length())));
        out.flush();
    }

    /** Empties the demo folder, refusing one that is not empty and was not made by the demo. */
    static void prepare(Path demoDir) {
        try {
            if (Files.isDirectory(demoDir)) {
                boolean empty;
                try (var list = Files.list(demoDir)) {
                    empty = list.findAny().isEmpty();
                }
                if (!empty && !Files.exists(demoDir.resolve(MARKER))) {
                    throw new ConfigurationException("the demo folder " + demoDir
                            + " holds files the demo did not make; choose another --data-dir");
                }
                deleteTree(demoDir);
            }
            Files.createDirectories(demoDir);
            Files.writeString(demoDir.resolve(MARKER), "made by vsrx-sync demo; wiped at the start of each demo\n");
        } catch (IOException e) {
            throw new ConfigurationException("cannot prepare the demo folder " + demoDir, e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static String randomToken() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return "demo-" + HexFormat.of().formatHex(b);
    }

    private static String human(long bytes) {
        return com.silknote.sync.examples.report.ReportFormat.bytes(bytes);
    }
}
