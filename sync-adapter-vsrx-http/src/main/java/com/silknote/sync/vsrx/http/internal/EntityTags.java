package com.silknote.sync.vsrx.http.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Maps an opaque ETag value (as the data port and the JSON listing carry it) to an HTTP strong entity
 * tag and back, exactly: a value made only of {@code etagc} characters that does not start with
 * {@value #B64} travels as {@code "value"}; any other value travels as {@code "b64.<base64url>"}.
 */
public final class EntityTags {
    static final String B64 = "b64.";

    private EntityTags() { }

    public static String toHeader(String value) {
        if (plain(value) && !value.startsWith(B64)) {
            return '"' + value + '"';
        }
        return '"' + B64 + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(value.getBytes(StandardCharsets.UTF_8)) + '"';
    }

    /** The value of a strong entity tag; empty when the header is not one (weak, unquoted, bad chars). */
    public static Optional<String> fromHeader(String header) {
        if (header == null || header.length() < 2 || header.charAt(0) != '"'
                || header.charAt(header.length() - 1) != '"') {
            return Optional.empty();
        }
        String inner = header.substring(1, header.length() - 1);
        if (!plain(inner)) {
            return Optional.empty();
        }
        if (inner.startsWith(B64)) {
            try {
                byte[] raw = Base64.getUrlDecoder().decode(inner.substring(B64.length()));
                var decoder = StandardCharsets.UTF_8.newDecoder();
                return Optional.of(decoder.decode(java.nio.ByteBuffer.wrap(raw)).toString());
            } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
                return Optional.empty();
            }
        }
        return Optional.of(inner);
    }

    /**
     * {@code true} when an {@code If-Match} / {@code If-None-Match} header value lists the tag (or is
     * {@code *}). Weak tags are compared weakly for If-None-Match per RFC 9110 (the caller decides).
     */
    public static boolean listed(String headerValue, String headerTag, boolean weakAllowed) {
        for (String part : headerValue.split(",")) {
            String t = part.trim();
            if (t.equals("*")) {
                return true;
            }
            if (t.startsWith("W/")) {
                if (!weakAllowed) {
                    continue;
                }
                t = t.substring(2);
            }
            if (t.equals(headerTag)) {
                return true;
            }
        }
        return false;
    }

    private static boolean plain(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c <= 0x20 || c == 0x7f || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
