package com.silknote.sync.vsrx.http.internal;

import com.silknote.sync.core.model.Secret;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook signatures: {@code v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>}; a header may carry
 * several, comma-separated (one per active key during a rotation).
 */
public final class WebhookSignatures {
    public static final String SCHEME = "v1";
    public static final int MAX_SIGNATURES = 8;

    private WebhookSignatures() { }

    public static byte[] hmac(Secret secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.value().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    public static String header(List<Secret> signWith, String timestamp, byte[] body) {
        List<String> parts = new ArrayList<>();
        for (Secret s : signWith) {
            parts.add(SCHEME + "=" + HexFormat.of().formatHex(hmac(s, timestamp, body)));
        }
        return String.join(",", parts);
    }

    /** The v1 signatures of a header, decoded; entries of other schemes or bad hex are left out. */
    public static List<byte[]> parse(String header) {
        List<byte[]> out = new ArrayList<>();
        for (String part : header.split(",")) {
            String p = part.trim();
            if (!p.startsWith(SCHEME + "=")) {
                continue;
            }
            String hex = p.substring(SCHEME.length() + 1);
            if (hex.length() != 64) {
                continue;
            }
            try {
                out.add(HexFormat.of().parseHex(hex));
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (out.size() > MAX_SIGNATURES) {
                break;
            }
        }
        return out;
    }

    /** Constant-time check of every presented signature against every accepted secret. */
    public static boolean verify(List<Secret> accepted, String timestamp, byte[] body, List<byte[]> presented) {
        boolean ok = false;
        for (Secret s : accepted) {
            byte[] expected = hmac(s, timestamp, body);
            for (byte[] p : presented) {
                ok |= MessageDigest.isEqual(expected, p);
            }
        }
        return ok;
    }
}
