package com.silknote.sync.vsrx.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.reliability.SyncScenario;
import com.silknote.sync.vsrx.http.internal.WebhookSignatures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13 item 5, the webhook boundary (DESIGN §5): deliveries POSTed over HTTP to a
 * {@link WebhookReceiver} on {@link VsrxHttpServer}, whose trigger syncs the named fileset. VSRX has a change
 * waiting, so a delivery that got through would change Silknote. Each bad delivery gets exactly the stated
 * status, error code and message, triggers nothing, and nothing synced changes; a good one (the control)
 * does trigger the sync.
 */
class BadWebhookDeliveriesTest {
    static final Secret KEY = Secret.of("webhook-table-secret-0123456789abcdef");
    static final Secret FORGED = Secret.of("webhook-table-forged-0123456789abcdef");
    static final HttpClient HTTP = HttpClient.newHttpClient();

    /** One delivery: body, Content-Type, timestamp header, signature header (null: left out), method. */
    record Delivery(byte[] body, String contentType, String timestamp, String signature, String method) {
        static Delivery signed(byte[] body, Instant now) {
            String ts = Long.toString(now.getEpochSecond());
            return new Delivery(body, "application/json", ts, WebhookSignatures.header(List.of(KEY), ts, body), "POST");
        }
    }

    /** The world: VSRX with a change waiting in fs-1, a synced Silknote, the receiver on a server. */
    private static final class World implements AutoCloseable {
        final TestClock clock = TestClock.at(SyncScenario.START);
        final InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
        final SilknoteSimulator silknote = new SilknoteSimulator(clock);
        final AtomicInteger triggered = new AtomicInteger();
        final FilesetId fs;
        final VsrxSync sync;
        final VsrxHttpServer server;

        World() {
            fs = vsrx.addFileset(PatientId.of("P1"), SyncScenario.patient("P1"));
            VsrxFileId f = vsrx.addFile(fs, "notes/a.txt", "text/plain", "first version");
            sync = VsrxSync.builder().source(vsrx).documents(silknote.documents()).blobs(silknote.blobs())
                    .vectors(silknote.vectors()).processor(silknote.processor()).lock(silknote.lock())
                    .config(SyncConfig.builder().blobGracePeriod(Duration.ZERO).build()).clock(clock).sleeper(clock)
                    .random(new SplittableRandom(1)).build();
            assertThat(sync.run(SyncRequest.full()).status()).isEqualTo(SyncResult.Status.COMPLETED);
            vsrx.modifyFile(f, "second version, waiting for a webhook");
            WebhookReceiver receiver = WebhookReceiver.builder().secrets(List.of(KEY)).clock(clock)
                    .trigger((id, event) -> {
                        triggered.incrementAndGet();
                        sync.run(SyncRequest.fileset(id));
                    }).build();
            server = VsrxHttpServer.builder().webhookReceiver("/webhooks/vsrx", receiver).build().start();
        }

