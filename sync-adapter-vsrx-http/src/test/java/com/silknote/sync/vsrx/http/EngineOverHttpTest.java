package com.silknote.sync.vsrx.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.ForwardingVsrxSource;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.SilknoteSnapshot;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine end to end over the wire: {@code VsrxSync} → {@link HttpVsrxSource} → loopback →
 * {@link VsrxHttpServer} → {@link VsrxHttpHandler} → {@link InMemoryVsrxSource}.
 */
class EngineOverHttpTest {
    static final Secret TOKEN = Secret.of("engine-token-0123456789abc");
    static final byte[] PDF = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);

    final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    final InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
    final SilknoteSimulator silknote = new SilknoteSimulator(clock);
    /** Files whose served bytes are altered on the VSRX side (declared length and digest stay). */
    final Set<VsrxFileId> corrupted = new HashSet<>();
    VsrxHttpServer server;
    HttpVsrxSource client;
    long seed = 1;

    /** The VSRX side's data port: the simulator, with bytes of {@link #corrupted} files flipped. */
    final VsrxSource served = new ForwardingVsrxSource(vsrx) {
        @Override
        public FileContent openContent(VsrxFileId id) {
            FileContent c = vsrx.openContent(id);
            if (!corrupted.contains(id)) {
                return c;
            }
            byte[] bytes;
            try (c) {
                bytes = c.stream().readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            bytes[bytes.length - 1] ^= 1;
            return new FileContent(new ByteArrayInputStream(bytes), c.etag(), OptionalLong.of(bytes.length),
                    Optional.of(vsrx.contentHash(id)));
        }
    };

    EngineOverHttpTest() {
        startServer(TOKEN);
    }

    void startServer(Secret clientToken) {
        server = VsrxHttpServer.builder()
                .handler(VsrxHttpHandler.builder().source(served).fileLookup(vsrx::findFile).acceptedToken(TOKEN)
                        .clock(clock).build())
                .threads(4)
                .build()
                .start();
        client = HttpVsrxSource.builder().baseUri(server.baseUri()).token(clientToken).clock(clock)
                .requestTimeout(Duration.ofSeconds(20)).build();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    VsrxSync sync(VsrxSource source) {
        SyncConfig config = SyncConfig.builder()
                .retryPolicy(new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2), true))
                .filesetConcurrency(2).fileConcurrency(4).pageSize(2)
                .blobGracePeriod(Duration.ZERO)
                .build();
        return VsrxSync.builder().source(source).documents(silknote.documents()).blobs(silknote.blobs())
                .vectors(silknote.vectors()).processor(silknote.processor()).lock(silknote.lock())
                .config(config).clock(clock).sleeper(clock).random(new SplittableRandom(seed++)).build();
    }

    SyncResult run() {
        return sync(client).run(SyncRequest.full());
    }

    static PatientUuid patient(String id) {
        return new PatientUuid(UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8)));
    }

    FilesetId linked(String patientId) {
        return vsrx.addFileset(PatientId.of(patientId), patient(patientId));
    }

    static FileReport file(SyncResult r, VsrxFileId id) {
        return r.report().orElseThrow().filesets().stream().flatMap(f -> f.files().stream())
                .filter(f -> f.fileId().equals(id)).findFirst().orElseThrow(() -> new AssertionError("no report for " + id));
    }

    SilknoteDocument doc(VsrxFileId id) {
        return silknote.documents().findDocument(DocumentUuid.forVsrxFile(id)).orElseThrow();
    }

    @Test
    void initialSyncUpdateAndDeleteOverHttp() {
        FilesetId fs1 = linked("P1");
        FilesetId fs2 = linked("P2");
        VsrxFileId a = vsrx.addFile(fs1, "notes/a.txt", "text/plain", "alpha");
        VsrxFileId b = vsrx.addFile(fs1, "notes/scan.pdf", "application/pdf", PDF);
        VsrxFileId c = vsrx.addFile(fs1, "notes/Übersicht ärztlich.txt", "text/plain", "gamma");
        VsrxFileId d = vsrx.addFileWithoutEtag(fs2, "notes/d.txt", "text/plain", "delta".getBytes(StandardCharsets.UTF_8));
        VsrxFileId e = vsrx.newFile(fs2).path("notes/e.txt").mimeType("text/plain")
                .content("echo".getBytes(StandardCharsets.UTF_8)).serveSha256(false).add();

        SyncResult first = run();

        assertThat(first.success()).isTrue();
        for (VsrxFileId id : List.of(a, b, c, d, e)) {
            assertThat(file(first, id).action()).as("file %s", id).isEqualTo(FileAction.CREATED);
        }
        assertThat(doc(a).contentHash()).isEqualTo(TestHashes.sha256("alpha"));
        assertThat(doc(c).metadata()).isEqualTo(DocumentMetadata.synced(c, "notes/Übersicht ärztlich.txt",
                List.of(PatientId.of("P1"))));
        assertThat(doc(d).patientUuid()).isEqualTo(patient("P2"));
        assertThat(silknote.documents().findMapping(a).orElseThrow().etag()).isEqualTo(vsrx.findFile(a).orElseThrow().etag());
        silknote.assertQuiescent();

        long downloads = vsrx.downloads();
        SyncResult unchanged = run();
        assertThat(unchanged.success()).isTrue();
        assertThat(unchanged.report().orElseThrow().count(FileAction.UNCHANGED)).isEqualTo(5);
        assertThat(vsrx.downloads()).isEqualTo(downloads);

        ContentHash old = doc(a).contentHash();
        vsrx.modifyFile(a, "alpha two");
        vsrx.deleteFile(b);
        SyncResult second = run();

        assertThat(second.success()).isTrue();
        assertThat(file(second, a).action()).isEqualTo(FileAction.UPDATED);
        assertThat(doc(a).contentHash()).isEqualTo(TestHashes.sha256("alpha two"));
        assertThat(doc(a).uuid()).isEqualTo(DocumentUuid.forVsrxFile(a));
        assertThat(silknote.blobs().rawBytes(old)).isEmpty();
        assertThat(file(second, b).action()).isEqualTo(FileAction.DELETED);
        assertThat(silknote.documents().findDocument(DocumentUuid.forVsrxFile(b))).isEmpty();
        silknote.assertQuiescent();
    }

    @Test
    @org.junit.jupiter.api.DisplayName("issue 9.4: over the protocol, VSRX 5 s behind, no overlap: an edit during the"
            + " run is listed by the next incremental run (serverTime)")
    void anEditDuringTheRunIsListedAgainWithVsrxBehindTheHost() {
        vsrx.setClockSkew(Duration.ofSeconds(-5));
        FilesetId fs = linked("P1");
        linked("P2");
        clock.advance(Duration.ofHours(1));
        VsrxFileId a = vsrx.addFile(fs, "notes/a.txt", "text/plain", "before");
        vsrx.onOpen(a, () -> {
            clock.advance(Duration.ofMillis(300));
            vsrx.modifyFile(a, "edited during the run");
        });
        SyncConfig config = SyncConfig.builder().pageSize(1).watermarkOverlap(Duration.ZERO).build();
        VsrxSync sync = VsrxSync.builder().source(client).documents(silknote.documents()).blobs(silknote.blobs())
                .vectors(silknote.vectors()).processor(silknote.processor()).lock(silknote.lock())
                .config(config).clock(clock).sleeper(clock).random(new SplittableRandom(7)).build();
        assertThat(sync.run(SyncRequest.full()).success()).isTrue();
        assertThat(silknote.documents().loadState().lastCompleteSync()).contains(vsrx.now().minusMillis(300));

        clock.advance(Duration.ofMinutes(1));
        SyncResult next = sync.run(SyncRequest.incrementalRun());

        assertThat(file(next, a).action()).isEqualTo(FileAction.UPDATED);
        assertThat(doc(a).contentHash()).isEqualTo(TestHashes.sha256("edited during the run"));
    }

    @Test
    void contentAlteredOnTheWireIsSkippedAndNothingIsWrittenForIt() {
        FilesetId fs = linked("P1");
        VsrxFileId good = vsrx.addFile(fs, "notes/good.txt", "text/plain", "good");
        VsrxFileId bad = vsrx.addFile(fs, "notes/bad.txt", "text/plain", "bad bytes");
        corrupted.add(bad);

        SyncResult result = run();

        assertThat(file(result, good).action()).isEqualTo(FileAction.CREATED);
        assertThat(file(result, bad).action()).isEqualTo(FileAction.SKIPPED);
        assertThat(file(result, bad).skipReason()).contains(SkipReason.CHECKSUM_MISMATCH);
        assertThat(silknote.documents().findDocument(DocumentUuid.forVsrxFile(bad))).isEmpty();
        assertThat(silknote.documents().findMapping(bad)).isEmpty();
        assertThat(silknote.blobs().rawBytes(TestHashes.sha256("bad bytes"))).isEmpty();
        silknote.assertQuiescent();
    }

    @Test
    @org.junit.jupiter.api.DisplayName("rule 3 over the protocol: files deleted or gone between the listing and their"
            + " download are skipped (410 file_deleted, 404 file_not_found), the rest of the fileset commits")
    void filesGoneBeforeTheirDownloadAreSkippedOverHttp() {
        FilesetId fs = linked("P1");
        VsrxFileId a = vsrx.addFile(fs, "notes/a.txt", "text/plain", "alpha");
        VsrxFileId b = vsrx.addFile(fs, "notes/b.txt", "text/plain", "beta");
        VsrxFileId c = vsrx.addFile(fs, "notes/c.txt", "text/plain", "gamma");
        vsrx.beforeOpen(b, () -> vsrx.deleteFile(b));
        vsrx.beforeOpen(c, () -> vsrx.removeFromListing(c));

        SyncResult result = run();

        assertThat(result.success()).isTrue();
        assertThat(file(result, a).action()).isEqualTo(FileAction.CREATED);
        assertThat(file(result, b).skipReason()).contains(SkipReason.GONE);
        assertThat(file(result, b).detail()).contains("deleted-before-download");
        assertThat(file(result, c).skipReason()).contains(SkipReason.GONE);
        assertThat(file(result, c).detail()).contains("gone-before-download");
        assertThat(silknote.documents().findDocument(DocumentUuid.forVsrxFile(b))).isEmpty();
        assertThat(silknote.documents().findDocument(DocumentUuid.forVsrxFile(c))).isEmpty();
        assertThat(doc(a).contentHash()).isEqualTo(TestHashes.sha256("alpha"));
        silknote.assertQuiescent();
    }

    @Test
    @org.junit.jupiter.api.DisplayName("over the protocol: a file VSRX lists but answers 404 file_not_found for is"
            + " skipped as listed-but-not-served and raises FILE_NOT_SERVED")
    void aFileListedButNotServedOverHttpRaisesAnAlert() {
        FilesetId fs = linked("P1");
        VsrxFileId a = vsrx.addFile(fs, "notes/a.txt", "text/plain", "alpha");
        VsrxFileId lost = vsrx.addFile(fs, "notes/lost.txt", "text/plain", "bytes VSRX no longer has");
        vsrx.beforeOpen(lost, () -> {
            throw com.silknote.sync.core.exception.FileGoneException.notFound();
        });

        SyncResult result = run();

        assertThat(result.success()).isTrue();
        assertThat(file(result, a).action()).isEqualTo(FileAction.CREATED);
        assertThat(file(result, lost).skipReason()).contains(SkipReason.GONE);
        assertThat(file(result, lost).detail()).contains("listed-but-not-served");
        assertThat(result.report().orElseThrow().alerts())
                .filteredOn(al -> al.kind() == com.silknote.sync.core.model.Alert.Kind.FILE_NOT_SERVED).hasSize(1);
        assertThat(silknote.documents().findDocument(DocumentUuid.forVsrxFile(lost))).isEmpty();
        silknote.assertQuiescent();
    }

    @Test
    void transientServerFailureIsRetriedByTheEngine() {
        FilesetId fs = linked("P1");
        VsrxFileId a = vsrx.addFile(fs, "notes/a.txt", "text/plain", "alpha");
        vsrx.beforeOpen(a, () -> {
            throw new TransientSyncException("VSRX storage busy", Duration.ofSeconds(1), null);
        });

        SyncResult result = run();

        assertThat(result.success()).isTrue();
        assertThat(file(result, a).action()).isEqualTo(FileAction.CREATED);
        // 503 + Retry-After: 1 on the wire, honoured by the engine's one retry layer
        assertThat(clock.sleeps()).contains(Duration.ofSeconds(1));
        assertThat(vsrx.downloads(a)).isEqualTo(1);
    }

    @Test
    void pathOutsideNotesIsNeverDownloaded() {
        FilesetId fs = linked("P1");
        VsrxFileId escape = vsrx.addFile(fs, "notes/../secrets.txt", "text/plain", "nope");
        VsrxFileId ok = vsrx.addFile(fs, "notes/ok.txt", "text/plain", "ok");

        SyncResult result = run();

        assertThat(file(result, escape).skipReason()).contains(SkipReason.INVALID_PATH);
        assertThat(file(result, ok).action()).isEqualTo(FileAction.CREATED);
        assertThat(vsrx.downloads(escape)).isZero();
        assertThat(silknote.documents().findMapping(escape)).isEmpty();
    }

    @Test
    void badTokenFailsTheRunAndWritesNothing() {
        FilesetId fs = linked("P1");
        vsrx.addFile(fs, "notes/a.txt", "text/plain", "alpha");
        server.stop();
        startServer(Secret.of("wrong-token-0123456789abc"));
        SilknoteSnapshot before = silknote.snapshot();

        SyncResult result = run();

        assertThat(result.success()).isFalse();
        assertThat(silknote.documents().allDocuments()).isEmpty();
        assertThat(silknote.snapshot().documents()).isEqualTo(before.documents());
        assertThat(vsrx.listingCalls()).isZero();
    }

    @Test
    void serverDownFailsTheRunAndWritesNothing() {
        FilesetId fs = linked("P1");
        vsrx.addFile(fs, "notes/a.txt", "text/plain", "alpha");
        server.stop();

        SyncResult result = run();

        assertThat(result.success()).isFalse();
        assertThat(silknote.documents().allDocuments()).isEmpty();
    }

    @Test
    void aWebhookSyncsExactlyItsFileset() {
        FilesetId fs1 = linked("P1");
        FilesetId fs2 = linked("P2");
        VsrxFileId a = vsrx.addFile(fs1, "notes/a.txt", "text/plain", "alpha");
        VsrxFileId b = vsrx.addFile(fs2, "notes/b.txt", "text/plain", "beta");
        List<Secret> secrets = List.of(Secret.of("webhook-secret-0123456789abcdef-xyz"));
        VsrxSync sync = sync(client);
        List<SyncResult> results = new java.util.ArrayList<>();
        WebhookReceiver receiver = WebhookReceiver.builder().secrets(secrets).clock(clock)
                .trigger((id, event) -> results.add(sync.run(SyncRequest.fileset(id)))).build();
        try (VsrxHttpServer silknoteSide = VsrxHttpServer.builder().webhookReceiver("/webhooks/vsrx", receiver)
                .build().start()) {
            WebhookSender sender = WebhookSender.builder()
                    .endpoint(silknoteSide.baseUri().resolve("/webhooks/vsrx")).secrets(secrets).clock(clock)
                    .random(new SplittableRandom(7)).build();
            int status = sender.send(sender.newFileEvent(WebhookEventType.FILE_CREATED, fs2, b));
            assertThat(status).isEqualTo(202);
        }
        assertThat(results).singleElement().satisfies(r -> assertThat(r.success()).isTrue());
        assertThat(results.get(0).report().orElseThrow().filesets()).extracting(f -> f.filesetId())
                .containsExactly(fs2);
        assertThat(silknote.documents().findMapping(b)).isPresent();
        assertThat(silknote.documents().findMapping(a)).isEmpty();
        assertThat(results.get(0).report().orElseThrow().filesets().get(0).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
    }
}
