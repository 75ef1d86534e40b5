package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a consistency check found. Ids and figures only.
 *
 * @param runId             the check's id
 * @param startedAt         start
 * @param finishedAt        end
 * @param status            how it ended
 * @param error             why it did not complete, if it did not
 * @param contentVerified   {@code true} when every blob's bytes were hashed
 * @param counts            findings per class (exact, even when the list is truncated)
 * @param findings          the findings, at most {@link CleanupReport#MAX_ITEMS}, in the order found
 * @param findingsTruncated {@code true} when more were found than {@code findings} holds
 * @param examined          what was looked at, by name ({@code hashes}, {@code blobs}, ...), for the report
 * @param notes             log-safe remarks (a sync was running, so findings may be passing states)
 */
public record CheckReport(RunId runId, Instant startedAt, Instant finishedAt, OperationStatus status,
        Optional<String> error, boolean contentVerified, Map<FindingClass, Long> counts, List<Finding> findings,
        boolean findingsTruncated, Map<String, Long> examined, List<String> notes) {

    public CheckReport {
        requireNonNull(runId, "runId");
        requireNonNull(startedAt, "startedAt");
        requireNonNull(finishedAt, "finishedAt");
        requireNonNull(status, "status");
        requireNonNull(error, "error");
        requireNonNull(counts, "counts");
        counts = counts.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(counts));
        findings = List.copyOf(requireNonNull(findings, "findings"));
        examined = Map.copyOf(requireNonNull(examined, "examined"));
        notes = List.copyOf(requireNonNull(notes, "notes"));
    }

    /** Findings of all classes. */
    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Findings of one class. */
    public long count(FindingClass c) {
        return counts.getOrDefault(c, 0L);
    }

    /** {@code true} when the check ran to the end and found nothing. */
    public boolean clean() {
        return status == OperationStatus.COMPLETED && total() == 0;
    }
}
