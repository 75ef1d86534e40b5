package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.ContentSource;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.VectorStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out post-commit work from the persisted outbox (DESIGN §2.6): processing and vector work of
 * documents, and blob collection. The outbox is read a page at a time: the documents of a page's processing
 * entries are read in one round trip and their vector entries cleared in one call, and the entries whose work
 * finished are completed together in one write after the page's work. A failure is recorded at once and the
 * entry parked after {@code maxAttempts}. Work is idempotent, so a crash before the completion only repeats the
 * work of that page's entries.
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
    private final boolean settles;

    OutboxDrainer(DocumentStore documents, VectorStore vectors, DocumentProcessor processor, BlobStore blobs,
            BlobCollector collector, Retrier retrier, int maxAttempts) {
        this(documents, vectors, processor, blobs, collector, retrier, maxAttempts, false);
    }

    /**
     * @param settles scale-out: after processing, read the documents again and bring the entries of any whose
     *                content changed or that is gone meanwhile in line with it ({@link #settle}). The workers of
     *                one run write under one token, so the vector store's fencing does not order their work.
     */
    OutboxDrainer(DocumentStore documents, VectorStore vectors, DocumentProcessor processor, BlobStore blobs,
            BlobCollector collector, Retrier retrier, int maxAttempts, boolean settles) {
        this.documents = requireNonNull(documents, "documents");
        this.blobs = requireNonNull(blobs, "blobs");
        this.vectors = requireNonNull(vectors, "vectors");
        this.processor = requireNonNull(processor, "processor");
        this.collector = requireNonNull(collector, "collector");
        this.retrier = requireNonNull(retrier, "retrier");
        this.maxAttempts = maxAttempts;
        this.settles = settles;
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
            List<OutboxEntry> mine = new ArrayList<>(batch.size());
            for (OutboxEntry e : batch) {
                after = Math.max(after, e.id());
                if (filter.test(e)) {
                    mine.add(e);
                }
            }
            if (mine.isEmpty()) {
                continue;
            }
            Map<DocumentUuid, SilknoteDocument> docs = documentsOf(mine);
            Set<DocumentUuid> cleared = clearVectors(lease, mine, docs);
            List<Long> done = new ArrayList<>(mine.size());
            Map<DocumentUuid, ContentHash> processed = new LinkedHashMap<>();
            for (OutboxEntry e : mine) {
                lease.checkpoint();
                switch (handle(lease, e, docs, cleared, held, processed)) {
                    case COMPLETED -> done.add(e.id());
                    case FAILED -> failed++;
                    case DEFERRED -> deferred++;
                }
            }
            if (settles) {
                settle(lease, processed);
            }
            complete(lease, done);
            completed += done.size();
        }
        return new Stats(completed, failed, deferred);
    }

    /**
     * The page's finished entries in one write. Until it lands they stay pending, so a crash or a lost lease
     * before it only repeats their idempotent work (DESIGN §2.6); after a lost lease nothing is written (rule 10).
     */
    private void complete(LeaseKeeper lease, List<Long> done) {
        if (done.isEmpty()) {
            return;
        }
        lease.checkpoint();
        retrier.run("outbox.complete", () -> documents.completeOutbox(lease.token(), done));
        log.debug("outbox done entries={}", done.size());
    }

    /** The documents of the page's processing entries, read in one round trip. */
    private Map<DocumentUuid, SilknoteDocument> documentsOf(List<OutboxEntry> entries) {
        Set<DocumentUuid> uuids = new LinkedHashSet<>();
        for (OutboxEntry e : entries) {
            if (e.action() == OutboxEntry.Action.PROCESS) {
                uuids.add(e.document());
            }
        }
        if (uuids.isEmpty()) {
            return Map.of();
        }
        return retrier.call("documents.find", () -> documents.findDocuments(uuids));
    }

    /**
     * Clears the vector entries of the page's documents to be processed in one call (each is processed again
     * from scratch: idempotent). When that fails, each entry clears its own as before, with its own failure.
     *
     * @return the documents whose entries are cleared
     */
    private Set<DocumentUuid> clearVectors(LeaseKeeper lease, List<OutboxEntry> entries,
            Map<DocumentUuid, SilknoteDocument> docs) {
        Set<DocumentUuid> toClear = new LinkedHashSet<>();
        for (OutboxEntry e : entries) {
            if (e.action() == OutboxEntry.Action.PROCESS && current(e, docs.get(e.document()))) {
                toClear.add(e.document());
            }
        }
        if (toClear.isEmpty()) {
            return Set.of();
        }
        try {
            lease.checkpoint();
            retrier.call("vectors.delete", () -> vectors.deleteByDocuments(lease.token(), toClear));
            return toClear;
        } catch (LeaseLostException | StaleFencingTokenException stop) {
            throw stop;
        } catch (RuntimeException ex) {
            log.debug("outbox vector clearing of a page failed, per entry instead reason={}",
                    ex.getClass().getSimpleName());
            return Set.of();
        }
    }

    /** Whether the entry still describes the document's content (else it is superseded). */
    private static boolean current(OutboxEntry e, SilknoteDocument doc) {
        return doc != null && doc.contentHash().equals(e.contentHash());
    }

    private enum Handled { COMPLETED, FAILED, DEFERRED }

    private Handled handle(LeaseKeeper lease, OutboxEntry e, Map<DocumentUuid, SilknoteDocument> docs,
            Set<DocumentUuid> cleared, Function<ContentHash, ContentSource> held,
            Map<DocumentUuid, ContentHash> processed) {
        try {
            switch (e.action()) {
                case PROCESS -> {
                    if (process(lease, e, Optional.ofNullable(docs.get(e.document())), cleared.contains(e.document()),
                            held)) {
                        processed.put(e.document(), e.contentHash());
                    }
                }
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
            log.debug("outbox work done entry={} action={} document={}", e.id(), e.action(), e.document());
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

    /** @return whether the entry's content was processed ({@code false}: superseded) */
    private boolean process(LeaseKeeper lease, OutboxEntry e, Optional<SilknoteDocument> doc, boolean cleared,
            Function<ContentHash, ContentSource> held) {
        if (!current(e, doc.orElse(null))) {
            // Superseded: the document is gone or holds newer content with its own entry.
            log.debug("outbox entry superseded entry={} document={}", e.id(), e.document());
            return false;
        }
        // Both writes carry the run's token: a run paused here never undoes a newer run's processing.
        if (!cleared) {
            retrier.call("vectors.delete", () -> vectors.deleteByDocument(lease.token(), e.document()));
        }
        ContentHash hash = e.contentHash();
        ContentSource spooled = held.apply(hash);
        ContentSource content = spooled != null ? spooled : () -> blobs.open(hash);
        retrier.run("processor.process", () -> processor.process(doc.get(), lease.token(), content));
        return true;
    }

    /** Rounds of {@link #settle}: each is one read of the documents, then work only where they moved on. */
    private static final int SETTLE_ROUNDS = 3;

    /**
     * Scale-out (DESIGN rule 10, §2.6): brings the entries just written in line with their documents as they are
     * now. Another worker may have committed newer content of a document (or removed it) and processed it while
     * this one processed the older content, under the same token, so the older entries could land last. Every
     * worker reads its documents again after its writes: a document gone loses the entries, a document with
     * other content is processed again from the blob store. Whoever wrote last finds the truth in that read, so
     * the entries end processed from the content the document has. Failures are logged, never fatal: the entry's
     * work is done, and a later change of the document processes it again.
     *
     * @param written the content whose entries this drain wrote, by document
     */
    private void settle(LeaseKeeper lease, Map<DocumentUuid, ContentHash> written) {
        Map<DocumentUuid, ContentHash> check = written;
        for (int round = 0; round < SETTLE_ROUNDS && !check.isEmpty(); round++) {
            Set<DocumentUuid> uuids = check.keySet();
            Map<DocumentUuid, SilknoteDocument> now = retrier.call("documents.find", () -> documents.findDocuments(uuids));
            Map<DocumentUuid, ContentHash> again = new LinkedHashMap<>();
            for (Map.Entry<DocumentUuid, ContentHash> w : check.entrySet()) {
                SilknoteDocument doc = now.get(w.getKey());
                if (doc != null && doc.contentHash().equals(w.getValue())) {
                    continue;
                }
                lease.checkpoint();
                try {
                    retrier.call("vectors.delete", () -> vectors.deleteByDocument(lease.token(), w.getKey()));
                    if (doc != null) {
                        ContentHash hash = doc.contentHash();
                        retrier.run("processor.process", () -> processor.process(doc, lease.token(),
                                () -> blobs.open(hash)));
                        again.put(doc.uuid(), hash);
                    }
                    log.debug("outbox settled document={} gone={}", w.getKey(), doc == null);
                } catch (LeaseLostException | StaleFencingTokenException stop) {
                    throw stop;
                } catch (RuntimeException ex) {
                    log.warn("outbox settling failed document={} reason={}", w.getKey(), ex.getClass().getSimpleName());
                }
            }
            check = again;
        }
    }
}
