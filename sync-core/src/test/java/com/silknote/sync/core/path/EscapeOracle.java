package com.silknote.sync.core.path;

import java.io.ByteArrayOutputStream;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An oracle for DESIGN rule 11, written apart from {@link PathValidator} so the fuzz tests do not merely
 * agree with its own reading: the readings a consumer could give a path (percent-decoding as strict UTF-8
 * and as lenient UTF-8 that takes overlong forms; IIS {@code %uXXXX}; HTML character
 * references; NFC and NFKC; backslash as a separator), applied repeatedly, and for each reading the places a
 * consumer would resolve it to (as is, cut at NUL, with servlet path parameters removed, with Windows' trailing
 * dot and space stripping). A path escapes when any of them leaves {@code notes/}.
 */
final class EscapeOracle {
    /** How many rounds of decoding; more than the validator's layers, so a deeper encoding shows too. */
    static final int ROUNDS = 6;
    /** Bound on the readings of one path. */
    static final int MAX_READINGS = 512;

    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:");
    private static final Pattern NUMERIC_REFERENCE = Pattern.compile("&#(?:[xX]([0-9A-Fa-f]{1,6})|([0-9]{1,7}));?");
    private static final Pattern NAMED_REFERENCE = Pattern.compile(
            "&(period|sol|bsol|colon|percnt|amp|semi|nbsp|Tab|NewLine|nul);");
    private static final Pattern IIS_ESCAPE = Pattern.compile("%[uU]([0-9A-Fa-f]{4})");

    private EscapeOracle() { }

    /** Why an accepted path is unsafe under some reading; empty when every reading stays inside. */
    static Optional<String> violation(String raw) {
        for (String reading : readings(raw)) {
            for (int i = 0; i < reading.length(); i++) {
                char c = reading.charAt(i);
                if (isControlOrBidi(c)) {
                    return Optional.of(String.format(Locale.ROOT, "control or bidi character U+%04X in reading %s",
                            (int) c, escape(reading)));
                }
            }
            for (String resolved : resolutions(reading)) {
                if (!staysInsideNotes(resolved)) {
                    return Optional.of("reading " + escape(reading) + " resolves outside notes/ as "
                            + escape(resolved));
                }
            }
        }
        return Optional.empty();
    }

    /** The raw path and everything repeated decoding and normalisation make of it. */
    static Set<String> readings(String raw) {
        Set<String> all = new LinkedHashSet<>();
        all.add(raw);
        List<String> frontier = List.of(raw);
        for (int round = 0; round < ROUNDS && !frontier.isEmpty(); round++) {
            List<String> next = new ArrayList<>();
            for (String s : frontier) {
                for (String t : transforms(s)) {
                    if (all.size() >= MAX_READINGS) {
                        return all;
                    }
                    if (all.add(t)) {
                        next.add(t);
                    }
                }
            }
            frontier = next;
        }
        return all;
    }

    private static List<String> transforms(String s) {
        List<String> out = new ArrayList<>();
        if (s.indexOf('%') >= 0) {
            out.add(percentDecode(s, Charset.UTF8_STRICT));
            out.add(percentDecode(s, Charset.UTF8_LENIENT));
            out.add(replaceAll(IIS_ESCAPE, s, m -> String.valueOf((char) Integer.parseInt(m.group(1), 16))));
        }
        if (s.indexOf('&') >= 0) {
            out.add(references(s));
        }
        out.add(Normalizer.normalize(s, Normalizer.Form.NFC));
        out.add(Normalizer.normalize(s, Normalizer.Form.NFKC));
        if (s.indexOf('\\') >= 0) {
            out.add(s.replace('\\', '/'));
        }
        return out;
    }

    /** The places a reading names, for consumers that cut or trim segments. */
    static List<String> resolutions(String reading) {
        String p = reading.replace('\\', '/');
        List<String> out = new ArrayList<>();
        out.add(p);
        int nul = p.indexOf('\0');
        if (nul >= 0) {
            out.add(p.substring(0, nul));
        }
        out.add(mapSegments(p, seg -> {
            int semi = seg.indexOf(';');
            return semi >= 0 ? seg.substring(0, semi) : seg;
        }));
        out.add(mapSegments(p, EscapeOracle::windowsTrim));
        return out;
    }

    /** Windows drops trailing dots and spaces of a name: {@code ".. "} and {@code "..."} mean {@code ".."}. */
    private static String windowsTrim(String seg) {
        boolean onlyDotsAndSpaces = !seg.isEmpty() && seg.chars().allMatch(c -> c == '.' || c == ' ');
        if (onlyDotsAndSpaces) {
            long dots = seg.chars().filter(c -> c == '.').count();
            return dots >= 2 ? ".." : dots == 1 ? "." : "";
        }
        int end = seg.length();
        while (end > 0 && (seg.charAt(end - 1) == '.' || seg.charAt(end - 1) == ' ')) {
            end--;
        }
        return seg.substring(0, end);
    }

