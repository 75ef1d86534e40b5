package com.silknote.sync.core.path;

import java.util.Arrays;
import java.util.Set;

/**
 * Character classes of the path rules: controls, invisible characters (and the sequences in which an
 * invisible character is part of real writing: emoji sequences and the joiners of Arabic and Indic
 * scripts), look-alikes of separators. Pure and thread-safe.
 */
final class NameCharacters {
    static final int ZWNJ = 0x200C;
    static final int ZWJ = 0x200D;
    private static final int VS15 = 0xFE0E;
    private static final int VS16 = 0xFE0F;
    private static final int BLACK_FLAG = 0x1F3F4;
    private static final int CANCEL_TAG = 0xE007F;

    /** Combining overlays that draw a slash or backslash over the previous character. */
    private static final String OVERLAY_LOOKALIKES = "\u0337\u0338\u20E5\u20EB";

    /**
     * Extended_Pictographic (Unicode emoji-data.txt, UTS #51) as inclusive ranges. It includes code points
     * not yet assigned, reserved for future pictographs, so emoji newer than the JDK's Unicode version pass.
     */
    private static final int[] PICTOGRAPHIC = {
        0x00A9, 0x00A9, 0x00AE, 0x00AE, 0x203C, 0x203C, 0x2049, 0x2049, 0x2122, 0x2122, 0x2139, 0x2139,
        0x2194, 0x2199, 0x21A9, 0x21AA, 0x231A, 0x231B, 0x2328, 0x2328, 0x2388, 0x2388, 0x23CF, 0x23CF,
        0x23E9, 0x23F3, 0x23F8, 0x23FA, 0x24C2, 0x24C2, 0x25AA, 0x25AB, 0x25B6, 0x25B6, 0x25C0, 0x25C0,
        0x25FB, 0x25FE, 0x2600, 0x2605, 0x2607, 0x2612, 0x2614, 0x2685, 0x2690, 0x2705, 0x2708, 0x2712,
        0x2714, 0x2714, 0x2716, 0x2716, 0x271D, 0x271D, 0x2721, 0x2721, 0x2728, 0x2728, 0x2733, 0x2734,
        0x2744, 0x2744, 0x2747, 0x2747, 0x274C, 0x274C, 0x274E, 0x274E, 0x2753, 0x2755, 0x2757, 0x2757,
        0x2763, 0x2767, 0x2795, 0x2797, 0x27A1, 0x27A1, 0x27B0, 0x27B0, 0x27BF, 0x27BF, 0x2934, 0x2935,
        0x2B05, 0x2B07, 0x2B1B, 0x2B1C, 0x2B50, 0x2B50, 0x2B55, 0x2B55, 0x3030, 0x3030, 0x303D, 0x303D,
        0x3297, 0x3297, 0x3299, 0x3299, 0x1F000, 0x1F0FF, 0x1F10D, 0x1F10F, 0x1F12F, 0x1F12F,
        0x1F16C, 0x1F171, 0x1F17E, 0x1F17F, 0x1F18E, 0x1F18E, 0x1F191, 0x1F19A, 0x1F1AD, 0x1F1E5,
        0x1F201, 0x1F20F, 0x1F21A, 0x1F21A, 0x1F22F, 0x1F22F, 0x1F232, 0x1F23A, 0x1F23C, 0x1F23F,
        0x1F249, 0x1F3FA, 0x1F400, 0x1F53D, 0x1F546, 0x1F64F, 0x1F680, 0x1F6FF, 0x1F774, 0x1F77F,
        0x1F7D5, 0x1F7FF, 0x1F80C, 0x1F80F, 0x1F848, 0x1F84F, 0x1F85A, 0x1F85F, 0x1F888, 0x1F88F,
        0x1F8AE, 0x1F8FF, 0x1F90C, 0x1F93A, 0x1F93C, 0x1F945, 0x1F947, 0x1FAFF, 0x1FC00, 0x1FFFD,
    };
    private static final int[] PICTOGRAPHIC_STARTS = starts();

