package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.testkit.InMemoryBlobStore;
import com.silknote.sync.testkit.ForwardingDocumentStore;
import com.silknote.sync.testkit.InMemoryDocumentStore;
import com.silknote.sync.testkit.InMemorySyncLock;
import com.silknote.sync.testkit.InMemoryVectorStore;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import com.silknote.sync.testkit.fault.Operation;
import com.silknote.sync.testkit.fault.SimulatedCrash;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §4, crash safety (post-commit work through the persisted outbox: idempotent, retried, parked after
 * {@code maxOutboxAttempts}, never starving newer entries) and rule 10 (a run that lost its lease stops before
 * its next write): the drainer on its own, against the in-memory stores.
 */
class OutboxDrainerTest {
    private static final Duration TTL = Duration.ofMinutes(3);
    private static final FencingToken TOKEN = FencingToken.of(1);
    private static final int MAX_ATTEMPTS = 3;

    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    /** Counts the batch completions and document reads; {@link #crashAtCompletion} makes the next one crash. */
    private final InMemoryDocumentStore memory = new InMemoryDocumentStore(clock);
    private final DocumentStore documents = new ForwardingDocumentStore(memory) {
        @Override
        public void completeOutbox(FencingToken token, Collection<Long> entryIds) {
            if (crashAtCompletion) {
                crashAtCompletion = false;
                throw new SimulatedCrash(0, Operation.DOCUMENTS_COMPLETE_OUTBOX, "crash before the completion");
            }
            completions.add(List.copyOf(entryIds));
            memory.completeOutbox(token, entryIds);
        }

        @Override
        public Optional<SilknoteDocument> findDocument(DocumentUuid uuid) {
            documentReads++;
            return super.findDocument(uuid);
        }

        @Override
        public void completeOutbox(FencingToken token, long entryId) {
            completions.add(List.of(entryId));
            super.completeOutbox(token, entryId);
        }

        @Override
        public Map<DocumentUuid, SilknoteDocument> findDocuments(Collection<DocumentUuid> uuids) {
            documentReads++;
            return super.findDocuments(uuids);
        }
    };
    private final List<List<Long>> completions = new ArrayList<>();
    private int documentReads;
    private boolean crashAtCompletion;
    /** Purges per document, to tell repeated work from new work. */
    private final Map<DocumentUuid, Integer> purgesOf = new HashMap<>();
    private final InMemoryBlobStore blobs = new InMemoryBlobStore(clock);
    private final InMemoryVectorStore vectorStore = new InMemoryVectorStore();
    private final ContentRegistry registry = new ContentRegistry();
    private final Retrier retrier = new Retrier(RetryPolicy.none(), d -> { }, new Random(1));
    private final FakeLease lease = new FakeLease();
    private final LeaseKeeper keeper = new LeaseKeeper(new InMemorySyncLock(clock), "vsrx-sync", lease, TTL, clock);
    /** Run by {@code deleteByDocument}; what it gives is thrown (null: delete). */
    private Supplier<RuntimeException> purgeFailure;
    private int purges;

    private final VectorStore vectors = new VectorStore() {
        @Override public void fence(FencingToken token) { vectorStore.fence(token); }

        @Override
        public void replace(FencingToken token, DocumentUuid document, List<VectorEntry> entries) {
            vectorStore.replace(token, document, entries);
        }

        @Override
        public int deleteByDocument(FencingToken token, DocumentUuid document) {
            purges++;
            purgesOf.merge(document, 1, Integer::sum);
            RuntimeException failure = purgeFailure == null ? null : purgeFailure.get();
            if (failure != null) {
                throw failure;
            }
            return vectorStore.deleteByDocument(token, document);
        }

        @Override public List<VectorEntry> entries(DocumentUuid document) { return vectorStore.entries(document); }

        @Override
        public Page<DocumentUuid> documents(Optional<String> cursor, int limit) {
            return vectorStore.documents(cursor, limit);
        }
    };

    private final OutboxDrainer drainer = new OutboxDrainer(documents, vectors, DocumentProcessor.NONE, blobs,
            new BlobCollector(documents, blobs, registry, clock, Duration.ZERO), retrier, MAX_ATTEMPTS);

    /** A lease that can be taken over: its next renewal then fails. */
    private static final class FakeLease implements SyncLock.Lease {
        boolean takenOver;

        @Override public FencingToken token() { return TOKEN; }

        @Override
        public void renew(Duration ttl) {
            if (takenOver) {
                throw new LeaseLostException("taken over");
            }
        }

