package com.silknote.sync.vsrx.http.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Wire cursors: the data port's opaque cursor, base64url-encoded without padding, so a wire cursor is
 * always {@code [A-Za-z0-9_-]{1,1024}} and can be validated before it reaches the data port.
 */
public final class Cursors {
    public static final int MAX_LENGTH = 1024;
    public static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_LENGTH + "}");

    private Cursors() { }

    /** @throws IllegalArgumentException when the data port's cursor is too long to travel */
    public static String encode(String portCursor) {
        String c = Base64.getUrlEncoder().withoutPadding().encodeToString(portCursor.getBytes(StandardCharsets.UTF_8));
        if (c.isEmpty() || c.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("data port cursor empty or too long to encode");
        }
        return c;
    }

    /** The data port's cursor; empty when the wire cursor is malformed. */
    public static Optional<String> decode(String wire) {
        if (wire == null || !FORMAT.matcher(wire).matches() || wire.length() % 4 == 1) {
            return Optional.empty();
        }
        try {
            byte[] raw = Base64.getUrlDecoder().decode(wire);
            return Optional.of(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString());
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return Optional.empty();
        }
    }

    public static boolean wellFormed(String wire) {
        return wire != null && FORMAT.matcher(wire).matches();
    }
}
