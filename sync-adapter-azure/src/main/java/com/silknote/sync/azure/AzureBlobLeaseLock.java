package com.silknote.sync.azure;

import static java.util.Objects.requireNonNull;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobLeaseRequestConditions;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.LeaseStateType;
import com.azure.storage.blob.options.BlobAcquireLeaseOptions;
import com.azure.storage.blob.options.BlobBreakLeaseOptions;
import com.azure.storage.blob.options.BlobReleaseLeaseOptions;
import com.azure.storage.blob.options.BlobRenewLeaseOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.specialized.BlobLeaseClient;
import com.azure.storage.blob.specialized.BlobLeaseClientBuilder;
import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.port.SyncLock;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SyncLock} on Azure blob leases, for hosts that have Azure Storage but no shared database.
 *
 * <p><b>Lock blob.</b> The lock named {@code n} is the empty block blob {@code <blobPrefix>n} (default
 * prefix {@code locks/}), created on first use. Holding the lock = holding the blob's lease. Its metadata
 * holds {@code generation} (the fencing token), {@code holder} (opaque holder id) and {@code expiresat}
 * (the holder's own view of its expiry, ISO-8601).
 *
 * <p><b>Fencing token.</b> After taking the lease, the acquirer reads {@code generation}, and writes
 * {@code generation + 1} under its lease id with {@code If-Match} the ETag it read; that value is its token.
 * Only a lease holder can write the metadata, and the write is a compare-and-set on the ETag, so tokens
 * rise strictly across holders (two acquirers never write the same generation); an old holder's renew
 * fails once another took the lease. (Deleting the lock blob restarts the generations: stores then refuse
 * every write until the generation passes their high-water mark, so never delete it.)
 *
 * <p><b>Idempotent acquire.</b> The proposed lease id is derived from the holder id and the caller's request
 * id, and the metadata keeps a digest of both ({@code request}): an acquire retried after a lost answer takes
 * its own active lease again (Azure accepts an acquire with the active lease's id) and gets the same token,
 * while another host presenting the same request id proposes another lease id and is refused.
 *
 * <p><b>TTL mapping.</b> Azure leases last 15–60 s (or forever). A ttl is mapped to a lease of
 * {@code clamp(ceil(ttl), 15 s, 60 s)}: a ttl below 15 s therefore holds the lock at least 15 s. While the
 * lease is open, a keep-alive on a shared daemon thread renews it every third of its duration until the
 * holder's deadline ({@code acquire or last renew + ttl}, by the injected clock) has passed, so a ttl of
 * minutes works although each Azure lease lasts at most a minute. If the holder's process dies the
 * keep-alive dies with it and the service expires the lease after at most 60 s: expiry is judged by the
 * service's clock. {@link Lease#renew} renews the lease at once (detecting loss), moves the deadline and
 * records it in {@code expiresat}.
 *
 * <p><b>Breaking after expiry.</b> An acquirer that finds the lease held although the recorded
 * {@code expiresat} lies more than {@link AzureBlobLeaseLockConfig#expiredLeaseGrace()} in its own past
 * breaks it, with {@code If-Match} the ETag it read (a renew in the meantime rewrites the metadata, so the
 * break fails), and then acquires normally. This relies on hosts' clocks agreeing within the grace; the
 * fencing token protects stores against an old holder either way.
 *
 * <p><b>Errors.</b> As for {@link AzureBlobStore}: transient service errors become
 * {@link com.silknote.sync.core.exception.TransientSyncException}, others
 * {@link com.silknote.sync.core.exception.PermanentSyncException}; a lease taken over, broken or expired
 * and re-leased makes {@code renew} throw {@link LeaseLostException}.
 */
public final class AzureBlobLeaseLock implements SyncLock {

    private static final Logger log = LoggerFactory.getLogger(AzureBlobLeaseLock.class);

    static final String META_GENERATION = "generation";
    static final String META_HOLDER = "holder";
    static final String META_EXPIRES = "expiresat";
    static final String META_REQUEST = "request";
    static final int MIN_LEASE_SECONDS = 15;
    static final int MAX_LEASE_SECONDS = 60;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private static final ScheduledThreadPoolExecutor KEEP_ALIVE = keepAliveExecutor();

    private final BlobContainerClient container;
    private final AzureBlobLeaseLockConfig config;
    private final Clock clock;
    private final RandomGenerator random;

    /**
     * @param container the container holding the lock blobs, built by the host (one try per call, see
     *                  {@link AzureBlobStore#recommendedRetryOptions(Duration)})
     * @param config    settings
     * @param clock     the holder's clock: deadlines of keep-alive and the recorded {@code expiresat}
     * @param random    source of proposed lease ids (use a {@link SecureRandom} or another generator that
     *                  differs between processes)
     */
    @Inject
    public AzureBlobLeaseLock(BlobContainerClient container, AzureBlobLeaseLockConfig config, Clock clock,
            RandomGenerator random) {
        this.container = requireNonNull(container, "container");
        this.config = requireNonNull(config, "config");
        this.clock = requireNonNull(clock, "clock");
        this.random = requireNonNull(random, "random");
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this lock's settings. */
    public Builder newBuilder() {
        return new Builder().container(container).config(config).clock(clock).random(random);
    }

    /** The Azure lease duration used for a ttl: {@code clamp(ceil(ttl), 15 s, 60 s)}. */
    static int leaseSeconds(Duration ttl) {
        long seconds = ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
        return (int) Math.max(MIN_LEASE_SECONDS, Math.min(MAX_LEASE_SECONDS, seconds));
    }

    /**
     * {@inheritDoc} The proposed lease id is derived from {@code requestId} (acquiring an active lease with its
     * own id succeeds in Azure); when the lock blob was leased by this request before the call, its token is
     * returned again instead of a new one.
     *
     * @throws IllegalArgumentException when the name is not 1..200 of {@code [A-Za-z0-9._-]} or the ttl is not
     *     positive
     * @throws SyncException when the service failed
     */
    @Override
    public Optional<Lease> tryAcquire(String name, Duration ttl, String requestId) {
        BlobClient blob = lockBlob(name);
        requireNonNull(ttl, "ttl");
        requireNonNull(requestId, "requestId");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        int seconds = leaseSeconds(ttl);
        // A retry is recognised by this host's id and the request id together: another host that happens to
        // present the same request id (two hosts seeded alike) proposes another lease id and is refused.
        String leaseId = leaseIdOf(config.holderId(), requestId);
        String marker = requestMarker(config.holderId(), requestId);
        boolean heldByThisRequest = heldByRequest(blob, marker);
        BlobLeaseClient leases = new BlobLeaseClientBuilder().blobClient(blob).leaseId(leaseId).buildClient();
        if (!acquireLease(name, blob, leases, seconds)) {
            log.debug("lock busy name={}", name);
            return Optional.empty();
        }
        try {
            BlobProperties p = blob.getPropertiesWithResponse(null, config.operationTimeout(), Context.NONE).getValue();
            long current = parseGeneration(p.getMetadata());
            // The same request's lease, still active when this call began (its answer was lost): same token.
            // Otherwise a new holder: the next generation, written only if nobody wrote since it was read.
            boolean again = heldByThisRequest && marker.equals(p.getMetadata().get(META_REQUEST));
            long generation = again ? current : current + 1;
            Instant deadline = clock.instant().plus(ttl);
            blob.setMetadataWithResponse(metadata(generation, deadline, marker),
                    new BlobRequestConditions().setLeaseId(leaseId).setIfMatch(p.getETag()),
                    config.operationTimeout(), Context.NONE);
            AzureLease lease = new AzureLease(name, blob, leases, FencingToken.of(generation), seconds, deadline,
                    marker);
            lease.startKeepAlive();
            log.debug("lock acquired name={} token={} leaseSeconds={} again={}", name, generation, seconds, again);
            return Optional.of(lease);
        } catch (RuntimeException e) {
            releaseQuietly(leases);
            int status = AzureErrors.status(e);
            if (status == 409 || status == 412) {
                log.debug("lock lost while taking it name={} status={}", name, status);
                return Optional.empty();
            }
            throw AzureErrors.translate(e, "take lock", clock);
        }
    }

    /** {@code true} when the lock blob is leased now and its metadata names the request {@code marker}. */
    private boolean heldByRequest(BlobClient blob, String marker) {
        try {
            BlobProperties p = blob.getPropertiesWithResponse(null, config.operationTimeout(), Context.NONE).getValue();
            return p.getLeaseState() == LeaseStateType.LEASED && marker.equals(p.getMetadata().get(META_REQUEST));
        } catch (RuntimeException e) {
            if (AzureErrors.status(e) == 404) {
                return false;
            }
            throw AzureErrors.translate(e, "read lock", clock);
        }
    }

    /** The lease id proposed for an acquire: a name-based GUID of the holder id and the request id. */
    static String leaseIdOf(String holderId, String requestId) {
        return UUID.nameUUIDFromBytes(("vsrx-sync lease " + holderId.length() + ":" + holderId + " " + requestId)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * What the lock blob records of the request that took its lease: a digest, so reading the metadata does
     * not give away the request id (from which the lease id is derived).
     */
    static String requestMarker(String holderId, String requestId) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(("vsrx-sync lock request " + holderId.length()
                    + ":" + holderId + " " + requestId).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * {@inheritDoc} Reports the holder while the service reports the lease as held.
     *
     * @throws IllegalArgumentException when the name is invalid
     * @throws SyncException when the service failed
     */
    @Override
    public Optional<LockStatus> inspect(String name) {
        BlobClient blob = lockBlob(name);
        try {
            BlobProperties p = blob.getPropertiesWithResponse(null, config.operationTimeout(), Context.NONE).getValue();
            if (p.getLeaseState() != LeaseStateType.LEASED) {
                return Optional.empty();
            }
            Map<String, String> m = p.getMetadata();
            String holder = Optional.ofNullable(m.get(META_HOLDER)).orElse("unknown");
            Instant expiresAt = parseInstant(m.get(META_EXPIRES)).orElse(clock.instant());
            return Optional.of(new LockStatus(name, holder, FencingToken.of(parseGeneration(m)), expiresAt));
        } catch (RuntimeException e) {
            if (AzureErrors.status(e) == 404) {
                return Optional.empty();
            }
            throw AzureErrors.translate(e, "inspect lock", clock);
        }
    }

    private BlobClient lockBlob(String name) {
        requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("lock name must be 1..200 of [A-Za-z0-9._-]");
        }
        return container.getBlobClient(config.blobPrefix() + name);
    }

    /** Takes the lease; creates the lock blob when missing; breaks a lease past its recorded expiry. */
    private boolean acquireLease(String name, BlobClient blob, BlobLeaseClient leases, int seconds) {
        boolean triedBreak = false;
        for (int attempt = 0; attempt < 4; attempt++) {
            try {
                leases.acquireLeaseWithResponse(new BlobAcquireLeaseOptions(seconds), config.operationTimeout(),
                        Context.NONE);
                return true;
            } catch (RuntimeException e) {
                int status = AzureErrors.status(e);
                if (status == 404) {
                    createLockBlob(blob);
                } else if (status == 409 || status == 412) {
                    if (triedBreak || !breakIfExpired(name, blob)) {
                        return false;
                    }
                    triedBreak = true;
                } else {
                    throw AzureErrors.translate(e, "acquire lease", clock);
                }
            }
        }
        return false;
    }

    private void createLockBlob(BlobClient blob) {
        try {
            blob.getBlockBlobClient().uploadWithResponse(new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(new byte[0]))
                    .setMetadata(Map.of(META_GENERATION, "0"))
                    .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*")),
                    config.operationTimeout(), Context.NONE);
        } catch (RuntimeException e) {
            int status = AzureErrors.status(e);
            if (status != 409 && status != 412) {
                throw AzureErrors.translate(e, "create lock blob", clock);
            }
        }
    }

    /** Breaks a lease whose holder's recorded expiry is past the grace; {@code true} to try acquiring again. */
    private boolean breakIfExpired(String name, BlobClient blob) {
        try {
            BlobProperties p = blob.getPropertiesWithResponse(null, config.operationTimeout(), Context.NONE).getValue();
            if (p.getLeaseState() == LeaseStateType.AVAILABLE || p.getLeaseState() == LeaseStateType.EXPIRED
                    || p.getLeaseState() == LeaseStateType.BROKEN) {
                return true;
            }
            if (p.getLeaseState() != LeaseStateType.LEASED) {
                return false;
            }
            Optional<Instant> expiresAt = parseInstant(p.getMetadata().get(META_EXPIRES));
            if (expiresAt.isEmpty() || !clock.instant().isAfter(expiresAt.get().plus(config.expiredLeaseGrace()))) {
                return false;
            }
            new BlobLeaseClientBuilder().blobClient(blob).leaseId(newLeaseId()).buildClient()
                    .breakLeaseWithResponse(new BlobBreakLeaseOptions().setBreakPeriod(Duration.ZERO)
                            .setRequestConditions(new BlobLeaseRequestConditions().setIfMatch(p.getETag())),
                            config.operationTimeout(), Context.NONE);
            log.info("broke an expired lease name={} token={}", name, parseGeneration(p.getMetadata()));
            return true;
        } catch (RuntimeException e) {
            int status = AzureErrors.status(e);
            if (status == 404 || status == 409 || status == 412) {
                return false;
            }
            throw AzureErrors.translate(e, "break expired lease", clock);
        }
    }

    private Map<String, String> metadata(long generation, Instant deadline, String requestMarker) {
        return Map.of(META_GENERATION, Long.toString(generation), META_HOLDER, config.holderId(),
                META_EXPIRES, deadline.toString(), META_REQUEST, requestMarker);
    }

    private static long parseGeneration(Map<String, String> metadata) {
        String g = metadata == null ? null : metadata.get(META_GENERATION);
        if (g == null) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(g));
        } catch (NumberFormatException e) {
            throw new com.silknote.sync.core.exception.PermanentSyncException(
                    "lock blob has a malformed generation", e);
        }
    }

    private static Optional<Instant> parseInstant(String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** A version-4 style GUID from the injected generator (Azure wants lease ids as GUIDs). */
    private String newLeaseId() {
        long msb;
        long lsb;
        synchronized (random) {
            msb = random.nextLong();
            lsb = random.nextLong();
        }
        msb = (msb & ~0xF000L) | 0x4000L;
        lsb = (lsb & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    private void releaseQuietly(BlobLeaseClient leases) {
        try {
            leases.releaseLeaseWithResponse(new BlobReleaseLeaseOptions(), config.operationTimeout(), Context.NONE);
        } catch (RuntimeException e) {
            log.debug("lease release failed status={}", AzureErrors.status(e));
        }
    }

    private static boolean isLeaseGone(RuntimeException e) {
        int status = AzureErrors.status(e);
        return status == 404 || status == 409 || status == 412;
    }

    private static ScheduledThreadPoolExecutor keepAliveExecutor() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
                AzureBlobStore.daemonThreads("vsrx-sync-azure-lease-"));
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }

    /** One held lease. Thread-safe. */
    final class AzureLease implements Lease {
        private final String name;
        private final BlobClient blob;
        private final BlobLeaseClient leases;
        private final FencingToken token;
        private final int leaseSeconds;
        private final String requestMarker;
        private Instant deadline;
        private boolean closed;
        private boolean lost;
        private ScheduledFuture<?> keepAlive;

        AzureLease(String name, BlobClient blob, BlobLeaseClient leases, FencingToken token, int leaseSeconds,
                Instant deadline, String requestMarker) {
            this.name = name;
            this.blob = blob;
            this.leases = leases;
            this.token = token;
            this.leaseSeconds = leaseSeconds;
            this.deadline = deadline;
            this.requestMarker = requestMarker;
        }

        @Override
        public FencingToken token() {
            return token;
        }

        /**
         * {@inheritDoc}
         *
         * @throws LeaseLostException when released, broken, or taken over
         * @throws IllegalArgumentException when the ttl is not positive
         * @throws SyncException when the service failed otherwise (the lease may still be held)
         */
        @Override
        public synchronized void renew(Duration ttl) {
            requireNonNull(ttl, "ttl");
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("ttl must be positive");
            }
            if (closed) {
                throw new LeaseLostException("lease on lock " + name + " was released");
            }
            if (lost) {
                throw new LeaseLostException("lease on lock " + name + " was lost");
            }
            try {
                leases.renewLeaseWithResponse(new BlobRenewLeaseOptions(), config.operationTimeout(), Context.NONE);
                Instant next = clock.instant().plus(ttl);
                blob.setMetadataWithResponse(metadata(token.value(), next, requestMarker),
                        new BlobRequestConditions().setLeaseId(leases.getLeaseId()), config.operationTimeout(),
                        Context.NONE);
                deadline = next;
            } catch (RuntimeException e) {
                if (isLeaseGone(e)) {
                    markLost();
                    throw new LeaseLostException("lease on lock " + name + " was lost (status="
                            + AzureErrors.status(e) + ")", e);
                }
                throw AzureErrors.translate(e, "renew lease", clock);
            }
        }

        /** Releases the lease unless it is already lost; never throws (the service expires it anyway). */
        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            stopKeepAlive();
            if (!lost) {
                releaseQuietly(leases);
                log.debug("lock released name={} token={}", name, token.value());
            }
        }

        synchronized void startKeepAlive() {
            long period = Math.max(1, leaseSeconds / 3);
            keepAlive = KEEP_ALIVE.scheduleWithFixedDelay(this::keepAlive, period, period, TimeUnit.SECONDS);
        }

        /** One keep-alive step: renew the Azure lease until the holder's deadline has passed. */
        synchronized void keepAlive() {
            if (closed || lost) {
                stopKeepAlive();
                return;
            }
            if (!clock.instant().isBefore(deadline)) {
                stopKeepAlive();
                log.debug("lease keep-alive ends at deadline name={} token={}", name, token.value());
                return;
            }
            try {
                leases.renewLeaseWithResponse(new BlobRenewLeaseOptions(), config.operationTimeout(), Context.NONE);
            } catch (RuntimeException e) {
                if (isLeaseGone(e)) {
                    markLost();
                } else {
                    log.debug("lease keep-alive failed, next tick retries name={} status={}", name,
                            AzureErrors.status(e));
                }
            }
        }

        synchronized boolean keepAliveRunning() {
            return keepAlive != null && !keepAlive.isDone();
        }

        private void markLost() {
            if (!lost) {
                lost = true;
                log.warn("lease lost name={} token={}", name, token.value());
            }
            stopKeepAlive();
        }

        private void stopKeepAlive() {
            if (keepAlive != null) {
                keepAlive.cancel(false);
            }
        }
    }

    /** Builds an {@link AzureBlobLeaseLock}. Not thread-safe. */
    public static final class Builder {
        private BlobContainerClient container;
        private AzureBlobLeaseLockConfig config;
        private Clock clock = Clock.systemUTC();
        private RandomGenerator random;

        private Builder() {
        }

        /** The host's container client for the lock blobs (required). */
        public Builder container(BlobContainerClient container) {
            this.container = requireNonNull(container, "container");
            return this;
        }

        /**
         * Settings; default {@link AzureBlobLeaseLockConfig#defaults(String)} with holder id
         * {@code <pid>@<host name>}.
         */
        public Builder config(AzureBlobLeaseLockConfig config) {
            this.config = requireNonNull(config, "config");
            return this;
        }

        /** The holder's clock; default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** Source of lease ids; default a new {@link SecureRandom}. */
        public Builder random(RandomGenerator random) {
            this.random = requireNonNull(random, "random");
            return this;
        }

        /** Builds the lock. @throws IllegalStateException when no container was set */
        public AzureBlobLeaseLock build() {
            if (container == null) {
                throw new IllegalStateException("container is required");
            }
            AzureBlobLeaseLockConfig c = config != null ? config : AzureBlobLeaseLockConfig.defaults(defaultHolderId());
            return new AzureBlobLeaseLock(container, c, clock, random != null ? random : new SecureRandom());
        }

        private static String defaultHolderId() {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException | SecurityException e) {
                host = "unknown-host";
            }
            String id = ProcessHandle.current().pid() + "@" + host;
            return id.replaceAll("[^\\x21-\\x7e]", "_").substring(0, Math.min(200, id.length()));
        }
    }
}
