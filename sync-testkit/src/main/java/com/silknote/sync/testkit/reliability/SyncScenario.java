package com.silknote.sync.testkit.reliability;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The VSRX history the reliability suite runs: every kind of file decision in two runs. Deterministic, so
 * two worlds built from it (a clean one and a crashed one, or two processes) hold the same data.
 *
 * <p>{@link #base()} — four linked filesets and one not linked: text and PDF files, the same letter for two
 * patients (a dedup hit), a file whose listed size lies ({@code SIZE_MISMATCH}, remembered), an executable
 * posing as a PNG ({@code TYPE_MISMATCH}), an empty file ({@code EMPTY}), and a fileset of four documents.
 * <br>{@link #userEdits(SilknoteBackend)} — a Silknote user groups one document.
 * <br>{@link #changes()} — a rename and a touch ({@code METADATA_ONLY}), a modification ({@code UPDATED}), an
 * update to content another patient has (dedup hit), a delete, new files whose content was just released or
 * deleted elsewhere (a reference dropping to zero and coming back in the same run), a new file and a new
 * fileset ({@code CREATED}), a change to the grouped document ({@code CONFLICT}), and three of the four
 * documents of one fileset deleted at once (the mass-delete guard trips: that fileset fails every run).
 */
public final class SyncScenario {
    /** The instant every scenario starts at. */
    public static final String START = "2026-01-01T00:00:00Z";
    /** A minimal PDF. */
    public static final byte[] PDF = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
            .getBytes(StandardCharsets.US_ASCII);

    private final TestClock clock;
    private final InMemoryVsrxSource vsrx;
    private final Map<String, FilesetId> filesets = new LinkedHashMap<>();
    private final Map<String, VsrxFileId> files = new LinkedHashMap<>();

    /** An empty VSRX on {@code clock}. */
    public SyncScenario(TestClock clock) {
        this.clock = requireNonNull(clock, "clock");
        this.vsrx = new InMemoryVsrxSource(clock);
    }

    /** VSRX. */
    public InMemoryVsrxSource vsrx() {
        return vsrx;
    }

    /** The clock of VSRX and of the engines built here. */
    public TestClock clock() {
        return clock;
    }

    /** A file of the scenario by its short name ({@code a1}, {@code b3}, ...). */
    public VsrxFileId file(String name) {
        VsrxFileId id = files.get(name);
        if (id == null) {
            throw new IllegalArgumentException("no file " + name + " in the scenario");
        }
        return id;
    }

    /** A fileset of the scenario by its short name ({@code A}, {@code B}, {@code C}, {@code G}, {@code D}). */
    public FilesetId fileset(String name) {
        FilesetId id = filesets.get(name);
        if (id == null) {
            throw new IllegalArgumentException("no fileset " + name + " in the scenario");
        }
        return id;
    }

    /** The patient Silknote knows for {@code patientId} (name-based). */
    public static PatientUuid patient(String patientId) {
        return new PatientUuid(UUID.nameUUIDFromBytes(patientId.getBytes(StandardCharsets.UTF_8)));
    }

    /** The filesets and files synced by the first run. */
    public SyncScenario base() {
        FilesetId a = linked("A");
        FilesetId b = linked("B");
        filesets.put("C", vsrx.addFileset(PatientId.of("P-C")));
        FilesetId g = linked("G");
        text(a, "a1", "alpha note");
        text(a, "a2", "referral letter shared by two patients");
        text(a, "a3", "note to be deleted");
        text(a, "a4", "note to be modified");
        text(a, "a5", "note to be touched");
        text(a, "a7", "note a user will group");
        files.put("a8", vsrx.addFile(a, "notes/a8-scan.pdf", "application/pdf", PDF));
        files.put("a9", vsrx.addFile(a, "notes/a9-empty.txt", "text/plain", new byte[0]));
        text(b, "b1", "referral letter shared by two patients");
        text(b, "b2", "bravo note");
        text(b, "b3", "listed size lies");
        vsrx.setDeclaredSize(files.get("b3"), 3);
        files.put("b9", vsrx.addFile(b, "notes/b9-photo.png", "image/png",
                "MZ\u0090\u0000 an executable posing as a photo".getBytes(StandardCharsets.ISO_8859_1)));
        text(filesets.get("C"), "c1", "waits for its patient link");
        for (int i = 1; i <= 4; i++) {
            text(g, "g" + i, "guarded note " + i);
        }
        return this;
    }

    /**
     * A Silknote user groups the document of {@code a7} (its {@code groupingStatus} leaves "ungrouped"), a
     * fenced write holding the lock like any writer.
     */
    public SyncScenario userEdits(SilknoteBackend backend) {
        requireNonNull(backend, "backend");
        DocumentStore store = backend.documents();
        VsrxFileId id = file("a7");
        try (SyncLock.Lease lease = backend.newLock("silknote-user").tryAcquire(SyncConfig.LOCK_NAME,
                Duration.ofMinutes(1)).orElseThrow(() -> new IllegalStateException("lock held during a user edit"))) {
            store.fence(lease.token());
            SilknoteDocument d = store.findDocumentByClientFileId(id)
                    .orElseThrow(() -> new IllegalStateException("a7 was not synced"));
            SilknoteDocument grouped = new SilknoteDocument(d.uuid(), d.patientUuid(), d.filesetId(), d.clientFileId(),
                    d.contentHash(), d.size(), d.mimeType(), new DocumentMetadata(d.metadata().vsrxReference(),
                            d.metadata().originalPath(), d.metadata().sourceSystem(), "grouped",
                            d.metadata().patientIdHistory()), clock.instant());
            store.inUnitOfWork(lease.token(), uow -> {
                uow.expectFile(id, store.findMapping(id), Optional.of(d));
                uow.upsertDocument(grouped);
                return null;
            });
        }
        return this;
    }

    /** What VSRX changes before the second run. */
    public SyncScenario changes() {
        clock.advance(Duration.ofMinutes(1));
        FilesetId a = fileset("A");
        FilesetId b = fileset("B");
        vsrx.renameFile(file("a1"), "notes/a1-renamed.txt");
        vsrx.deleteFile(file("a3"));
        vsrx.modifyFile(file("a4"), "note to be modified, second version");
        vsrx.touchFile(file("a5"));
        vsrx.modifyFile(file("a7"), "note a user grouped, changed in VSRX");
        text(a, "a6", "brand new note");
        vsrx.modifyFile(file("b2"), "referral letter shared by two patients");
        text(b, "b4", "note to be modified");
        text(b, "b5", "note to be deleted");
        for (int i = 1; i <= 3; i++) {
            vsrx.deleteFile(file("g" + i));
        }
        FilesetId d = linked("D");
        text(d, "d1", "first note of a new patient");
        files.put("d2", vsrx.addFile(d, "notes/d2-scan.pdf", "application/pdf", PDF));
        return this;
    }

    /**
     * The engine configuration of the scenarios: one fileset and one file at a time (so effects are numbered
     * the same in every run), pages of two, blobs collected as soon as unreferenced, retries without waiting
     * (the {@link TestClock} sleeps).
     */
    public static SyncConfig config() {
        return SyncConfig.builder()
                .retryPolicy(new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2), true))
                .filesetConcurrency(1).fileConcurrency(1).pageSize(2)
                .blobGracePeriod(Duration.ZERO)
                .build();
    }

    /** An engine over VSRX and the given Silknote ports, on this scenario's clock. */
    public VsrxSync engine(VsrxSource source, DocumentStore documents, BlobStore blobs, VectorStore vectors,
            DocumentProcessor processor, SyncLock lock, SyncConfig config, long seed) {
        return VsrxSync.builder().source(source).documents(documents).blobs(blobs).vectors(vectors)
                .processor(processor).lock(lock).config(config).clock(clock).sleeper(clock)
                .random(new SplittableRandom(seed)).build();
    }

    private FilesetId linked(String name) {
        FilesetId id = vsrx.addFileset(PatientId.of("P-" + name), patient("P-" + name));
        filesets.put(name, id);
        return id;
    }

    private void text(FilesetId fs, String name, String content) {
        files.put(name, vsrx.addFile(fs, "notes/" + name + ".txt", "text/plain", content));
    }
}
