package com.silknote.sync.core.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * DESIGN rule 11 under fuzzing (issue 13): the path validator never accepts a path that some reading
 * (repeated percent-decoding, NFC/NFKC, backslash as separator, character references, lenient UTF-8) resolves
 * outside {@code notes/} or that carries a control or bidi character, and never throws for any input: it
 * answers with its verdict, and {@link PathValidator#requireValid} only with {@link RejectedPathException}.
 * The readings come from {@link EscapeOracle}, written apart from the validator.
 *
 * <p>Without {@code JAZZER_FUZZ} the committed inputs under
 * {@code src/test/resources/com/silknote/sync/core/path/PathValidatorFuzzTestInputs/} replay as regression
 * tests; {@code docs/quality.md} tells how to fuzz.
 */
class PathValidatorFuzzTest {

    /** Pieces that matter to some reader: separators, dots, escapes, look-alikes, controls, roots. */
    private static final List<String> PIECES = List.of(
            "notes", "notes/", "/", "\\", ".", "..", "...", ". ", ".. ", "a", "b.pdf", "Scan 001.pdf", "NOTES",
            "%", "%2e", "%2E", "%2f", "%2F", "%5c", "%25", "%252e", "%c0%ae", "%e0%80%ae", "%c0%af", "%u002e",
            "%u2215", "%00", "%0a", "&#46;", "&#x2e;", "&#47;", "&period;", "&sol;", "&bsol;", "&#46", "\uFF0E",
            "\uFF0F", "\uFF3C", "\u2024", "\u2025", "\u2026", "\u2044", "\u2215", "\u00A5", "\u3002", "\u0338",
            "\u202E", "\u2066", "\u200B", "\u200E", "\u0000", "\u0085", "\u00A0", "\u2028", "\uD800", "\uFFFD",
            ";", ":", "C:", "c:\\", "\\\\", "//", "~", " ", "#", "?", "*", "$", "CON", "con.pdf", "PROGRA~1",
            "file:", "http://", "\u00B5g", "e\u0301", "\uD83D\uDC68\u200D\uD83D\uDC69", "\u65E5\u672C");

    /** Raw paths as UTF-8 bytes; the committed inputs are readable paths. */
    @FuzzTest(maxDuration = "5m")
    void rawPath(byte[] input) {
        check(decodeUtf8(input));
    }

    /** Paths assembled from pieces that matter to some reader, to reach deep combinations quickly. */
    @FuzzTest(maxDuration = "5m")
    void composedPath(FuzzedDataProvider data) {
        StringBuilder sb = new StringBuilder();
        int pieces = data.consumeInt(1, 24);
        for (int i = 0; i < pieces && data.remainingBytes() > 0; i++) {
            if (data.consumeBoolean()) {
                sb.append(data.pickValue(PIECES));
            } else {
                sb.append(data.consumeString(8));
            }
        }
        check(sb.toString());
    }

    static void check(String path) {
        PathVerdict verdict = PathValidator.validate(path);
        assertThat(PathValidator.validateFully(path)).as("fast path and full check agree").isEqualTo(verdict);
        if (!verdict.accepted()) {
            assertThat(verdict.reason()).isPresent();
            assertThatThrownBy(() -> PathValidator.requireValid(path)).isInstanceOf(RejectedPathException.class)
                    .hasMessage("path rejected: " + verdict.reason().orElseThrow()); // names the rule, never the path
            return;
        }
        String normalized = verdict.normalized().orElseThrow();
        assertThat(PathValidator.requireValid(path)).isEqualTo(normalized);
        Optional<String> raw = EscapeOracle.violation(path);
        assertThat(raw).as("accepted %s", EscapeOracle.escape(path)).isEmpty();
        Optional<String> canonical = EscapeOracle.violation(normalized);
        assertThat(canonical).as("accepted %s, normalized", EscapeOracle.escape(path)).isEmpty();
        assertThat(verdict.toString()).isEqualTo("PathVerdict[accepted]");
    }

    private static String decodeUtf8(byte[] input) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(input)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException("REPLACE never throws", e);
        }
    }
}
