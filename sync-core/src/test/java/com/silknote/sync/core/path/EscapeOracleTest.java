package com.silknote.sync.core.path;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The fuzz tests' oracle for DESIGN rule 11 is not vacuous: it finds the classic escapes in every encoding the
 * rule names, and it does not flag the real file names the validator must accept.
 */
class EscapeOracleTest {

    @Test
    @DisplayName("rule 11: the oracle sees escapes behind every decoding a consumer could apply")
    void flagsEscapes() {
        List<String> escapes = List.of(
                "../etc/passwd", "notes/../../etc", "notes/..", "/notes/a", "C:/notes/a", "c:notes/a", "x/a",
                "notes/%2e%2e/%2e%2e/x", "notes/%252e%252e/%252e%252e/x", "notes/%25252e%25252e/x",
                "notes/%c0%ae%c0%ae/%c0%ae%c0%ae/x", "notes/%u002e%u002e/x", "notes\\..\\..\\x",
                "notes/%5c..%5c..%5cx", "notes/\uFF0E\uFF0E/\uFF0E\uFF0E/x", "notes/\u2025/x", "notes/&#46;&#46;/x",
                "notes/&period;&period;/x", "notes/..;/..;/x", "notes/.. /.. /x", "notes/.../.../x",
                "notes/a%00/../../x", "notes/a\u202Eb.pdf", "notes/a%0d%0ab", "notes/a\u0000b", "notes");
        for (String e : escapes) {
            assertThat(EscapeOracle.violation(e)).as(EscapeOracle.escape(e)).isPresent();
        }
    }

    @Test
    @DisplayName("rule 11: the oracle accepts every path of the validator's accept corpus")
    void acceptsRealNames() {
        List<String> accepted = Corpus.lines("accept.txt").stream()
                .map(line -> Corpus.unescape(line.split(" => ", 2)[0])).toList();
        assertThat(accepted).hasSizeGreaterThan(50);
        for (String path : accepted) {
            assertThat(EscapeOracle.violation(path)).as(EscapeOracle.escape(path)).isEmpty();
        }
    }
}