    /** Characters with Indic_Syllabic_Category Virama (the main Brahmic scripts). */
    private static final Set<Integer> VIRAMAS = Set.of(0x094D, 0x09CD, 0x0A4D, 0x0ACD, 0x0B4D, 0x0BCD, 0x0C4D,
            0x0CCD, 0x0D3B, 0x0D3C, 0x0D4D, 0x0DCA, 0x0E3A, 0x0F84, 0x1039, 0x103A, 0x1714, 0x1734, 0x17D2, 0x1A60,
            0x1B44, 0x1BAA, 0x1BAB, 0x1BF2, 0x1BF3, 0xA806, 0xA82C, 0xA8C4, 0xA953, 0xA9C0, 0xAAF6, 0xABED,
            0x10A3F, 0x11046, 0x1107F, 0x110B9, 0x11133, 0x11134, 0x111C0, 0x11235, 0x112EA, 0x1134D, 0x11442,
            0x114C2, 0x115BF, 0x1163F, 0x116B6, 0x1172B, 0x11839, 0x1193D, 0x1193E, 0x119E0, 0x11A34, 0x11A47,
            0x11A99, 0x11C3F, 0x11D44, 0x11D45, 0x11D97);

    /** Scripts whose letters join, where a zero-width non-joiner between letters is ordinary spelling (Persian). */
    private static final Set<Character.UnicodeScript> JOINING_SCRIPTS = Set.of(Character.UnicodeScript.ARABIC,
            Character.UnicodeScript.SYRIAC, Character.UnicodeScript.NKO, Character.UnicodeScript.MONGOLIAN,
            Character.UnicodeScript.MANDAIC, Character.UnicodeScript.MANICHAEAN,
            Character.UnicodeScript.PSALTER_PAHLAVI, Character.UnicodeScript.ADLAM,
            Character.UnicodeScript.HANIFI_ROHINGYA, Character.UnicodeScript.SOGDIAN,
            Character.UnicodeScript.PHAGS_PA);

    private NameCharacters() { }

    private static int[] starts() {
        int[] s = new int[PICTOGRAPHIC.length / 2];
        for (int i = 0; i < s.length; i++) {
            s[i] = PICTOGRAPHIC[2 * i];
        }
        return s;
    }

    static boolean isWhitespace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    /** C0 and C1 controls (NUL and DEL included), U+2028 and U+2029. */
    static boolean isControl(int cp) {
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** A lone surrogate or U+FFFD (something upstream already lost data). */
    static boolean hasInvalidCodePoint(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (Character.getType(cp) == Character.SURROGATE || cp == 0xFFFD) {
                return true;
            }
            i += Character.charCount(cp);
        }
        return false;
    }

    static boolean isPictographic(int cp) {
        int i = Arrays.binarySearch(PICTOGRAPHIC_STARTS, cp);
        int range = i >= 0 ? i : -i - 2;
        return range >= 0 && cp <= PICTOGRAPHIC[2 * range + 1];
    }

