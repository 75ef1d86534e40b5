package com.silknote.sync.core.path;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every reading a consumer could give a raw path: Unicode normalisation (NFC, NFKC), a "best-fit" look-alike
 * map, HTML character references and percent-decoding, repeated until nothing changes. Each reading remembers
 * how it was made, because some rules concern only some readings (a separator that only a best-fit
 * conversion sees cannot lead out of {@code notes/} unless it builds a traversal, which every reading is
 * checked for). Pure and thread-safe.
 */
final class PathReadings {
    /** Decoding rounds; a path that still changes after them has more than three layers and is rejected. */
    static final int MAX_DECODING_ROUNDS = 4;

    static final String DOT_LOOKALIKES = "\u2024\uFE52\uFF0E\u3002\uFF61\u0701\u0702\uA60E\u2E3C";
    static final String SLASH_LOOKALIKES = "\u2044\u2215\u29F8\uFF0F\u2571\u27CB\u1735";
    /** Backslash look-alikes; U+00A5 YEN SIGN and U+20A9 WON SIGN are the backslash of Japanese and Korean code pages. */
    static final String BACKSLASH_LOOKALIKES = "\u2216\u29F5\u29F9\uFE68\uFF3C\u2572\u27CD\u00A5\u20A9";
    static final String COLON_LOOKALIKES = "\u2236\uA789\u02F8\u0589\u05C3\u0703\u0704\uFF1A\uFE55\uFE13";

