package com.silknote.sync.vsrx.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.vsrx.http.internal.WebhookSignatures;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebhookTest {
    static final Secret NEW = Secret.of("webhook-secret-new-0123456789abcdef");
    static final Secret OLD = Secret.of("webhook-secret-old-0123456789abcdef");
    static final Secret FORGED = Secret.of("webhook-secret-forged-0123456789abc");

    final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    final List<FilesetId> triggered = new CopyOnWriteArrayList<>();
    final WebhookReceiver receiver = WebhookReceiver.builder().secrets(List.of(NEW, OLD)).clock(clock)
            .trigger((id, event) -> triggered.add(id)).build();

    String now() {
        return Long.toString(clock.instant().getEpochSecond());
    }

    static byte[] event(String id, String type, String fileset, String file) {
        return WebhookEvent.fileEvent(id, WebhookEventType.fromWireName(type).orElseThrow(),
                java.time.Instant.parse("2026-01-01T00:00:00Z"), FilesetId.of(fileset), VsrxFileId.of(file)).toJson();
    }

    static Map<String, List<String>> headers(String timestamp, String signature) {
        Map<String, List<String>> h = new HashMap<>();
        h.put("content-type", List.of("application/json; charset=utf-8"));
        h.put("vsrx-webhook-timestamp", List.of(timestamp));
        h.put("Vsrx-Webhook-Signature", List.of(signature));
        return h;
    }

    static Map<String, List<String>> signed(List<Secret> keys, String timestamp, byte[] body) {
        return headers(timestamp, WebhookSignatures.header(keys, timestamp, body));
    }

    WebhookResponse deliver(List<Secret> keys, byte[] body) {
        return receiver.receive(signed(keys, now(), body), body);
    }

    @Test
    void aSignedEventTriggersASyncOfExactlyItsFileset() {
        WebhookResponse r = deliver(List.of(NEW), event("evt_1", "file.updated", "fs-7", "f-1"));
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.code()).isEqualTo("accepted");
        assertThat(r.eventId()).contains("evt_1");
        assertThat(triggered).containsExactly(FilesetId.of("fs-7"));
    }

    @Test
    void everyEventTypeIsAccepted() {
        deliver(List.of(NEW), event("e1", "file.created", "fs-1", "f-1"));
        deliver(List.of(NEW), event("e2", "file.updated", "fs-2", "f-1"));
        deliver(List.of(NEW), event("e3", "file.deleted", "fs-3", "f-1"));
        byte[] rebooked = WebhookEvent.rebooked("e4", clock.instant(), FilesetId.of("fs-4"),
                Optional.of(FilesetId.of("fs-0"))).toJson();
        assertThat(deliver(List.of(NEW), rebooked).status()).isEqualTo(202);
        assertThat(triggered).extracting(FilesetId::value).containsExactly("fs-1", "fs-2", "fs-3", "fs-4");
    }

    @Test
    void keyRotationAcceptsAnyActiveSecretAndSeveralSignatures() {
        assertThat(deliver(List.of(OLD), event("e1", "file.created", "fs-1", "f-1")).status()).isEqualTo(202);
        String ts = now();
        byte[] body = event("e2", "file.created", "fs-1", "f-2");
        String header = WebhookSignatures.header(List.of(FORGED, NEW), ts, body);
        assertThat(header.split(",")).hasSize(2);
        assertThat(receiver.receive(headers(ts, header), body).status()).isEqualTo(202);
        WebhookReceiver onlyOld = receiver.newBuilder().secrets(List.of(OLD)).build();
        assertThat(onlyOld.receive(signed(List.of(NEW, OLD), ts, body), body).status()).isEqualTo(202);
    }

    @Test
    void forgedTamperedOrUnsignedDeliveriesAre401AndTriggerNothing() {
        byte[] body = event("evt_1", "file.updated", "fs-7", "f-1");
        String ts = now();
        List<WebhookResponse> answers = new ArrayList<>();
        answers.add(receiver.receive(signed(List.of(FORGED), ts, body), body));
        byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("fs-7", "fs-8").getBytes(StandardCharsets.UTF_8);
        answers.add(receiver.receive(signed(List.of(NEW), ts, body), tampered));
        answers.add(receiver.receive(headers(Long.toString(Long.parseLong(ts) - 1),
                WebhookSignatures.header(List.of(NEW), ts, body)), body));
        answers.add(receiver.receive(headers(ts, "v2=" + "ab".repeat(32)), body));
        answers.add(receiver.receive(headers(ts, "v1=zz"), body));
        answers.add(receiver.receive(headers(ts, ""), body));
        for (WebhookResponse r : answers) {
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.code()).isEqualTo("invalid_signature");
        }
        Map<String, List<String>> noSignature = signed(List.of(NEW), ts, body);
        noSignature.remove("Vsrx-Webhook-Signature");
        assertThat(receiver.receive(noSignature, body).code()).isEqualTo("missing_signature");
        Map<String, List<String>> twoTimestamps = signed(List.of(NEW), ts, body);
        twoTimestamps.put("vsrx-webhook-timestamp", List.of(ts, ts));
        assertThat(receiver.receive(twoTimestamps, body).code()).isEqualTo("missing_signature");
        assertThat(triggered).isEmpty();
    }

    @Test
    void staleOrFutureTimestampsAreRefusedByTheInjectedClock() {
        byte[] body = event("evt_1", "file.updated", "fs-7", "f-1");
        String ts = now();
        Map<String, List<String>> h = signed(List.of(NEW), ts, body);
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        WebhookResponse stale = receiver.receive(h, body);
        assertThat(stale.status()).isEqualTo(401);
        assertThat(stale.code()).isEqualTo("timestamp_outside_window");
        String future = Long.toString(clock.instant().plus(Duration.ofMinutes(6)).getEpochSecond());
        assertThat(receiver.receive(signed(List.of(NEW), future, body), body).code()).isEqualTo("timestamp_outside_window");
        assertThat(receiver.receive(signed(List.of(NEW), "yesterday", body), body).code()).isEqualTo("timestamp_outside_window");
        assertThat(triggered).isEmpty();
        // exactly at the edge of the window is still fresh
        String edge = Long.toString(clock.instant().minus(Duration.ofMinutes(5)).getEpochSecond());
        assertThat(receiver.receive(signed(List.of(NEW), edge, body), body).status()).isEqualTo(202);
    }

    @Test
    void aReplayedEventIdIsIgnoredWith200() {
        byte[] body = event("evt_1", "file.updated", "fs-7", "f-1");
        Map<String, List<String>> h = signed(List.of(NEW), now(), body);
        assertThat(receiver.receive(h, body).status()).isEqualTo(202);
        WebhookResponse replay = receiver.receive(h, body);
        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.code()).isEqualTo("duplicate_event");
        clock.advance(Duration.ofMinutes(2));
        WebhookResponse resigned = deliver(List.of(NEW), body);
        assertThat(resigned.code()).isEqualTo("duplicate_event");
        assertThat(triggered).hasSize(1);
    }

    @Test
    void replayMemoryIsBoundedAndForgetsIdsOnceTheirWindowHasPassed() {
        WebhookReceiver small = receiver.newBuilder().maxRememberedEvents(2).build();
        for (String id : List.of("a", "b")) {
            byte[] b = event(id, "file.created", "fs-1", "f-1");
            assertThat(small.receive(signed(List.of(NEW), now(), b), b).status()).isEqualTo(202);
        }
        byte[] c = event("c", "file.created", "fs-1", "f-1");
        WebhookResponse full = small.receive(signed(List.of(NEW), now(), c), c);
        assertThat(full.status()).isEqualTo(503);
        assertThat(full.code()).isEqualTo("replay_memory_full");
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertThat(small.receive(signed(List.of(NEW), now(), c), c).status()).isEqualTo(202);
        assertThat(triggered).hasSize(3);
    }

    @Test
    void oversizedBodiesAre413() {
        byte[] big = ("{\"id\":\"e1\",\"pad\":\"" + "x".repeat(64 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        WebhookResponse r = deliver(List.of(NEW), big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.code()).isEqualTo("payload_too_large");
        Map<String, List<String>> h = new HashMap<>(signed(List.of(NEW), now(), big));
        h.put("Content-Length", List.of(Integer.toString(big.length)));
        var viaHandler = Responses.read(receiver.handle(new ServerRequest("POST", "/", Optional.empty(), h,
                new ByteArrayInputStream(big))));
        assertThat(viaHandler.status()).isEqualTo(413);
        h.remove("Content-Length");
        var streamed = Responses.read(receiver.handle(new ServerRequest("POST", "/", Optional.empty(), h,
                new ByteArrayInputStream(big))));
        assertThat(streamed.status()).isEqualTo(413);
        assertThat(triggered).isEmpty();
    }

    /** ";" and ";;" were found by WebhookReceiverFuzzTest#handle (issue 13): they used to throw, not answer 415. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"text/plain", "application/xml", "application/json; charset=latin-1", "''",
            ";", ";;", "; charset=utf-8"})
    void wrongContentTypeIs415(String type) {
        byte[] body = event("e1", "file.created", "fs-1", "f-1");
        Map<String, List<String>> h = signed(List.of(NEW), now(), body);
        if (type.isEmpty()) {
            h.remove("content-type");
        } else {
            h.put("content-type", List.of(type));
        }
        WebhookResponse r = receiver.receive(h, body);
        assertThat(r.status()).isEqualTo(415);
        assertThat(r.code()).isEqualTo("unsupported_media_type");
        assertThat(triggered).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not json|nope|malformed_event",
        "array|[]|malformed_event",
        "trailing|{\"id\":\"e\",\"type\":\"file.created\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"filesetId\":\"fs\",\"fileId\":\"f\"} x|malformed_event",
        "unknown type|{\"id\":\"e\",\"type\":\"file.moved\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"filesetId\":\"fs\",\"fileId\":\"f\"}|unknown_event_type",
        "no id|{\"type\":\"file.created\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"filesetId\":\"fs\",\"fileId\":\"f\"}|malformed_event",
        "bad event id|{\"id\":\"e 1\",\"type\":\"file.created\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"filesetId\":\"fs\",\"fileId\":\"f\"}|malformed_event",
        "no fileset|{\"id\":\"e\",\"type\":\"file.created\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"fileId\":\"f\"}|malformed_event",
        "blank fileset|{\"id\":\"e\",\"type\":\"file.created\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"filesetId\":\" \",\"fileId\":\"f\"}|malformed_event",
        "fileset number|{\"id\":\"e\",\"type\":\"file.created\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"filesetId\":5,\"fileId\":\"f\"}|malformed_event",
        "file event without file|{\"id\":\"e\",\"type\":\"file.deleted\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"filesetId\":\"fs\"}|malformed_event",
        "rebooked with file|{\"id\":\"e\",\"type\":\"fileset.rebooked\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"filesetId\":\"fs\",\"fileId\":\"f\"}|malformed_event",
        "bad date|{\"id\":\"e\",\"type\":\"file.created\",\"occurredAt\":\"soon\",\"filesetId\":\"fs\",\"fileId\":\"f\"}|malformed_event",
        "duplicate key|{\"id\":\"e\",\"id\":\"f\",\"type\":\"file.created\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"filesetId\":\"fs\",\"fileId\":\"f\"}|malformed_event",
    })
    void malformedSignedEventsAre400AndTriggerNothing(String name, String json, String code) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        WebhookResponse r = deliver(List.of(NEW), body);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo(code);
        assertThat(triggered).isEmpty();
    }

    @Test
    void aFailingTriggerIs503AndTheRetryIsProcessed() {
        List<FilesetId> calls = new ArrayList<>();
        boolean[] fail = {true};
        WebhookReceiver flaky = receiver.newBuilder().trigger((id, e) -> {
            calls.add(id);
            if (fail[0]) {
                throw new IllegalStateException("executor full");
            }
        }).build();
        byte[] body = event("evt_1", "file.updated", "fs-7", "f-1");
        WebhookResponse first = flaky.receive(signed(List.of(NEW), now(), body), body);
        assertThat(first.status()).isEqualTo(503);
        assertThat(first.code()).isEqualTo("trigger_failed");
        fail[0] = false;
        assertThat(flaky.receive(signed(List.of(NEW), now(), body), body).status()).isEqualTo(202);
        assertThat(calls).hasSize(2);
    }

    @Test
    void handlerRefusesOtherMethods() {
        var a = Responses.read(receiver.handle(ServerRequest.of("GET", "/", Optional.empty(), Map.of())));
        assertThat(a.status()).isEqualTo(405);
        assertThat(a.headers()).containsEntry("Allow", "POST");
    }

    @Test
    void senderAndReceiverOverLoopback() {
        try (VsrxHttpServer server = VsrxHttpServer.builder().webhookReceiver("/hooks/vsrx", receiver).build().start()) {
            WebhookSender sender = WebhookSender.builder().endpoint(server.baseUri().resolve("/hooks/vsrx"))
                    .secrets(List.of(OLD, NEW)).clock(clock).random(new SplittableRandom(3)).build();
            WebhookEvent e = sender.newFileEvent(WebhookEventType.FILE_DELETED, FilesetId.of("fs-9"), VsrxFileId.of("f-9"));
            assertThat(e.id()).matches("evt_[0-9a-f]{32}");
            assertThat(sender.send(e)).isEqualTo(202);
            assertThat(sender.send(e)).isEqualTo(200);
            assertThat(triggered).containsExactly(FilesetId.of("fs-9"));

            WebhookSender forger = WebhookSender.builder().endpoint(server.baseUri().resolve("/hooks/vsrx"))
                    .secrets(List.of(FORGED)).clock(clock).build();
            var refused = catchThrowableOfType(PermanentSyncException.class,
                    () -> forger.send(forger.newRebookedEvent(FilesetId.of("fs-1"), Optional.empty())));
            assertThat(refused.statusCode()).hasValue(401);

            WebhookSender lost = WebhookSender.builder().endpoint(server.baseUri().resolve("/hooks/other"))
                    .secrets(List.of(NEW)).clock(clock).build();
            assertThatThrownBy(() -> lost.send(e)).isInstanceOf(PermanentSyncException.class)
                    .hasMessage("webhook delivery refused: HTTP 404");
            assertThat(triggered).hasSize(1);
        }
    }

    @Test
    void senderMapsServerFailuresToTransient() throws Exception {
        try (StubServer stub = new StubServer()) {
            stub.script(ex -> {
                ex.getResponseHeaders().set("Retry-After", "30");
                StubServer.send(ex, 503, "application/json", "{}");
            });
            WebhookSender sender = WebhookSender.builder().endpoint(stub.baseUri().resolve("/h"))
                    .secrets(List.of(NEW)).clock(clock).build();
            var e = catchThrowableOfType(TransientSyncException.class,
                    () -> sender.send(sender.newFileEvent(WebhookEventType.FILE_CREATED, FilesetId.of("fs"), VsrxFileId.of("f"))));
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
        }
    }

    @Test
    void secretsAreValidatedAndNeverPrinted() {
        assertThatThrownBy(() -> WebhookReceiver.builder().secrets(List.of(Secret.of("short"))).trigger((a, b) -> { }).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebhookReceiver.builder().secrets(List.of()).trigger((a, b) -> { }).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(WebhookReceiverConfig.of(List.of(NEW)).toString()).doesNotContain(NEW.value());
    }
}
