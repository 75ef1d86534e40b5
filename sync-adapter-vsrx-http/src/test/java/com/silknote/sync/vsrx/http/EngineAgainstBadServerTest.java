package com.silknote.sync.vsrx.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.vsrx.http.internal.ReprDigest;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine reading a VSRX server that answers badly: each fault fails the fileset (or skips the file)
 * and nothing at all is written to Silknote for it.
 */
class EngineAgainstBadServerTest {
    static final Secret TOKEN = Secret.of("token-aaaaaaaaaaaaaaaaaaaa");
    static final String FILESET = "{\"id\":\"fs-1\",\"patientId\":\"P1\","
            + "\"silknotePatientUuid\":\"7d444840-9dc0-11d1-b245-5ffdce74fad2\",\"previousPatientIds\":[],"
            + "\"updatedAt\":\"2026-01-01T00:00:00Z\"}";
    static final String FILE = "{\"id\":\"f-1\",\"filesetId\":\"fs-1\",\"path\":\"notes/a.txt\",\"size\":5,"
            + "\"mimeType\":\"text/plain\",\"modifiedAt\":\"2026-01-01T00:00:00Z\",\"etag\":\"e1\",\"sha256\":null,"
            + "\"deleted\":false}";

    final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    final SilknoteSimulator silknote = new SilknoteSimulator(clock);
    final StubServer stub;

    EngineAgainstBadServerTest() throws IOException {
        stub = new StubServer();
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    void serve(String fault, HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (path.equals("/v1/filesets")) {
            StubServer.json(ex, "{\"items\":[" + FILESET + "],\"nextCursor\":null}");
        } else if (path.equals("/v1/filesets/fs-1")) {
            StubServer.json(ex, FILESET);
        } else if (path.equals("/v1/filesets/fs-1/files")) {
            switch (fault) {
                case "bad-json" -> StubServer.json(ex, "{\"items\":[" + FILE + ",],\"nextCursor\":null}");
                case "missing-field" -> StubServer.json(ex, "{\"items\":[" + FILE.replace("\"size\":5,", "")
                        + "],\"nextCursor\":null}");
                case "foreign-file" -> StubServer.json(ex, "{\"items\":[" + FILE.replace("\"filesetId\":\"fs-1\"",
                        "\"filesetId\":\"fs-2\"") + "],\"nextCursor\":null}");
                case "html-502" -> StubServer.send(ex, 502, "text/html", "<html>Bad Gateway</html>");
                case "rate-limited" -> {
                    ex.getResponseHeaders().set("Retry-After", "1");
                    StubServer.send(ex, 429, "application/json", "{\"error\":{\"code\":\"slow\",\"message\":\"x\"}}");
                }
                case "html-200" -> StubServer.send(ex, 200, "text/html", "<html>Sign in</html>");
                default -> StubServer.json(ex, "{\"items\":[" + FILE + "],\"nextCursor\":null}");
            }
        } else if (path.equals("/v1/files/f-1/content")) {
            byte[] served = (fault.equals("wrong-digest") ? "hellO" : "hello").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            ex.getResponseHeaders().set("ETag", "\"e1\"");
            ex.getResponseHeaders().set("Repr-Digest",
                    ReprDigest.format(FixtureVsrxSource.hash("hello".getBytes(StandardCharsets.UTF_8))));
            ex.sendResponseHeaders(200, served.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(served);
            }
        } else {
            StubServer.send(ex, 404, "application/json", "{\"error\":{\"code\":\"not_found\",\"message\":\"x\"}}");
        }
    }

    SyncResult run(String fault) {
        stub.script(ex -> serve(fault, ex));
        HttpVsrxSource client = HttpVsrxSource.builder().baseUri(stub.baseUri()).token(TOKEN).clock(clock).build();
        SyncConfig config = SyncConfig.builder()
                .retryPolicy(new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2), true))
                .build();
        return VsrxSync.builder().source(client).documents(silknote.documents()).blobs(silknote.blobs())
                .vectors(silknote.vectors()).processor(silknote.processor()).lock(silknote.lock())
                .config(config).clock(clock).sleeper(clock).random(new SplittableRandom(5)).build()
                .run(SyncRequest.full());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad-json", "missing-field", "foreign-file", "html-502", "rate-limited", "html-200"})
    void aBrokenListingFailsTheFilesetAndWritesNothing(String fault) {
        SyncResult result = run(fault);

        assertThat(result.success()).isFalse();
        FilesetReport fs = result.report().orElseThrow().filesets().get(0);
        assertThat(fs.outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(fs.failureReason()).isPresent();
        assertThat(silknote.documents().allDocuments()).isEmpty();
        assertThat(silknote.blobs().writes()).isZero();
        assertThat(stub.requests).noneMatch(r -> r.contains("/content"));
        if (fault.equals("rate-limited") || fault.equals("html-502")) {
            assertThat(stub.requests.stream().filter(r -> r.contains("/files?")).count()).as("retried").isEqualTo(3);
        } else {
            assertThat(stub.requests.stream().filter(r -> r.contains("/files?")).count()).as("not retried").isEqualTo(1);
        }
        if (fault.equals("rate-limited")) {
            assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"wrong-digest"})
    void contentThatDoesNotMatchItsDigestIsSkippedAndNothingIsWritten(String fault) {
        SyncResult result = run(fault);

        FileReport f = result.report().orElseThrow().filesets().get(0).files().get(0);
        assertThat(f.action()).isEqualTo(FileAction.SKIPPED);
        assertThat(f.skipReason()).contains(SkipReason.CHECKSUM_MISMATCH);
        assertThat(silknote.documents().allDocuments()).isEmpty();
        assertThat(silknote.blobs().writes()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"none"})
    void theSameStubWithoutFaultSyncs(String fault) {
        SyncResult result = run(fault);

        assertThat(result.success()).isTrue();
        assertThat(silknote.documents().allDocuments()).hasSize(1);
    }
}
