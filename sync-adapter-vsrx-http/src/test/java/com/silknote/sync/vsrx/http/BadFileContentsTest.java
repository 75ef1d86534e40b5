package com.silknote.sync.vsrx.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.SilknoteSnapshot;
import com.silknote.sync.testkit.TestHashes;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13 item 5, the file contents boundary (DESIGN rule 7), over the real HTTP client: after a good sync a
 * bad file {@code f-bad} appears in the fileset. Each row states exactly what becomes of it (the skip reason
 * and detail in the report, or the failure), whether its content was downloaded at all, and that a
 * permanent skip is remembered; the fileset's other files, documents, references, blobs and vectors stay as
 * they were, and {@code f-bad} gets no document.
 */
class BadFileContentsTest {
    /** How VSRX lists {@code f-bad}, what it serves for it, and what the network does to the exchanges. */
    record BadFile(String listing, StubWorld.Answerer content, FaultProxy.Decider network) {
        BadFile(String listing, StubWorld.Answerer content) {
            this(listing, content, (target, nth) -> FaultProxy.Kind.NONE);
        }
    }

    static String listing(String path, long size, String mime, String sha256) {
        return StubWorld.file("f-bad", path, size, mime, "e-bad", sha256);
    }

    static StubWorld.Answerer serve(byte[] bytes) {
        return serve(bytes, TestHashes.sha256(bytes).hex());
    }

    static StubWorld.Answerer serve(byte[] bytes, String digestHex) {
        return (ex, path, q) -> {
            if (!path.equals("/v1/files/f-bad/content")) {
                return false;
            }
            StubWorld.content(ex, bytes, "e-bad", com.silknote.sync.core.model.ContentHash.ofHex(digestHex));
            return true;
        };
    }

