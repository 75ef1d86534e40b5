package com.silknote.sync.vsrx.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.SyncResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13 item 5, the VSRX answers boundary: after a good sync, VSRX answers one route badly; each row says
 * exactly how the run ends (the fileset's failure reason, or the run's error when the fileset listing
 * itself is bad) and that nothing already synced changed (documents, mappings, references, blobs, vectors,
 * skips, outbox). The malformed answers reach the engine through the real {@link HttpVsrxSource}.
 */
class BadVsrxAnswersTest {
    private static final String FILESETS = "/v1/filesets";
    private static final String FILES = "/v1/filesets/fs-1/files";

    /** A bad answer on one route. */
    record Bad(String route, Answer answer) {
    }

    @FunctionalInterface
    interface Answer {
        void send(com.sun.net.httpserver.HttpExchange ex, String query) throws IOException;
    }

    static Answer json(String body) {
        return (ex, q) -> StubServer.json(ex, body);
    }

    static Answer bytes(byte[] body) {
        return (ex, q) -> {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        };
    }

    static String nested(int depth) {
        return "{\"items\":" + "[".repeat(depth) + "]".repeat(depth) + ",\"nextCursor\":null}";
    }

    /** A page of {@code n} filesets or files, about {@code n * 220} bytes. */
    static String bigPage(int n, boolean files) {
        List<String> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = String.format("x-%09d", i);
            items.add(files ? StubWorld.file(id, "notes/" + id + ".txt", 10, "text/plain", "e" + i, null)
                    : StubWorld.FILESET.replace("\"fs-1\"", "\"" + id + "\""));
        }
        return StubWorld.page(items, null);
    }

    /** {@code body}, after checking it has at least {@code megabytes} MB. */
    static String sized(String body, int megabytes) {
        assertThat(body.length()).as("page size").isGreaterThanOrEqualTo(megabytes * 1_000_000);
        return body;
    }

    static Stream<Arguments> table() {
        String file1 = StubWorld.file("f-1", "notes/first.txt", 26, "text/plain", "e-f-1", null);
        String file2 = StubWorld.file("f-2", "notes/scan.pdf", 44, "application/pdf", "e-f-2", null);
        byte[] invalidUtf8 = ("{\"items\":[" + file1.replace("first", "fir\u0001st") + "],\"nextCursor\":null}")
                .getBytes(StandardCharsets.UTF_8);
        invalidUtf8[invalidUtf8.length / 2] = (byte) 0xC3;
        invalidUtf8[invalidUtf8.length / 2 + 1] = (byte) 0x28;
        Answer loop = (ex, q) -> StubServer.json(ex, q.contains("cursor=")
                ? StubWorld.page(List.of(file2), "bG9vcA") : StubWorld.page(List.of(file1), "bG9vcA"));
        return Stream.of(
                // the fileset listing: the run cannot look at any fileset
                Arguments.of("filesets: not JSON", new Bad(FILESETS, json("{\"items\":[")),
                        "listing filesets failed: MalformedResponseException: listFilesets: body is not valid JSON "
                                + "(JsonEOFException at line 1 column 11)"),
                Arguments.of("filesets: deeply nested JSON", new Bad(FILESETS, json(nested(100_000))),
                        "listing filesets failed: MalformedResponseException: listFilesets: body is not valid JSON "
                                + "(StreamConstraintsException)"),
                Arguments.of("filesets: 10 MB page", new Bad(FILESETS, json(sized(bigPage(64_000, false), 10))),
                        "listing filesets failed: MalformedResponseException: listFilesets: page holds 64000 items,"
                                + " more than the limit 500"),
                Arguments.of("filesets: 17 MB page", new Bad(FILESETS, json(sized(bigPage(110_000, false), 17))),
                        "listing filesets failed: MalformedResponseException: listFilesets: body larger "
                                + "than 16777216 bytes"),
                Arguments.of("filesets: duplicate ids", new Bad(FILESETS,
                                json(StubWorld.page(List.of(StubWorld.FILESET, StubWorld.FILESET), null))),
                        "listing filesets failed: MalformedResponseException: listFilesets: page ids are duplicated "
                                + "or out of order"),
                Arguments.of("filesets: HTML on 200", new Bad(FILESETS, (ex, q) -> StubServer.send(ex, 200,
                                "text/html", "<html>sign in</html>")),
                        "listing filesets failed: MalformedResponseException: listFilesets: response is not "
                                + "application/json"),
                Arguments.of("filesets: token refused", new Bad(FILESETS, (ex, q) -> StubServer.send(ex, 401,
                                "application/json", "{\"error\":{\"code\":\"unauthorized\",\"message\":\"x\"}}")),
                        "listing filesets failed: PermanentSyncException: listFilesets refused: HTTP 401 unauthorized"),
                // one fileset's file listing: that fileset fails, nothing of it is written
                Arguments.of("files: not JSON", new Bad(FILES, json("{\"items\":[" + file1 + ",]}")),
                        "MalformedResponseException: listFiles: body is not valid JSON (JsonParseException at line 1 "
                                + "column 183)"),
                Arguments.of("files: invalid UTF-8", new Bad(FILES, bytes(invalidUtf8)),
                        "MalformedResponseException: listFiles: body is not valid JSON (JsonParseException at line 1 "
                                + "column 59)"),
                Arguments.of("files: deeply nested JSON", new Bad(FILES, json(nested(100_000))),
                        "MalformedResponseException: listFiles: body is not valid JSON (StreamConstraintsException)"),
                Arguments.of("files: 10 MB page", new Bad(FILES, json(sized(bigPage(58_000, true), 10))),
                        "MalformedResponseException: listFiles: page holds 58000 items, more than the limit 500"),
                Arguments.of("files: duplicate ids", new Bad(FILES, json(StubWorld.page(List.of(file1, file1), null))),
                        "MalformedResponseException: listFiles: page ids are duplicated or out of order"),
                Arguments.of("files: a cursor that loops", new Bad(FILES, loop),
                        "MalformedResponseException: listFiles: cursor loop"),
                Arguments.of("files: a file of another fileset", new Bad(FILES,
                                json(StubWorld.page(List.of(file1.replace("\"fs-1\"", "\"fs-2\"")), null))),
                        "MalformedResponseException: listFiles: listing holds a file of another fileset"),
                Arguments.of("files: a field missing", new Bad(FILES,
                                json(StubWorld.page(List.of(file1.replace("\"size\":26,", "")), null))),
                        "MalformedResponseException: listFiles: file lacks field 'size'"),
                Arguments.of("files: a negative size", new Bad(FILES,
                                json(StubWorld.page(List.of(file1.replace("\"size\":26", "\"size\":-1")), null))),
                        "MalformedResponseException: listFiles: file field 'size' is negative"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    @DisplayName("item 5: a malformed VSRX answer fails exactly as stated and changes nothing synced")
    void aMalformedAnswerFailsExactlyAndChangesNothing(String name, Bad bad, String expected) throws Exception {
        try (StubWorld w = new StubWorld()) {
            assertThat(w.run().status()).isEqualTo(SyncResult.Status.COMPLETED);
            List<Object> before = StubWorld.synced(w.silknote.snapshot());
            w.override((ex, path, query) -> {
                if (!path.equals(bad.route())) {
                    return false;
                }
                bad.answer().send(ex, query);
                return true;
            });

            SyncResult result = w.run();

            if (bad.route().equals(FILESETS)) {
                assertThat(result.status()).as(name).isEqualTo(SyncResult.Status.FAILED);
                assertThat(result.error()).as(name).contains(expected);
            } else {
                FilesetReport fs = result.report().orElseThrow().filesets().get(0);
                assertThat(fs.outcome()).as(name).isEqualTo(FilesetOutcome.FAILED);
                assertThat(fs.failureReason()).as(name).contains(expected);
            }
            assertThat(StubWorld.synced(w.silknote.snapshot())).as("%s: nothing synced changed", name)
                    .isEqualTo(before);
            w.silknote.assertInvariants();
        }
    }
}
