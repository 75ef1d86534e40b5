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

    /** Why a path was rejected. Each value is a rule of the validator. */
    public enum Reason {
        EMPTY,
        TOO_LONG,
        SEGMENT_TOO_LONG,
        TOO_DEEP,
        CONTROL_CHARACTER,
        INVISIBLE_CHARACTER,
        INVALID_ENCODING,
        ABSOLUTE,
        DRIVE_OR_UNC,
        SCHEME,
        TRAVERSAL,
        DOT_SEGMENT,
        EMPTY_SEGMENT,
        NOT_UNDER_NOTES,
        RESERVED_NAME,
        TRAILING_DOT_OR_SPACE,
        CONFUSABLE_CHARACTER
    }

    public PathVerdict {
        requireNonNull(normalized, "normalized");
        requireNonNull(reason, "reason");
        if (accepted == reason.isPresent() || accepted != normalized.isPresent()) {
            throw new IllegalArgumentException("accepted verdicts have a normalized path and no reason");
        }
    }

    public static PathVerdict accept(String normalized) {
        return new PathVerdict(true, Optional.of(normalized), Optional.empty());
    }

    public static PathVerdict reject(Reason reason) {
        return new PathVerdict(false, Optional.empty(), Optional.of(reason));
    }

    @Override
    public String toString() {
        return accepted ? "PathVerdict[accepted]" : "PathVerdict[rejected " + reason.orElseThrow() + "]";
    }
}
