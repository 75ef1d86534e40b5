package com.silknote.sync.core;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditEntry;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ConflictId;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's side of bi-directional conflicts (docs/bidirectional.md §4, {@code vsrx-sync conflicts}):
 * lists the conflict records of the ledger and resolves them. Beside {@link VsrxSync}, over the same
 * {@link DocumentStore} and {@link SyncLock}. Thread-safe.
 *
 * <ul>
 *   <li>{@link #decide} records an operator's decision on an {@code OPEN} record; the next sync of its fileset
 *       applies it exactly like the matching strategy and marks the record {@code RESOLVED} (the operator chose:
 *       the losing bytes are released).</li>
 *   <li>{@link #release} accepts what a strategy did to an {@code APPLIED} record: it becomes {@code RESOLVED} and
 *       the loser's bytes are released (collected after the grace period).</li>
 * </ul>
 *
 * <p>Every change is one unit of work of the ledger under the {@code vsrx-sync} lock (so it never races a sync
 * run, and it is fenced like one), conditional on the record being as read; on PostgreSQL the unit writes its
 * audit row. When a sync holds the lock the call is refused with a {@link TransientSyncException}: try again.
 * Logs ids only.
 */
public final class SyncConflicts {
    private static final Logger log = LoggerFactory.getLogger(SyncConflicts.class);

    private final DocumentStore documents;
    private final SyncLock lock;
    private final SyncConfig config;
    private final Clock clock;

    /**
     * Constructor for dependency-injection containers; {@link #builder()} is the other way in.
     *
     * @throws NullPointerException when any argument is null
     */
    @Inject
    public SyncConflicts(DocumentStore documents, SyncLock lock, SyncConfig config, Clock clock) {
        this.documents = requireNonNull(documents, "documents");
        this.lock = requireNonNull(lock, "lock");
        this.config = requireNonNull(config, "config");
        this.clock = requireNonNull(clock, "clock");
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * One page of conflict records in id order: the unresolved ones ({@code OPEN}, {@code APPLIED}), or with
     * {@code all} the resolved ones too.
     *
     * @throws IllegalArgumentException when limit &lt; 1
     */
    public Page<ConflictRecord> list(boolean all, Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1");
        }
        Set<ConflictStatus> statuses = all ? EnumSet.allOf(ConflictStatus.class)
                : EnumSet.of(ConflictStatus.OPEN, ConflictStatus.APPLIED);
        return documents.conflicts(statuses, cursor, limit);
    }

    /** A record by id. */
    public Optional<ConflictRecord> find(ConflictId id) {
        return documents.findConflict(requireNonNull(id, "id"));
    }

    /**
     * Records an operator's decision on an open conflict: {@code VSRX_WINS} (keep the VSRX version),
     * {@code SILKNOTE_WINS} (keep Silknote's) or {@code KEEP_BOTH}. The next sync of the record's fileset applies
     * it.
     *
     * @return the record as stored
     * @throws PermanentSyncException    (404) when there is no such record, (409) when it is not open
     * @throws IllegalArgumentException  when {@code keep} is not one of the three decisions
     * @throws TransientSyncException    when a sync holds the lock
     */
    public ConflictRecord decide(ConflictId id, ConflictStrategy keep) {
        requireNonNull(keep, "keep");
        if (keep != ConflictStrategy.VSRX_WINS && keep != ConflictStrategy.SILKNOTE_WINS
                && keep != ConflictStrategy.KEEP_BOTH) {
            throw new IllegalArgumentException("an operator keeps vsrx, silknote or both");
        }
        return change(id, ConflictStatus.OPEN, (r, now) -> r.with(ConflictStatus.OPEN, r.strategy(),
                Optional.of(keep), Optional.empty(), Optional.of(ConflictRecord.OPERATOR + keep.code()), now), null);
    }

    /**
     * Accepts what a strategy did: the {@code APPLIED} record becomes {@code RESOLVED} and the loser's bytes it
     * kept are released.
     *
     * @return the record as stored
     * @throws PermanentSyncException (404) when there is no such record, (409) when it is not applied
     * @throws TransientSyncException when a sync holds the lock
     */
    public ConflictRecord release(ConflictId id) {
        return change(id, ConflictStatus.APPLIED, (r, now) -> r.with(ConflictStatus.RESOLVED, r.strategy(),
                Optional.empty(), Optional.empty(), Optional.of("released"), now), ConflictStatus.RESOLVED);
    }

    private interface Change {
        ConflictRecord apply(ConflictRecord r, Instant now);
    }

    private ConflictRecord change(ConflictId id, ConflictStatus required, Change change, ConflictStatus releases) {
        requireNonNull(id, "id");
        ConflictRecord before = find(id).orElseThrow(() -> new PermanentSyncException("no conflict " + id, 404,
                null));
        if (before.status() != required) {
            throw new PermanentSyncException("conflict " + id + " is " + before.status() + ", not " + required, 409,
                    null);
        }
        Duration ttl = config.lockTtl();
        try (SyncLock.Lease lease = lock.tryAcquire(SyncConfig.LOCK_NAME, ttl).orElseThrow(
                () -> new TransientSyncException("a sync holds the lock; try again when it has finished", null))) {
            ConflictRecord after = change.apply(before, clock.instant());
            // the operation's id: its time and the record it changes (one change per record and status)
            RunId run = RunId.of("conflicts-" + after.updatedAt().toEpochMilli() + "-" + id.value().substring(2));
            documents.inUnitOfWork(lease.token(), uow -> {
                uow.expectConflict(id, Optional.of(before));
                uow.upsertConflict(after);
                // Every operator decision is audited (issue 14), in the same unit of work as the change.
                AuditEntry.Builder entry = AuditEntry.of(run, AuditAction.CONFLICT_RESOLVED).document(before.document())
                        .fileset(before.filesetId()).detail(after.detail().orElse("-") + ",conflict=" + id.value()
                                + ",kind=" + before.kind().code() + ",status="
                                + after.status().name().toLowerCase(java.util.Locale.ROOT));
                before.fileId().ifPresent(entry::fileId);
                uow.audit(entry.build());
                if (releases != null) {
                    for (ContentHash h : before.heldHashes()) {
                        if (!after.heldHashes().contains(h)) {
                            Optional<BlobRef> ref = uow.releaseBlobRef(h);
                            if (ref.isPresent() && ref.get().refCount() == 0) {
                                uow.enqueue(OutboxEntry.pending(before.document(), OutboxEntry.Action.COLLECT_BLOB,
                                        h, after.updatedAt()));
                            }
                        }
                    }
                }
                return null;
            });
            log.info("conflict changed by an operator conflict={} status={} detail={}", id, after.status(),
                    after.detail().orElse("-"));
            return after;
        }
    }

    /** Builds a {@link SyncConflicts}; documents and lock are required. */
    public static final class Builder {
        private DocumentStore documents;
        private SyncLock lock;
        private SyncConfig config = SyncConfig.defaults();
        private Clock clock = Clock.systemUTC();

        private Builder() { }

        public Builder documents(DocumentStore v) { documents = requireNonNull(v, "documents"); return this; }
        public Builder lock(SyncLock v) { lock = requireNonNull(v, "lock"); return this; }
        public Builder config(SyncConfig v) { config = requireNonNull(v, "config"); return this; }
        public Builder clock(Clock v) { clock = requireNonNull(v, "clock"); return this; }

        /** @throws IllegalStateException when documents or lock is missing */
        public SyncConflicts build() {
            if (documents == null || lock == null) {
                throw new IllegalStateException("documents and lock are required");
            }
            return new SyncConflicts(documents, lock, config, clock);
        }
    }
}
