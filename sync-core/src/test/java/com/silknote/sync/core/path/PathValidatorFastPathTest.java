package com.silknote.sync.core.path;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast path of {@link PathValidator#validate} gives exactly the verdict of the full check: over the
 * accept and reject corpora and over seeded random paths built to sit on both sides of the fast path's
 * boundary (device-name look-alikes, dots and spaces at segment edges, depth and length limits, every
 * printable ASCII character, the randomized test's hostile parts).
 */
class PathValidatorFastPathTest {
    private static final int CASES_PER_SEED = 2_000;
    /** The fast path's characters plus their near misses. */
    private static final String PLAIN = "abcxyzABCXYZ0189 -_.()[]{}'+,=@!^~$*<>|\"`";
    private static final String NEAR = "%&\\:;#?/\t\u00E4\u00A0\uFF0E\u2026";
    private static final List<String> SEGMENTS = List.of("CON", "con", "Con.pdf", "COM1", "com9.txt", "LPT3", "lpt0 .x",
            "NUL", "nul ", "AUX.", "PRN.a.b", "CONS", "COMX", "COM10", "LPTS", "CONIN$", "CLOCK$", "PROGRA~1", "$MFT",
            ".", "..", "...", ". .", ".a", "a.", "a ", " a", "a..b", "", " ", "2024", "Scan 001.pdf", "IMG_0001.JPG",
            "notes", "NOTES", "x".repeat(255), "y".repeat(256), "a b (1).pdf", "{x}^!", "O'Brien", "%20", "&amp;",
            "%2e%2e", "\u2024", "\u00C4rztebrief.pdf");
    private static final List<String> HOSTILE_PARTS = List.of("notes", "NOTES", "..", ".", "%2e", "%2f", "&#46;",
            "\uFF0E", "/", "\\", ":", "C:", "~", "\u0000", "\u200B", " ", "\u00A0", "?", "#", "CON", "nul", "\u0301",
            "\uD800", "file:", "//", "x", "e", "5c");

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 8);
    }

    @Test
    void agreesWithTheFullCheckOnTheCorpus() {
        List<String> paths = new ArrayList<>();
        for (String line : Corpus.lines("accept.txt")) {
            paths.add(Corpus.unescape(line.split(" => ", 2)[0]));
        }
        for (String line : Corpus.lines("reject.txt")) {
            paths.add(Corpus.unescape(line.substring(line.indexOf('\t') + 1)));
        }
        int fast = 0;
        for (String p : paths) {
            fast += checkSame(p);
        }
        // The corpus holds plain paths the fast path takes, and the rest, which it must leave alone.
        assertThat(fast).isPositive().isLessThan(paths.size());
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void agreesWithTheFullCheckOnRandomPlainishPaths(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int fast = 0;
        for (int i = 0; i < CASES_PER_SEED; i++) {
            StringBuilder sb = new StringBuilder(random.nextInt(10) == 0 ? "" : random.nextInt(20) == 0 ? "notes" : "notes/");
            int depth = random.nextInt(10) == 0 ? 28 + random.nextInt(8) : 1 + random.nextInt(4);
            for (int d = 0; d < depth; d++) {
                if (d > 0) {
                    sb.append('/');
                }
                int kind = random.nextInt(4);
                if (kind == 0) {
                    sb.append(SEGMENTS.get(random.nextInt(SEGMENTS.size())));
                } else {
                    int len = random.nextInt(12);
                    for (int k = 0; k < len; k++) {
                        String from = kind == 1 && random.nextInt(8) == 0 ? NEAR : PLAIN;
                        sb.append(from.charAt(random.nextInt(from.length())));
                    }
                }
            }
            if (random.nextInt(50) == 0) {
                sb.append("a".repeat(Math.max(0, 1024 - Math.min(1024, sb.length()) + random.nextInt(3) - 1)));
            }
            fast += checkSame(sb.toString());
        }
        assertThat(fast).as("fast-path hits for seed %s", seed).isPositive().isLessThan(CASES_PER_SEED);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void agreesWithTheFullCheckOnRandomHostilePaths(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < CASES_PER_SEED; i++) {
            StringBuilder sb = new StringBuilder(random.nextBoolean() ? "notes/" : "");
            int len = random.nextInt(30);
            for (int k = 0; k < len; k++) {
                int kind = random.nextInt(10);
                if (kind < 6) {
                    sb.append((char) (0x20 + random.nextInt(0x5F)));
                } else if (kind < 7) {
                    sb.append((char) random.nextInt(0x10000));
                } else {
                    sb.append(HOSTILE_PARTS.get(random.nextInt(HOSTILE_PARTS.size())));
                }
            }
            checkSame(sb.toString());
        }
    }

    /** Asserts both paths agree; returns 1 when the fast path decided. */
    private static int checkSame(String path) {
        PathVerdict full = PathValidator.validateFully(path);
        assertThat(PathValidator.validate(path)).as("verdict for %s", path).isEqualTo(full);
        if (PathValidator.isPlainAccepted(path)) {
            assertThat(full.accepted()).as("full check accepts fast-path %s", path).isTrue();
            assertThat(full.normalized()).contains(path);
            return 1;
        }
        return 0;
    }
}
