package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.ContentSource;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.VectorStore;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out post-commit work from the persisted outbox (DESIGN §2.6): processing and vector work of
 * documents, and blob collection. Each entry is completed after its work; a failure is recorded and the
 * entry parked after {@code maxAttempts}. Work is idempotent, so a crash before completion only repeats it.
 */
final class OutboxDrainer {
    private static final Logger log = LoggerFactory.getLogger(OutboxDrainer.class);
    private static final int BATCH = 500;

    /** Counts of one drain. */
    record Stats(int completed, int failed, int deferred) { }

    private final DocumentStore documents;
    private final VectorStore vectors;
    private final DocumentProcessor processor;
    private final BlobStore blobs;
    private final BlobCollector collector;
    private final Retrier retrier;
    private final int maxAttempts;

    OutboxDrainer(DocumentStore documents, VectorStore vectors, DocumentProcessor processor, BlobStore blobs,
            BlobCollector collector, Retrier retrier, int maxAttempts) {
        this.documents = requireNonNull(documents, "documents");
        this.blobs = requireNonNull(blobs, "blobs");
        this.vectors = requireNonNull(vectors, "vectors");
        this.processor = requireNonNull(processor, "processor");
        this.collector = requireNonNull(collector, "collector");
        this.retrier = requireNonNull(retrier, "retrier");
        this.maxAttempts = maxAttempts;
    }

    /**
     * Works off pending entries accepted by {@code filter}, each at most once per call. The outbox is paged
     * by id, so entries that keep failing at its head never hide newer ones (issue 9 item 7).
     *
     * @throws LeaseLostException          when the lease is lost
     * @throws StaleFencingTokenException  when a newer holder wrote
     */
    Stats drain(LeaseKeeper lease, Predicate<OutboxEntry> filter) {
        return drain(lease, filter, hash -> null);
    }

    /**
     * As {@link #drain(LeaseKeeper, Predicate)}; {@code held} gives the content this run still holds for a
     * hash (its checked spool), or {@code null}: processing then reads that copy instead of the blob store
     * (issue 12 item 3).
     */
    Stats drain(LeaseKeeper lease, Predicate<OutboxEntry> filter, Function<ContentHash, ContentSource> held) {
        int completed = 0;
        int failed = 0;
        int deferred = 0;
        long after = 0;
        while (true) {
            long from = after;
            List<OutboxEntry> batch = retrier.call("outbox.pending", () -> documents.pendingOutbox(from, BATCH));
            if (batch.isEmpty()) {
                break;
            }
            for (OutboxEntry e : batch) {
                after = Math.max(after, e.id());
                if (!filter.test(e)) {
                    continue;
                }
                lease.checkpoint();
                switch (handle(lease, e, held)) {
                    case COMPLETED -> completed++;
                    case FAILED -> failed++;
                    case DEFERRED -> deferred++;
                }
            }
        }
        return new Stats(completed, failed, deferred);
    }

    private enum Handled { COMPLETED, FAILED, DEFERRED }

    private Handled handle(LeaseKeeper lease, OutboxEntry e, Function<ContentHash, ContentSource> held) {
        try {
            switch (e.action()) {
                case PROCESS -> process(lease, e, held);
                case PURGE_VECTORS -> retrier.call("vectors.delete",
                        () -> vectors.deleteByDocument(lease.token(), e.document()));
                case COLLECT_BLOB -> {
                    BlobCollector.Result r = retrier.call("blob.collect", () -> collector.collect(lease, e.contentHash()));
                    if (r == BlobCollector.Result.DEFERRED) {
                        log.debug("outbox deferred entry={} action={}", e.id(), e.action());
                        return Handled.DEFERRED;
                    }
                }
            }
            documents.completeOutbox(lease.token(), e.id());
            log.debug("outbox done entry={} action={} document={}", e.id(), e.action(), e.document());
            return Handled.COMPLETED;
        } catch (LeaseLostException | StaleFencingTokenException stop) {
            throw stop;
        } catch (RuntimeException ex) {
            // SyncExceptions from the ports, or a faulty port implementation: recorded, never fatal.
            boolean park = e.attempts() + 1 >= maxAttempts;
            String code = ex.getClass().getSimpleName();
            documents.failOutbox(lease.token(), e.id(), code, park);
            log.warn("outbox entry failed entry={} action={} document={} attempts={} parked={} reason={}", e.id(),
                    e.action(), e.document(), e.attempts() + 1, park, code);
            return Handled.FAILED;
        }
    }

    private void process(LeaseKeeper lease, OutboxEntry e, Function<ContentHash, ContentSource> held) {
        Optional<SilknoteDocument> doc = retrier.call("documents.find", () -> documents.findDocument(e.document()));
        if (doc.isEmpty() || !doc.get().contentHash().equals(e.contentHash())) {
            // Superseded: the document is gone or holds newer content with its own entry.
            log.debug("outbox entry superseded entry={} document={}", e.id(), e.document());
            return;
        }
        // Both writes carry the run's token: a run paused here never undoes a newer run's processing.
        retrier.call("vectors.delete", () -> vectors.deleteByDocument(lease.token(), e.document()));
        ContentHash hash = e.contentHash();
        ContentSource spooled = held.apply(hash);
        ContentSource content = spooled != null ? spooled : () -> blobs.open(hash);
        retrier.run("processor.process", () -> processor.process(doc.get(), lease.token(), content));
    }
}
