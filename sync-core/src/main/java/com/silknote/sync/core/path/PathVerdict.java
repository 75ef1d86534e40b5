package com.silknote.sync.core.path;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * The verdict of the {@link PathValidator} on one raw path. Never prints the path itself.
 *
 * @param accepted   {@code true} when the path is strictly inside {@code notes/}
 * @param normalized the canonical form ({@code notes/...}, NFC, forward slashes) when accepted
 * @param reason     why it was rejected, when rejected
 */
public record PathVerdict(boolean accepted, Optional<String> normalized, Optional<Reason> reason) {

    /**
     * Why a path was rejected. Each value is a rule of the validator; {@code docs/path-rules.md} lists them
     * with examples. When a path breaks several rules, the first one in the order the validator checks
     * them is reported (see {@link PathValidator}).
     */
    public enum Reason {
        /** The path is the empty string. */
        EMPTY,
        /** The path, or one of its decoded or normalised forms, is longer than {@link PathValidator#MAX_LENGTH}. */
        TOO_LONG,
        /** A segment is longer than {@link PathValidator#MAX_SEGMENT_BYTES} UTF-8 bytes. */
        SEGMENT_TOO_LONG,
        /** More than {@link PathValidator#MAX_DEPTH} segments ({@code notes} included). */
        TOO_DEEP,
        /** A C0 or C1 control character, DEL, NUL (raw or encoded), or a line or paragraph separator. */
        CONTROL_CHARACTER,
        /**
         * A format (Cf: zero-width, bidirectional controls), private-use (Co) or unassigned (Cn) character, or
         * another invisible one, that is not part of a valid emoji or joiner sequence.
         */
        INVISIBLE_CHARACTER,
        /** Malformed or overlong UTF-8 behind percent escapes, a lone surrogate, U+FFFD, or too many layers. */
        INVALID_ENCODING,
        /** Starts with a separator. */
        ABSOLUTE,
        /** A drive letter, a UNC path or a Windows device path. */
        DRIVE_OR_UNC,
        /** A URI scheme such as {@code file:} or {@code http:}. */
        SCHEME,
        /** A segment made of two or more dots, in any encoding or look-alike form. */
        TRAVERSAL,
        /** A {@code .} segment. */
        DOT_SEGMENT,
        /** An empty or blank segment ({@code notes//a}, a trailing separator). */
        EMPTY_SEGMENT,
        /** Not strictly inside {@code notes/}: another root, a case variant, a prefix trick, or {@code notes} itself. */
        NOT_UNDER_NOTES,
        /**
         * A character that looks like a separator but is none (a slash or backslash look-alike, a combining slash
         * overlay), one that NFKC turns into a separator, or a combining mark with nothing or a dot to combine with.
         */
        CONFUSABLE_CHARACTER,
        /** Starts with {@code ~} (home-directory expansion). */
        HOME_EXPANSION,
        /** A backslash: a separator on Windows, a name character elsewhere, so the structure is ambiguous. */
        BACKSLASH,
        /** A separator hidden behind percent or character-reference encoding ({@code %2f}, {@code %5c}). */
        ENCODED_SEPARATOR,
        /** Whitespace at the start or the end of the path or of a segment (invisible, trimmed by some readers). */
        LEADING_OR_TRAILING_WHITESPACE
    }

    /**
     * Checks the invariants of a verdict.
     *
     * @throws NullPointerException     when normalized or reason is null
     * @throws IllegalArgumentException when an accepted verdict has a reason or lacks a normalized path, or a
     *                                  rejected one has a normalized path or lacks a reason
     */
    public PathVerdict {
        requireNonNull(normalized, "normalized");
        requireNonNull(reason, "reason");
        if (accepted == reason.isPresent() || accepted != normalized.isPresent()) {
            throw new IllegalArgumentException("accepted verdicts have a normalized path and no reason");
        }
    }

    /**
     * An accepted verdict.
     *
     * @throws NullPointerException when normalized is null
     */
    public static PathVerdict accept(String normalized) {
        return new PathVerdict(true, Optional.of(normalized), Optional.empty());
    }

    /**
     * A rejected verdict.
     *
     * @throws NullPointerException when reason is null
     */
    public static PathVerdict reject(Reason reason) {
        return new PathVerdict(false, Optional.empty(), Optional.of(reason));
    }

    @Override
    public String toString() {
        return accepted ? "PathVerdict[accepted]" : "PathVerdict[rejected " + reason.orElseThrow() + "]";
    }
}
