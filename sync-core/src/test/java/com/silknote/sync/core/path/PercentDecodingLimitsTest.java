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
 * DESIGN rule 11 (paths, after every decoding a consumer could apply): the UTF-8 byte classes of the percent
 * decoder at each limit. Each path sits on one side of a limit, where reading its escapes the other way (as
 * Latin-1 bytes, as another sequence length, or with another code point) gives another verdict: a valid
 * sequence read as Latin-1 leaves a C1 control behind, an overlong or surrogate form read leniently hides what a
 * lenient consumer would see.
 */
class PercentDecodingLimitsTest {
    static Stream<Arguments> paths() {
        return Stream.of(
                // the first byte of each sequence length, and the last
                Arguments.of("%C2 starts a two-byte sequence (U+00B4, NFKC a space: the name starts with one)",
                        "notes/%C2%B4x.txt", Reason.LEADING_OR_TRAILING_WHITESPACE),
                Arguments.of("%DF starts a two-byte sequence (U+07C0)", "notes/a%DF%80.txt", null),
                Arguments.of("%E0%A0 is the first three-byte sequence that is not overlong (U+0800)",
                        "notes/a%E0%A0%80.txt", null),
                Arguments.of("%EF starts a three-byte sequence (U+FB00, NFKC 'ff')", "notes/a%EF%AC%80.txt", null),
                Arguments.of("%ED%9F is the last three-byte sequence before the surrogates (U+D7C0)",
                        "notes/a%ED%9F%80.txt", null),
                Arguments.of("%F0%90 is the first four-byte sequence that is not overlong (U+10000)",
                        "notes/a%F0%90%80%80.txt", null),
                Arguments.of("%F4%8F is the last four-byte sequence (U+10F000, private use)",
                        "notes/a%F4%8F%80%80.txt", Reason.INVISIBLE_CHARACTER),
                // the code point of a two- and a three-byte sequence
                Arguments.of("%C2%85 is U+0085, a control", "notes/a%C2%85.txt", Reason.CONTROL_CHARACTER),
                Arguments.of("%E2%80%8B is U+200B, zero width", "notes/a%E2%80%8Bb.txt", Reason.INVISIBLE_CHARACTER),
                // a lead byte without its continuation is read as Latin-1
                Arguments.of("%C2 before a non-continuation byte is two Latin-1 letters", "notes/a%C2%41.txt", null),
                Arguments.of("%E0 at the end of an escape run, after an earlier run's continuation byte",
                        "notes/%C3%9F-%E0.txt", null),
                Arguments.of("%C2 alone at the end of a run is not completed by an earlier run's byte %85",
                        "notes/%C5%85-%C2.txt", null),
                // one step past each limit: forms a lenient decoder reads as something else
                Arguments.of("%E0%9F: an overlong three-byte form", "notes/a%E0%9F%80.txt", Reason.INVALID_ENCODING),
                Arguments.of("%ED%A0: an encoded surrogate", "notes/a%ED%A0%80.txt", Reason.INVALID_ENCODING),
                Arguments.of("%F0%8F: an overlong four-byte form", "notes/a%F0%8F%80%80.txt", Reason.INVALID_ENCODING),
                Arguments.of("%F4%90: above U+10FFFF", "notes/a%F4%90%80%80.txt", Reason.INVALID_ENCODING),
                Arguments.of("%F5: no UTF-8 lead byte", "notes/a%F5%80%80%80.txt", Reason.INVALID_ENCODING));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    @DisplayName("rule 11: one byte either side of each UTF-8 limit of the percent decoder")
    void limits(String what, String path, Reason expected) {
        assertThat(PathValidator.validate(path).reason()).as(what).isEqualTo(Optional.ofNullable(expected));
        assertThat(PathValidator.validateFully(path).reason()).as(what).isEqualTo(Optional.ofNullable(expected));
    }
}
