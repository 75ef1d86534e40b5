package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The id of a conflict record. Derived from the conflict itself (the subject and the three versions), so
 * detecting the same conflict again after a crash finds the same record instead of making a second one.
 * Safe to log.
 */
public record ConflictId(String value) implements Comparable<ConflictId> {
    private static final Pattern FORMAT = Pattern.compile("c-[0-9a-f]{24}");

    /** @throws IllegalArgumentException when the value is not {@code c-} and 24 hex digits */
    public ConflictId {
        requireNonNull(value, "value");
        if (!FORMAT.matcher(value).matches()) {
            throw new IllegalArgumentException("a conflict id is 'c-' and 24 lower-case hex digits");
        }
    }

    public static ConflictId of(String value) {
        return new ConflictId(value);
    }

    /** The id of the conflict made of these parts (subject, kind, versions); deterministic. */
    public static ConflictId derive(String... parts) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        for (String p : parts) {
            byte[] b = requireNonNull(p, "part").getBytes(StandardCharsets.UTF_8);
            sha.update((b.length + ":").getBytes(StandardCharsets.US_ASCII));
            sha.update(b);
        }
        return new ConflictId("c-" + HexFormat.of().formatHex(sha.digest(), 0, 12));
    }

    @Override
    public int compareTo(ConflictId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