    /**
     * {@code true} when the text holds an invisible character that is not part of a valid sequence: one that
     * can make two names look alike, hide a character, or reorder what is displayed.
     */
    static boolean hasStrayInvisible(String s) {
        int[] cps = s.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            if (isInvisible(cps[i]) && !partOfSequence(cps, i)) {
                return true;
            }
        }
        return false;
    }

    /**
     * General categories Cf (zero-width characters, joiners, bidirectional controls, soft hyphen, BOM, tags),
     * Co (private use), Cn (unassigned, noncharacters; but not the code points reserved for pictographs) and
     * invisible characters of other categories.
     */
    static boolean isInvisible(int cp) {
        int type = Character.getType(cp);
        if (type == Character.FORMAT || type == Character.PRIVATE_USE) {
            return true;
        }
        if (type == Character.UNASSIGNED) {
            return !isPictographic(cp);
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

    /**
     * The invisible character at {@code i} belongs to a sequence of real writing:
     * <ul>
     * <li>an emoji presentation or text selector (U+FE0F, U+FE0E) after a pictograph or a keycap base;</li>
     * <li>a zero-width joiner between emoji (UTS #51 ZWJ sequences: families, professions, flags);</li>
     * <li>a tag sequence of a subdivision flag (U+1F3F4, tags, U+E007F);</li>
     * <li>a zero-width joiner or non-joiner after a virama (Indic conjuncts, RFC 5892 CONTEXTJ), and a
     *     non-joiner between letters of a joining script (Persian and other Arabic-script spelling).</li>
     * </ul>
     */
    private static boolean partOfSequence(int[] cps, int i) {
        int cp = cps[i];
        int prev = i > 0 ? cps[i - 1] : -1;
        int next = i + 1 < cps.length ? cps[i + 1] : -1;
        if (cp == VS16 || cp == VS15) {
            return prev >= 0 && (isPictographic(prev) || isKeycapBase(prev));
        }
        if (cp == ZWJ) {
            boolean emoji = prev >= 0 && next >= 0 && isPictographic(next)
                    && (isPictographic(prev) || prev == VS16 || isSkinTone(prev));
            return emoji || VIRAMAS.contains(prev);
        }
        if (cp == ZWNJ) {
            return VIRAMAS.contains(prev) || joins(cps, i);
        }
        if (cp >= 0xE0020 && cp <= CANCEL_TAG) {
            return inTagSequence(cps, i);
        }
        return false;
    }

    private static boolean isKeycapBase(int cp) {
        return cp >= '0' && cp <= '9' || cp == '#' || cp == '*';
    }

    private static boolean isSkinTone(int cp) {
        return cp >= 0x1F3FB && cp <= 0x1F3FF;
    }

    /** A ZWNJ between two letters of a joining script, marks on either side skipped (RFC 5892 A.1 in spirit). */
    private static boolean joins(int[] cps, int i) {
        int before = i - 1;
        while (before >= 0 && isMark(cps[before])) {
            before--;
        }
        int after = i + 1;
        while (after < cps.length && isMark(cps[after])) {
            after++;
        }
        return before >= 0 && after < cps.length && isJoiningLetter(cps[before]) && isJoiningLetter(cps[after]);
    }

    private static boolean isJoiningLetter(int cp) {
        return Character.isLetter(cp) && JOINING_SCRIPTS.contains(Character.UnicodeScript.of(cp));
    }

    static boolean isMark(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                || type == Character.COMBINING_SPACING_MARK;
    }

    /** U+1F3F4, one or more tags U+E0020..U+E007E, then U+E007F. */
    private static boolean inTagSequence(int[] cps, int i) {
        int start = i;
        while (start > 0 && cps[start - 1] >= 0xE0020 && cps[start - 1] < CANCEL_TAG) {
            start--;
        }
        int end = i;
        while (end < cps.length && cps[end] >= 0xE0020 && cps[end] < CANCEL_TAG) {
            end++;
        }
        boolean hasTags = end > start;
        return hasTags && start > 0 && cps[start - 1] == BLACK_FLAG && end < cps.length && cps[end] == CANCEL_TAG;
    }

    /**
     * A character that draws a separator that is not one (a slash or backslash look-alike, other than the
     * currency signs U+00A5 and U+20A9, or a combining slash overlay), or a combining mark with nothing to
     * combine with (at the start of a segment) or on a dot or separator.
     */
    static boolean hasConfusable(String s) {
        int previous = '/';
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= 0x80 && cp <= 0xFFFF && cp != 0x00A5 && cp != 0x20A9) {
                char c = (char) cp;
                if (PathReadings.SLASH_LOOKALIKES.indexOf(c) >= 0 || PathReadings.BACKSLASH_LOOKALIKES.indexOf(c) >= 0
                        || OVERLAY_LOOKALIKES.indexOf(c) >= 0) {
                    return true;
                }
            }
            if (isMark(cp) && (previous == '/' || previous == '\\' || previous == '.')) {
                return true;
            }
            previous = cp;
        }
        return false;
    }
}
