package com.silknote.sync.vsrx.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.TestClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Plants patient ids and paths, drives the client, the handler (good and bad requests) and the webhook
 * receiver, and checks that no log line at INFO or above names them (slf4j-simple logs INFO+ to stderr).
 */
class LogCanaryTest {
    static final Secret TOKEN = Secret.of("canary-token-0123456789abcd");

    @Test
    void noPatientDataInLogs() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
            InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
            SilknoteSimulator silknote = new SilknoteSimulator(clock);
            FilesetId fs = vsrx.addFileset(PatientId.of("CANARY-PATIENT-1"),
                    PatientUuid.of("0c4a5e0e-1111-4222-8333-c4a4a7c4a4a7"));
            vsrx.rebook(fs, PatientId.of("CANARY-PATIENT-2"));
            vsrx.addFile(fs, "notes/CANARY-PATH-report.txt", "text/plain", "CANARY-CONTENT");
            VsrxFileId escape = vsrx.addFile(fs, "notes/../CANARY-PATH-escape.txt", "text/plain", "x");
            try (VsrxHttpServer server = VsrxHttpServer.builder()
                    .handler(VsrxHttpHandler.builder().source(vsrx).acceptedToken(TOKEN).clock(clock).build())
                    .build().start()) {
                HttpVsrxSource client = HttpVsrxSource.builder().baseUri(server.baseUri()).token(TOKEN).clock(clock).build();
                VsrxSync.builder().source(client).documents(silknote.documents()).blobs(silknote.blobs())
                        .vectors(silknote.vectors()).processor(silknote.processor()).lock(silknote.lock())
                        .clock(clock).sleeper(clock).random(new SplittableRandom(1)).build().run(SyncRequest.full());
                try {
                    client.openContent(escape).close();
                } catch (RuntimeException expected) {
                    // 403 path_rejected
                }
                try {
                    client.listFiles(FilesetId.of("CANARY-PATH-unknown"), PageRequest.first(10));
                } catch (RuntimeException expected) {
                    // 404
                }
                Responses.call(VsrxHttpHandler.builder().source(vsrx).acceptedToken(TOKEN).build(), "GET",
                        "/v1/filesets", "cursor=CANARY", "Authorization", "Bearer " + TOKEN.value());
            }
            List<Secret> secrets = List.of(Secret.of("webhook-secret-0123456789abcdef-xyz"));
            WebhookReceiver receiver = WebhookReceiver.builder().secrets(secrets).clock(clock)
                    .trigger((id, e) -> { }).build();
            byte[] body = WebhookEvent.fileEvent("evt_1", WebhookEventType.FILE_CREATED, clock.instant(), fs,
                    VsrxFileId.of("f-1")).toJson();
            String ts = Long.toString(clock.instant().getEpochSecond());
            receiver.receive(java.util.Map.of("Content-Type", List.of("application/json"),
                    WebhookReceiver.TIMESTAMP_HEADER, List.of(ts), WebhookReceiver.SIGNATURE_HEADER,
                    List.of(com.silknote.sync.vsrx.http.internal.WebhookSignatures.header(secrets, ts, body))), body);
            receiver.receive(java.util.Map.of("Content-Type", List.of("application/json")),
                    "{\"CANARY-PATH\":1}".getBytes(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
        String logs = captured.toString(StandardCharsets.UTF_8);
        assertThat(logs).as("something was logged, so the capture works").contains("webhook accepted");
        assertThat(logs).doesNotContain("CANARY").doesNotContain("0c4a5e0e").doesNotContain(TOKEN.value());
    }
}