    private static final Pattern NUMERIC_REFERENCE = Pattern.compile("&#(?:[xX]([0-9A-Fa-f]{1,8})|([0-9]{1,10}));?");
    private static final Pattern NAMED_REFERENCE = Pattern.compile("&([A-Za-z]{2,8});");
    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("period", "."), Map.entry("sol", "/"), Map.entry("bsol", "\\"), Map.entry("colon", ":"),
            Map.entry("percnt", "%"), Map.entry("amp", "&"), Map.entry("semi", ";"), Map.entry("quest", "?"),
            Map.entry("num", "#"), Map.entry("dollar", "$"), Map.entry("tilde", "~"), Map.entry("lt", "<"),
            Map.entry("gt", ">"), Map.entry("quot", "\""), Map.entry("nbsp", "\u00A0"), Map.entry("Tab", "\t"),
            Map.entry("NewLine", "\n"), Map.entry("excl", "!"), Map.entry("ast", "*"), Map.entry("verbar", "|"),
            Map.entry("grave", "`"), Map.entry("nul", "\u0000"));

    private PathReadings() { }

    /**
     * One reading of the path.
     *
     * @param text     the reading
     * @param decoded  percent or character-reference decoding changed it (or an ancestor)
     * @param nfkc     every way to it went through compatibility normalisation
     * @param mapped   every way to it went through the look-alike map
     * @param segments the text split at {@code /} and {@code \}
     */
    record Reading(String text, boolean decoded, boolean nfkc, boolean mapped, List<String> segments) {
        Reading(String text, boolean decoded, boolean nfkc, boolean mapped) {
            this(text, decoded, nfkc, mapped, split(text));
        }

        /** The raw path, or a form that differs only by canonical composition or escapes. */
        boolean literal() {
            return !nfkc && !mapped;
        }
    }

    /** The path has invalid or too many layers of encoding. Carries no message: nothing of the path. */
    static final class InvalidEncoding extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidEncoding() {
            super(null, null, false, false);
        }
    }

    /** Every reading: the raw path first, then normalised and decoded forms, without duplicates. */
    static List<Reading> of(String raw) throws InvalidEncoding {
        if (isPlainAscii(raw)) {
            return List.of(new Reading(raw, false, false, false)); // no normalisation or decoding can change it
        }
        Map<String, Flags> seen = new LinkedHashMap<>();
        seen.put(raw, new Flags(false, false, false));
        // chain 1: normalise, map look-alikes, decode references, decode percent escapes
        String current = raw;
        Flags flags = new Flags(false, false, false);
        boolean stable = false;
        for (int round = 0; round < MAX_DECODING_ROUNDS && !stable; round++) {
            String nfc = Normalizer.normalize(current, Normalizer.Form.NFC);
            String nfkc = Normalizer.normalize(current, Normalizer.Form.NFKC);
            Flags nfkcFlags = new Flags(flags.decoded, !nfkc.equals(current) || flags.nfkc, flags.mapped);
            String mapped = mapLookalikes(nfkc);
            Flags mappedFlags = new Flags(flags.decoded, nfkcFlags.nfkc, !mapped.equals(nfkc) || flags.mapped);
            String refs = decodeReferences(mapped);
            Flags refsFlags = new Flags(flags.decoded || !refs.equals(mapped), mappedFlags.nfkc, mappedFlags.mapped);
            String percent = percentDecode(refs);
            Flags percentFlags = new Flags(refsFlags.decoded || !percent.equals(refs), refsFlags.nfkc,
                    refsFlags.mapped);
            add(seen, nfc, flags);
            add(seen, nfkc, nfkcFlags);
            add(seen, mapped, mappedFlags);
            add(seen, refs, refsFlags);
            add(seen, percent, percentFlags);
            stable = percent.equals(current);
            current = percent;
            flags = percentFlags;
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
            add(seen, refs, new Flags(!refs.equals(raw), false, false));
            add(seen, percent, new Flags(!percent.equals(raw), false, false));
            add(seen, Normalizer.normalize(percent, Normalizer.Form.NFC), new Flags(!percent.equals(raw), false, false));
            stable = percent.equals(current);
            current = percent;
        }
        if (!stable) {
            throw new InvalidEncoding();
        }
        List<Reading> out = new ArrayList<>(seen.size());
        seen.forEach((text, f) -> out.add(new Reading(text, f.decoded, f.nfkc, f.mapped)));
        return out;
    }

    /** How a reading was made; merged over every way to the same text (decoded if any, nfkc/mapped if all). */
    private record Flags(boolean decoded, boolean nfkc, boolean mapped) { }

    private static void add(Map<String, Flags> seen, String text, Flags flags) {
        seen.merge(text, flags, (a, b) -> new Flags(a.decoded || b.decoded, a.nfkc && b.nfkc, a.mapped && b.mapped));
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

    static List<String> split(String text) {
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

    static boolean isSeparator(char c) {
        return c == '/' || c == '\\';
    }

    static int separatorCount(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (isSeparator(s.charAt(i))) {
                n++;
            }
        }
        return n;
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

    /**
     * Decodes {@code %XX} runs as UTF-8 and {@code %uXXXX} as UTF-16 units; a {@code %} not followed by two hex
     * digits stays. A byte that starts no valid UTF-8 sequence is read as the Latin-1 character of the same
     * value (what a lenient decoder shows: {@code 100%Befund} holds {@code %Be}, read as {@code ¾}), except the
     * forms a lenient decoder could turn into ASCII or a surrogate, which are refused.
     */
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

    /** Decodes one run of escaped bytes; see {@link #percentDecode}. */
    private static int flush(byte[] bytes, int pending, StringBuilder out) throws InvalidEncoding {
        int i = 0;
        while (i < pending) {
            int b0 = bytes[i] & 0xFF;
            int length = b0 < 0x80 ? 1 : b0 >= 0xC2 && b0 <= 0xDF ? 2 : b0 >= 0xE0 && b0 <= 0xEF ? 3
                    : b0 >= 0xF0 && b0 <= 0xF4 ? 4 : 0;
            if (length > 0 && i + length <= pending && wellFormed(bytes, i, length)) {
                int cp = length == 1 ? b0 : b0 & (0xFF >> (length + 1));
                for (int k = 1; k < length; k++) {
                    cp = (cp << 6) | (bytes[i + k] & 0x3F);
                }
                out.appendCodePoint(cp);
                i += length;
                continue;
            }
            if (overlongOrSurrogate(bytes, i, pending)) {
                throw new InvalidEncoding();
            }
            out.append((char) b0); // a lenient decoder's Latin-1 reading
            i++;
        }
        return 0;
    }

    /** A complete UTF-8 sequence in the shortest form (no overlong form, no surrogate, at most U+10FFFF). */
    private static boolean wellFormed(byte[] b, int at, int length) {
        for (int k = 1; k < length; k++) {
            if ((b[at + k] & 0xC0) != 0x80) {
                return false;
            }
        }
        int b0 = b[at] & 0xFF;
        int b1 = length > 1 ? b[at + 1] & 0xFF : 0;
        return switch (b0) {
            case 0xE0 -> b1 >= 0xA0;
            case 0xED -> b1 <= 0x9F;
            case 0xF0 -> b1 >= 0x90;
            case 0xF4 -> b1 <= 0x8F;
            default -> true;
        };
    }

    /**
     * Bytes a lenient (overlong-accepting) decoder reads as a character that strict UTF-8 encodes otherwise:
     * {@code C0}/{@code C1} leads (two-byte forms of ASCII such as {@code %c0%ae} = "."), three- and four-byte
     * overlong forms, encoded surrogates, values above U+10FFFF and five- or six-byte forms.
     */
    private static boolean overlongOrSurrogate(byte[] b, int at, int end) {
        int b0 = b[at] & 0xFF;
        if (b0 == 0xC0 || b0 == 0xC1) {
            return true;
        }
        if (at + 1 >= end || (b[at + 1] & 0xC0) != 0x80) {
            return false;
        }
        int b1 = b[at + 1] & 0xFF;
        return b0 == 0xE0 && b1 <= 0x9F || b0 == 0xED && b1 >= 0xA0 || b0 == 0xF0 && b1 <= 0x8F
                || b0 == 0xF4 && b1 >= 0x90 || b0 >= 0xF5;
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
}
