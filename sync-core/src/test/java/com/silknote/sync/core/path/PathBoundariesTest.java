package com.silknote.sync.core.path;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.path.PathVerdict.Reason;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN rule 11 (paths): the edges of the character classes and decoding limits, each a path whose verdict
 * changes when a boundary moves by one code point or one decoding round. Both the fast path and the full check
 * are asked.
 */
class PathBoundariesTest {
    private static final String FLAG = "\uD83C\uDFF4";            // U+1F3F4 waving black flag
    private static final String CANCEL = "\uDB40\uDC7F";          // U+E007F cancel tag
    private static final String TAG_SPACE = "\uDB40\uDC20";       // U+E0020, the first tag
    private static final String TAG_TILDE = "\uDB40\uDC7E";       // U+E007E, the last tag before cancel
    private static final String SCOTLAND = FLAG + "\uDB40\uDC67\uDB40\uDC62\uDB40\uDC73\uDB40\uDC63\uDB40\uDC74" + CANCEL;
    private static final String MAN = "\uD83D\uDC68";             // U+1F468
    private static final String RED_HAIR = "\uD83E\uDDB0";        // U+1F9B0
    private static final String ZWJ = "\u200D";
    private static final String ZWNJ = "\u200C";
    private static final String BEH = "\u0628";                   // Arabic letter beh
    private static final String TEH = "\u062A";                   // Arabic letter teh
    private static final String FATHA = "\u064E";                 // Arabic combining mark

    static Stream<Arguments> paths() {
        return Stream.of(
                // valid sequences around invisible characters
                Arguments.of("keycap base 0 with VS16", "notes/x0\uFE0F.txt", null),
                Arguments.of("keycap base 9 with VS16", "notes/x9\uFE0F.txt", null),
                Arguments.of("the first pictograph (U+00A9) with VS16", "notes/\u00A9\uFE0F.txt", null),
                Arguments.of("ZWJ after the lightest skin tone U+1F3FB", "notes/" + MAN + "\uD83C\uDFFB" + ZWJ + RED_HAIR + ".txt", null),
                Arguments.of("ZWJ after the darkest skin tone U+1F3FF", "notes/" + MAN + "\uD83C\uDFFF" + ZWJ + RED_HAIR + ".txt", null),
                Arguments.of("a subdivision flag tag sequence", "notes/" + SCOTLAND + ".txt", null),
                Arguments.of("a tag sequence with the first tag U+E0020", "notes/" + FLAG + TAG_SPACE + "\uDB40\uDC67" + CANCEL + ".txt", null),
                Arguments.of("a tag sequence with U+E0020 after another tag", "notes/" + FLAG + "\uDB40\uDC67" + TAG_SPACE + CANCEL + ".txt", null),
                Arguments.of("a tag sequence with the last tag U+E007E", "notes/" + FLAG + TAG_TILDE + CANCEL + ".txt", null),
                Arguments.of("ZWNJ between Arabic letters, marks before it", "notes/" + BEH + FATHA + ZWNJ + TEH + ".txt", null),
                Arguments.of("ZWNJ between Arabic letters, marks after it", "notes/" + BEH + ZWNJ + FATHA + TEH + ".txt", null),
                // stray invisible characters
                Arguments.of("U+180B Mongolian free variation selector", "notes/a\u180Bb.txt", Reason.INVISIBLE_CHARACTER),
                Arguments.of("U+FE00, the first variation selector", "notes/a\uFE00b.txt", Reason.INVISIBLE_CHARACTER),
                Arguments.of("U+FE0F after a letter", "notes/a\uFE0Fb.txt", Reason.INVISIBLE_CHARACTER),
                Arguments.of("U+E0100, the first supplementary variation selector", "notes/a\uDB40\uDD00b.txt", Reason.INVISIBLE_CHARACTER),
                Arguments.of("U+E01EF, the last supplementary variation selector", "notes/a\uDB40\uDDEFb.txt", Reason.INVISIBLE_CHARACTER),
                Arguments.of("ZWNJ and marks at the very end", "notes/a/" + BEH + ZWNJ + FATHA, Reason.INVISIBLE_CHARACTER),
                Arguments.of("ZWNJ at the very end", "notes/a/" + BEH + ZWNJ, Reason.INVISIBLE_CHARACTER),
                Arguments.of("a tag sequence with no cancel tag at the very end", "notes/a/" + FLAG + "\uDB40\uDC67", Reason.INVISIBLE_CHARACTER),
                Arguments.of("a second tag sequence after a cancel tag", "notes/" + FLAG + "\uDB40\uDC67" + CANCEL + "\uDB40\uDC67" + CANCEL + ".txt",
                        Reason.INVISIBLE_CHARACTER),
                Arguments.of("a reference to U+10FFFF decodes (to a noncharacter)", "notes/a&#x10FFFF;b.txt", Reason.INVISIBLE_CHARACTER),
                // confusables and decoding
                Arguments.of("U+0337, the first slash overlay", "notes/a\u0337b.txt", Reason.CONFUSABLE_CHARACTER),
                Arguments.of("U+2236 ratio, the first colon look-alike, ends a traversal", "notes/..\u2236x/a.txt", Reason.TRAVERSAL),
                Arguments.of("a reference at the very start is decoded", "&#46;&#46;/notes/a.txt", Reason.TRAVERSAL),
                Arguments.of("a backslash in a path that also has an escape: the raw reading is not decoded",
                        "notes/a\\b%41.txt", Reason.BACKSLASH),
                Arguments.of("a reference to NUL", "notes/a&#0;b.txt", Reason.INVALID_ENCODING),
                Arguments.of("three encoding layers", "notes/%252541.txt", null),
                Arguments.of("four encoding layers", "notes/%25252541.txt", Reason.INVALID_ENCODING),
                Arguments.of("four layers once NFKC turns a fullwidth percent sign into one", "notes/\uFF0525252541.txt",
                        Reason.INVALID_ENCODING));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    @DisplayName("rule 11: one code point or one decoding round either side of each boundary")
    void boundaries(String what, String path, Reason expected) {
        PathVerdict verdict = PathValidator.validate(path);
        assertThat(verdict.reason()).as(what).isEqualTo(Optional.ofNullable(expected));
        assertThat(PathValidator.validateFully(path).reason()).as(what).isEqualTo(Optional.ofNullable(expected));
    }

    @org.junit.jupiter.api.Test
    @DisplayName("rule 11: a path of exactly MAX_LENGTH chars that needs the full check is accepted, one more is TOO_LONG")
    void lengthLimitOfThePathItself() {
        String segment = "a".repeat(254);
        String path = "notes/\u00e4" + "a".repeat(252) + "/" + segment + "/" + segment + "/" + "a".repeat(254);
        assertThat(path).hasSize(PathValidator.MAX_LENGTH);
        assertThat(PathValidator.validate(path).reason()).isEmpty();
        assertThat(PathValidator.validate(path + "a").reason()).contains(Reason.TOO_LONG);
    }

    @org.junit.jupiter.api.Test
    @DisplayName("rule 11 and log safety: a verdict prints its reason, never the path")
    void verdictsPrintNoPath() {
        assertThat(PathValidator.validate("notes/Befund M\u00fcller.pdf")).hasToString("PathVerdict[accepted]");
        assertThat(PathValidator.validate("notes/../M\u00fcller.pdf")).hasToString("PathVerdict[rejected TRAVERSAL]");
    }
}
