package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an orphan cleanup found and removed, per {@link OrphanClass}. Ids only (document uuids, file ids,
 * content hashes, outbox ids): no path or patient id.
 *
 * @param runId          the cleanup's id (also in the audit log)
 * @param dryRun         {@code true} when nothing was changed
 * @param startedAt      start
 * @param finishedAt     end
 * @param status         how it ended
 * @param error          why it did not complete, if it did not
 * @param found          orphans old enough to remove, per class (count and bytes)
 * @param removed        orphans removed, per class (empty in a dry run)
 * @param tooYoung       orphans left alone because they are younger than the grace period, per class
 * @param items          the orphans found, at most {@link #MAX_ITEMS}
 * @param itemsTruncated {@code true} when more were found than {@code items} holds
 * @param notes          log-safe remarks (a class not looked at, and why)
 */
public record CleanupReport(RunId runId, boolean dryRun, Instant startedAt, Instant finishedAt,
        OperationStatus status, Optional<String> error, Map<OrphanClass, Tally> found,
        Map<OrphanClass, Tally> removed, Map<OrphanClass, Long> tooYoung, List<Item> items, boolean itemsTruncated,
        List<String> notes) {

    /** Items listed in a report at most. */
    public static final int MAX_ITEMS = 10_000;

    /**
     * A count and the bytes it stands for (blobs: their sizes; documents: their content sizes; else 0).
     *
     * @param count how many
     * @param bytes how many bytes
     */
    public record Tally(long count, long bytes) {
        public static final Tally ZERO = new Tally(0, 0);

        public Tally {
            if (count < 0 || bytes < 0) {
                throw new IllegalArgumentException("count and bytes must be >= 0");
            }
        }

        public Tally plus(long bytesOfOne) {
            return new Tally(count + 1, bytes + Math.max(0, bytesOfOne));
        }
    }

    /**
     * One orphan.
     *
     * @param orphanClass what it is
     * @param id          its opaque id: a document uuid, a VSRX file id, a content hash or an outbox id
     * @param bytes       its size where it has one, else 0
     * @param removed     {@code true} when this cleanup removed it
     */
    public record Item(OrphanClass orphanClass, String id, long bytes, boolean removed) {
        public Item {
            requireNonNull(orphanClass, "orphanClass");
            requireNonNull(id, "id");
        }
    }

    public CleanupReport {
        requireNonNull(runId, "runId");
        requireNonNull(startedAt, "startedAt");
        requireNonNull(finishedAt, "finishedAt");
        requireNonNull(status, "status");
        requireNonNull(error, "error");
        found = copy(found);
        removed = copy(removed);
        tooYoung = copy(tooYoung);
        items = List.copyOf(requireNonNull(items, "items"));
        notes = List.copyOf(requireNonNull(notes, "notes"));
    }

    private static <V> Map<OrphanClass, V> copy(Map<OrphanClass, V> m) {
        requireNonNull(m, "map");
        return m.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(m));
    }

    /** Found orphans of a class. */
    public Tally found(OrphanClass c) {
        return found.getOrDefault(c, Tally.ZERO);
    }

    /** Removed orphans of a class. */
    public Tally removed(OrphanClass c) {
        return removed.getOrDefault(c, Tally.ZERO);
    }

    /** {@code true} when it ran to the end. */
    public boolean success() {
        return status == OperationStatus.COMPLETED;
    }
}
