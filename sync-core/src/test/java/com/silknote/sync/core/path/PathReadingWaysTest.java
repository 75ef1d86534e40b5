package com.silknote.sync.core.path;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.path.PathVerdict.Reason;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN rule 11 (paths): verdicts that hang on one reading of the path, or on the flags a reading carries
 * (decoded, normalised, mapped), when two ways lead to the same text. Each path was found by validating it with
 * one reading of {@link PathReadings#of} left out or one flag merge turned round: its verdict then changes. Both
 * the fast path and the full check are asked.
 */
class PathReadingWaysTest {

    static Stream<Arguments> paths() {
        return Stream.of(
                // the compatibility reading alone: U+02DC small tilde is a space and a combining tilde under NFKC
                Arguments.of("a name that starts with a space only NFKC shows", "notes/\u02DC\u00BD",
                        Reason.LEADING_OR_TRAILING_WHITESPACE),
                // the decode-only chain's NFC reading alone: "&#46" needs no semicolon, and U+037E Greek question
                // mark is ';' under NFC, so that consumer sees "..;x", which a servlet container reads as ".."
                Arguments.of("a traversal only decoding and then NFC show", "notes/&#46&#46\u037Ex/a.txt", Reason.TRAVERSAL),
                // the decode-only chain reaches the raw text again: it is not a decoded reading, so a backslash
                // the raw path holds is still one
                Arguments.of("a backslash in a name with accents", "notes/r\u00E9sum\u00E9\\scan.pdf", Reason.BACKSLASH),
                Arguments.of("a backslash next to a yen sign (a backslash look-alike)", "notes/a\\\u00A5", Reason.BACKSLASH),
                // a reading reached by two steps of one chain keeps the flags both ways share: still mapped, still
                // normalised, so the rules meant for literal readings do not judge it
                Arguments.of("a vulgar fraction: the look-alike map makes NFKC's U+2044 a separator; that reading stays"
                        + " a mapped one", "notes/\u00BD.txt", null),
                Arguments.of("a mark after a two-dot leader: only NFKC puts it after a dot; that reading stays a"
                        + " normalised one", "notes/\u2025\u0301.txt", null),
                Arguments.of("the same followed by an escaped dot", "notes/\u2025\u0301%2E", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void verdict(String name, String path, Reason expected) {
        PathVerdict verdict = PathValidator.validate(path);
        if (expected == null) {
            assertThat(verdict.accepted()).as(name).isTrue();
        } else {
            assertThat(verdict.reason()).as(name).contains(expected);
        }
        assertThat(PathValidator.validateFully(path)).as("fast path and full check agree").isEqualTo(verdict);
    }
}