        HttpResponse<String> deliver(Delivery d) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUri() + "/webhooks/vsrx"))
                    .method(d.method(), d.method().equals("GET") ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(d.body()))
                    .header("Content-Type", d.contentType());
            if (d.timestamp() != null) {
                b.header(WebhookReceiver.TIMESTAMP_HEADER, d.timestamp());
            }
            if (d.signature() != null) {
                b.header(WebhookReceiver.SIGNATURE_HEADER, d.signature());
            }
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        Object synced() {
            return StubWorld.synced(silknote.snapshot());
        }

        @Override
        public void close() {
            server.stop();
        }
    }

    static byte[] event(String id, String type) {
        return ("{\"id\":\"" + id + "\",\"type\":\"" + type + "\",\"occurredAt\":\"2026-01-01T00:00:00Z\","
                + "\"filesetId\":\"fs-000001\",\"fileId\":\"file-000001\"}").getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Arguments> table() {
        Instant now = Instant.parse(SyncScenario.START);
        String ts = Long.toString(now.getEpochSecond());
        byte[] good = event("evt_1", "file.updated");
        byte[] notUtf8 = event("evt_\u00e9", "file.updated");
        byte[] latin1 = new String(notUtf8, StandardCharsets.UTF_8).getBytes(StandardCharsets.ISO_8859_1);
        byte[] nested = ("{\"id\":\"evt_n\",\"type\":\"file.updated\",\"x\":" + "[".repeat(20_000)
                + "]".repeat(20_000) + "}").getBytes(StandardCharsets.UTF_8);
        byte[] huge = ("{\"id\":\"evt_h\",\"pad\":\"" + "a".repeat(70_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        return Stream.of(
                Arguments.of("no signature", new Delivery(good, "application/json", ts, null, "POST"), null,
                        401, "missing_signature", "exactly one timestamp and one signature header are required"),
                Arguments.of("forged signature", new Delivery(good, "application/json", ts,
                        WebhookSignatures.header(List.of(FORGED), ts, good), "POST"), null,
                        401, "invalid_signature", "no valid v1 signature"),
                Arguments.of("tampered body", new Delivery(event("evt_1", "file.deleted"), "application/json", ts,
                        WebhookSignatures.header(List.of(KEY), ts, good), "POST"), null,
                        401, "invalid_signature", "no valid v1 signature"),
                Arguments.of("stale timestamp", Delivery.signed(good, now.minus(Duration.ofMinutes(6))), null,
                        401, "timestamp_outside_window", "timestamp outside the replay window"),
                Arguments.of("timestamp from the future", Delivery.signed(good, now.plus(Duration.ofMinutes(6))), null,
                        401, "timestamp_outside_window", "timestamp outside the replay window"),
                Arguments.of("timestamp not Unix seconds", new Delivery(good, "application/json",
                        "2026-01-01T00:00:00Z", WebhookSignatures.header(List.of(KEY), "2026-01-01T00:00:00Z", good),
                        "POST"), null, 401, "timestamp_outside_window", "timestamp is not Unix seconds"),
                Arguments.of("not JSON", Delivery.signed("{\"id\":".getBytes(StandardCharsets.UTF_8), now), null,
                        400, "malformed_event", "body is not valid JSON (JsonEOFException at line 1 column 7)"),
                Arguments.of("invalid UTF-8", Delivery.signed(latin1, now), null,
                        400, "malformed_event", "body is not valid JSON (JsonParseException at line 1 column 14)"),
                Arguments.of("deeply nested JSON", Delivery.signed(nested, now), null,
                        400, "malformed_event", "body is not valid JSON (StreamConstraintsException)"),
                Arguments.of("unknown event type", Delivery.signed(event("evt_2", "file.exploded"), now), null,
                        400, "unknown_event_type", "unknown event type"),
                Arguments.of("oversized body", Delivery.signed(huge, now), null,
                        413, "payload_too_large", "body too large"),
                Arguments.of("not application/json", new Delivery(good, "text/plain", ts,
                        WebhookSignatures.header(List.of(KEY), ts, good), "POST"), null,
                        415, "unsupported_media_type", "Content-Type must be application/json"),
                Arguments.of("GET instead of POST", new Delivery(new byte[0], "application/json", ts, "v1=00", "GET"),
                        null, 405, "method_not_allowed", "only POST is allowed here"),
                Arguments.of("replayed delivery", Delivery.signed(good, now), Delivery.signed(good, now),
                        200, "duplicate_event", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    @DisplayName("item 5: a bad webhook delivery is refused exactly as stated and triggers nothing")
    void aBadDeliveryIsRefusedExactlyAndChangesNothing(String name, Delivery bad, Delivery before, int status,
            String code, String message) throws Exception {
        try (World w = new World()) {
            if (before != null) {
                assertThat(w.deliver(before).statusCode()).as("%s: the first delivery", name).isEqualTo(202);
            }
            int triggeredBefore = w.triggered.get();
            Object synced = w.synced();

            HttpResponse<String> r = w.deliver(bad);

            assertThat(r.statusCode()).as(name).isEqualTo(status);
            assertThat(r.body()).as(name).isEqualTo(message == null
                    ? "{\"status\":\"" + code + "\",\"eventId\":\"evt_1\"}"
                    : "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}");
            assertThat(w.triggered.get()).as("%s: nothing triggered", name).isEqualTo(triggeredBefore);
            assertThat(w.synced()).as("%s: nothing synced changed", name).isEqualTo(synced);
        }
    }

    @Test
    @DisplayName("item 5 control: a good delivery triggers the sync, so the table would see a change")
    void aGoodDeliveryTriggersTheSyncAndChangesSilknote() throws Exception {
        try (World w = new World()) {
            Object synced = w.synced();
            HttpResponse<String> r = w.deliver(Delivery.signed(event("evt_ok", "file.updated"), w.clock.instant()));
            assertThat(r.statusCode()).isEqualTo(202);
            assertThat(w.triggered.get()).isEqualTo(1);
            assertThat(w.synced()).isNotEqualTo(synced);
        }
    }
}
