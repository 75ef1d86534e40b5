package com.silknote.sync.core.admission;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Tells a file's type from its leading bytes, so a file whose declared MIME type is forged (a PNG declared as
 * {@code application/pdf}, an HTML page declared as {@code text/plain}) is skipped with
 * {@code SkipReason.TYPE_MISMATCH}.
 *
 * <h2>Recognised types</h2>
 * <ul>
 * <li>{@code application/pdf}: {@code %PDF-} at offset 0 followed by a version {@code d.d}.</li>
 * <li>{@code image/jpeg}: {@code FF D8 FF} followed by a marker byte {@code C0..FE}.</li>
 * <li>{@code image/png}: the 8-byte signature {@code 89 50 4E 47 0D 0A 1A 0A}.</li>
 * <li>{@code image/tiff}: {@code II*\0}, {@code MM\0*}, and BigTIFF {@code II+\0}, {@code MM\0+}.</li>
 * <li>{@code image/gif}: {@code GIF87a} or {@code GIF89a}.</li>
 * <li>{@code text/html}: text that a browser would render as markup: after an optional BOM and whitespace it
 *     starts with {@code <!DOCTYPE html}, {@code <html}, {@code <head}, {@code <body}, {@code <script},
 *     {@code <iframe}, {@code <svg}, {@code <?xml}, {@code <!--} and the other WHATWG HTML signatures; or it
 *     contains an active tag ({@code <script}, {@code <iframe}, {@code <object}, {@code <embed},
 *     {@code <svg}, {@code <html}, {@code <body}, {@code <meta}) anywhere in the head, case-insensitive, as
 *     old browsers sniffed. Such content never agrees with {@code text/plain}: Silknote may serve it back to
 *     a browser. {@code text/html} is not on the default allow-list, so it is refused either way.</li>
 * <li>{@code text/plain}: strict UTF-8 (an optional UTF-8 BOM is skipped), or UTF-16 behind a
 *     {@code FE FF}/{@code FF FE} BOM; no NUL and no control character other than tab, LF, CR and form feed
 *     (so no DEL, ESC, C1 controls or Ctrl-Z).</li>
 * </ul>
 * Signatures are checked before text, so an all-ASCII {@code %PDF-1.4} is a PDF.
 *
 * <h2>The head</h2>
 * Callers pass the first {@link #HEAD_BYTES} bytes of the content, or the whole content when it is shorter.
 * A head shorter than {@code HEAD_BYTES} is taken to be the whole content: a multi-byte character cut at
 * its end makes it invalid text. A full head may end inside a character, since the content goes on.
 * Empty content has no type and never agrees with anything.
 */
public final class ContentSniffer {
    /** How many leading bytes callers must pass (fewer only when the content is shorter). */
    public static final int HEAD_BYTES = 512;
    /** {@link #describe}: declared as text, but the bytes are not UTF-8 (Latin-1, Windows-1252, binary). */
    public static final String TEXT_NOT_UTF8 = "text-not-utf8";
    /** {@link #describe}: declared as text, but the bytes behind a UTF-16 BOM are not UTF-16. */
    public static final String TEXT_NOT_UTF16 = "text-not-utf16";
    /** {@link #describe}: declared as text, but a NUL byte is there (UTF-16 without BOM, binary). */
    public static final String TEXT_HAS_NUL = "text-has-nul";
    /** {@link #describe}: declared as text, but control characters other than tab, LF, CR, FF are there. */
    public static final String TEXT_CONTROL_CHARS = "text-control-chars";
    /** {@link #describe}: declared as text, but there is only a byte-order mark. */
    public static final String TEXT_BOM_ONLY = "text-bom-only";
    /** {@link #describe}: the bytes match no recognised signature. */
    public static final String UNKNOWN_SIGNATURE = "unknown-signature";
    /** {@link #describe}: there are no bytes. */
    public static final String NO_CONTENT = "no-content";

    private static final Map<String, String> ALIASES = Map.of(
            "image/jpg", "image/jpeg",
            "image/pjpeg", "image/jpeg",
            "image/x-png", "image/png",
            "image/tif", "image/tiff",
            "image/x-tiff", "image/tiff",
            "application/x-pdf", "application/pdf");

    /** WHATWG "identify an unknown MIME type" HTML patterns; each must be followed by a space or {@code >}. */
    private static final List<String> MARKUP_STARTS = List.of("<!doctype html", "<html", "<head", "<script",
            "<iframe", "<h1", "<div", "<font", "<table", "<a", "<style", "<title", "<b", "<body", "<br", "<p",
            "<!--", "<svg", "<?xml");
    private static final List<String> ACTIVE_TAGS = List.of("<script", "<iframe", "<object", "<embed", "<svg",
            "<html", "<body", "<meta");

    private ContentSniffer() { }

    /**
     * The MIME type the leading bytes show.
     *
     * @param head   the first bytes of the content
     * @param length how many bytes of {@code head} are content; {@code min(HEAD_BYTES, size)} is expected
     * @return the sniffed type, or empty when the bytes match no recognised type (or there are none)
     * @throws NullPointerException     when head is null
     * @throws IllegalArgumentException when length is negative or larger than {@code head.length}
     */
    public static Optional<String> sniff(byte[] head, int length) {
        requireNonNull(head, "head");
        if (length < 0 || length > head.length) {
            throw new IllegalArgumentException("length must be within 0.." + head.length + ", was " + length);
        }
        int n = Math.min(length, HEAD_BYTES);
        boolean complete = length < HEAD_BYTES;
        if (n == 0) {
            return Optional.empty();
        }
        if (startsWith(head, n, 0x25, 0x50, 0x44, 0x46, 0x2D) && n >= 8 && isDigit(head[5]) && head[6] == '.'
                && isDigit(head[7])) {
            return Optional.of("application/pdf");
        }
        if (startsWith(head, n, 0xFF, 0xD8, 0xFF) && n >= 4 && (head[3] & 0xFF) >= 0xC0 && (head[3] & 0xFF) <= 0xFE) {
            return Optional.of("image/jpeg");
        }
        if (startsWith(head, n, 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Optional.of("image/png");
        }
        if (startsWith(head, n, 0x49, 0x49, 0x2A, 0x00) || startsWith(head, n, 0x4D, 0x4D, 0x00, 0x2A)
                || startsWith(head, n, 0x49, 0x49, 0x2B, 0x00) || startsWith(head, n, 0x4D, 0x4D, 0x00, 0x2B)) {
            return Optional.of("image/tiff");
        }
        if (startsWith(head, n, 'G', 'I', 'F', '8', '7', 'a') || startsWith(head, n, 'G', 'I', 'F', '8', '9', 'a')) {
            return Optional.of("image/gif");
        }
        Optional<String> text = decodeText(head, n, complete);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(looksLikeMarkup(text.get()) ? "text/html" : "text/plain");
    }

    /**
     * Whether the declared type agrees with the sniffed one. The declared type is normalised first
     * ({@link #canonicalType(String)}); empty content and unrecognised content never agree.
     *
     * @param declaredMime the MIME type the source declared, e.g. {@code "image/JPG; name=x"}
     * @param head         the first bytes of the content
     * @param length       how many bytes of {@code head} are content
     * @return {@code true} when both name the same type
     * @throws NullPointerException     when declaredMime or head is null
     * @throws IllegalArgumentException when length is negative or larger than {@code head.length}
     */
    public static boolean agrees(String declaredMime, byte[] head, int length) {
        requireNonNull(declaredMime, "declaredMime");
        Optional<String> sniffed = sniff(head, length);
        return sniffed.isPresent() && sniffed.get().equals(canonicalType(declaredMime));
    }

    /**
     * What the leading bytes show, as a short log-safe code for a report, when they do not fit the declared
     * type: {@code sniffed-TYPE} when they are of another recognised type ({@code sniffed-image/png},
     * {@code sniffed-text/html}); for a declared {@code text/*} type, what the text check saw:
     * {@value #TEXT_NOT_UTF8} (e.g. a Latin-1 file), {@value #TEXT_HAS_NUL}, {@value #TEXT_CONTROL_CHARS},
     * {@value #TEXT_NOT_UTF16} or {@value #TEXT_BOM_ONLY}; otherwise {@value #UNKNOWN_SIGNATURE}, or
     * {@value #NO_CONTENT} for no bytes at all.
     *
     * @param declaredMime the MIME type the source declared
     * @param head         the first bytes of the content
     * @param length       how many bytes of {@code head} are content
     * @return a code such as {@code text-not-utf8}; never empty
     * @throws NullPointerException     when declaredMime or head is null
     * @throws IllegalArgumentException when length is negative or larger than {@code head.length}
     */
    public static String describe(String declaredMime, byte[] head, int length) {
        requireNonNull(declaredMime, "declaredMime");
        Optional<String> sniffed = sniff(head, length);
        if (sniffed.isPresent()) {
            return "sniffed-" + sniffed.get();
        }
        int n = Math.min(length, HEAD_BYTES);
        if (n == 0) {
            return NO_CONTENT;
        }
        if (canonicalType(declaredMime).startsWith("text/")) {
            return readText(head, n, length < HEAD_BYTES).problem();
        }
        return UNKNOWN_SIGNATURE;
    }

    /**
     * A declared MIME type in canonical form: parameters ({@code ; charset=...}) removed, trimmed, lower
     * case, and common aliases mapped ({@code image/jpg} and {@code image/pjpeg} to {@code image/jpeg},
     * {@code image/x-png} to {@code image/png}, {@code image/tif} and {@code image/x-tiff} to
     * {@code image/tiff}, {@code application/x-pdf} to {@code application/pdf}).
     *
     * @param declaredMime a MIME type as declared
     * @return the canonical form; may be empty when nothing was declared
     * @throws NullPointerException when declaredMime is null
     */
    public static String canonicalType(String declaredMime) {
        requireNonNull(declaredMime, "declaredMime");
        int semicolon = declaredMime.indexOf(';');
        String type = (semicolon >= 0 ? declaredMime.substring(0, semicolon) : declaredMime)
                .strip().toLowerCase(Locale.ROOT);
        return ALIASES.getOrDefault(type, type);
    }

    private static boolean startsWith(byte[] head, int n, int... signature) {
        if (n < signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if ((head[i] & 0xFF) != signature[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** The head as text when it is clean UTF-8 or BOM-marked UTF-16, else empty. */
    private static Optional<String> decodeText(byte[] head, int n, boolean complete) {
        return readText(head, n, complete).text();
    }

    /** The head read as text, or what stopped it from being text (a log-safe code). */
    private record TextReading(Optional<String> text, String problem) {
        static TextReading ok(String text) {
            return new TextReading(Optional.of(text), "");
        }

        static TextReading refused(String problem) {
            return new TextReading(Optional.empty(), problem);
        }
    }

    private static TextReading readText(byte[] head, int n, boolean complete) {
        Charset charset = StandardCharsets.UTF_8;
        int offset = 0;
        if (startsWith(head, n, 0xEF, 0xBB, 0xBF)) {
            offset = 3;
        } else if (startsWith(head, n, 0xFE, 0xFF)) {
            charset = StandardCharsets.UTF_16BE;
            offset = 2;
        } else if (startsWith(head, n, 0xFF, 0xFE)) {
            charset = StandardCharsets.UTF_16LE;
            offset = 2;
        }
        if (offset == n) {
            return TextReading.refused(TEXT_BOM_ONLY); // a BOM alone says nothing about the content
        }
        if (charset == StandardCharsets.UTF_8) {
            for (int i = offset; i < n; i++) {
                if (head[i] == 0) {
                    return TextReading.refused(TEXT_HAS_NUL);
                }
            }
        }
        CharsetDecoder decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        String encodingProblem = charset == StandardCharsets.UTF_8 ? TEXT_NOT_UTF8 : TEXT_NOT_UTF16;
        ByteBuffer in = ByteBuffer.wrap(head, offset, n - offset);
        CharBuffer out = CharBuffer.allocate(n);
        CoderResult result = decoder.decode(in, out, complete);
        if (result.isError()) {
            return TextReading.refused(encodingProblem);
        }
        if (complete) {
            CoderResult flushed = decoder.flush(out);
            if (flushed.isError() || in.hasRemaining()) {
                return TextReading.refused(encodingProblem);
            }
        } else if (in.remaining() >= 4) {
            return TextReading.refused(encodingProblem); // more than one cut character left over: an error
        }
        out.flip();
        String text = out.toString();
        if (!complete && !text.isEmpty() && Character.isHighSurrogate(text.charAt(text.length() - 1))) {
            text = text.substring(0, text.length() - 1);
        }
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0) {
                return TextReading.refused(TEXT_HAS_NUL);
            }
            if (isForbiddenControl(cp)) {
                return TextReading.refused(TEXT_CONTROL_CHARS);
            }
            if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
                return TextReading.refused(encodingProblem);
            }
        }
        return TextReading.ok(text);
    }

    private static boolean isForbiddenControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f') {
            return false;
        }
        return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
    }

    private static boolean looksLikeMarkup(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        int start = 0;
        while (start < lower.length() && (lower.charAt(start) == '\uFEFF' || Character.isWhitespace(lower.charAt(start)))) {
            start++;
        }
        for (String pattern : MARKUP_STARTS) {
            if (lower.startsWith(pattern, start)) {
                int after = start + pattern.length();
                if (after == lower.length() || pattern.equals("<!--") || pattern.equals("<?xml")
                        || lower.charAt(after) == ' ' || lower.charAt(after) == '>' || lower.charAt(after) == '\t'
                        || lower.charAt(after) == '\n' || lower.charAt(after) == '\r' || lower.charAt(after) == '/') {
                    return true;
                }
            }
        }
        for (String tag : ACTIVE_TAGS) {
            int at = lower.indexOf(tag);
            while (at >= 0) {
                int after = at + tag.length();
                if (after == lower.length() || !Character.isLetterOrDigit(lower.charAt(after))) {
                    return true;
                }
                at = lower.indexOf(tag, at + 1);
            }
        }
        return false;
    }
}
