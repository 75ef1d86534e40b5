package com.silknote.sync.vsrx.http.internal;

import com.silknote.sync.core.model.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The bearer tokens a server accepts (several, for rotation). A presented token is hashed and compared
 * with every accepted token's hash with {@link MessageDigest#isEqual}, without stopping at the first
 * match, so timing reveals neither which token nor how much of one matched.
 */
public final class TokenSet {
    private final List<byte[]> hashes;

    public TokenSet(Collection<Secret> tokens) {
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("at least one accepted token is required");
        }
        List<byte[]> h = new ArrayList<>();
        for (Secret s : tokens) {
            h.add(sha256(s.value()));
        }
        this.hashes = List.copyOf(h);
    }

    /** {@code true} when the Authorization header value is {@code Bearer <an accepted token>}. */
    public boolean accepts(Optional<String> authorization) {
        if (authorization.isEmpty()) {
            return false;
        }
        String v = authorization.get();
        if (v.length() < 7 || !v.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return false;
        }
        byte[] presented = sha256(v.substring(7).trim());
        boolean ok = false;
        for (byte[] h : hashes) {
            ok |= MessageDigest.isEqual(h, presented);
        }
        return ok;
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
