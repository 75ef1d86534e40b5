package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The idempotency key of one VSRX write (docs/bidirectional.md §5.1). Derived from what the write does, so
 * a retry after a lost answer, or the same plan made again after a crash, is the same request: the VSRX side
 * answers a repeated key with the first answer and changes nothing. Holds ids and hashes only: safe to log.
 */
public record IdempotencyKey(String value) {
    /** What a key may hold: {@code [A-Za-z0-9:._-]}, 1..200 characters. */
    public static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9:._-]{1,200}");

    /** @throws IllegalArgumentException when the value does not match {@link #FORMAT} */
    public IdempotencyKey {
        requireNonNull(value, "value");
        if (!FORMAT.matcher(value).matches()) {
            throw new IllegalArgumentException("an idempotency key must match " + FORMAT.pattern());
        }
    }

    public static IdempotencyKey of(String value) {
        return new IdempotencyKey(value);
    }

    /** The key of creating the one VSRX file of a Silknote document: {@code create:<uuid>}. */
    public static IdempotencyKey create(DocumentUuid document) {
        return new IdempotencyKey("create:" + requireNonNull(document, "document").value());
    }

    /** The key of creating a document's file again after VSRX deleted {@code deleted}. */
    public static IdempotencyKey recreate(DocumentUuid document, VsrxFileId deleted) {
        requireNonNull(document, "document");
        requireNonNull(deleted, "deleted");
        return new IdempotencyKey("recreate:" + digest(document.value().toString(), deleted.value()));
    }

    /** The key of replacing a file's content, from the ETag it was planned on, with {@code content}. */
    public static IdempotencyKey replace(VsrxFileId file, String ifMatchEtag, ContentHash content) {
        requireNonNull(file, "file");
        requireNonNull(ifMatchEtag, "ifMatchEtag");
        requireNonNull(content, "content");
        return new IdempotencyKey("replace:" + digest(file.value(), ifMatchEtag, content.hex()));
    }

    /** The key of marking a file deleted, from the ETag it was planned on. */
    public static IdempotencyKey delete(VsrxFileId file, String ifMatchEtag) {
        requireNonNull(file, "file");
        requireNonNull(ifMatchEtag, "ifMatchEtag");
        return new IdempotencyKey("delete:" + digest(file.value(), ifMatchEtag));
    }

    /** Base64url SHA-256 of the parts, each prefixed by its length so no two part lists collide. */
    private static String digest(String... parts) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        for (String p : parts) {
            byte[] b = p.getBytes(StandardCharsets.UTF_8);
            sha.update((b.length + ":").getBytes(StandardCharsets.US_ASCII));
            sha.update(b);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest());
    }

    @Override
    public String toString() {
        return value;
    }
}
