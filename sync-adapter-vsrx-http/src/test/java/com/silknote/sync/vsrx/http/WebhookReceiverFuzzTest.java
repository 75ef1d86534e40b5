package com.silknote.sync.vsrx.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Secret;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issue 13 (fuzzing) and DESIGN §5: the webhook verifier under arbitrary deliveries. It never throws; it never
 * triggers a sync unless the delivery carries an HMAC-SHA256 over {@code timestamp + "." + body} made with an
 * accepted secret and a timestamp inside the replay window (checked by an HMAC computed here, apart from
 * the receiver's own code); a triggered sync is for exactly the fileset the body names; a replay of an
 * accepted delivery triggers nothing. Committed inputs replay in the test command; {@code docs/quality.md}
 * tells how to fuzz.
 */
class WebhookReceiverFuzzTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final Secret CURRENT = Secret.of("current-webhook-secret-0123456789abcdef");
    private static final Secret PREVIOUS = Secret.of("previous-webhook-secret-0123456789abcdef");
    private static final Secret FOREIGN = Secret.of("someone-elses-secret-0123456789abcdef!!");
    private static final List<String> TYPES = List.of("file.created", "file.updated", "file.deleted",
            "fileset.rebooked", "file.renamed");
    private static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8",
            "Application/JSON;charset=\"utf-8\"", "application/json; charset=latin1", "text/plain");
    private static final ObjectMapper JSON = new ObjectMapper();

    private enum Signing { CURRENT_KEY, PREVIOUS_KEY, FOREIGN_KEY, UPPER_HEX, WITH_JUNK, FUZZED, NONE, TWO_HEADERS }

    /** One delivery to a fresh receiver, and the same delivery again. */
    @FuzzTest(maxDuration = "5m")
    void receive(FuzzedDataProvider data) throws IOException {
        List<FilesetId> triggered = new ArrayList<>();
        WebhookReceiver receiver = WebhookReceiver.builder().secrets(List.of(CURRENT, PREVIOUS))
                .trigger((fs, event) -> triggered.add(fs))
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();

        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put(data.consumeBoolean() ? "Content-Type" : "content-type", List.of(data.pickValue(CONTENT_TYPES)));
        String timestamp = switch (data.consumeInt(0, 3)) {
            case 0 -> Long.toString(NOW.getEpochSecond());
            case 1 -> Long.toString(NOW.getEpochSecond() + data.consumeLong(-4000, 4000));
            case 2 -> data.consumeString(24);
            default -> Long.toString(data.consumeLong());
        };
        headers.put(WebhookReceiver.TIMESTAMP_HEADER, List.of(timestamp));
        byte[] body = data.consumeBoolean() ? event(data) : data.consumeBytes(data.consumeInt(0, 2048));
        Signing signing = data.pickValue(Signing.values());
        switch (signing) {
            case CURRENT_KEY -> headers.put(WebhookReceiver.SIGNATURE_HEADER, List.of(v1(CURRENT, timestamp, body)));
            case PREVIOUS_KEY -> headers.put(WebhookReceiver.SIGNATURE_HEADER, List.of(v1(PREVIOUS, timestamp, body)));
            case FOREIGN_KEY -> headers.put(WebhookReceiver.SIGNATURE_HEADER, List.of(v1(FOREIGN, timestamp, body)));
            case UPPER_HEX -> headers.put(WebhookReceiver.SIGNATURE_HEADER,
                    List.of(v1(CURRENT, timestamp, body).toUpperCase(Locale.ROOT).replace("V1=", "v1=")));
            case WITH_JUNK -> headers.put(WebhookReceiver.SIGNATURE_HEADER,
                    List.of(data.consumeString(100) + "," + v1(PREVIOUS, timestamp, body)));
            case FUZZED -> headers.put(WebhookReceiver.SIGNATURE_HEADER, List.of(data.consumeString(200)));
            case TWO_HEADERS -> headers.put(WebhookReceiver.SIGNATURE_HEADER,
                    List.of(v1(CURRENT, timestamp, body), v1(CURRENT, timestamp, body)));
            default -> { }
        }

        WebhookResponse response = receiver.receive(headers, body);

        assertThat(response.status()).isIn(200, 202, 400, 401, 413, 415, 503);
        assertThat(response.accepted()).isEqualTo(response.status() == 202);
        if (!response.accepted()) {
            assertThat(triggered).as("rejected delivery triggered a sync").isEmpty();
            return;
        }
        // Only the HMAC decides. The fuzzer may rebuild a valid HMAC from Jazzer's comparison feedback (a
        // FUZZED header that happens to hold it); an attacker sees no comparisons, so that is no forgery.
        assertThat(signedByAnAcceptedSecret(headers.get(WebhookReceiver.SIGNATURE_HEADER).get(0), timestamp, body))
                .as("accepted without an accepted secret's HMAC (independent check)").isTrue();
        assertThat(signing).as("accepted with a foreign key's or no signature").isNotIn(Signing.FOREIGN_KEY, Signing.NONE);
        long sentAt = Long.parseLong(timestamp.trim());
        assertThat(Math.abs(sentAt - NOW.getEpochSecond())).as("inside the replay window")
                .isLessThanOrEqualTo(WebhookReceiverConfig.DEFAULT_REPLAY_WINDOW.toSeconds());
        JsonNode event = JSON.readTree(body);
        assertThat(triggered).containsExactly(FilesetId.of(event.get("filesetId").textValue()));
        assertThat(response.eventId()).contains(event.get("id").textValue());

        WebhookResponse replay = receiver.receive(headers, body);
        assertThat(replay.status()).isEqualTo(200);
        assertThat(triggered).as("a replay triggered a second sync").hasSize(1);
    }

    /** The request/response entry point: any method, headers and body stream; never throws. */
    @FuzzTest(maxDuration = "5m")
    void handle(FuzzedDataProvider data) {
        List<FilesetId> triggered = new ArrayList<>();
        WebhookReceiver receiver = WebhookReceiver.builder().secrets(List.of(CURRENT))
                .trigger((fs, event) -> triggered.add(fs))
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        int n = data.consumeInt(0, 6);
        for (int i = 0; i < n; i++) {
            String name = data.pickValue(List.of("Content-Type", "Content-Length", WebhookReceiver.TIMESTAMP_HEADER,
                    WebhookReceiver.SIGNATURE_HEADER, data.consumeString(20)));
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(data.consumeString(120));
        }
        String method = data.pickValue(List.of("POST", "GET", "PUT", "post"));
        byte[] body = data.consumeRemainingAsBytes();

        try (ServerResponse response = receiver.handle(new ServerRequest(method, "/", Optional.empty(), headers,
                new ByteArrayInputStream(body)))) {
            assertThat(response.status()).isBetween(200, 599);
            if (response.status() != 202) {
                assertThat(triggered).isEmpty();
            }
        }
    }

    /** A well-formed event with fuzzed ids, type and date, so the fuzzer reaches past the JSON checks. */
    private static byte[] event(FuzzedDataProvider data) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", data.consumeBoolean() ? "evt_" + data.consumeInt(0, 1_000_000) : data.consumeString(20));
        e.put("type", data.pickValue(TYPES));
        e.put("occurredAt", data.consumeBoolean() ? "2026-01-01T11:59:00Z" : data.consumeString(30));
        e.put("filesetId", data.consumeBoolean() ? "fs-000001" : data.consumeString(40));
        if (data.consumeBoolean()) {
            e.put("fileId", data.consumeBoolean() ? "file-1" : data.consumeString(40));
        }
        if (data.consumeBoolean()) {
            e.put("previousFilesetId", data.consumeString(20));
        }
        try {
            return JSON.writeValueAsBytes(e);
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** {@code v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>}, computed here, not by the receiver. */
    private static String v1(Secret secret, String timestamp, byte[] body) {
        return "v1=" + HexFormat.of().formatHex(hmac(secret, timestamp, body));
    }

    private static byte[] hmac(Secret secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.value().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean signedByAnAcceptedSecret(String header, String timestamp, byte[] body) {
        Set<String> expected = Set.of(HexFormat.of().formatHex(hmac(CURRENT, timestamp.trim(), body)),
                HexFormat.of().formatHex(hmac(PREVIOUS, timestamp.trim(), body)));
        for (String part : header.split(",")) {
            String p = part.trim();
            if (p.startsWith("v1=") && expected.contains(p.substring(3).toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }
}
