package com.silknote.sync.core.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ContentSnifferTest {

    static final byte[] PDF = ascii("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n");
    static final byte[] JPEG = bytes(0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01);
    static final byte[] JPEG_EXIF = bytes(0xFF, 0xD8, 0xFF, 0xE1, 0x12, 0x34, 'E', 'x', 'i', 'f', 0, 0);
    static final byte[] PNG = bytes(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 'I', 'H', 'D', 'R');
    static final byte[] TIFF_LE = bytes('I', 'I', 0x2A, 0x00, 0x08, 0, 0, 0);
    static final byte[] TIFF_BE = bytes('M', 'M', 0x00, 0x2A, 0, 0, 0, 0x08);
    static final byte[] BIGTIFF = bytes('I', 'I', 0x2B, 0x00, 0x08, 0, 0, 0);
    static final byte[] GIF87 = ascii("GIF87a\u0001\u0000\u0001\u0000");
    static final byte[] GIF89 = ascii("GIF89a\u0001\u0000\u0001\u0000");
    static final byte[] TEXT = utf8("Befund vom 12.03.2024\r\nBlutdruck <140/90, Puls 72\tok\f\n\u00c4rztin: Dr. M\u00fcller \u65e5\u672c\n");

    static Stream<Arguments> recognised() {
        return Stream.of(
                Arguments.of("application/pdf", PDF),
                Arguments.of("image/jpeg", JPEG),
                Arguments.of("image/jpeg", JPEG_EXIF),
                Arguments.of("image/png", PNG),
                Arguments.of("image/tiff", TIFF_LE),
                Arguments.of("image/tiff", TIFF_BE),
                Arguments.of("image/tiff", BIGTIFF),
                Arguments.of("image/gif", GIF87),
                Arguments.of("image/gif", GIF89),
                Arguments.of("text/plain", TEXT),
                Arguments.of("text/plain", utf8("a")),
                Arguments.of("text/plain", concat(bytes(0xEF, 0xBB, 0xBF), utf8("mit BOM \u00e4"))),
                Arguments.of("text/plain", concat(bytes(0xFE, 0xFF), "UTF-16 \u00e4".getBytes(StandardCharsets.UTF_16BE))),
                Arguments.of("text/plain", concat(bytes(0xFF, 0xFE), "UTF-16 \u00e4 \uD83D\uDE42".getBytes(StandardCharsets.UTF_16LE))),
                Arguments.of("text/plain", ascii("%PDF without a version")),
                Arguments.of("text/plain", ascii("GIF88a is not a GIF")),
                Arguments.of("text/html", ascii("<!DOCTYPE html><html><body>x</body></html>")),
                Arguments.of("text/html", ascii("  \n<HTML>\n<body>")),
                Arguments.of("text/html", ascii("<script>alert(1)</script>")),
                Arguments.of("text/html", ascii("<?xml version=\"1.0\"?><svg/>")),
                Arguments.of("text/html", ascii("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"x()\"/>")),
                Arguments.of("text/html", ascii("Befund\nnormal\n<ScRiPt src=//evil></script>")),
                Arguments.of("text/html", ascii("note <iframe src=x>")),
                Arguments.of("text/html", concat(bytes(0xEF, 0xBB, 0xBF), ascii("<html>"))),
                Arguments.of("text/html", ascii("<!-- comment --> text")));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("recognised")
    void sniffsEachType(String expected, byte[] content) {
        assertThat(ContentSniffer.sniff(content, content.length)).contains(expected);
        assertThat(ContentSniffer.agrees(expected, content, content.length)).isTrue();
    }

    static Stream<Arguments> binaries() {
        return recognised().filter(a -> !((String) a.get()[0]).startsWith("text/"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("binaries")
    void sniffsOnlyTheFirstHeadBytesOfALongerBuffer(String expected, byte[] content) {
        byte[] big = Arrays.copyOf(content, ContentSniffer.HEAD_BYTES + 100);
        Arrays.fill(big, content.length, big.length, (byte) 0);
        big[big.length - 1] = (byte) 0xFF;
        assertThat(ContentSniffer.sniff(big, big.length)).contains(expected);
    }

    @Test
    void textBeyondTheHeadIsNotRead() {
        byte[] big = Arrays.copyOf(TEXT, ContentSniffer.HEAD_BYTES + 10);
        Arrays.fill(big, TEXT.length, ContentSniffer.HEAD_BYTES, (byte) 'x');
        Arrays.fill(big, ContentSniffer.HEAD_BYTES, big.length, (byte) 0); // NULs after the head
        assertThat(ContentSniffer.sniff(big, big.length)).contains("text/plain");
        big[ContentSniffer.HEAD_BYTES - 1] = 0;
        assertThat(ContentSniffer.sniff(big, big.length)).isEmpty();
    }

    @Test
    void forgedTypesDisagree() {
        assertThat(ContentSniffer.agrees("application/pdf", PNG, PNG.length)).isFalse();
        assertThat(ContentSniffer.agrees("image/png", PDF, PDF.length)).isFalse();
        assertThat(ContentSniffer.agrees("image/jpeg", PNG, PNG.length)).isFalse();
        assertThat(ContentSniffer.agrees("image/gif", JPEG, JPEG.length)).isFalse();
        assertThat(ContentSniffer.agrees("image/tiff", GIF89, GIF89.length)).isFalse();
        assertThat(ContentSniffer.agrees("text/plain", PDF, PDF.length)).isFalse();
        assertThat(ContentSniffer.agrees("application/pdf", TEXT, TEXT.length)).isFalse();
        byte[] html = ascii("<html><script>steal()</script></html>");
        assertThat(ContentSniffer.agrees("text/plain", html, html.length)).isFalse();
        byte[] exe = bytes('M', 'Z', 0x90, 0x00, 0x03, 0x00, 0x00, 0x00);
        assertThat(ContentSniffer.sniff(exe, exe.length)).isEmpty();
        assertThat(ContentSniffer.agrees("application/pdf", exe, exe.length)).isFalse();
        byte[] zip = bytes('P', 'K', 0x03, 0x04, 0x14, 0x00, 0x06, 0x00);
        assertThat(ContentSniffer.sniff(zip, zip.length)).isEmpty();
    }

    @Test
    void declaredTypesAreNormalised() {
        assertThat(ContentSniffer.agrees("image/jpg", JPEG, JPEG.length)).isTrue();
        assertThat(ContentSniffer.agrees("IMAGE/JPEG", JPEG, JPEG.length)).isTrue();
        assertThat(ContentSniffer.agrees(" image/pjpeg ", JPEG, JPEG.length)).isTrue();
        assertThat(ContentSniffer.agrees("image/x-png", PNG, PNG.length)).isTrue();
        assertThat(ContentSniffer.agrees("image/tif", TIFF_LE, TIFF_LE.length)).isTrue();
        assertThat(ContentSniffer.agrees("application/x-pdf", PDF, PDF.length)).isTrue();
        assertThat(ContentSniffer.agrees("text/plain; charset=utf-8", TEXT, TEXT.length)).isTrue();
        assertThat(ContentSniffer.agrees("Text/Plain;charset=\"ISO-8859-1\"", TEXT, TEXT.length)).isTrue();
        assertThat(ContentSniffer.agrees("application/pdf; name=x.pdf", PDF, PDF.length)).isTrue();
        assertThat(ContentSniffer.canonicalType("image/JPG ; q=1")).isEqualTo("image/jpeg");
        assertThat(ContentSniffer.canonicalType("")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", ";", "application/octet-stream", "text/*", "*/*", "image/*", "pdf", "text/csv",
            "text/html", "application/pdfx", "image/jpeg2000"})
    void vagueOrOtherDeclaredTypesNeverAgree(String declared) {
        for (byte[] content : new byte[][] {PDF, JPEG, PNG, TIFF_LE, GIF89, TEXT}) {
            assertThat(ContentSniffer.agrees(declared, content, content.length)).isFalse();
        }
    }

    @Test
    void emptyContentNeverAgrees() {
        byte[] none = new byte[0];
        assertThat(ContentSniffer.sniff(none, 0)).isEmpty();
        assertThat(ContentSniffer.agrees("text/plain", none, 0)).isFalse();
        assertThat(ContentSniffer.agrees("application/pdf", PDF, 0)).isFalse();
        byte[] bomOnly = bytes(0xEF, 0xBB, 0xBF);
        assertThat(ContentSniffer.agrees("text/plain", bomOnly, bomOnly.length)).isFalse();
    }

    @Test
    void truncatedHeadsAreNotTheirType() {
        assertThat(ContentSniffer.sniff(PNG, 7)).isEmpty();            // 7 of 8 signature bytes, not UTF-8
        assertThat(ContentSniffer.sniff(JPEG, 3)).isEmpty();
        assertThat(ContentSniffer.agrees("image/jpeg", JPEG, 2)).isFalse();
        assertThat(ContentSniffer.agrees("application/pdf", PDF, 5)).isFalse(); // "%PDF-" alone
        assertThat(ContentSniffer.sniff(PDF, 5)).contains("text/plain");         // ... is just text
        assertThat(ContentSniffer.agrees("image/gif", GIF89, 5)).isFalse();
        assertThat(ContentSniffer.agrees("image/tiff", TIFF_LE, 3)).isFalse();
        assertThat(ContentSniffer.sniff(bytes(0xFF, 0xD8, 0xFF, 0x00), 4)).isEmpty(); // not a marker
    }

    @Test
    void lengthLimitsWhatIsRead() {
        byte[] buffer = Arrays.copyOf(PNG, 64);
        assertThat(ContentSniffer.sniff(buffer, PNG.length)).contains("image/png");
        byte[] text = Arrays.copyOf(utf8("hello"), 64);   // trailing NULs beyond length are ignored
        assertThat(ContentSniffer.sniff(text, 5)).contains("text/plain");
        assertThat(ContentSniffer.sniff(text, 6)).isEmpty();
    }

    @Test
    void textRejectsBinaryAndControlBytes() {
        assertThat(ContentSniffer.sniff(ascii("a\u0000b"), 3)).isEmpty();
        assertThat(ContentSniffer.sniff(ascii("a\u001b[31mred"), 9)).isEmpty();
        assertThat(ContentSniffer.sniff(ascii("a\u007f"), 2)).isEmpty();
        assertThat(ContentSniffer.sniff(ascii("a\u000bb"), 3)).isEmpty();
        assertThat(ContentSniffer.sniff(ascii("eof\u001a"), 4)).isEmpty();
        assertThat(ContentSniffer.sniff(utf8("a\u0085b"), 4)).isEmpty();                 // C1 NEL
        assertThat(ContentSniffer.sniff(bytes('a', 0xC0, 0xAE), 3)).isEmpty();           // overlong
        assertThat(ContentSniffer.sniff(bytes('a', 0xED, 0xA0, 0x80), 4)).isEmpty();     // encoded surrogate
        assertThat(ContentSniffer.sniff(bytes('a', 0xFF), 2)).isEmpty();
        assertThat(ContentSniffer.sniff(bytes(0xE4, 'r', 'z', 't'), 4)).isEmpty();       // Latin-1, not UTF-8
        byte[] utf16NoBom = "Hallo".getBytes(StandardCharsets.UTF_16LE);
        assertThat(ContentSniffer.sniff(utf16NoBom, utf16NoBom.length)).isEmpty();       // NULs
        byte[] loneSurrogate = concat(bytes(0xFF, 0xFE), bytes(0x3D, 0xD8, 'a', 0));
        assertThat(ContentSniffer.sniff(loneSurrogate, loneSurrogate.length)).isEmpty();
        byte[] utf32 = concat(bytes(0xFF, 0xFE, 0x00, 0x00), bytes('a', 0, 0, 0));
        assertThat(ContentSniffer.sniff(utf32, utf32.length)).isEmpty();
    }

    @Test
    void aFullHeadMayEndInsideACharacterButAShortContentMayNot() {
        byte[] full = new byte[ContentSniffer.HEAD_BYTES];
        byte[] euro = utf8("\u20ac");
        int i = 0;
        while (i + 3 <= full.length) {
            System.arraycopy(euro, 0, full, i, 3);
            i += 3;
        }
        // 512 = 170 * 3 + 2: the last character is cut after two of its three bytes
        System.arraycopy(euro, 0, full, i, full.length - i);
        assertThat(ContentSniffer.sniff(full, full.length)).contains("text/plain");
        byte[] shortContent = Arrays.copyOf(full, 100 * 3 + 2);
        assertThat(ContentSniffer.sniff(shortContent, shortContent.length)).isEmpty();
        byte[] utf16 = new byte[ContentSniffer.HEAD_BYTES + 1];
        utf16[0] = (byte) 0xFF;
        utf16[1] = (byte) 0xFE;
        for (int k = 2; k < utf16.length; k++) {
            utf16[k] = (byte) (k % 2 == 0 ? 'a' : 0);
        }
        assertThat(ContentSniffer.sniff(utf16, ContentSniffer.HEAD_BYTES)).contains("text/plain");
        assertThat(ContentSniffer.sniff(utf16, 101)).isEmpty(); // odd byte count in a whole content
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThatThrownBy(() -> ContentSniffer.sniff(null, 0)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ContentSniffer.sniff(PNG, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ContentSniffer.sniff(PNG, PNG.length + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ContentSniffer.agrees(null, PNG, 8)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ContentSniffer.canonicalType(null)).isInstanceOf(NullPointerException.class);
    }

    static Stream<Long> seeds() {
        return Stream.of(1L, 2L, 3L, 4L, 5L);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomBytesNeverThrowAndAgreeOnlyWithWhatTheySniff(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String[] types = {"application/pdf", "image/jpeg", "image/png", "image/tiff", "image/gif", "text/plain"};
        for (int i = 0; i < 2_000; i++) {
            byte[] content = new byte[random.nextInt(ContentSniffer.HEAD_BYTES + 10)];
            random.nextBytes(content);
            if (content.length > 0 && random.nextBoolean()) { // start with a real signature half the time
                byte[][] sigs = {PDF, JPEG, PNG, TIFF_BE, GIF87, TEXT};
                byte[] sig = sigs[random.nextInt(sigs.length)];
                System.arraycopy(sig, 0, content, 0, Math.min(sig.length, content.length));
            }
            int length = random.nextInt(content.length + 1);
            Optional<String> sniffed = ContentSniffer.sniff(content, length);
            for (String type : types) {
                assertThat(ContentSniffer.agrees(type, content, length)).isEqualTo(sniffed.map(type::equals).orElse(false));
            }
        }
    }

    /** Issue 10 item 5: a type mismatch says what the bytes showed, not just "sniffed-type". */
    @Test
    void describeSaysWhatTheBytesShow() {
        byte[] latin1 = "Befund f\u00fcr Herrn M\u00fcller".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(ContentSniffer.describe("text/plain", latin1, latin1.length)).isEqualTo(ContentSniffer.TEXT_NOT_UTF8);
        byte[] windows1252 = "Preis 5 \u20ac".getBytes(java.nio.charset.Charset.forName("windows-1252"));
        assertThat(ContentSniffer.describe("text/plain; charset=utf-8", windows1252, windows1252.length))
                .isEqualTo("text-not-utf8");
        byte[] utf16NoBom = "Befund".getBytes(StandardCharsets.UTF_16LE);
        assertThat(ContentSniffer.describe("text/plain", utf16NoBom, utf16NoBom.length)).isEqualTo("text-has-nul");
        byte[] escape = ascii("rot \u001b[31m Befund");
        assertThat(ContentSniffer.describe("text/plain", escape, escape.length)).isEqualTo("text-control-chars");
        byte[] bomOnly = bytes(0xEF, 0xBB, 0xBF);
        assertThat(ContentSniffer.describe("text/plain", bomOnly, bomOnly.length)).isEqualTo("text-bom-only");
        byte[] badUtf16 = bytes(0xFE, 0xFF, 0xD8, 0x00, 0x00, 0x41);
        assertThat(ContentSniffer.describe("text/plain", badUtf16, badUtf16.length)).isEqualTo("text-not-utf16");
        byte[] html = ascii("<html><body>x</body></html>");
        assertThat(ContentSniffer.describe("text/plain", html, html.length)).isEqualTo("sniffed-text/html");
        assertThat(ContentSniffer.describe("application/pdf", PNG, PNG.length)).isEqualTo("sniffed-image/png");
        assertThat(ContentSniffer.describe("image/png", TEXT, TEXT.length)).isEqualTo("sniffed-text/plain");
        byte[] exe = bytes('M', 'Z', 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04);
        assertThat(ContentSniffer.describe("image/png", exe, exe.length)).isEqualTo("unknown-signature");
        assertThat(ContentSniffer.describe("image/png", new byte[0], 0)).isEqualTo("no-content");
        // the codes are log-safe: no byte of the content appears in them
        assertThat(ContentSniffer.describe("text/plain", latin1, latin1.length)).doesNotContain("M\u00fcller", "Befund");
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