    private static String mapSegments(String p, java.util.function.UnaryOperator<String> f) {
        String[] segs = p.split("/", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < segs.length; i++) {
            if (i > 0) {
                sb.append('/');
            }
            sb.append(f.apply(segs[i]));
        }
        return sb.toString();
    }

    /** Strictly inside {@code notes/} when resolved the way a file system would, never passing above the root. */
    static boolean staysInsideNotes(String p) {
        if (p.startsWith("/") || DRIVE.matcher(p).find()) {
            return false;
        }
        List<String> stack = new ArrayList<>();
        for (String seg : p.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                if (stack.isEmpty()) {
                    return false;
                }
                stack.remove(stack.size() - 1);
            } else {
                stack.add(seg);
            }
        }
        return stack.size() >= 2 && stack.get(0).equals(PathValidator.ROOT);
    }

    static boolean isControlOrBidi(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u061C' || c == '\u200E' || c == '\u200F'
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
    }

    private enum Charset { UTF8_STRICT, UTF8_LENIENT }

    private static String percentDecode(String s, Charset cs) {
        StringBuilder out = new StringBuilder(s.length());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                bytes.write(hex(s.charAt(i + 1)) << 4 | hex(s.charAt(i + 2)));
                i += 2;
                continue;
            }
            flush(bytes, out, cs);
            out.append(c);
        }
        flush(bytes, out, cs);
        return out.toString();
    }

    private static void flush(ByteArrayOutputStream bytes, StringBuilder out, Charset cs) {
        if (bytes.size() == 0) {
            return;
        }
        byte[] b = bytes.toByteArray();
        bytes.reset();
        switch (cs) {
            case UTF8_STRICT -> out.append(new String(b, java.nio.charset.StandardCharsets.UTF_8));
            case UTF8_LENIENT -> lenientUtf8(b, out);
            default -> throw new IllegalStateException();
        }
    }

    /** UTF-8 the way old, lenient decoders read it: overlong forms ({@code C0 AE} = '.') are taken. */
    private static void lenientUtf8(byte[] b, StringBuilder out) {
        int i = 0;
        while (i < b.length) {
            int x = b[i] & 0xff;
            int need;
            int cp;
            if (x < 0x80) {
                out.append((char) x);
                i++;
                continue;
            } else if ((x & 0xe0) == 0xc0) {
                need = 1;
                cp = x & 0x1f;
            } else if ((x & 0xf0) == 0xe0) {
                need = 2;
                cp = x & 0x0f;
            } else if ((x & 0xf8) == 0xf0) {
                need = 3;
                cp = x & 0x07;
            } else {
                out.append('\uFFFD');
                i++;
                continue;
            }
            if (i + need >= b.length) {
                out.append('\uFFFD');
                i++;
                continue;
            }
            boolean ok = true;
            for (int k = 1; k <= need; k++) {
                int y = b[i + k] & 0xff;
                if ((y & 0xc0) != 0x80) {
                    ok = false;
                    break;
                }
                cp = cp << 6 | (y & 0x3f);
            }
            if (!ok || cp > 0x10FFFF) {
                out.append('\uFFFD');
                i++;
                continue;
            }
            out.appendCodePoint(cp);
            i += need + 1;
        }
    }

    private static String references(String s) {
        String t = replaceAll(NUMERIC_REFERENCE, s, m -> {
            int cp = m.group(1) != null ? Integer.parseInt(m.group(1), 16) : Integer.parseInt(m.group(2));
            return Character.isValidCodePoint(cp) ? new String(Character.toChars(cp)) : m.group();
        });
        return replaceAll(NAMED_REFERENCE, t, m -> switch (m.group(1)) {
            case "period" -> ".";
            case "sol" -> "/";
            case "bsol" -> "\\";
            case "colon" -> ":";
            case "percnt" -> "%";
            case "amp" -> "&";
            case "semi" -> ";";
            case "nbsp" -> "\u00A0";
            case "Tab" -> "\t";
            case "NewLine" -> "\n";
            default -> "\0";
        });
    }

    private static String replaceAll(Pattern p, String s, java.util.function.Function<Matcher, String> f) {
        Matcher m = p.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(f.apply(m)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static int hex(char c) {
        return Character.digit(c, 16) >= 0 && c < 0x80 ? Character.digit(c, 16) : -1;
    }

    /** A path made printable for a failure message (test output only; these are synthetic paths). */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else {
                sb.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
            }
        }
        return sb.append('"').toString();
    }
}