        @Override public void close() { }
    }

    private void enqueue(OutboxEntry.Action action, String name, ContentHash hash) {
        OutboxEntry entry = OutboxEntry.pending(DocumentUuid.forVsrxFile(VsrxFileId.of(name)), action, hash,
                clock.instant());
        documents.inUnitOfWork(TOKEN, u -> {
            u.enqueue(entry);
            return null;
        });
    }

    private void purge(String name) {
        enqueue(OutboxEntry.Action.PURGE_VECTORS, name, TestHashes.sha256(name));
    }

    /** Stored, referenced once and released: a blob the collector takes at once (grace zero). */
    private ContentHash releasedBlob(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        BlobUpload up = new BlobUpload(TestHashes.sha256(text), bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes));
        String etag = blobs.putIfAbsent(up).info().etag();
        documents.inUnitOfWork(TOKEN, u -> u.addBlobRef(up.hash(), up.size(), etag));
        documents.inUnitOfWork(TOKEN, u -> u.releaseBlobRef(up.hash()));
        clock.advance(Duration.ofSeconds(1));
        return up.hash();
    }

    @Test
    @DisplayName("§4 outbox: each accepted entry is worked once and completed; entries the filter refuses stay pending")
    void acceptedEntriesAreCompletedOthersStay() {
        purge("a");
        purge("b");
        purge("c");
        DocumentUuid b = DocumentUuid.forVsrxFile(VsrxFileId.of("b"));

        OutboxDrainer.Stats stats = drainer.drain(keeper, e -> !e.document().equals(b));

        assertThat(stats).isEqualTo(new OutboxDrainer.Stats(2, 0, 0));
        assertThat(purges).isEqualTo(2);
        assertThat(memory.allPendingOutbox()).extracting(OutboxEntry::document).containsExactly(b);
    }

    @Test
    @DisplayName("§4 outbox: a failing entry is recorded and retried by the next drain, parked at maxOutboxAttempts")
    void aFailingEntryIsParkedAtTheLimit() {
        purge("a");
        purgeFailure = () -> new TransientSyncException("vector store down");

        for (int attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
            assertThat(drainer.drain(keeper, e -> true)).isEqualTo(new OutboxDrainer.Stats(0, 1, 0));
            int attempts = attempt;
            assertThat(memory.allPendingOutbox()).as("attempt %d of %d", attempt, MAX_ATTEMPTS).singleElement()
                    .satisfies(e -> assertThat(e.attempts()).isEqualTo(attempts));
            assertThat(memory.parkedOutbox()).isEmpty();
        }
        assertThat(drainer.drain(keeper, e -> true)).isEqualTo(new OutboxDrainer.Stats(0, 1, 0));
        assertThat(memory.allPendingOutbox()).isEmpty();
        assertThat(memory.parkedOutbox()).singleElement().satisfies(e -> {
            assertThat(e.attempts()).isEqualTo(MAX_ATTEMPTS);
            assertThat(e.lastError()).contains("TransientSyncException");
        });
    }

    @Test
    @DisplayName("rule 10: a stale token from a port stops the drain; the entry is not counted as a failure")
    void aStaleTokenStopsTheDrain() {
        purge("a");
        purgeFailure = () -> new StaleFencingTokenException("newer holder wrote");

        assertThatThrownBy(() -> drainer.drain(keeper, e -> true)).isInstanceOf(StaleFencingTokenException.class);

        assertThat(memory.allPendingOutbox()).singleElement()
                .satisfies(e -> assertThat(e.attempts()).isZero());
    }

    @Test
    @DisplayName("rule 10: a lease lost between entries stops the drain before the next entry's writes")
    void aLostLeaseStopsBeforeTheNextEntry() {
        purge("a");
        purge("b");
        purgeFailure = () -> { // the first purge succeeds, and meanwhile the lease is taken over
            purgeFailure = null;
            clock.advance(TTL.dividedBy(3));
            lease.takenOver = true;
            return null;
        };

        assertThatThrownBy(() -> drainer.drain(keeper, e -> true)).isInstanceOf(LeaseLostException.class);

        assertThat(purges).as("the second entry is not worked").isEqualTo(1);
        // §2.6: nothing is written after the lease is lost, not even the completion of the first entry's work:
        // both stay pending and the next holder repeats the first one's (idempotent) work.
        assertThat(completions).isEmpty();
        assertThat(memory.allPendingOutbox()).extracting(OutboxEntry::document)
                .containsExactly(DocumentUuid.forVsrxFile(VsrxFileId.of("a")), DocumentUuid.forVsrxFile(VsrxFileId.of("b")));
    }

    @Test
    @DisplayName("§2.6 outbox: a page's finished entries are completed together in one write after their work, and"
            + " the documents of its processing entries are read in one round trip")
    void aPageIsCompletedInOneWrite() {
        purge("a");
        enqueue(OutboxEntry.Action.PROCESS, "b", TestHashes.sha256("b"));
        enqueue(OutboxEntry.Action.PROCESS, "c", TestHashes.sha256("c"));
        purge("d");
        purgeFailure = () -> {
            // while the page is worked, none of its entries is completed yet
            assertThat(completions).isEmpty();
            return null;
        };

        assertThat(drainer.drain(keeper, e -> true)).isEqualTo(new OutboxDrainer.Stats(4, 0, 0));

        assertThat(completions).as("one completion for the page").hasSize(1);
        assertThat(completions.get(0)).hasSize(4);
        assertThat(documentReads).as("the documents of b and c in one read").isEqualTo(1);
        assertThat(memory.allPendingOutbox()).isEmpty();
    }

    @Test
    @DisplayName("§2.6 crash between a document's work and the page's completion: the next drain repeats only that"
            + " page's work, and no entry is lost or counted as failed")
    void aCrashBeforeTheCompletionRepeatsOnlyThatWork() {
        purge("z");
        assertThat(drainer.drain(keeper, e -> true)).isEqualTo(new OutboxDrainer.Stats(1, 0, 0));
        purge("a");
        purge("b");
        purge("c");
        DocumentUuid a = DocumentUuid.forVsrxFile(VsrxFileId.of("a"));
        DocumentUuid c = DocumentUuid.forVsrxFile(VsrxFileId.of("c"));
        DocumentUuid z = DocumentUuid.forVsrxFile(VsrxFileId.of("z"));

        // 1. the process dies during the work of c, after a and b were worked
        purgeFailure = () -> {
            if (purgesOf.getOrDefault(c, 0) > 0) {
                purgeFailure = null;
                throw new SimulatedCrash(0, Operation.VECTOR_DELETE, "crash during the work of c");
            }
            return null;
        };
        assertThatThrownBy(() -> drainer.drain(keeper, e -> true)).isInstanceOf(SimulatedCrash.class);
        assertThat(memory.allPendingOutbox()).hasSize(3).allSatisfy(e -> assertThat(e.attempts()).isZero());

        // 2. the restarted drain works all three, then dies just before their completion
        crashAtCompletion = true;
        assertThatThrownBy(() -> drainer.drain(keeper, e -> true)).isInstanceOf(SimulatedCrash.class);
        assertThat(memory.allPendingOutbox()).hasSize(3).allSatisfy(e -> assertThat(e.attempts()).isZero());

        // 3. the next drain finishes them
        assertThat(drainer.drain(keeper, e -> true)).isEqualTo(new OutboxDrainer.Stats(3, 0, 0));
        assertThat(memory.allPendingOutbox()).isEmpty();
        assertThat(memory.parkedOutbox()).isEmpty();
        assertThat(purgesOf.get(a)).as("a: worked by each of the three drains").isEqualTo(3);
        assertThat(purgesOf.get(c)).isEqualTo(3);
        assertThat(purgesOf.get(z)).as("an entry completed before is never worked again").isEqualTo(1);
    }

    @Test
    @DisplayName("§4: a collection deferred because the run holds the content stays pending, not failed")
    void aDeferredCollectionStaysPending() throws InterruptedException {
        ContentHash hash = releasedBlob("held by the run");
        enqueue(OutboxEntry.Action.COLLECT_BLOB, "a", hash);
        registry.enter(hash);

        assertThat(drainer.drain(keeper, e -> true)).isEqualTo(new OutboxDrainer.Stats(0, 0, 1));
        assertThat(memory.allPendingOutbox()).singleElement()
                .satisfies(e -> assertThat(e.attempts()).isZero());
        assertThat(blobs.rawBytes(hash)).isPresent();

        registry.leave(hash);
        assertThat(drainer.drain(keeper, e -> true)).isEqualTo(new OutboxDrainer.Stats(1, 0, 0));
        assertThat(memory.allPendingOutbox()).isEmpty();
        assertThat(blobs.rawBytes(hash)).isEmpty();
    }
}
