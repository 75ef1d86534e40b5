package com.silknote.sync.core.path;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.path.PathReadings.InvalidEncoding;
import com.silknote.sync.core.path.PathReadings.Reading;
import com.silknote.sync.core.path.PathVerdict.Reason;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Validates VSRX file paths. A path here is metadata ({@code originalPath}): blobs are content-addressed and
 * no path is ever used to open a file. So the validator rejects what is <em>dangerous or ambiguous</em> for
 * whoever later reads the path (a traversal out of {@code notes/} under any decoding, absolute, drive and UNC
 * paths, control, bidirectional and stray invisible characters, over-long paths) and accepts what people
 * really name files, in any language: {@code #}, {@code ;}, {@code :}, {@code %}, no-break spaces, emoji
 * sequences, NFD names, {@code µg}, {@code CON.pdf}, {@code Befund….pdf}. {@code docs/path-rules.md} gives the
 * reason for each rule. Pure, thread-safe, no I/O.
 *
 * <h2>Readings</h2>
 * The validator does not guess which decoding a consumer applies; it builds every reading (see
 * {@code PathReadings}): Unicode NFC and NFKC, a best-fit look-alike map (dots, slashes, backslashes including
 * U+00A5 and U+20A9, colons), HTML character references and percent-decoding (repeated, at most three
 * layers), with the backslash as a separator in every reading. Containment rules hold for every reading;
 * structure rules (a separator hidden in an escape or a compatibility character) for the readings named.
 *
 * <h2>Rules, in the order they are checked (the first broken rule is the reported {@link Reason})</h2>
 * <ol>
 * <li>{@code EMPTY}: the empty string, or a reading that decodes to nothing.</li>
 * <li>{@code TOO_LONG}: more than {@value #MAX_LENGTH} UTF-16 chars before decoding.</li>
 * <li>{@code INVALID_ENCODING}: escaped bytes that a lenient decoder could read as ASCII or a surrogate
 *     (overlong {@code %c0%ae}, {@code %e0%80%ae}, encoded surrogates, five-byte forms), a character reference
 *     to NUL, a surrogate or beyond U+10FFFF, a lone surrogate, U+FFFD, or more than three encoding layers.
 *     Other bytes that are not UTF-8 ({@code 100%Befund}: {@code %Be}) are read as Latin-1 and checked.</li>
 * <li>{@code DRIVE_OR_UNC}, {@code SCHEME}, {@code ABSOLUTE}, {@code HOME_EXPANSION}: a reading starts with two
 *     separators or a drive letter and colon, a URI scheme, a separator, or {@code ~}.</li>
 * <li>{@code TRAVERSAL}: a segment whose significant part (before {@code ;}, {@code :}, {@code ?},
 *     {@code #} or NUL) is only dots and spaces with at least two dots; {@code DOT_SEGMENT}: one dot.</li>
 * <li>{@code NOT_UNDER_NOTES}: a reading is {@code notes} itself.</li>
 * <li>{@code EMPTY_SEGMENT}: an empty or blank segment (not counting separators only a best-fit map sees).</li>
 * <li>{@code LEADING_OR_TRAILING_WHITESPACE}: the path starts or ends with whitespace.</li>
 * <li>{@code NOT_UNDER_NOTES}: the first segment is not exactly {@code notes}.</li>
 * <li>{@code CONTROL_CHARACTER}: C0 and C1 controls, DEL, NUL, U+2028, U+2029.</li>
 * <li>{@code INVISIBLE_CHARACTER}: format (Cf, bidirectional controls included), private-use and unassigned
 *     characters and other invisible ones, unless part of a valid sequence: an emoji ZWJ, keycap, presentation
 *     or tag sequence, or a joiner of Indic or Arabic-script writing.</li>
 * <li>{@code BACKSLASH}: a backslash in the path itself.</li>
 * <li>{@code ENCODED_SEPARATOR}: a decoded reading (normalised or not) has more separators than the path.</li>
 * <li>{@code CONFUSABLE_CHARACTER}: NFKC turns a character into a separator ({@code ／}, {@code ℅}), or the
 *     path holds a slash or backslash look-alike, a combining slash overlay, or a combining mark at the start
 *     of a segment or on a dot or separator.</li>
 * <li>{@code TOO_LONG}, {@code TOO_DEEP}, {@code SEGMENT_TOO_LONG}: a reading longer than {@value #MAX_LENGTH}
 *     chars, deeper than {@value #MAX_DEPTH} segments, or with a segment over {@value #MAX_SEGMENT_BYTES}
 *     UTF-8 bytes.</li>
 * <li>{@code LEADING_OR_TRAILING_WHITESPACE}: a segment starts or ends with whitespace (not counting separators
 *     only a best-fit map sees).</li>
 * </ol>
 *
 * <h2>Accepted paths</h2>
 * The normalized form is the raw path in NFC. It is <em>not</em> percent-decoded: VSRX paths are literal
 * names, and a benign escape ({@code notes/Scan%20001.pdf}) is accepted only because every reading of it is
 * safe.
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
    static final int MAX_DECODING_ROUNDS = PathReadings.MAX_DECODING_ROUNDS;

    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.\\-]*:");

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
     * spaces and {@code - _ . ( ) [ ] { } ' + , = @ ! ^ ~ $ * < > | "} and backtick, each starting with neither
     * a space nor ending with a dot or space, at most {@value #MAX_SEGMENT_BYTES} chars, the whole at most
     * {@value #MAX_LENGTH} chars. Such a path has a single reading (no {@code %}, {@code &} or non-ASCII
     * character to decode or normalise; no {@code ; : ? #} that cuts a segment's significant part; a segment
     * not ending with a dot is never dots only) and breaks none of the rules; anything else, including every
     * path that merely looks unusual, goes through the full check. {@code false} never means rejected.
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
                if (first == ' ' || last == ' ' || last == '.') {
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
            case ' ', '-', '_', '.', '(', ')', '[', ']', '{', '}', '\'', '+', ',', '=', '@', '!', '^', '~', '$', '*',
                    '<', '>', '|', '"', '`':
                return true;
            default:
                return false;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Rules

    private static Optional<Reason> firstViolation(String raw) {
        if (raw.isEmpty()) {
            return Optional.of(Reason.EMPTY);
        }
        if (raw.length() > MAX_LENGTH) {
            return Optional.of(Reason.TOO_LONG);
        }
        List<Reading> readings;
        try {
            readings = PathReadings.of(raw);
        } catch (InvalidEncoding e) {
            return Optional.of(Reason.INVALID_ENCODING);
        }
        for (Reading r : readings) {
            if (r.text().isEmpty()) {
                return Optional.of(Reason.EMPTY);
            }
            if (NameCharacters.hasInvalidCodePoint(r.text())) {
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

    @FunctionalInterface
    private interface Test {
        boolean broken(Reading reading, Reading raw);
    }

    private record Rule(Reason reason, Test test) { }

    private static final List<Rule> RULES = List.of(
            // containment: every reading stays strictly inside notes/
            new Rule(Reason.DRIVE_OR_UNC, (r, raw) -> startsWithTwoSeparators(r.text()) || DRIVE.matcher(r.text()).find()),
            new Rule(Reason.SCHEME, (r, raw) -> SCHEME.matcher(r.text()).find()),
            new Rule(Reason.ABSOLUTE, (r, raw) -> PathReadings.isSeparator(r.text().charAt(0))),
            new Rule(Reason.HOME_EXPANSION, (r, raw) -> r.text().charAt(0) == '~'),
            new Rule(Reason.TRAVERSAL, (r, raw) -> r.segments().stream().anyMatch(s -> dotsOnly(s) >= 2)),
            new Rule(Reason.DOT_SEGMENT, (r, raw) -> r.segments().stream().anyMatch(s -> dotsOnly(s) == 1)),
            new Rule(Reason.NOT_UNDER_NOTES, (r, raw) -> isRootItself(r)),
            new Rule(Reason.EMPTY_SEGMENT, (r, raw) -> !r.mapped() && r.segments().stream().anyMatch(String::isBlank)),
            new Rule(Reason.LEADING_OR_TRAILING_WHITESPACE, (r, raw) -> NameCharacters.isWhitespace(r.text().codePointAt(0))
                    || NameCharacters.isWhitespace(r.text().codePointBefore(r.text().length()))),
            new Rule(Reason.NOT_UNDER_NOTES, (r, raw) -> r.segments().size() < 2 || !ROOT.equals(r.segments().get(0))),
            // characters that are never part of a name
            new Rule(Reason.CONTROL_CHARACTER, (r, raw) -> r.text().codePoints().anyMatch(NameCharacters::isControl)),
            new Rule(Reason.INVISIBLE_CHARACTER, (r, raw) -> NameCharacters.hasStrayInvisible(r.text())),
            // ambiguous structure: one reader sees a separator another does not
            new Rule(Reason.BACKSLASH, (r, raw) -> !r.decoded() && !r.mapped() && r.text().indexOf('\\') >= 0
                    && PathReadings.separatorCount(r.text()) == PathReadings.separatorCount(raw.text())),
            new Rule(Reason.ENCODED_SEPARATOR, (r, raw) -> r.decoded() && !r.mapped()
                    && PathReadings.separatorCount(r.text()) != PathReadings.separatorCount(raw.text())),
            new Rule(Reason.CONFUSABLE_CHARACTER, (r, raw) -> !r.decoded() && r.nfkc() && !r.mapped()
                    && PathReadings.separatorCount(r.text()) != PathReadings.separatorCount(raw.text())
                    || r.literal() && NameCharacters.hasConfusable(r.text())),
            // bounded size
            new Rule(Reason.TOO_LONG, (r, raw) -> r.text().length() > MAX_LENGTH),
            new Rule(Reason.TOO_DEEP, (r, raw) -> r.segments().size() > MAX_DEPTH),
            new Rule(Reason.SEGMENT_TOO_LONG, (r, raw) -> r.segments().stream()
                    .anyMatch(s -> s.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES)),
            // invisible padding of a name
            new Rule(Reason.LEADING_OR_TRAILING_WHITESPACE, (r, raw) -> !r.mapped() && r.segments().stream().anyMatch(s -> !s.isEmpty()
                    && (NameCharacters.isWhitespace(s.codePointAt(0))
                    || NameCharacters.isWhitespace(s.codePointBefore(s.length()))))));

    private static boolean startsWithTwoSeparators(String s) {
        return s.length() >= 2 && PathReadings.isSeparator(s.charAt(0)) && PathReadings.isSeparator(s.charAt(1));
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
}
