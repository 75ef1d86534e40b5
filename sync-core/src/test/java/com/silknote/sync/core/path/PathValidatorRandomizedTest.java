package com.silknote.sync.core.path;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random mutations of traversal attempts: whatever the validator accepts must, under every reading the
 * test can think of, resolve strictly inside {@code /base/notes/}. And random benign names must be accepted,
 * so the validator cannot pass by rejecting everything.
 */
class PathValidatorRandomizedTest {
    private static final Path BASE = Path.of("/base");
    private static final Path NOTES = BASE.resolve("notes");
    private static final int CASES_PER_SEED = 1_000;

    private static final List<String> PARTS = List.of(
            "notes", "notes", "notes", "NOTES", "Notes", "notes_evil", "etc", "passwd", "a", "b.pdf", "Scan 001.pdf",
            "..", ".", "...", "%2e", "%2e%2e", "%252e", "%2E", "%u002e", "&#46;", "\uFF0E", "\u2024", "\u2025",
            "\uFE52", "\u3002", "/", "/", "/", "\\", "%2f", "%5c", "%252f", "%c0%af", "%c0%ae", "%e0%80%ae", "\uFF0F",
            "\uFF3C", "\u2215", "\u2044", "\u00A5", "&#47;", "%", "%25", "25", "2e", "2f", "%u", "u2215", "&#", ";",
            ":", "C:", "~", "\u0000", "%00", "\u200B", "\u202E", "\u00AD", "\uFEFF", " ", "\u3000", "\u00A0", "?",
            "#", "CON", "nul", "\u0301", "\u0338", "\uD800", "\uFF05", "\uFF12\uFF45", "\u00E4", "\u65E5\u672C",
            "x", "file:", "//", "\\\\", "%%", "%2", "e", "E", "f", "F", "5c", "ü", "\uFF4E\uFF4F\uFF54\uFF45\uFF53");

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 8);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void acceptedMutationsNeverEscapeNotes(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int accepted = 0;
        for (int i = 0; i < CASES_PER_SEED; i++) {
            String candidate = mutate(random);
            PathVerdict verdict = PathValidator.validate(candidate);
            if (verdict.accepted()) {
                accepted++;
                assertStaysInside(verdict.normalized().orElseThrow(), candidate);
            }
        }
        // Mutations start from notes/ often enough that some must survive, or the check above proves nothing.
        assertThat(accepted).as("accepted mutations for seed %s", seed).isPositive();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void benignRandomNamesAreAccepted(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                + "\u00E4\u00F6\u00FC\u00DF\u00C4\u00E9\u00E8\u00E7\u00F1\u0142\u017C\u03B1\u0436\u05D0\u0627"
                + "\u65E5\u672C\u8A9E\uD55C\u0E44";
        // issue 10 item 4: what real names hold besides letters: # ; : NBSP, currency and unit signs, ...
        String inner = letters + " -_()[]'+,=@!#;:$~\u00A0\u00B5\u00BD\u00A5\u20A9\u20AC\u00B0\u00A7";
        // ... and multi-character pieces: a percent sign that starts no escape, an ampersand that starts no
        // character reference, an ellipsis after a letter, emoji and joiner sequences, NFD
        List<String> pieces = List.of("100% ", "50% ", "\u2764\uFE0F", "\uD83D\uDC68\u200D\uD83D\uDC69",
                "\uD83D\uDC4D\uD83C\uDFFD", "1\uFE0F\u20E3", "\uD83C\uDDE9\uD83C\uDDEA", "a\u0308",
                "\u0645\u06CC\u200C\u062E", "\u0915\u094D\u200D\u0937", "10:30:00", "#123", "; ", " & ",
                "Befund\u2026");
        for (int i = 0; i < CASES_PER_SEED; i++) {
            StringBuilder path = new StringBuilder("notes");
            int depth = 1 + random.nextInt(4);
            for (int d = 0; d < depth; d++) {
                path.append('/').append('x');
                int len = random.nextInt(20);
                for (int k = 0; k < len; k++) {
                    if (random.nextInt(6) == 0) {
                        path.append(pieces.get(random.nextInt(pieces.size())));
                    } else {
                        path.appendCodePoint(inner.codePointAt(inner.offsetByCodePoints(0,
                                random.nextInt(inner.codePointCount(0, inner.length())))));
                    }
                }
                path.append('z');
                if (random.nextBoolean()) {
                    path.append(random.nextBoolean() ? ".pdf" : ".JPG");
                }
            }
            String p = path.toString();
            PathVerdict verdict = PathValidator.validate(p);
            assertThat(verdict.accepted()).as("benign %s rejected with %s", p, verdict.reason()).isTrue();
            assertThatStaysInside(verdict.normalized().orElseThrow());
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void arbitraryStringsNeverThrowAndAcceptedOnesAreStable(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < CASES_PER_SEED; i++) {
            StringBuilder sb = new StringBuilder(random.nextBoolean() ? "notes/" : "");
            int len = random.nextInt(40);
            for (int k = 0; k < len; k++) {
                int kind = random.nextInt(10);
                if (kind < 5) {
                    sb.append((char) (0x20 + random.nextInt(0x5F)));          // printable ASCII
                } else if (kind < 7) {
                    sb.append((char) random.nextInt(0x10000));                // any UTF-16 unit, lone surrogates too
                } else if (kind < 8) {
                    sb.appendCodePoint(random.nextInt(Character.MAX_CODE_POINT + 1));
                } else {
                    sb.append(PARTS.get(random.nextInt(PARTS.size())));
                }
            }
            String candidate = sb.toString();
            PathVerdict verdict = PathValidator.validate(candidate);
            assertThat(verdict.accepted()).isEqualTo(verdict.reason().isEmpty());
            if (verdict.accepted()) {
                String normalized = verdict.normalized().orElseThrow();
                assertThat(PathValidator.validate(normalized).normalized()).as("stable for %s", candidate)
                        .contains(normalized);
                assertStaysInside(normalized, candidate);
            }
        }
    }

    private static String mutate(SplittableRandom random) {
        StringBuilder sb = new StringBuilder();
        if (random.nextInt(3) > 0) {
            sb.append("notes/");
        }
        int parts = 1 + random.nextInt(8);
        for (int i = 0; i < parts; i++) {
            sb.append(PARTS.get(random.nextInt(PARTS.size())));
            if (random.nextInt(3) == 0) {
                sb.append('/');
            }
        }
        String s = sb.toString();
        // occasionally percent-encode a random character (maybe twice)
        if (!s.isEmpty() && random.nextInt(4) == 0) {
            int at = random.nextInt(s.length());
            char c = s.charAt(at);
            if (c < 0x80) {
                String enc = String.format("%%%02x", (int) c);
                if (random.nextBoolean()) {
                    enc = enc.replace("%", "%25");
                }
                s = s.substring(0, at) + enc + s.substring(at + 1);
            }
        }
        return s;
    }

    private static void assertStaysInside(String accepted, String original) {
        for (String reading : readings(accepted)) {
            assertThat(escapesNotes(reading))
                    .as("accepted %s (from %s) escapes notes/ when read as %s", accepted, original, reading)
                    .isFalse();
        }
    }

    private static void assertThatStaysInside(String accepted) {
        assertStaysInside(accepted, accepted);
    }

    private static boolean escapesNotes(String reading) {
        if (reading.indexOf('\0') >= 0) {
            return true;
        }
        Path resolved;
        try {
            resolved = BASE.resolve(reading).normalize();
        } catch (RuntimeException e) {
            return true;
        }
        if (!resolved.startsWith(NOTES) || resolved.equals(NOTES)) {
            return true;
        }
        for (String segment : reading.split("/", -1)) {
            // ".", ".." and longer dot runs leave or alias the folder; an empty segment collapses, so it stays inside
            if (!segment.isEmpty() && segment.chars().allMatch(c -> c == '.')) {
                return true;
            }
        }
        return false;
    }

    /** Readings computed independently of the validator: URL decoding, NFKC, backslash as slash. */
    private static Set<String> readings(String path) {
        Set<String> out = new LinkedHashSet<>();
        List<String> frontier = new ArrayList<>(List.of(path));
        for (int round = 0; round < 5 && !frontier.isEmpty(); round++) {
            List<String> next = new ArrayList<>();
            for (String s : frontier) {
                if (!out.add(s)) {
                    continue;
                }
                next.add(s.replace('\\', '/'));
                next.add(Normalizer.normalize(s, Normalizer.Form.NFKC));
                next.add(s.replace('\uFF0F', '/').replace('\u2215', '/').replace('\u2044', '/')
                        .replace('\u00A5', '/').replace('\u20A9', '/').replace('\u2024', '.').replace('\uFE52', '.')
                        .replace('\u2026', '.'));
                try {
                    next.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    // not decodable as a whole: a consumer would fail too
                }
            }
            frontier = next;
        }
        return out;
    }
}