    static Stream<Arguments> table() {
        byte[] text = "a perfectly good note".getBytes(StandardCharsets.UTF_8);
        byte[] exe = "MZ\u0090\u0000 an executable, declared as a PDF".getBytes(StandardCharsets.ISO_8859_1);
        byte[] notUtf8 = {'n', 'o', 't', 'e', ' ', (byte) 0xC3, (byte) 0x28, ' ', 'x'};
        byte[] big = new byte[6000];
        java.util.Arrays.fill(big, (byte) 'a');
        byte[] hundred = new byte[100];
        java.util.Arrays.fill(hundred, (byte) 'b');
        String wrongHex = TestHashes.different(TestHashes.sha256(text)).hex();
        return Stream.of(
                Arguments.of("zero bytes", new BadFile(listing("notes/empty.txt", 0, "text/plain", null),
                        serve(new byte[0])), FileAction.SKIPPED, SkipReason.EMPTY, "zero-bytes", true),
                Arguments.of("wrong magic", new BadFile(listing("notes/scan.pdf.exe.pdf", exe.length, "application/pdf",
                        null), serve(exe)), FileAction.SKIPPED, SkipReason.TYPE_MISMATCH, "unknown-signature",
                        true),
                Arguments.of("invalid UTF-8 in a text file", new BadFile(listing("notes/latin1.txt", notUtf8.length,
                        "text/plain", null), serve(notUtf8)), FileAction.SKIPPED, SkipReason.TYPE_MISMATCH,
                        "text-not-utf8", true),
                Arguments.of("truncated body", new BadFile(listing("notes/cut.txt", 100, "text/plain", null),
                        serve(hundred), (target, nth) -> target.contains("/f-bad/content")
                                ? FaultProxy.Kind.TRUNCATED_BODY : FaultProxy.Kind.NONE),
                        FileAction.FAILED, null, "TransientSyncException: reading file content failed", true),
                Arguments.of("oversized, as listed", new BadFile(listing("notes/huge.txt", 5000, "text/plain", null),
                        serve(big)), FileAction.SKIPPED, SkipReason.TOO_LARGE, "listed-size", false),
                Arguments.of("oversized, as streamed", new BadFile(listing("notes/liar.txt", 100, "text/plain", null),
                        serve(big)), FileAction.SKIPPED, SkipReason.TOO_LARGE, "while-streaming", true),
                Arguments.of("size mismatch", new BadFile(listing("notes/short.txt", 10, "text/plain", null),
                        serve(text)), FileAction.SKIPPED, SkipReason.SIZE_MISMATCH, "listed-size", true),
                Arguments.of("served digest mismatch", new BadFile(listing("notes/bent.txt", text.length, "text/plain",
                        null), serve(text, wrongHex)), FileAction.SKIPPED, SkipReason.CHECKSUM_MISMATCH,
                        "while-streaming", true),
                Arguments.of("listed digest mismatch", new BadFile(listing("notes/bent.txt", text.length, "text/plain",
                        wrongHex), serve(text)), FileAction.SKIPPED, SkipReason.CHECKSUM_MISMATCH, "listed-digest",
                        true),
                Arguments.of("huge name", new BadFile(listing("notes/" + "a".repeat(100_000) + ".txt", text.length,
                        "text/plain", null), serve(text)), FileAction.SKIPPED, SkipReason.INVALID_PATH, "TOO_LONG",
                        false),
                Arguments.of("path out of notes/", new BadFile(listing("notes/../secrets.txt", text.length, "text/plain",
                        null), serve(text)), FileAction.SKIPPED, SkipReason.INVALID_PATH, "TRAVERSAL", false),
                Arguments.of("unsupported type", new BadFile(listing("notes/tool.exe", exe.length,
                        "application/x-msdownload", null), serve(exe)), FileAction.SKIPPED, SkipReason.UNSUPPORTED_TYPE,
                        "declared-type", false),
                Arguments.of("PDF type, text bytes", new BadFile(listing("notes/fake.pdf", 5, "application/pdf", null),
                        serve("hello".getBytes(StandardCharsets.UTF_8))), FileAction.SKIPPED, SkipReason.TYPE_MISMATCH,
                        "sniffed-text/plain", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    @DisplayName("item 5 / rule 7: a bad file is skipped or failed exactly as stated and changes nothing synced")
    void aBadFileEndsExactlyAsStatedAndChangesNothing(String name, BadFile bad, FileAction action, SkipReason reason,
            String detail, boolean downloaded) throws Exception {
        try (StubWorld w = new StubWorld()) {
            assertThat(w.run().status()).isEqualTo(SyncResult.Status.COMPLETED);
            SilknoteSnapshot before = w.silknote.snapshot().timeless();
            w.listed.put("f-bad", bad.listing());
            w.override(bad.content());

            SyncResult result = w.runThrough(bad.network());

            FilesetReport fs = result.report().orElseThrow().filesets().get(0);
            FileReport f = fs.files().stream().filter(r -> r.fileId().value().equals("f-bad")).findFirst()
                    .orElseThrow();
            assertThat(f.action()).as(name).isEqualTo(action);
            assertThat(f.skipReason()).as(name).isEqualTo(Optional.ofNullable(reason));
            assertThat(f.detail().orElse("")).as(name).isEqualTo(detail);
            assertThat(w.stub.requests.stream().anyMatch(r -> r.contains("/f-bad/content"))).as("%s: downloaded", name)
                    .isEqualTo(downloaded);
            for (FileReport other : fs.files()) {
                if (!other.fileId().value().equals("f-bad")) {
                    assertThat(other.action()).as("%s: %s", name, other.fileId()).isEqualTo(FileAction.UNCHANGED);
                }
            }
            SilknoteSnapshot after = w.silknote.snapshot().timeless();
            assertThat(after.documents()).as(name).isEqualTo(before.documents());
            assertThat(after.mappings()).as(name).isEqualTo(before.mappings());
            assertThat(after.blobRefs()).as(name).isEqualTo(before.blobRefs());
            assertThat(after.blobs()).as(name).isEqualTo(before.blobs());
            assertThat(after.vectors()).as(name).isEqualTo(before.vectors());
            TreeMap<VsrxFileId, ?> newSkips = new TreeMap<>(after.skips());
            newSkips.keySet().removeAll(before.skips().keySet());
            boolean remembered = reason != null && reason.permanent();
            assertThat(newSkips.keySet()).as("%s: remembered skips", name)
                    .isEqualTo(remembered ? java.util.Set.of(VsrxFileId.of("f-bad")) : java.util.Set.of());
            w.silknote.assertInvariants();
        }
    }
}
