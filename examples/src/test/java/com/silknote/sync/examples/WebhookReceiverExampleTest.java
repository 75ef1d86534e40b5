package com.silknote.sync.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.vsrx.http.WebhookEventType;
import com.silknote.sync.vsrx.http.WebhookSender;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WebhookReceiverExampleTest {
    private static final Secret SECRET = Secret.of("webhook-secret-0123456789abcdef0123456789");

    @Test
    void aSignedWebhookSyncsExactlyTheNamedFilesetAndAForgedOneNothing() throws Exception {
        TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
        SilknoteSimulator silknote = new SilknoteSimulator(clock);
        InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
        PatientUuid patient = PatientUuid.of("00000000-0000-4000-8000-0000000000b1");
        FilesetId quiet = vsrx.addFileset(PatientId.of("P-W-1"), patient);
        FilesetId busy = vsrx.addFileset(PatientId.of("P-W-2"), patient);
        vsrx.addFile(quiet, "notes/a.txt", "text/plain", "a");
        VsrxFileId added = vsrx.addFile(busy, "notes/b.txt", "text/plain", "b");
        VsrxSync sync = VsrxSync.builder().source(vsrx).documents(silknote.documents()).blobs(silknote.blobs())
                .vectors(silknote.vectors()).processor(silknote.processor()).lock(silknote.lock()).build();
        CompletableFuture<SyncResult> ran = new CompletableFuture<>();

        try (WebhookReceiverExample receiver = WebhookReceiverExample.start(sync, List.of(SECRET), 0, ran::complete)) {
            WebhookSender forged = WebhookSender.builder().endpoint(receiver.endpoint())
                    .secrets(List.of(Secret.of("not-the-secret-0123456789abcdef012345678"))).build();
            assertThatThrownBy(() -> forged.send(forged.newFileEvent(WebhookEventType.FILE_CREATED, busy, added)))
                    .isInstanceOf(PermanentSyncException.class);

            WebhookSender vsrxSide = WebhookSender.builder().endpoint(receiver.endpoint()).secrets(List.of(SECRET))
                    .clock(Clock.systemUTC()).build();
            int status = vsrxSide.send(vsrxSide.newFileEvent(WebhookEventType.FILE_CREATED, busy, added));

            assertThat(status).isEqualTo(202);
            SyncResult result = ran.get(30, TimeUnit.SECONDS);
            assertThat(result.success()).isTrue();
            assertThat(result.report().orElseThrow().filesets()).extracting(f -> f.filesetId()).containsExactly(busy);
        }
        assertThat(silknote.documents().documents(busy)).hasSize(1);
        assertThat(silknote.documents().documents(quiet)).isEmpty();
    }
}
