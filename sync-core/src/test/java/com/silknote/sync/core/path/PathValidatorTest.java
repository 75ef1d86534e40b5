package com.silknote.sync.core.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.path.PathVerdict.Reason;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PathValidatorTest {

    static Stream<Arguments> accepted() {
        return Corpus.lines("accept.txt").stream().map(line -> {
            String[] parts = line.split(" => ", 2);
            String path = Corpus.unescape(parts[0]);
            String expected = parts.length == 2 ? Corpus.unescape(parts[1]) : Normalizer.normalize(path, Normalizer.Form.NFC);
            return Arguments.of(path, expected);
        });
    }

    static Stream<Arguments> realWorld() {
        return Corpus.lines("real-world.txt").stream().map(line -> {
            String[] parts = line.split(" => ", 2);
            String path = Corpus.unescape(parts[0]);
            String expected = parts.length == 2 ? Corpus.unescape(parts[1]) : Normalizer.normalize(path, Normalizer.Form.NFC);
            return Arguments.of(path, expected);
        });
    }

    static Stream<Arguments> rejected() {
        return Corpus.lines("reject.txt").stream().map(line -> {
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw new IllegalStateException("corpus line without a tab: " + line);
            }
            String reason = line.substring(0, tab);
            return Arguments.of(reason, Corpus.unescape(line.substring(tab + 1)));
        });
    }

    @ParameterizedTest(name = "[{index}] accepts {0}")
    @MethodSource("accepted")
    void acceptsBenignPaths(String path, String expected) {
        PathVerdict verdict = PathValidator.validate(path);

        assertThat(verdict.reason()).isEmpty();
        assertThat(verdict.accepted()).isTrue();
        assertThat(verdict.normalized()).contains(expected);
        assertThat(PathValidator.requireValid(path)).isEqualTo(expected);
        assertThat(PathValidator.validate(expected).normalized()).as("idempotent").contains(expected);
        assertThat(expected).startsWith("notes/");
    }

    /** Issue 10 item 4: what people really name files, in several languages, is accepted. */
    @ParameterizedTest(name = "[{index}] accepts the real name {0}")
    @MethodSource("realWorld")
    void acceptsRealWorldNames(String path, String expected) {
        acceptsBenignPaths(path, expected);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("rejected")
    void rejectsAttacks(String reason, String path) {
        PathVerdict verdict = PathValidator.validate(path);

        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.normalized()).isEmpty();
        if (!"*".equals(reason)) {
            assertThat(verdict.reason()).contains(Reason.valueOf(reason));
        }
        assertThatThrownBy(() -> PathValidator.requireValid(path))
                .isInstanceOf(RejectedPathException.class)
                .satisfies(e -> assertThat(((RejectedPathException) e).reason()).isEqualTo(verdict.reason().orElseThrow()))
                .satisfies(e -> {
                    if (path.length() > 4) {
                        assertThat(e.getMessage()).doesNotContain(path);
                    }
                });
        if (path.length() > 4) {
            assertThat(verdict.toString()).doesNotContain(path);
        }
    }

    /** Every way of writing "parent directory" and "separator" combined into escapes from notes/. */
    static Stream<String> generatedTraversals() {
        List<String> dots = List.of("..", "%2e%2e", "%2E%2E", ".%2e", "%2e.", "%252e%252e", "%25252e%25252e",
                "%u002e%u002e", "&#46;&#46;", "\uFF0E\uFF0E", "\u2024\u2024", "\u2025", "\uFE52\uFE52", "...",
                "....", ".. ", "..;", "..%00", "%ef%bc%8e%ef%bc%8e", "\uFF05\uFF12\uFF45\uFF05\uFF12\uFF45",
                ".\u2024", "..::$DATA");
        List<String> seps = List.of("/", "\\", "%2f", "%2F", "%5c", "%252f", "%255c", "%u2215", "%c0%af",
                "\uFF0F", "\uFF3C", "\u2215", "\u2044", "\u29F8", "\u2216", "\uFE68", "\u00A5", "&#47;", "&#x5c;",
                "%e2%88%95", "%ef%bc%8f");
        List<String> out = new ArrayList<>();
        for (String d : dots) {
            for (String s : seps) {
                out.add("notes" + s + d + s + "etc" + s + "passwd");
                out.add("notes/" + d + s + d + s + "etc/passwd");
                out.add(d + s + d + s + "etc" + s + "passwd");
                out.add("notes/a" + s + d + s + d + s + "x.pdf");
                out.add("notes/" + d);
                out.add("notes/a/" + d + s + "b.pdf");
            }
        }
        return out.stream();
    }

    @Test
    void rejectsEveryEncodingOfParentDirectory() {
        List<String> accepted = generatedTraversals().filter(p -> PathValidator.validate(p).accepted()).toList();
        assertThat(accepted).isEmpty();
    }

    @Test
    void nullIsAPreconditionFailure() {
        assertThatThrownBy(() -> PathValidator.validate(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> PathValidator.requireValid(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void lengthLimitIsInclusive() {
        String atLimit = "notes/" + "a".repeat(200) + "/" + "b".repeat(200) + "/" + "c".repeat(200) + "/"
                + "d".repeat(200) + "/" + "e".repeat(PathValidator.MAX_LENGTH - 6 - 4 * 201);
        assertThat(atLimit).hasSize(PathValidator.MAX_LENGTH);
        assertThat(PathValidator.validate(atLimit).accepted()).isTrue();
        assertThat(PathValidator.validate(atLimit + "f").reason()).contains(Reason.TOO_LONG);
        assertThat(PathValidator.validate("notes/" + "a/".repeat(5000) + "../x").reason()).contains(Reason.TOO_LONG);
    }

    @Test
    void decodedFormsCountTowardsTheLengthLimitOnlyWhenLonger() {
        String encoded = "notes/" + "%41".repeat(300);
        assertThat(encoded.length()).isLessThanOrEqualTo(PathValidator.MAX_LENGTH);
        assertThat(PathValidator.validate(encoded).reason()).contains(Reason.SEGMENT_TOO_LONG);
        String fine = "notes/" + "%41".repeat(80);
        assertThat(PathValidator.validate(fine).accepted()).isTrue();
    }

    @Test
    void segmentLimitCountsUtf8Bytes() {
        assertThat(PathValidator.validate("notes/" + "a".repeat(255)).accepted()).isTrue();
        assertThat(PathValidator.validate("notes/" + "a".repeat(256)).reason()).contains(Reason.SEGMENT_TOO_LONG);
        assertThat(PathValidator.validate("notes/" + "\u20AC".repeat(85)).accepted()).isTrue();
        assertThat(PathValidator.validate("notes/" + "\u20AC".repeat(86)).reason()).contains(Reason.SEGMENT_TOO_LONG);
        assertThat(PathValidator.validate("notes/" + "\uD83D\uDE42".repeat(63)).accepted()).isTrue();
        assertThat(PathValidator.validate("notes/" + "\uD83D\uDE42".repeat(64)).reason()).contains(Reason.SEGMENT_TOO_LONG);
    }

    @Test
    void depthLimitCountsNotes() {
        String deepest = "notes" + "/d".repeat(PathValidator.MAX_DEPTH - 1);
        assertThat(PathValidator.validate(deepest).accepted()).isTrue();
        assertThat(PathValidator.validate(deepest + "/x").reason()).contains(Reason.TOO_DEEP);
    }

    @Test
    void normalizedFormIsNfcAndKeepsLiteralEscapes() {
        assertThat(PathValidator.validate("notes/Scan%20001.pdf").normalized()).contains("notes/Scan%20001.pdf");
        assertThat(PathValidator.validate("notes/A\u0308rztebrief.pdf").normalized()).contains("notes/\u00C4rztebrief.pdf");
    }

    @Test
    void verdictInvariantsHold() {
        assertThatThrownBy(() -> new PathVerdict(true, java.util.Optional.empty(), java.util.Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PathVerdict(false, java.util.Optional.of("notes/a"), java.util.Optional.of(Reason.EMPTY)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(PathVerdict.accept("notes/secret-name.pdf").toString()).doesNotContain("secret");
    }

    /** Issue 10 item 4: an emoji or joiner sequence is accepted, the same invisible character alone is not. */
    @Test
    void invisibleCharactersPassOnlyInsideTheirSequences() {
        String family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67";
        assertThat(PathValidator.validate("notes/" + family + ".jpg").accepted()).isTrue();
        assertThat(PathValidator.validate("notes/a\u200Db.jpg").reason()).contains(Reason.INVISIBLE_CHARACTER);
        assertThat(PathValidator.validate("notes/\u2764\uFE0F.jpg").accepted()).isTrue();
        assertThat(PathValidator.validate("notes/e\uFE0F.jpg").reason()).contains(Reason.INVISIBLE_CHARACTER);
        String persian = "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645";
        assertThat(PathValidator.validate("notes/" + persian + ".pdf").accepted()).isTrue();
        assertThat(PathValidator.validate("notes/ab\u200Ccd.pdf").reason()).contains(Reason.INVISIBLE_CHARACTER);
        // a bidirectional control never passes, not even inside an emoji sequence
        assertThat(PathValidator.validate("notes/\uD83D\uDC68\u200D\u202E\uD83D\uDC69.jpg").reason())
                .contains(Reason.INVISIBLE_CHARACTER);
    }

    /** Issue 10 item 4: characters a real name has may sit next to a traversal; the traversal still loses. */
    @Test
    void realNameCharactersNeverLetATraversalThrough() {
        for (String dots : List.of("..", "\u2026", "\u2025", "\uFF0E\uFF0E", ".\u3002", "%2e%2e", "..#x", "..;x", "..:x",
                ".. ", "..\u00A0")) {
            for (String sep : List.of("/", "\u00A5", "\uFF0F", "%2f", "\\", "\u20A9")) {
                String path = "notes/a" + sep + dots + sep + dots + sep + "etc";
                assertThat(PathValidator.validate(path).accepted()).as(path).isFalse();
            }
        }
    }

    @Test
    void corpusIsLarge() {
        assertThat(accepted().count()).isGreaterThan(150);
        assertThat(realWorld().count()).isGreaterThan(80);
        assertThat(rejected().count()).isGreaterThan(400);
        assertThat(generatedTraversals().count()).isGreaterThan(2000);
    }
}
