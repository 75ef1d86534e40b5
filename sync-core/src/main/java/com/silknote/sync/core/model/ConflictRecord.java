package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A conflict between the two sides of one file, kept in the ledger until an operator is done with it
 * (docs/bidirectional.md §4). The record holds one blob reference for each hash of {@link #heldHashes()},
 * counted in the ledger's reference rows like a document's, so the losing bytes survive every collector.
 * Ids, hashes and codes only: safe to log.
 *
 * @param id           derived from the conflict
 * @param filesetId    the patient fileset
 * @param fileId       the VSRX file, when there is one
 * @param document     the Silknote document
 * @param kind         what the two sides did
 * @param status       open, applied or resolved
 * @param baseHash     the content both sides last agreed on, when known
 * @param vsrxHash     the VSRX side's content, when it has any (not for a deletion)
 * @param vsrxEtag     the VSRX side's ETag when the conflict was recorded
 * @param silknoteHash the Silknote side's content, when it has any (not for a removal)
 * @param strategy     the strategy that was applied, or that an operator decided
 * @param decision     an operator's decision the next run of the fileset applies ({@code VSRX_WINS},
 *                     {@code SILKNOTE_WINS} or {@code KEEP_BOTH}); only while {@code OPEN}
 * @param keptHash     the loser's content an {@code APPLIED} record keeps, if the loser had content
 * @param detail       a reason code ({@code conflict:vsrx-wins}, {@code released}, {@code superseded}, ...)
 * @param detectedAt   when the conflict was first recorded
 * @param updatedAt    the record's last change
 */
public record ConflictRecord(ConflictId id, FilesetId filesetId, Optional<VsrxFileId> fileId, DocumentUuid document,
        ConflictKind kind, ConflictStatus status, Optional<ContentHash> baseHash, Optional<ContentHash> vsrxHash,
        Optional<String> vsrxEtag, Optional<ContentHash> silknoteHash, Optional<ConflictStrategy> strategy,
        Optional<ConflictStrategy> decision, Optional<ContentHash> keptHash, Optional<String> detail,
        Instant detectedAt, Instant updatedAt) {

    /** Prefix of the {@link #detail()} of an open record an operator decided ({@code operator:vsrx-wins}, ...). */
    public static final String OPERATOR = "operator:";

    /**
     * @throws IllegalArgumentException when a decision is not one of the three an operator can make, or is
     *                                  set on a record that is not open
     */
    public ConflictRecord {
        requireNonNull(id, "id");
        requireNonNull(filesetId, "filesetId");
        requireNonNull(fileId, "fileId");
        requireNonNull(document, "document");
        requireNonNull(kind, "kind");
        requireNonNull(status, "status");
        requireNonNull(baseHash, "baseHash");
        requireNonNull(vsrxHash, "vsrxHash");
        requireNonNull(vsrxEtag, "vsrxEtag");
        requireNonNull(silknoteHash, "silknoteHash");
        requireNonNull(strategy, "strategy");
        requireNonNull(decision, "decision");
        requireNonNull(keptHash, "keptHash");
        requireNonNull(detail, "detail");
        requireNonNull(detectedAt, "detectedAt");
        requireNonNull(updatedAt, "updatedAt");
        if (decision.isPresent()) {
            ConflictStrategy d = decision.get();
            if (d != ConflictStrategy.VSRX_WINS && d != ConflictStrategy.SILKNOTE_WINS && d != ConflictStrategy.KEEP_BOTH) {
                throw new IllegalArgumentException("an operator decides VSRX_WINS, SILKNOTE_WINS or KEEP_BOTH");
            }
            if (status != ConflictStatus.OPEN) {
                throw new IllegalArgumentException("only an open conflict waits for a decision");
            }
        }
    }

    /** The hashes this record holds a reference to: both versions while open, the loser's once applied. */
    public Set<ContentHash> heldHashes() {
        Set<ContentHash> out = new TreeSet<>();
        switch (status) {
            case OPEN -> {
                vsrxHash.ifPresent(out::add);
                silknoteHash.ifPresent(out::add);
            }
            case APPLIED -> keptHash.ifPresent(out::add);
            case RESOLVED -> { }
        }
        return out;
    }

    /** {@code true} while an operator still has something to do with it. */
    public boolean unresolved() {
        return status != ConflictStatus.RESOLVED;
    }

    /** This record with another status, decision, kept hash and detail, updated at {@code now}. */
    public ConflictRecord with(ConflictStatus newStatus, Optional<ConflictStrategy> newStrategy,
            Optional<ConflictStrategy> newDecision, Optional<ContentHash> newKept, Optional<String> newDetail,
            Instant now) {
        return new ConflictRecord(id, filesetId, fileId, document, kind, newStatus, baseHash, vsrxHash, vsrxEtag,
                silknoteHash, newStrategy, newDecision, newKept, newDetail, detectedAt, now);
    }
}
