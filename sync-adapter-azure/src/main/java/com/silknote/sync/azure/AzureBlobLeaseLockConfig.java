package com.silknote.sync.azure;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Settings of an {@link AzureBlobLeaseLock}.
 *
 * @param blobPrefix       prefix of lock blob names in the container ({@code locks/} by default); the lock
 *                         named {@code n} lives in blob {@code <blobPrefix>n}
 * @param holderId         opaque id of this holder (host and process), safe to log, written to the lock
 *                         blob's metadata
 * @param operationTimeout timeout of each service call
 * @param expiredLeaseGrace how long after the expiry a holder recorded (by its own clock) another acquirer
 *                         may break a lease that the service still reports as held; covers holders that
 *                         stopped renewing while their keep-alive lingers, and clock skew between hosts
 */
public record AzureBlobLeaseLockConfig(String blobPrefix, String holderId, Duration operationTimeout,
        Duration expiredLeaseGrace) {

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._/-]{0,200}");

    /**
     * @throws IllegalArgumentException when a value is out of range
     * @throws NullPointerException     when a value is null
     */
    public AzureBlobLeaseLockConfig {
        requireNonNull(blobPrefix, "blobPrefix");
        requireNonNull(holderId, "holderId");
        requireNonNull(operationTimeout, "operationTimeout");
        requireNonNull(expiredLeaseGrace, "expiredLeaseGrace");
        if (!PREFIX.matcher(blobPrefix).matches() || blobPrefix.startsWith(AzureBlobStore.LAYOUT_PREFIX)) {
            throw new IllegalArgumentException("blobPrefix must be up to 200 of [A-Za-z0-9._/-] outside sha256/");
        }
        if (holderId.isBlank() || holderId.length() > 200 || !holderId.chars().allMatch(c -> c >= 0x21 && c < 0x7f)) {
            throw new IllegalArgumentException("holderId must be 1..200 printable ASCII characters");
        }
        if (operationTimeout.isNegative() || operationTimeout.isZero()) {
            throw new IllegalArgumentException("operationTimeout must be positive");
        }
        if (expiredLeaseGrace.isNegative()) {
            throw new IllegalArgumentException("expiredLeaseGrace must not be negative");
        }
    }

    /** {@code locks/}, the given holder id, 30 s per call, 60 s grace. */
    public static AzureBlobLeaseLockConfig defaults(String holderId) {
        return new AzureBlobLeaseLockConfig("locks/", holderId, Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    /** A copy with another blob prefix. @throws IllegalArgumentException when invalid */
    public AzureBlobLeaseLockConfig withBlobPrefix(String prefix) {
        return new AzureBlobLeaseLockConfig(prefix, holderId, operationTimeout, expiredLeaseGrace);
    }

    /** A copy with another holder id. @throws IllegalArgumentException when invalid */
    public AzureBlobLeaseLockConfig withHolderId(String id) {
        return new AzureBlobLeaseLockConfig(blobPrefix, id, operationTimeout, expiredLeaseGrace);
    }

    /** A copy with another per-call timeout. @throws IllegalArgumentException when not positive */
    public AzureBlobLeaseLockConfig withOperationTimeout(Duration timeout) {
        return new AzureBlobLeaseLockConfig(blobPrefix, holderId, timeout, expiredLeaseGrace);
    }

    /** A copy with another grace. @throws IllegalArgumentException when negative */
    public AzureBlobLeaseLockConfig withExpiredLeaseGrace(Duration grace) {
        return new AzureBlobLeaseLockConfig(blobPrefix, holderId, operationTimeout, grace);
    }
}
