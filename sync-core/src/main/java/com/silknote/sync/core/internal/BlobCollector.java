package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects a blob whose reference count reached zero and stayed there for the grace period
 * ({@code SyncConfig.blobGracePeriod}), by the protocol of {@link BlobRef}: mark the row
 * {@code DELETING} with the blob's ETag, delete the blob only if it still has that ETag, then remove the
 * row if still {@code DELETING}; revive the row when the conditional delete lost to a re-upload.
 * Re-entrant after a crash at any step.
 */
final class BlobCollector {
    private static final Logger log = LoggerFactory.getLogger(BlobCollector.class);

    /** Result of one collection attempt. */
    enum Result {
        /** Nothing (more) to do: collected, or referenced again. */
        DONE,
        /** The content is in use by this run right now; try again later. */
        DEFERRED
    }

    private final DocumentStore documents;
    private final BlobStore blobs;
    private final ContentRegistry registry;
    private final Clock clock;
    private final Duration gracePeriod;

    /** @param gracePeriod a blob is collected only once its row has been unreferenced this long */
    BlobCollector(DocumentStore documents, BlobStore blobs, ContentRegistry registry, Clock clock,
            Duration gracePeriod) {
        this.documents = requireNonNull(documents, "documents");
        this.blobs = requireNonNull(blobs, "blobs");
        this.registry = requireNonNull(registry, "registry");
        this.clock = requireNonNull(clock, "clock");
        this.gracePeriod = requireNonNull(gracePeriod, "gracePeriod");
    }

    /**
     * {@code true} when the row may be taken now: a {@code DELETING} row (a collection to finish) or a
     * {@code LIVE} row unreferenced for the grace period (by its {@code updatedAt}, the store's clock).
     */
    boolean due(BlobRef ref) {
        if (ref.state() == BlobRef.State.DELETING) {
            return true;
        }
        return ref.refCount() == 0 && !ref.updatedAt().isAfter(clock.instant().minus(gracePeriod));
    }

    /**
     * A bounded pass over blobs whose grace period is over (and collections a crash left half done), least
     * recently released first: collections that were not yet due when their outbox entry ran are done here,
     * by a later run.
     *
     * @return how many rows were taken
     */
    int collectDue(LeaseKeeper lease, Retrier retrier, int limit) {
        int taken = 0;
        for (BlobRef ref : retrier.call("documents.unreferencedBlobs", () -> documents.unreferencedBlobs(limit))) {
            if (!due(ref)) {
                continue;
            }
            lease.checkpoint();
            retrier.call("blob.collect", () -> collect(lease, ref.hash()));
            taken++;
        }
        return taken;
    }

    Result collect(LeaseKeeper lease, ContentHash hash) {
        if (!registry.tryBeginCollect(hash)) {
            return Result.DEFERRED;
        }
        try {
            return doCollect(lease, hash);
        } finally {
            registry.endCollect(hash);
        }
    }

    private Result doCollect(LeaseKeeper lease, ContentHash hash) {
        Optional<BlobRef> row = documents.findBlobRef(hash);
        if (row.isEmpty()) {
            return Result.DONE;
        }
        BlobRef ref = row.get();
        String etag;
        if (ref.state() == BlobRef.State.DELETING) {
            etag = ref.blobEtag().orElse("");
        } else {
            if (ref.refCount() > 0) {
                return Result.DONE;
            }
            Optional<BlobInfo> info = blobs.stat(hash);
            etag = info.map(BlobInfo::etag).orElse(ref.blobEtag().orElse(""));
            lease.checkpoint();
            // Unreferenced for the grace period; one tick past it, so a grace of zero takes a row released in
            // this very instant. A row not yet due stays: the end-of-run pass takes it once it is.
            Instant notAfter = clock.instant().minus(gracePeriod).plusMillis(1);
            if (!documents.markBlobDeleting(lease.token(), hash, etag, notAfter)) {
                log.debug("blob not collected hash={} (referenced again or not yet due)", hash);
                return Result.DONE;
            }
        }
        boolean deleted = blobs.deleteIfMatch(hash, etag);
        lease.checkpoint();
        if (deleted || blobs.stat(hash).isEmpty()) {
            if (documents.removeBlobRefIfDeleting(lease.token(), hash, etag)) {
                log.debug("blob collected hash={}", hash);
            }
        } else {
            documents.reviveBlobRef(lease.token(), hash, etag);
            log.debug("blob kept, re-uploaded meanwhile hash={}", hash);
        }
        return Result.DONE;
    }
}
