package com.silknote.sync.core.path;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.path.PathVerdict.Reason;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates VSRX file paths: a path is accepted only when it names a file strictly inside {@code notes/}
 * under <em>every</em> reading a consumer could give it. Pure, thread-safe, no I/O.
 *
 * <h2>Interpretations</h2>
 * The validator does not guess which decoding a consumer applies; it builds every reading and requires all
 * of them to be safe. Starting from the raw string it repeatedly applies, up to {@value #MAX_DECODING_ROUNDS}
 * rounds until nothing changes: Unicode NFC, Unicode NFKC, a look-alike map (dots, slashes, backslashes and
 * colons that no normalisation form folds, such as U+2044 FRACTION SLASH, U+2215 DIVISION SLASH, U+00A5 YEN
 * SIGN as the Japanese backslash), HTML numeric character references ({@code &#46;}, {@code &#x2f;}) and a
 * few named ones, and percent-decoding ({@code %XX} as strict UTF-8, and IIS-style {@code %uXXXX}). A second
 * chain decodes without normalising. Backslash counts as a separator in every reading. A path that still
 * changes after the last round (more than three layers of encoding) is rejected.
 *
 * <h2>Rules, in the order they are checked (the first broken rule is the reported {@link Reason})</h2>
 * <ol>
 * <li>{@code EMPTY}: the empty string.</li>
 * <li>{@code TOO_LONG}: more than {@value #MAX_LENGTH} UTF-16 chars before decoding.</li>
 * <li>{@code INVALID_ENCODING}: percent escapes that are not strict UTF-8 (overlong {@code %c0%ae},
 *     truncated or stray continuation bytes, encoded surrogates), a numeric character reference to an invalid
 *     code point, a lone surrogate, U+FFFD REPLACEMENT CHARACTER, or more than three encoding layers.</li>
 * <li>{@code DRIVE_OR_UNC}: a reading starts with two separators ({@code \\server\share}, {@code //server},
 *     {@code \\?\}, {@code \\.\}) or with a drive letter and colon ({@code C:}, {@code c:\}).</li>
 * <li>{@code SCHEME}: a reading starts with a URI scheme ({@code file:}, {@code http:}, {@code data:}).</li>
 * <li>{@code ABSOLUTE}: a reading starts with {@code /} or {@code \}.</li>
 * <li>{@code HOME_EXPANSION}: a reading starts with {@code ~}.</li>
 * <li>{@code TRAVERSAL}: a segment whose significant part (the text before any {@code ;}, {@code :},
 *     {@code ?}, {@code #} or NUL, as servlet containers, NTFS streams and C strings cut it) consists only
 *     of dots and spaces with at least two dots: {@code ..}, {@code ...}, {@code ....}, {@code .. },
 *     {@code ..;}. Also rejected when the path stays inside {@code notes/} ({@code notes/a/../b}).</li>
 * <li>{@code DOT_SEGMENT}: the same with exactly one dot ({@code notes/./a}, {@code ./notes/a}).</li>
 * <li>{@code NOT_UNDER_NOTES}: the reading is {@code notes} itself (with or without trailing separators).</li>
 * <li>{@code EMPTY_SEGMENT}: an empty or blank segment ({@code notes//a}, {@code notes/a/}).</li>
 * <li>{@code LEADING_OR_TRAILING_WHITESPACE}: the path starts or ends with whitespace.</li>
 * <li>{@code NOT_UNDER_NOTES}: the first segment is not exactly {@code notes} (case-sensitive:
 *     {@code NOTES/a}, {@code Notes/a}, {@code notes_evil/a}, {@code notes../a}, {@code notes%2fa}).</li>
 * <li>{@code CONTROL_CHARACTER}: C0 controls, DEL, C1 controls, NUL (raw or {@code %00}), U+2028, U+2029.</li>
 * <li>{@code INVISIBLE_CHARACTER}: general categories Cf (zero-width, bidi controls, soft hyphen, BOM, tags),
 *     Co (private use), Cn (unassigned in this JDK's Unicode version, noncharacters), plus invisible
 *     characters of other categories: variation selectors, combining grapheme joiner, Hangul fillers,
 *     Mongolian free variation selectors, Khmer inherent vowels, Braille blank, object replacement.</li>
 * <li>{@code BACKSLASH}: any backslash (on Windows a separator, elsewhere a name character; either way
 *     some reader sees a different structure, and mixed separators are a classic filter bypass).</li>
 * <li>{@code ENCODED_SEPARATOR}: a decoded reading has more separators than the raw path
 *     ({@code notes/a%2fb}, {@code notes/a%5cb}, {@code notes/a&#47;b}).</li>
 * <li>{@code CONFUSABLE_CHARACTER}: a character that is, or whose NFKC form contains, a look-alike of a dot,
 *     separator or colon, or one of {@code . / \ : % ? # * " < > | ; $} and backtick (fullwidth forms,
 *     U+2024 ONE DOT LEADER, U+2025, U+2026, U+FE52, U+3002, U+2044, U+2215, U+29F8, U+FF3C, U+2216,
 *     U+00A5, U+20A9, U+00BD, U+2100); a space other than U+0020 and U+3000 (NBSP, U+2000..U+200A); a
 *     combining mark at the start of a segment or on a dot or separator.</li>
 * <li>{@code COLON}: any other colon (NTFS alternate data streams {@code a.txt:stream}, classic Mac
 *     separator).</li>
 * <li>{@code FORBIDDEN_CHARACTER}: {@code < > " | ? * #} (Windows-forbidden, URL query and fragment,
 *     globs), {@code ;} (servlet path parameters), {@code $} and backtick (shell expansion), and a Windows
 *     environment variable {@code %NAME%}.</li>
 * <li>{@code TOO_LONG}: a decoded or normalised reading is longer than {@value #MAX_LENGTH} chars.</li>
 * <li>{@code TOO_DEEP}: more than {@value #MAX_DEPTH} segments, {@code notes} included.</li>
 * <li>{@code SEGMENT_TOO_LONG}: a segment longer than {@value #MAX_SEGMENT_BYTES} UTF-8 bytes.</li>
 * <li>{@code RESERVED_NAME}: Windows device names, case-insensitive, with or without extension
 *     ({@code CON}, {@code PRN}, {@code AUX}, {@code NUL}, {@code COM0-9}, {@code LPT0-9}, {@code COM¹²³},
 *     {@code LPT¹²³}, {@code CONIN$}, {@code CONOUT$}, {@code CLOCK$}), NTFS metadata files
 *     ({@code $MFT}, ...), 8.3 short-name aliases ({@code PROGRA~1}, {@code SCAN00~1.PDF}).</li>
 * <li>{@code TRAILING_DOT_OR_SPACE}: a segment ends with a dot or whitespace.</li>
 * <li>{@code LEADING_OR_TRAILING_WHITESPACE}: a segment starts with whitespace.</li>
 * </ol>
 *
 * <h2>Accepted paths</h2>
 * The normalized form is the raw path in NFC. It is <em>not</em> percent-decoded: VSRX paths are literal
 * names, and a benign escape ({@code notes/Scan%20001.pdf}) is accepted only because every reading of it is
 * safe. Letters of any script, digits, spaces, {@code - _ ( ) [ ] { } ' & + , = @ ! ^ ~ %} inside names
 * are accepted; {@code notes/Ärztebrief.pdf}, {@code notes/日本語.pdf}, {@code notes/a b (1).pdf} are.
 * Segments that start with a dot ({@code notes/.hidden}) and dots inside names ({@code notes/a..b.pdf}) are
 * accepted.
 */
public final class PathValidator {
    /** The only accepted first segment. */
    public static final String ROOT = "notes";
    /** Maximum length in UTF-16 chars of the raw path and of each of its readings (Azure's blob name limit). */
    public static final int MAX_LENGTH = 1024;
    /** Maximum UTF-8 bytes of one segment (common file-system name limit). */
    public static final int MAX_SEGMENT_BYTES = 255;
    /** Maximum number of segments, {@code notes} included. */
    public static final int MAX_DEPTH = 32;
    /** Decoding rounds; a path that still changes after them has more than three layers and is rejected. */
    static final int MAX_DECODING_ROUNDS = 4;

    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.\\-]*:");
    private static final Pattern NUMERIC_REFERENCE = Pattern.compile("&#(?:[xX]([0-9A-Fa-f]{1,8})|([0-9]{1,10}));?");
    private static final Pattern NAMED_REFERENCE = Pattern.compile("&([A-Za-z]{2,8});");
    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("period", "."), Map.entry("sol", "/"), Map.entry("bsol", "\\"), Map.entry("colon", ":"),
            Map.entry("percnt", "%"), Map.entry("amp", "&"), Map.entry("semi", ";"), Map.entry("quest", "?"),
            Map.entry("num", "#"), Map.entry("dollar", "$"), Map.entry("tilde", "~"), Map.entry("lt", "<"),
            Map.entry("gt", ">"), Map.entry("quot", "\""), Map.entry("nbsp", "\u00A0"), Map.entry("Tab", "\t"),
            Map.entry("NewLine", "\n"), Map.entry("excl", "!"), Map.entry("ast", "*"), Map.entry("verbar", "|"),
            Map.entry("grave", "`"), Map.entry("nul", "\u0000"));
    private static final Pattern RESERVED_DEVICE =
            Pattern.compile("^(CON|PRN|AUX|NUL|COM[0-9\u00B9\u00B2\u00B3]|LPT[0-9\u00B9\u00B2\u00B3]|CONIN\\$|CONOUT\\$|CLOCK\\$)$");
    private static final Set<String> NTFS_METADATA = Set.of("$MFT", "$MFTMIRR", "$LOGFILE", "$VOLUME",
            "$ATTRDEF", "$BITMAP", "$BOOT", "$BADCLUS", "$SECURE", "$UPCASE", "$EXTEND", "$QUOTA", "$OBJID",
            "$REPARSE");
    /** {@code %NAME%}, which cmd.exe and Windows APIs such as ExpandEnvironmentStrings expand. */
    private static final Pattern WINDOWS_VARIABLE = Pattern.compile("%([A-Za-z_][A-Za-z0-9_]*)%");
    private static final Pattern SHORT_NAME_ALIAS = Pattern.compile("^[^.]{1,7}~[0-9]{1,6}$");

    /** Characters that mean something to a file system, URL or shell; their look-alikes are rejected too. */
    private static final String SIGNIFICANT = "./\\:%?#*\"<>|;$`";
    private static final String FORBIDDEN = "<>\"|?*#;$`";

    private static final String DOT_LOOKALIKES = "\u2024\uFE52\uFF0E\u3002\uFF61\u0701\u0702\uA60E\u2E3C";
    private static final String SLASH_LOOKALIKES = "\u2044\u2215\u29F8\uFF0F\u2571\u27CB\u1735";
    private static final String BACKSLASH_LOOKALIKES = "\u2216\u29F5\u29F9\uFE68\uFF3C\u2572\u27CD\u00A5\u20A9";
    private static final String COLON_LOOKALIKES = "\u2236\uA789\u02F8\u0589\u05C3\u0703\u0704\uFF1A\uFE55\uFE13";
    /** Combining overlays that draw a slash or backslash over the previous character. */
    private static final String OVERLAY_LOOKALIKES = "\u0337\u0338\u20E5\u20EB";

    private PathValidator() { }

    /**
     * Judges one raw path. Never throws for any input but null; the verdict never prints the path.
     *
     * @param rawPath the path exactly as the source reported it
     * @return accepted with the NFC form of the path, or rejected with the first rule it breaks
     * @throws NullPointerException when rawPath is null
     */
    public static PathVerdict validate(String rawPath) {
        requireNonNull(rawPath, "rawPath");
        if (isPlainAccepted(rawPath)) {
            return PathVerdict.accept(rawPath); // ASCII: the NFC form is the path itself
        }
        return validateFully(rawPath);
    }

    /** {@link #validate} without the fast path: every reading against every rule. */
    static PathVerdict validateFully(String rawPath) {
        requireNonNull(rawPath, "rawPath");
        Optional<Reason> violation = firstViolation(rawPath);
        return violation.map(PathVerdict::reject)
                .orElseGet(() -> PathVerdict.accept(Normalizer.normalize(rawPath, Normalizer.Form.NFC)));
    }

    /**
     * Returns the normalized form of an acceptable path.
     *
     * @param rawPath the path exactly as the source reported it
     * @return the NFC form of the path
     * @throws RejectedPathException when the path breaks a rule; its message names the rule, never the path
     * @throws NullPointerException  when rawPath is null
     */
    public static String requireValid(String rawPath) {
        PathVerdict verdict = validate(rawPath);
        if (!verdict.accepted()) {
            throw new RejectedPathException(verdict.reason().orElseThrow());
        }
        return verdict.normalized().orElseThrow();
    }

    // ------------------------------------------------------------------------------------------------
    // Fast path

    /**
     * {@code true} only for paths the full check accepts, decided in one pass without allocation:
     * {@code notes/} followed by at most {@value #MAX_DEPTH} - 1 non-empty segments of ASCII letters, digits,
     * spaces and {@code - _ . ( ) [ ] { } ' + , = @ ! ^}, each starting with neither a space nor ending with
     * a dot or space, at most {@value #MAX_SEGMENT_BYTES} chars, none a Windows device name, the whole at
     * most {@value #MAX_LENGTH} chars. Such a path has a single reading (no {@code %}, {@code &} or non-ASCII
     * character to decode or normalise) and breaks none of the rules; anything else, including every path
     * that merely looks unusual, goes through the full check. {@code false} never means rejected.
     */
    static boolean isPlainAccepted(String s) {
        int length = s.length();
        if (length > MAX_LENGTH || !s.startsWith("notes/")) {
            return false;
        }
        int segments = 1;
        int start = ROOT.length() + 1;
        for (int i = start; i <= length; i++) {
            char c = i < length ? s.charAt(i) : '/';
            if (c == '/') {
                int segmentLength = i - start;
                if (segmentLength == 0 || segmentLength > MAX_SEGMENT_BYTES || ++segments > MAX_DEPTH) {
                    return false;
                }
                char first = s.charAt(start);
                char last = s.charAt(i - 1);
                if (first == ' ' || last == ' ' || last == '.' || mayBeDeviceName(s, start, i)) {
                    return false;
                }
                start = i + 1;
            } else if (!isPlainChar(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPlainChar(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        switch (c) {
            case ' ', '-', '_', '.', '(', ')', '[', ']', '{', '}', '\'', '+', ',', '=', '@', '!', '^':
                return true;
            default:
                return false;
        }
    }

    /**
     * {@code true} when the segment's base name (before the first dot, trailing spaces stripped) has the
     * length of a device name ({@code CON}, {@code COM1}...) and starts like one; the full check decides.
     */
    private static boolean mayBeDeviceName(String s, int start, int end) {
        int dot = s.indexOf('.', start);
        int baseEnd = dot >= 0 && dot < end ? dot : end;
        while (baseEnd > start && s.charAt(baseEnd - 1) == ' ') {
            baseEnd--;
        }
        int baseLength = baseEnd - start;
        if (baseLength != 3 && baseLength != 4) {
            return false;
        }
        return s.regionMatches(true, start, "CON", 0, 3) || s.regionMatches(true, start, "PRN", 0, 3)
                || s.regionMatches(true, start, "AUX", 0, 3) || s.regionMatches(true, start, "NUL", 0, 3)
                || s.regionMatches(true, start, "COM", 0, 3) || s.regionMatches(true, start, "LPT", 0, 3);
    }

    // ------------------------------------------------------------------------------------------------
    // Interpretations

    /** One reading of the path; {@code decoded} when percent or reference decoding changed its lineage. */
    private record Reading(String text, boolean decoded, List<String> segments) {
        Reading(String text, boolean decoded) {
            this(text, decoded, split(text));
        }
    }

    private static final class InvalidEncoding extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidEncoding() {
            super(null, null, false, false);
        }
    }

    private static Optional<Reason> firstViolation(String raw) {
        if (raw.isEmpty()) {
            return Optional.of(Reason.EMPTY);
        }
        if (raw.length() > MAX_LENGTH) {
            return Optional.of(Reason.TOO_LONG);
        }
        List<Reading> readings;
        try {
            readings = readings(raw);
        } catch (InvalidEncoding e) {
            return Optional.of(Reason.INVALID_ENCODING);
        }
        for (Reading r : readings) {
            if (r.text().isEmpty()) {
                return Optional.of(Reason.EMPTY);
            }
            if (hasInvalidCodePoint(r.text())) {
                return Optional.of(Reason.INVALID_ENCODING);
            }
        }
        Reading rawReading = readings.get(0);
        for (Rule rule : RULES) {
            for (Reading r : readings) {
                if (rule.test.broken(r, rawReading)) {
                    return Optional.of(rule.reason);
                }
            }
        }
        return Optional.empty();
    }

    /** Every reading: the raw path first, then normalised and decoded forms, without duplicates. */
    private static List<Reading> readings(String raw) throws InvalidEncoding {
        if (isPlainAscii(raw)) {
            return List.of(new Reading(raw, false)); // no normalisation or decoding can change it
        }
        Map<String, Boolean> seen = new LinkedHashMap<>();
        seen.put(raw, false);
        // chain 1: normalise, map look-alikes, decode references, decode percent escapes
        String current = raw;
        boolean decoded = false;
        boolean stable = false;
        for (int round = 0; round < MAX_DECODING_ROUNDS && !stable; round++) {
            String nfc = Normalizer.normalize(current, Normalizer.Form.NFC);
            String nfkc = Normalizer.normalize(current, Normalizer.Form.NFKC);
            String mapped = mapLookalikes(nfkc);
            String refs = decodeReferences(mapped);
            boolean refsDecoded = decoded || !refs.equals(mapped);
            String percent = percentDecode(refs);
            boolean percentDecoded = refsDecoded || !percent.equals(refs);
            add(seen, nfc, decoded);
            add(seen, nfkc, decoded);
            add(seen, mapped, decoded);
            add(seen, refs, refsDecoded);
            add(seen, percent, percentDecoded);
            stable = percent.equals(current);
            current = percent;
            decoded = percentDecoded;
        }
        if (!stable) {
            throw new InvalidEncoding();
        }
        // chain 2: decode only, as a consumer that never normalises would
        current = raw;
        stable = false;
        for (int round = 0; round < MAX_DECODING_ROUNDS && !stable; round++) {
            String refs = decodeReferences(current);
            String percent = percentDecode(refs);
            add(seen, refs, !refs.equals(raw));
            add(seen, percent, !percent.equals(raw));
            add(seen, Normalizer.normalize(percent, Normalizer.Form.NFC), !percent.equals(raw));
            stable = percent.equals(current);
            current = percent;
        }
        if (!stable) {
            throw new InvalidEncoding();
        }
        List<Reading> out = new ArrayList<>(seen.size());
        seen.forEach((text, dec) -> out.add(new Reading(text, dec)));
        return out;
    }

    private static boolean isPlainAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || c == '%' || c == '&') {
                return false;
            }
        }
        return true;
    }

    private static void add(Map<String, Boolean> seen, String text, boolean decoded) {
        seen.merge(text, decoded, (a, b) -> a || b);
    }

    private static String mapLookalikes(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char m = c;
            if (DOT_LOOKALIKES.indexOf(c) >= 0) {
                m = '.';
            } else if (SLASH_LOOKALIKES.indexOf(c) >= 0) {
                m = '/';
            } else if (BACKSLASH_LOOKALIKES.indexOf(c) >= 0) {
                m = '\\';
            } else if (COLON_LOOKALIKES.indexOf(c) >= 0) {
                m = ':';
            }
            if (m != c && out == null) {
                out = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (out != null) {
                out.append(m);
            }
        }
        return out == null ? s : out.toString();
    }

    private static String decodeReferences(String s) throws InvalidEncoding {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = NUMERIC_REFERENCE.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            long cp;
            try {
                cp = m.group(1) != null ? Long.parseLong(m.group(1), 16) : Long.parseLong(m.group(2));
            } catch (NumberFormatException e) {
                throw new InvalidEncoding();
            }
            if (cp <= 0 || cp > Character.MAX_CODE_POINT || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)) {
                throw new InvalidEncoding();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(new String(Character.toChars((int) cp))));
        }
        m.appendTail(out);
        String numeric = out.toString();
        Matcher n = NAMED_REFERENCE.matcher(numeric);
        StringBuilder named = new StringBuilder(numeric.length());
        while (n.find()) {
            String value = NAMED.get(n.group(1));
            n.appendReplacement(named, Matcher.quoteReplacement(value != null ? value : n.group()));
        }
        n.appendTail(named);
        return named.toString();
    }

    /** Decodes {@code %XX} runs as strict UTF-8 and {@code %uXXXX} as UTF-16 units; a lone {@code %} stays. */
    private static String percentDecode(String s) throws InvalidEncoding {
        if (s.indexOf('%') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        byte[] bytes = new byte[s.length()];
        int pending = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                bytes[pending++] = (byte) (hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
                i += 3;
                continue;
            }
            pending = flush(bytes, pending, out);
            if (c == '%' && i + 1 < s.length() && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U')
                    && isHex4(s, i + 2)) {
                out.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                i += 6;
                continue;
            }
            out.append(c);
            i++;
        }
        flush(bytes, pending, out);
        return out.toString();
    }

    private static boolean isHex4(String s, int from) {
        if (from + 4 > s.length()) {
            return false;
        }
        for (int k = from; k < from + 4; k++) {
            if (hex(s.charAt(k)) < 0) {
                return false;
            }
        }
        return true;
    }

    private static int flush(byte[] bytes, int pending, StringBuilder out) throws InvalidEncoding {
        if (pending == 0) {
            return 0;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes, 0, pending));
            out.append(chars);
        } catch (CharacterCodingException e) {
            throw new InvalidEncoding();
        }
        return 0;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    // ------------------------------------------------------------------------------------------------
    // Rules

    @FunctionalInterface
    private interface Test {
        boolean broken(Reading reading, Reading raw);
    }

    private record Rule(Reason reason, Test test) { }

    private static final List<Rule> RULES = List.of(
            new Rule(Reason.DRIVE_OR_UNC, (r, raw) -> startsWithTwoSeparators(r.text()) || DRIVE.matcher(r.text()).find()),
            new Rule(Reason.SCHEME, (r, raw) -> SCHEME.matcher(r.text()).find()),
            new Rule(Reason.ABSOLUTE, (r, raw) -> isSeparator(r.text().charAt(0))),
            new Rule(Reason.HOME_EXPANSION, (r, raw) -> r.text().charAt(0) == '~'),
            new Rule(Reason.TRAVERSAL, (r, raw) -> r.segments().stream().anyMatch(s -> dotsOnly(s) >= 2)),
            new Rule(Reason.DOT_SEGMENT, (r, raw) -> r.segments().stream().anyMatch(s -> dotsOnly(s) == 1)),
            new Rule(Reason.NOT_UNDER_NOTES, (r, raw) -> isRootItself(r)),
            new Rule(Reason.EMPTY_SEGMENT, (r, raw) -> r.segments().stream().anyMatch(String::isBlank)),
            new Rule(Reason.LEADING_OR_TRAILING_WHITESPACE,
                    (r, raw) -> isWhitespace(r.text().codePointAt(0)) || isWhitespace(r.text().codePointBefore(r.text().length()))),
            new Rule(Reason.NOT_UNDER_NOTES, (r, raw) -> r.segments().size() < 2 || !ROOT.equals(r.segments().get(0))),
            new Rule(Reason.CONTROL_CHARACTER, (r, raw) -> r.text().codePoints().anyMatch(PathValidator::isControl)),
            new Rule(Reason.INVISIBLE_CHARACTER, (r, raw) -> r.text().codePoints().anyMatch(PathValidator::isInvisible)),
            new Rule(Reason.BACKSLASH, (r, raw) -> !r.decoded() && r.text().indexOf('\\') >= 0
                    && separatorCount(r.text()) == separatorCount(raw.text())),
            new Rule(Reason.ENCODED_SEPARATOR, (r, raw) -> r.decoded() && separatorCount(r.text()) != separatorCount(raw.text())),
            new Rule(Reason.CONFUSABLE_CHARACTER, (r, raw) -> separatorCount(r.text()) != separatorCount(raw.text())
                    || hasConfusable(r.text())),
            new Rule(Reason.COLON, (r, raw) -> r.text().indexOf(':') >= 0),
            new Rule(Reason.FORBIDDEN_CHARACTER, (r, raw) -> r.text().chars().anyMatch(c -> FORBIDDEN.indexOf(c) >= 0)
                    || hasWindowsVariable(r.text())),
            new Rule(Reason.TOO_LONG, (r, raw) -> r.text().length() > MAX_LENGTH),
            new Rule(Reason.TOO_DEEP, (r, raw) -> r.segments().size() > MAX_DEPTH),
            new Rule(Reason.SEGMENT_TOO_LONG, (r, raw) -> r.segments().stream()
                    .anyMatch(s -> s.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES)),
            new Rule(Reason.RESERVED_NAME, (r, raw) -> r.segments().stream().anyMatch(PathValidator::isReserved)),
            new Rule(Reason.TRAILING_DOT_OR_SPACE, (r, raw) -> r.segments().stream().anyMatch(s -> !s.isEmpty()
                    && (s.endsWith(".") || isWhitespace(s.codePointBefore(s.length()))))),
            new Rule(Reason.LEADING_OR_TRAILING_WHITESPACE, (r, raw) -> r.segments().stream()
                    .anyMatch(s -> !s.isEmpty() && isWhitespace(s.codePointAt(0)))));

    private static List<String> split(String text) {
        List<String> segments = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (isSeparator(text.charAt(i))) {
                segments.add(text.substring(start, i));
                start = i + 1;
            }
        }
        segments.add(text.substring(start));
        return segments;
    }

    private static boolean isSeparator(char c) {
        return c == '/' || c == '\\';
    }

    private static int separatorCount(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (isSeparator(s.charAt(i))) {
                n++;
            }
        }
        return n;
    }

    private static boolean startsWithTwoSeparators(String s) {
        return s.length() >= 2 && isSeparator(s.charAt(0)) && isSeparator(s.charAt(1));
    }

    private static boolean isRootItself(Reading r) {
        List<String> segments = r.segments();
        if (segments.isEmpty() || !ROOT.equals(segments.get(0))) {
            return false;
        }
        return segments.stream().skip(1).allMatch(String::isEmpty);
    }

    /**
     * The number of dots when the significant part of a segment (before {@code ; : ? #} or NUL) holds only
     * dots and spaces, else 0.
     */
    private static int dotsOnly(String segment) {
        int dots = 0;
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == ';' || c == ':' || c == '?' || c == '#' || c == '\0') {
                break;
            }
            if (c == '.') {
                dots++;
            } else if (c != ' ') {
                return 0;
            }
        }
        return dots;
    }

    private static boolean isWhitespace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    private static boolean isControl(int cp) {
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }

    private static boolean hasInvalidCodePoint(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (Character.getType(cp) == Character.SURROGATE || cp == 0xFFFD) {
                return true;
            }
            i += Character.charCount(cp);
        }
        return false;
    }

    private static boolean isInvisible(int cp) {
        int type = Character.getType(cp);
        if (type == Character.FORMAT || type == Character.PRIVATE_USE || type == Character.UNASSIGNED) {
            return true;
        }
        return cp == 0x034F                          // combining grapheme joiner
                || cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0  // Hangul fillers
                || cp == 0x17B4 || cp == 0x17B5     // Khmer inherent vowels
                || (cp >= 0x180B && cp <= 0x180F)   // Mongolian free variation selectors, vowel separator
                || (cp >= 0xFE00 && cp <= 0xFE0F)   // variation selectors
                || (cp >= 0xE0100 && cp <= 0xE01EF) // variation selectors supplement
                || cp == 0x2800                     // Braille pattern blank
                || cp == 0xFFFC;                    // object replacement character
    }

    private static boolean hasConfusable(String s) {
        int previous = '/';
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= 0x80 && isConfusable(cp)) {
                return true;
            }
            int type = Character.getType(cp);
            boolean mark = type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                    || type == Character.COMBINING_SPACING_MARK;
            if (mark && (previous == '/' || previous == '\\' || previous == '.')) {
                return true;
            }
            previous = cp;
        }
        return false;
    }

    private static boolean isConfusable(int cp) {
        if (cp <= 0xFFFF) {
            char c = (char) cp;
            if (DOT_LOOKALIKES.indexOf(c) >= 0 || SLASH_LOOKALIKES.indexOf(c) >= 0
                    || BACKSLASH_LOOKALIKES.indexOf(c) >= 0 || COLON_LOOKALIKES.indexOf(c) >= 0
                    || OVERLAY_LOOKALIKES.indexOf(c) >= 0) {
                return true;
            }
        }
        if (cp == 0x10A50) {                         // Kharoshthi punctuation dot
            return true;
        }
        if (Character.getType(cp) == Character.SPACE_SEPARATOR && cp != 0x3000) {
            return true;                             // NBSP, en/em/thin spaces... look like U+0020
        }
        String folded = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC);
        for (int k = 0; k < folded.length(); k++) {
            char f = folded.charAt(k);
            if (SIGNIFICANT.indexOf(f) >= 0 || DOT_LOOKALIKES.indexOf(f) >= 0 || SLASH_LOOKALIKES.indexOf(f) >= 0
                    || BACKSLASH_LOOKALIKES.indexOf(f) >= 0 || COLON_LOOKALIKES.indexOf(f) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** {@code %NAME%}, unless the name is a percent escape ({@code %C3%84} holds {@code %C3%}). */
    private static boolean hasWindowsVariable(String s) {
        Matcher m = WINDOWS_VARIABLE.matcher(s);
        int from = 0;
        while (from < s.length() && m.find(from)) {
            String name = m.group(1);
            boolean escape = name.length() == 2 && hex(name.charAt(0)) >= 0 && hex(name.charAt(1)) >= 0;
            if (!escape) {
                return true;
            }
            from = m.end() - 1; // the closing % may open the next escape or variable
        }
        return false;
    }

    private static boolean isReserved(String segment) {
        if (segment.isEmpty()) {
            return false;
        }
        String upper = segment.toUpperCase(Locale.ROOT);
        int dot = upper.indexOf('.');
        String base = (dot >= 0 ? upper.substring(0, dot) : upper).stripTrailing();
        if (RESERVED_DEVICE.matcher(base).matches()) {
            return true;
        }
        if (NTFS_METADATA.contains(base)) {
            return true;
        }
        return SHORT_NAME_ALIAS.matcher(base).matches();
    }
}
