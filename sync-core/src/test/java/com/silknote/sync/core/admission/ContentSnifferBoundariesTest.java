package com.silknote.sync.core.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The edges of each of the sniffer's decisions (content sniffing, docs/content-sniffing.md; issue 9: a forged
 * declared type is skipped with {@code TYPE_MISMATCH}): one byte or character either side of every
 * boundary, so that moving a boundary by one is noticed.
 */
class ContentSnifferBoundariesTest {

    private static Optional<String> sniff(byte[] content) {
        return ContentSniffer.sniff(content, content.length);
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Arguments> signatures() {
        return Stream.of(
                Arguments.of("%PDF-1.4 is a PDF from its eighth byte", utf8("%PDF-1.4"), "application/pdf"),
                Arguments.of("%PDF-0.9: 0 is a digit", utf8("%PDF-0.9"), "application/pdf"),
                Arguments.of("%PDF-1. is too short for a version", utf8("%PDF-1."), "text/plain"),
                Arguments.of("%PDF-/.4: '/' is just below '0'", utf8("%PDF-/.4"), "text/plain"),
                Arguments.of("%PDF-:.4: ':' is just above '9'", utf8("%PDF-:.4"), "text/plain"),
                Arguments.of("%PDF-1x4: no dot", utf8("%PDF-1x4"), "text/plain"),
                Arguments.of("%PDF-1./: no minor digit", utf8("%PDF-1./"), "text/plain"),
                Arguments.of("%PDF-1.: no minor digit (colon)", utf8("%PDF-1.:"), "text/plain"),
                Arguments.of("JPEG marker C0, the lowest", bytes(0xFF, 0xD8, 0xFF, 0xC0), "image/jpeg"),
                Arguments.of("JPEG marker FE, the highest", bytes(0xFF, 0xD8, 0xFF, 0xFE), "image/jpeg"),
                Arguments.of("JPEG marker BF is no marker", bytes(0xFF, 0xD8, 0xFF, 0xBF), null),
                Arguments.of("JPEG marker FF is no marker", bytes(0xFF, 0xD8, 0xFF, 0xFF), null),
                Arguments.of("JPEG start without a marker byte", bytes(0xFF, 0xD8, 0xFF), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("signatures")
    @DisplayName("signatures: a PDF needs a d.d version, a JPEG a marker byte C0..FE")
    void signatureBoundaries(String what, byte[] content, String expected) {
        assertThat(sniff(content)).isEqualTo(Optional.ofNullable(expected));
    }

    static Stream<Arguments> controls() {
        return Stream.of(
                Arguments.of("U+001F unit separator", "a\u001fb", false),
                Arguments.of("U+0020 space", "a\u0020b", true),
                Arguments.of("U+007E tilde", "a\u007eb", true),
                Arguments.of("U+007F DEL", "a\u007fb", false),
                Arguments.of("U+0080 first C1 control", "a\u0080b", false),
                Arguments.of("U+009F last C1 control", "a\u009fb", false),
                Arguments.of("U+00A0 no-break space", "a\u00a0b", true),
                Arguments.of("tab", "a\tb", true),
                Arguments.of("line feed", "a\nb", true),
                Arguments.of("carriage return", "a\rb", true),
                Arguments.of("form feed", "a\fb", true),
                Arguments.of("U+000B vertical tab", "a\u000bb", false),
                Arguments.of("U+1D800, whose low 16 bits look like a surrogate", "Zeichen \uD836\uDC00", true),
                Arguments.of("U+10FFFF, the last code point", "x\uDBFF\uDFFF", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("controls")
    @DisplayName("text: only tab, LF, CR and FF among C0, DEL and C1 controls; supplementary characters are text")
    void controlCharacterBoundaries(String what, String text, boolean isText) {
        assertThat(sniff(utf8(text))).isEqualTo(isText ? Optional.of("text/plain") : Optional.empty());
        if (!isText) {
            assertThat(ContentSniffer.describe("text/plain", utf8(text), utf8(text).length))
                    .isEqualTo(ContentSniffer.TEXT_CONTROL_CHARS);
        }
    }

    static Stream<Arguments> markup() {
        return Stream.of(
                Arguments.of("<table> at the start", "<table>", true),
                Arguments.of("<table followed by a space", "<table border=1", true),
                Arguments.of("<table followed by a tab", "<table\tborder=1", true),
                Arguments.of("<table followed by LF", "<table\nborder=1", true),
                Arguments.of("<table followed by CR", "<table\rborder=1", true),
                Arguments.of("<br followed by a slash", "<br/>line", true),
                Arguments.of("<p as the whole content", "<p", true),
                Arguments.of("<b as the whole content", "<b", true),
                Arguments.of("<pre>: <p followed by a letter", "<pre>x</pre>", false),
                Arguments.of("<tablet: <table followed by a letter", "<tablet>", false),
                Arguments.of("<table- followed by a dash", "<table-x", false),
                Arguments.of("<!-- needs no delimiter", "<!--x-->", true),
                Arguments.of("<?xml needs no delimiter", "<?xmlx?>", true),
                Arguments.of("leading spaces and line breaks", " \r\n\t<table>", true),
                Arguments.of("a UTF-8 byte-order mark before it", "\uFEFF<table>", true),
                Arguments.of("text before it", "x <table>", false),
                Arguments.of("an active tag after text", "Befund: <meta http-equiv=refresh>", true),
                Arguments.of("an active tag at the very end", "Befund <svg", true),
                Arguments.of("an active tag followed by a letter only", "Befund <metadata>", false),
                Arguments.of("an active tag after one followed by a letter", "<scripts> and <script>", true),
                Arguments.of("an active tag followed by a digit only", "<embed2> x", false),
                Arguments.of("upper case", "Befund <OBJECT data=x>", true),
                Arguments.of("an active tag that is no start pattern, at offset 0", "<meta charset=utf-8>", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("markup")
    @DisplayName("markup: a WHATWG start pattern needs a delimiter after it; an active tag anywhere but not as a prefix")
    void markupBoundaries(String what, String text, boolean isMarkup) {
        assertThat(sniff(utf8(text))).contains(isMarkup ? "text/html" : "text/plain");
    }

    static Stream<Arguments> boms() {
        return Stream.of(
                Arguments.of("UTF-8 BOM twice, then a start pattern", bytes(0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, '<', 'p', '>'),
                        "text/html"),
                Arguments.of("UTF-8 BOM only", bytes(0xEF, 0xBB, 0xBF), null),
                Arguments.of("UTF-16BE BOM only", bytes(0xFE, 0xFF), null),
                Arguments.of("UTF-16LE BOM only", bytes(0xFF, 0xFE), null),
                Arguments.of("UTF-16BE with a NUL high byte is text", bytes(0xFE, 0xFF, 0, 'a'), "text/plain"),
                Arguments.of("UTF-16BE NUL character", bytes(0xFE, 0xFF, 0, 'a', 0, 0), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("boms")
    @DisplayName("byte-order marks: skipped before text; alone they are no text")
    void byteOrderMarks(String what, byte[] content, String expected) {
        assertThat(sniff(content)).isEqualTo(Optional.ofNullable(expected));
    }

    /** A full head ({@code HEAD_BYTES}): {@code prefix}, then 'a's, then {@code suffix} bytes at its end. */
    private static byte[] fullHead(String prefix, byte[] suffix) {
        byte[] head = new byte[ContentSniffer.HEAD_BYTES];
        java.util.Arrays.fill(head, (byte) 'a');
        byte[] p = utf8(prefix);
        System.arraycopy(p, 0, head, 0, p.length);
        System.arraycopy(suffix, 0, head, head.length - suffix.length, suffix.length);
        return head;
    }

    @org.junit.jupiter.api.Test
    @DisplayName("a full head: its last character is read, only a cut character at its end is let go")
    void theLastCharacterOfAFullHeadCounts() {
        byte[] svgAtTheEnd = fullHead("", utf8("<svg"));
        assertThat(sniff(svgAtTheEnd)).contains("text/html");
        byte[] controlAtTheEnd = fullHead("", bytes(0x01));
        assertThat(sniff(controlAtTheEnd)).isEmpty();
        byte[] controlThenCut = fullHead("\u0001", bytes(0xE2, 0x82)); // a euro sign cut after two bytes
        assertThat(sniff(controlThenCut)).isEmpty();
        assertThat(ContentSniffer.describe("text/plain", controlThenCut, controlThenCut.length))
                .as("the cut character is not the problem of a full head").isEqualTo(ContentSniffer.TEXT_CONTROL_CHARS);
        byte[] shortCut = bytes('a', 'b', 0xE2, 0x82);
        assertThat(ContentSniffer.describe("text/plain", shortCut, shortCut.length))
                .as("a short content is whole: a cut character is not UTF-8").isEqualTo(ContentSniffer.TEXT_NOT_UTF8);
    }

    @org.junit.jupiter.api.Test
    @DisplayName("describe: a NUL is named before the bytes that are not UTF-8; parameters alone declare nothing")
    void describeOrderAndParameters() {
        assertThat(ContentSniffer.describe("text/plain", bytes('a', 0, 0xFF), 3)).isEqualTo(ContentSniffer.TEXT_HAS_NUL);
        assertThat(ContentSniffer.canonicalType(";charset=utf-8")).isEmpty();
        assertThat(ContentSniffer.canonicalType("text/plain;charset=utf-8")).isEqualTo("text/plain");
    }
}
