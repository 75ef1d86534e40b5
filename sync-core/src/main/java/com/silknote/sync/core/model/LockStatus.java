package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Who holds a lock right now.
 *
 * @param name      lock name
 * @param holder    opaque holder id (host and instance), safe to log
 * @param token     the holder's fencing token
 * @param expiresAt when the lease runs out unless renewed
 */
public record LockStatus(String name, String holder, FencingToken token, Instant expiresAt) {
    public LockStatus {
        requireNonNull(name, "name");
        requireNonNull(holder, "holder");
        requireNonNull(token, "token");
        requireNonNull(expiresAt, "expiresAt");
    }
}
