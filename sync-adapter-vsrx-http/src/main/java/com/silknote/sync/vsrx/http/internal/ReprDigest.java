package com.silknote.sync.vsrx.http.internal;

import com.silknote.sync.core.model.ContentHash;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/** The RFC 9530 {@code Repr-Digest} header, {@code sha-256} only: {@code sha-256=:<base64>:}. */
public final class ReprDigest {
    public static final String HEADER = "Repr-Digest";

    private ReprDigest() { }

    public static String format(ContentHash hash) {
        return "sha-256=:" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hash.hex())) + ":";
    }

    /**
     * The sha-256 member of a Repr-Digest dictionary; empty when absent. Other algorithms are ignored.
     *
     * @throws IllegalArgumentException when the sha-256 member is present but not 32 bytes of base64
     */
    public static Optional<ContentHash> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        for (String member : header.split(",")) {
            String m = member.trim();
            int eq = m.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = m.substring(0, eq).trim();
            if (!key.equals("sha-256")) {
                continue;
            }
            String v = m.substring(eq + 1).trim();
            int semi = v.indexOf(';');
            if (semi >= 0) {
                v = v.substring(0, semi).trim();
            }
            if (v.length() < 2 || v.charAt(0) != ':' || v.charAt(v.length() - 1) != ':') {
                throw new IllegalArgumentException("sha-256 digest is not a byte sequence");
            }
            byte[] raw = Base64.getDecoder().decode(v.substring(1, v.length() - 1));
            return Optional.of(ContentHash.ofBytes(raw));
        }
        return Optional.empty();
    }
}
