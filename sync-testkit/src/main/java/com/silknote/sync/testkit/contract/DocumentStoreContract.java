package com.silknote.sync.testkit.contract;

import static com.silknote.sync.testkit.contract.Fixtures.document;
import static com.silknote.sync.testkit.contract.Fixtures.fileId;
import static com.silknote.sync.testkit.contract.Fixtures.fileset;
import static com.silknote.sync.testkit.contract.Fixtures.hash;
import static com.silknote.sync.testkit.contract.Fixtures.mapping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.silknote.sync.core.exception.BlobBeingCollectedException;
import com.silknote.sync.core.exception.ConcurrentUpdateException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.RunRecord;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.TestClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link DocumentStore} must have. An adapter's test extends this class and supplies
 * {@link #newStore(Clock)}.
 *
 * <p>Assumptions: the store stamps the times it sets itself ({@code BlobRef.updatedAt}) with the given
 * clock; instants handed to it are whole seconds or milliseconds and must come back equal; every value
 * object written (documents with metadata, mappings, records, skips, state, run reports) reads back
 * {@code equals} to what was written.
 */
public abstract class DocumentStoreContract {

    /** The clock given to the store; tests move it. */
    protected final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");

    private DocumentStore store;

    /**
     * A fresh, empty store (its own schema/namespace), stamping times with {@code clock}. Called once per
     * test, lazily.
     */
    protected abstract DocumentStore newStore(Clock clock);

    /** The store of the running test (created on first use). */
    protected final synchronized DocumentStore store() {
        if (store == null) {
            store = newStore(clock);
        }
        return store;
    }

    @AfterEach
    void forgetStore() {
        store = null;
    }

    private static final FilesetId FS = FilesetId.of("fs-000001");
    private static final FilesetId FS2 = FilesetId.of("fs-000002");
    private static final FencingToken T1 = FencingToken.of(1);

    private <T> T uow(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
        return store().inUnitOfWork(token, work);
    }

    private void write(FencingToken token, Consumer<DocumentStore.UnitOfWork> work) {
        store().inUnitOfWork(token, u -> {
            work.accept(u);
            return null;
        });
    }

    /** Writes a document of FS with its mapping, fileset record and a blob ref; returns it. */
    private SilknoteDocument seedDocument(int n, String content) {
        Instant now = clock.instant();
        SilknoteDocument d = document(FS, fileId(n), hash(content), content.length(), now);
        write(T1, u -> {
            u.upsertFileset(fileset(FS, now));
            u.addBlobRef(d.contentHash(), d.size(), "etag-" + n);
            u.upsertDocument(d);
            u.upsertMapping(mapping(d, Optional.of("\"v" + n + "\""), now.minusSeconds(60), now));
        });
        return d;
    }

    // ------------------------------------------------------------------ basics

    @Test
    public void freshStoreIsEmpty() {
        assertThat(store().loadState()).isEqualTo(SyncState.initial());
        assertThat(store().loadState().toJson()).isEqualTo(SyncState.initial().toJson());
        assertThat(store().recentRuns(10)).isEmpty();
        assertThat(store().pendingOutbox(10)).isEmpty();
        assertThat(store().unreferencedBlobs(10)).isEmpty();
        assertThat(store().mappings(FS)).isEmpty();
        assertThat(store().documents(FS)).isEmpty();
        assertThat(store().findFileset(FS)).isEmpty();
        assertThat(store().findMapping(fileId(1))).isEmpty();
        assertThat(store().findDocument(DocumentUuid.forVsrxFile(fileId(1)))).isEmpty();
        assertThat(store().findDocumentByClientFileId(fileId(1))).isEmpty();
        assertThat(store().findBlobRef(hash("x"))).isEmpty();
        assertThat(store().permanentSkips(FS)).isEmpty();
    }

    @Test
    public void unitOfWorkWritesAreVisibleThroughEveryLookup() {
        Instant now = clock.instant();
        SilknoteDocument a = document(FS, fileId(1), hash("a"), 1, now);
        SilknoteDocument b = document(FS, fileId(2), hash("b"), 2, now);
        SilknoteDocument other = document(FS2, fileId(3), hash("c"), 3, now);
        SyncMapping ma = mapping(a, Optional.of("\"e1\""), now.minusSeconds(5), now);
        SyncMapping mb = mapping(b, Optional.empty(), now.minusSeconds(6), now);
        SyncMapping mo = mapping(other, Optional.of("e3"), now.minusSeconds(7), now);
        write(T1, u -> {
            u.upsertFileset(fileset(FS, now));
            u.upsertFileset(fileset(FS2, now));
            for (SilknoteDocument d : List.of(a, b, other)) {
                u.upsertDocument(d);
            }
            for (SyncMapping m : List.of(ma, mb, mo)) {
                u.upsertMapping(m);
            }
        });
        DocumentStore s = store();
        assertThat(s.findFileset(FS)).contains(fileset(FS, now));
        assertThat(s.findDocument(a.uuid())).contains(a);
        assertThat(s.findDocumentByClientFileId(fileId(2))).contains(b);
        assertThat(s.findMapping(fileId(1))).contains(ma);
        assertThat(s.findMapping(fileId(2))).contains(mb);
        assertThat(s.documents(FS)).containsExactlyInAnyOrder(a, b);
        assertThat(s.documents(FS2)).containsExactly(other);
        assertThat(s.mappings(FS)).containsExactlyInAnyOrder(ma, mb);
        assertThat(s.mappings(FS2)).containsExactly(mo);
        assertThat(s.findDocument(a.uuid()).orElseThrow().metadata().originalPath())
                .isEqualTo(a.metadata().originalPath());
    }

    @Test
    public void unitOfWorkReturnsTheCallbacksResult() {
        String result = uow(T1, u -> "result");
        assertThat(result).isEqualTo("result");
    }

    @Test
    public void upsertReplacesDocumentAndMapping() {
        SilknoteDocument d = seedDocument(1, "first");
        clock.advance(Duration.ofMinutes(1));
        Instant now = clock.instant();
        SilknoteDocument changed = new SilknoteDocument(d.uuid(), d.patientUuid(), d.filesetId(), d.clientFileId(),
                hash("second"), 6, "image/png",
                new DocumentMetadata(d.clientFileId(), "notes/renamed.png", DocumentMetadata.SOURCE_SYSTEM,
                        "grouped", d.metadata().patientIdHistory()), now);
        SyncMapping m = mapping(changed, Optional.of("\"v2\""), now, now);
        write(T1, u -> {
            u.upsertDocument(changed);
            u.upsertMapping(m);
        });
        assertThat(store().findDocument(d.uuid())).contains(changed);
        assertThat(store().findDocumentByClientFileId(d.clientFileId())).contains(changed);
        assertThat(store().documents(FS)).containsExactly(changed);
        assertThat(store().findMapping(d.clientFileId())).contains(m);
        assertThat(store().mappings(FS)).containsExactly(m);
    }

    @Test
    public void aDocumentCanMoveToAnotherFileset() {
        SilknoteDocument d = seedDocument(1, "moving");
        Instant now = clock.instant();
        SilknoteDocument moved = new SilknoteDocument(d.uuid(), d.patientUuid(), FS2, d.clientFileId(), d.contentHash(),
                d.size(), d.mimeType(), d.metadata(), now);
        SyncMapping m = new SyncMapping(d.clientFileId(), d.uuid(), d.clientFileId(), FS2, Optional.of("\"v1\""),
                now.minusSeconds(60), d.size(), d.contentHash(), now);
        write(T1, u -> {
            u.upsertFileset(fileset(FS2, now));
            u.upsertDocument(moved);
            u.upsertMapping(m);
        });
        assertThat(store().documents(FS)).isEmpty();
        assertThat(store().mappings(FS)).isEmpty();
        assertThat(store().documents(FS2)).containsExactly(moved);
        assertThat(store().mappings(FS2)).containsExactly(m);
        assertThat(store().findDocumentByClientFileId(d.clientFileId())).contains(moved);
    }

    @Test
    public void deleteDocumentRemovesDocumentAndMapping() {
        SilknoteDocument d = seedDocument(1, "one");
        SilknoteDocument keep = seedDocument(2, "two");
        write(T1, u -> u.deleteDocument(d.uuid()));
        assertThat(store().findDocument(d.uuid())).isEmpty();
        assertThat(store().findDocumentByClientFileId(d.clientFileId())).isEmpty();
        assertThat(store().findMapping(d.clientFileId())).isEmpty();
        assertThat(store().documents(FS)).containsExactly(keep);
        assertThat(store().findMapping(keep.clientFileId())).isPresent();
        write(T1, u -> u.deleteDocument(d.uuid()));
        write(T1, u -> u.deleteDocument(DocumentUuid.forVsrxFile(fileId(99))));
        assertThat(store().documents(FS)).containsExactly(keep);
    }

    @Test
    public void clientFileIdIsUnique() {
        SilknoteDocument d = seedDocument(1, "one");
        SilknoteDocument impostor = new SilknoteDocument(DocumentUuid.forVsrxFile(fileId(2)), d.patientUuid(),
                d.filesetId(), d.clientFileId(), hash("two"), 3, "application/pdf", d.metadata(), clock.instant());
        Throwable thrown = catchThrowable(() -> write(T1, u -> u.upsertDocument(impostor)));
        assertThat(thrown).isInstanceOf(RuntimeException.class);
        assertThat(store().findDocument(impostor.uuid())).isEmpty();
        assertThat(store().findDocumentByClientFileId(d.clientFileId())).contains(d);
    }

    // ------------------------------------------------------------------ atomicity

    @Test
    public void throwingUnitOfWorkLeavesNothing() {
        SilknoteDocument existing = seedDocument(1, "existing");
        SyncState stateBefore = store().loadState();
        BlobRef refBefore = store().findBlobRef(existing.contentHash()).orElseThrow();
        Instant now = clock.instant();
        SilknoteDocument fresh = document(FS2, fileId(2), hash("fresh"), 5, now);
        RuntimeException boom = new IllegalStateException("boom");
        Throwable thrown = catchThrowable(() -> write(T1, u -> {
            u.upsertFileset(fileset(FS2, now));
            u.upsertDocument(fresh);
            u.upsertMapping(mapping(fresh, Optional.of("e"), now, now));
            u.addBlobRef(fresh.contentHash(), 5, "etag-fresh");
            u.addBlobRef(existing.contentHash(), existing.size(), "etag-1");
            u.deleteDocument(existing.uuid());
            u.rememberSkip(new PermanentSkip(fileId(3), FS2, "v1", SkipReason.TOO_LARGE, now));
            u.enqueue(OutboxEntry.pending(fresh.uuid(), OutboxEntry.Action.PROCESS, fresh.contentHash(), now));
            u.saveState(new SyncState(Optional.of(now), SyncState.PartialSyncState.empty()));
            throw boom;
        }));
        assertThat(thrown).isSameAs(boom);
        assertThat(store().findFileset(FS2)).isEmpty();
        assertThat(store().findDocument(fresh.uuid())).isEmpty();
        assertThat(store().findMapping(fresh.clientFileId())).isEmpty();
        assertThat(store().findBlobRef(fresh.contentHash())).isEmpty();
        assertThat(store().findBlobRef(existing.contentHash())).contains(refBefore);
        assertThat(store().findDocument(existing.uuid())).contains(existing);
        assertThat(store().findMapping(existing.clientFileId())).isPresent();
        assertThat(store().permanentSkips(FS2)).isEmpty();
        assertThat(store().pendingOutbox(10)).isEmpty();
        assertThat(store().loadState()).isEqualTo(stateBefore);
    }

    // ------------------------------------------------------------------ fencing

    @Test
    public void highWaterMarkRefusesOlderTokensAndAcceptsEqualOrNewer() {
        Instant now = clock.instant();
        write(FencingToken.of(5), u -> u.upsertFileset(fileset(FS, now)));
        assertThatThrownBy(() -> write(FencingToken.of(3), u -> u.upsertFileset(fileset(FS2, now))))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThat(store().findFileset(FS2)).isEmpty();

        write(FencingToken.of(5), u -> u.upsertFileset(fileset(FS2, now)));
        assertThat(store().findFileset(FS2)).isPresent();

        write(FencingToken.of(9), u -> u.saveState(new SyncState(Optional.of(now), SyncState.PartialSyncState.empty())));
        assertThatThrownBy(() -> write(FencingToken.of(5), u -> u.saveState(SyncState.initial())))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThat(store().loadState().lastCompleteSync()).contains(now);
    }

    @Test
    public void singleWritesRaiseTheHighWaterMarkToo() {
        store().recordRun(FencingToken.of(7), Fixtures.report("run-1", clock.instant(), false));
        assertThatThrownBy(() -> write(FencingToken.of(6), u -> u.upsertFileset(fileset(FS, clock.instant()))))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThat(store().findFileset(FS)).isEmpty();
    }

    @Test
    public void staleTokenIsRefusedOnEverySingleWriteAndChangesNothing() {
        Instant now = clock.instant();
        ContentHash h = hash("zero");
        write(FencingToken.of(10), u -> {
            u.addBlobRef(h, 4, "etag-z");
            u.releaseBlobRef(h);
            u.enqueue(OutboxEntry.pending(DocumentUuid.forVsrxFile(fileId(1)), OutboxEntry.Action.PROCESS, h, now));
        });
        long entry = store().pendingOutbox(1).get(0).id();
        assertThat(store().markBlobDeleting(FencingToken.of(10), h, "etag-z", now.plusSeconds(86_400))).isTrue();
        BlobRef before = store().findBlobRef(h).orElseThrow();
        FencingToken stale = FencingToken.of(3);

        assertThatThrownBy(() -> store().completeOutbox(stale, entry)).isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> store().failOutbox(stale, entry, "X", true))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> store().removeBlobRefIfDeleting(stale, h, "etag-z"))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> store().reviveBlobRef(stale, h, "etag-z"))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> store().markBlobDeleting(stale, h, "etag-z", now.plusSeconds(86_400)))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> store().recordRun(stale, Fixtures.report("run-x", now, false)))
                .isInstanceOf(StaleFencingTokenException.class);

        assertThat(store().pendingOutbox(10)).extracting(OutboxEntry::id, OutboxEntry::attempts)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(entry, 0));
        assertThat(store().findBlobRef(h)).contains(before);
        assertThat(store().recentRuns(10)).isEmpty();
    }

    @Test
    @DisplayName("rule 10: fence raises the high-water mark before any write of the new token")
    public void fenceRaisesTheHighWaterMarkAndRefusesOlderTokens() {
        Instant now = clock.instant();
        write(FencingToken.of(3), u -> u.upsertFileset(fileset(FS, now)));
        store().fence(FencingToken.of(5));
        assertThatThrownBy(() -> write(FencingToken.of(4), u -> u.upsertFileset(fileset(FS2, now))))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> store().recordRun(FencingToken.of(4), Fixtures.report("run-f", now, false)))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThat(store().findFileset(FS2)).isEmpty();
        assertThatThrownBy(() -> store().fence(FencingToken.of(4))).isInstanceOf(StaleFencingTokenException.class);
        store().fence(FencingToken.of(5));
        write(FencingToken.of(5), u -> u.upsertFileset(fileset(FS2, now)));
        assertThat(store().findFileset(FS2)).isPresent();
        assertThat(store().findFileset(FS)).contains(fileset(FS, now));
    }

    // ------------------------------------------------------------------ optimistic concurrency

    @Test
    @DisplayName("rule 10: a unit of work whose expectations hold commits")
    public void expectationsAsReadLetTheUnitOfWorkCommit() {
        SilknoteDocument d = seedDocument(1, "planned");
        SyncMapping m = store().mappings(FS).get(0);
        SilknoteDocument asRead = store().documents(FS).get(0);
        Optional<PatientFilesetRecord> record = store().findFileset(FS);
        clock.advance(Duration.ofMinutes(1));
        write(T1, u -> {
            u.expectFileset(FS, record);
            u.expectFile(d.clientFileId(), Optional.of(m), Optional.of(asRead));
            u.expectFile(fileId(2), Optional.empty(), Optional.empty());
            u.deleteDocument(d.uuid());
            u.releaseBlobRef(d.contentHash());
        });
        assertThat(store().findDocument(d.uuid())).isEmpty();
        assertThat(store().findBlobRef(d.contentHash()).map(BlobRef::refCount)).contains(0L);
    }

    @Test
    @DisplayName("rule 10: a changed mapping, document or fileset record refuses the whole unit of work")
    public void changedExpectationsRefuseTheUnitOfWorkAndWriteNothing() {
        SilknoteDocument d = seedDocument(1, "planned");
        SilknoteDocument other = seedDocument(2, "other");
        SyncMapping m = store().findMapping(d.clientFileId()).orElseThrow();
        Optional<PatientFilesetRecord> record = store().findFileset(FS);
        clock.advance(Duration.ofMinutes(1));
        Instant now = clock.instant();
        // another run changed the mapping, the document and the record since
        SyncMapping newer = new SyncMapping(m.vsrxFileId(), m.silknoteDocumentUuid(), m.clientFileId(), m.filesetId(),
                Optional.of("\"v9\""), now, m.size(), m.contentHash(), now);
        write(T1, u -> {
            u.upsertMapping(newer);
            u.upsertFileset(fileset(FS, now));
        });
        BlobRef refBefore = store().findBlobRef(d.contentHash()).orElseThrow();
        Optional<SyncMapping> otherMapping = store().findMapping(other.clientFileId());

        List<Consumer<DocumentStore.UnitOfWork>> stale = List.of(
                u -> u.expectFile(d.clientFileId(), Optional.of(m), Optional.of(d)),
                u -> u.expectFile(d.clientFileId(), Optional.empty(), Optional.empty()),
                u -> u.expectFile(other.clientFileId(), otherMapping, Optional.empty()),
                u -> u.expectFile(fileId(3), Optional.of(m), Optional.empty()),
                u -> u.expectFileset(FS, record),
                u -> u.expectFileset(FS2, record));
        for (Consumer<DocumentStore.UnitOfWork> expectation : stale) {
            Throwable thrown = catchThrowable(() -> write(T1, u -> {
                expectation.accept(u);
                u.deleteDocument(d.uuid());
                u.releaseBlobRef(d.contentHash());
                u.upsertFileset(fileset(FS2, now));
            }));
            assertThat(thrown).isInstanceOf(ConcurrentUpdateException.class);
            assertThat(thrown.getMessage()).startsWith(ConcurrentUpdateException.MESSAGE);
            assertThat(store().findDocument(d.uuid())).contains(d);
            assertThat(store().findBlobRef(d.contentHash())).contains(refBefore);
            assertThat(store().findFileset(FS2)).isEmpty();
        }
    }

    // ------------------------------------------------------------------ batch lookups and paging

    @Test
    @DisplayName("issue 9.3: mappings and documents of many files are looked up at once")
    public void batchLookupsReturnExactlyThePresentOnes() {
        SilknoteDocument a = seedDocument(1, "a");
        SilknoteDocument b = seedDocument(2, "b");
        Instant now = clock.instant();
        SilknoteDocument lonely = document(FS2, fileId(3), hash("c"), 1, now);
        write(T1, u -> u.upsertDocument(lonely));
        List<VsrxFileId> asked = List.of(fileId(1), fileId(2), fileId(3), fileId(4));
        assertThat(store().findMappings(asked)).containsOnlyKeys(fileId(1), fileId(2))
                .containsEntry(fileId(1), store().findMapping(fileId(1)).orElseThrow());
        assertThat(store().findDocumentsByClientFileIds(asked)).containsOnlyKeys(fileId(1), fileId(2), fileId(3))
                .containsEntry(fileId(1), a).containsEntry(fileId(2), b).containsEntry(fileId(3), lonely);
        assertThat(store().findMappings(List.of())).isEmpty();
        assertThat(store().findDocumentsByClientFileIds(List.of(fileId(9)))).isEmpty();
    }

    @Test
    @DisplayName("issue 9.3: known filesets (by record or by documents) are paged, each once")
    public void filesetsArePagedEachOnce() {
        Instant now = clock.instant();
        List<FilesetId> all = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            all.add(FilesetId.of("fs-page-" + i));
        }
        write(T1, u -> all.forEach(f -> u.upsertFileset(fileset(f, now))));
        // Known by documents only (its record removed outside the sync), and by both.
        FilesetId documentsOnly = FilesetId.of("fs-page-docs");
        write(T1, u -> {
            u.upsertDocument(document(documentsOnly, fileId(91), hash("p1"), 2, now));
            u.upsertDocument(document(documentsOnly, fileId(92), hash("p2"), 2, now));
            u.upsertDocument(document(all.get(2), fileId(93), hash("p3"), 2, now));
        });
        all.add(documentsOnly);
        List<FilesetId> seen = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            Page<FilesetId> page = store().filesets(cursor, 3);
            assertThat(page.items().size()).isLessThanOrEqualTo(3);
            seen.addAll(page.items());
            cursor = page.nextCursor();
            pages++;
        } while (cursor.isPresent() && pages < 10);
        assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
        assertThat(store().filesets(Optional.empty(), 1000).items()).hasSize(8);
    }

    @Test
    @DisplayName("issue 9.7: the outbox is paged by id, so one drain reaches every entry")
    public void outboxIsPagedById() {
        Instant now = clock.instant();
        write(T1, u -> {
            for (int i = 1; i <= 5; i++) {
                u.enqueue(OutboxEntry.pending(DocumentUuid.forVsrxFile(fileId(i)), OutboxEntry.Action.PROCESS,
                        hash("o" + i), now));
            }
        });
        List<OutboxEntry> all = store().pendingOutbox(0, 10);
        assertThat(all).hasSize(5);
        store().failOutbox(T1, all.get(1).id(), "X", true);
        List<Long> seen = new ArrayList<>();
        long after = 0;
        for (int i = 0; i < 10; i++) {
            List<OutboxEntry> page = store().pendingOutbox(after, 2);
            if (page.isEmpty()) {
                break;
            }
            page.forEach(e -> seen.add(e.id()));
            after = page.get(page.size() - 1).id();
        }
        assertThat(seen).containsExactly(all.get(0).id(), all.get(2).id(), all.get(3).id(), all.get(4).id());
        assertThat(store().pendingOutbox(2)).extracting(OutboxEntry::id)
                .containsExactly(all.get(0).id(), all.get(2).id());
    }

    @Test
    @DisplayName("issue 9.7: unreferenced blobs come least recently updated first")
    public void unreferencedBlobsComeLeastRecentlyUpdatedFirst() {
        List<ContentHash> order = List.of(hash("u-z"), hash("u-a"), hash("u-m"));
        for (ContentHash h : order) {
            write(T1, u -> {
                u.addBlobRef(h, 1, "e");
                u.releaseBlobRef(h);
            });
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(store().unreferencedBlobs(10)).extracting(BlobRef::hash).containsExactlyElementsOf(order);
        assertThat(store().unreferencedBlobs(2)).extracting(BlobRef::hash).containsExactlyElementsOf(order.subList(0, 2));
    }

    // ------------------------------------------------------------------ blob references

    @Test
    public void blobReferencesAreCounted() {
        ContentHash h = hash("shared");
        BlobRef first = uow(T1, u -> u.addBlobRef(h, 6, "etag-1"));
        assertThat(first.refCount()).isEqualTo(1);
        assertThat(first.state()).isEqualTo(BlobRef.State.LIVE);
        assertThat(first.size()).isEqualTo(6);
        assertThat(first.blobEtag()).contains("etag-1");
        assertThat(store().findBlobRef(h)).contains(first);

        assertThat(uow(T1, u -> u.addBlobRef(h, 6, "etag-1")).refCount()).isEqualTo(2);
        assertThat(uow(T1, u -> u.releaseBlobRef(h)).orElseThrow().refCount()).isEqualTo(1);
        assertThat(store().unreferencedBlobs(10)).isEmpty();
        assertThat(uow(T1, u -> u.releaseBlobRef(h)).orElseThrow().refCount()).isZero();
        assertThat(store().findBlobRef(h).orElseThrow().refCount()).isZero();
        assertThat(store().unreferencedBlobs(10)).extracting(BlobRef::hash).containsExactly(h);
    }

    @Test
    @DisplayName("issue 9.3: releasing a missing or zero reference never fails the unit; the commit recounts the row")
    public void releasingAReferenceThatIsNotThereReleasesNothingAndTheCommitRecountsTheRow() {
        Instant now = clock.instant();
        // A row at zero although a mapping still holds the hash (an edit outside the sync).
        SilknoteDocument d = seedDocument(1, "named");
        write(T1, u -> u.releaseBlobRef(d.contentHash()).orElseThrow());
        assertThat(store().findBlobRef(d.contentHash()).orElseThrow().refCount()).isZero();

        Optional<BlobRef> released = uow(T1, u -> {
            u.upsertFileset(fileset(FS2, now));
            return u.releaseBlobRef(d.contentHash());
        });

        assertThat(released).as("nothing to release").isEmpty();
        assertThat(store().findFileset(FS2)).as("the unit committed").isPresent();
        BlobRef recounted = store().findBlobRef(d.contentHash()).orElseThrow();
        assertThat(recounted.refCount()).as("recounted: its mapping holds it").isEqualTo(1);
        assertThat(recounted.state()).isEqualTo(BlobRef.State.LIVE);

        // A missing row that nothing holds: released nothing, nothing created.
        Optional<BlobRef> never = uow(T1, u -> u.releaseBlobRef(hash("never")));
        assertThat(never).isEmpty();
        assertThat(store().findBlobRef(hash("never"))).isEmpty();

        // A missing row that a document without mapping holds: the recount creates it.
        SilknoteDocument orphan = document(FS, fileId(7), hash("doc-only"), 8, now);
        write(T1, u -> u.upsertDocument(orphan));
        Optional<BlobRef> orphanRelease = uow(T1, u -> u.releaseBlobRef(orphan.contentHash()));
        assertThat(orphanRelease).isEmpty();
        BlobRef created = store().findBlobRef(orphan.contentHash()).orElseThrow();
        assertThat(created.refCount()).isEqualTo(1);
        assertThat(created.state()).isEqualTo(BlobRef.State.LIVE);
        assertThat(created.size()).isEqualTo(8);

        // The recount counts what the unit leaves: the document it deletes no longer holds the hash.
        write(T1, u -> {
            u.releaseBlobRef(orphan.contentHash()).orElseThrow();
            u.releaseBlobRef(orphan.contentHash());
            u.deleteDocument(orphan.uuid());
        });
        assertThat(store().findBlobRef(orphan.contentHash()).map(BlobRef::refCount)).contains(0L);
    }

    @Test
    @DisplayName("issue 9.3 / rule 12: the collector never marks a row at zero that a mapping or document still holds")
    public void collectorNeverMarksARowAtZeroThatAMappingOrDocumentHolds() {
        SilknoteDocument d = seedDocument(1, "held");
        write(T1, u -> u.releaseBlobRef(d.contentHash()).orElseThrow());
        clock.advance(Duration.ofHours(1));

        assertThat(store().markBlobDeleting(T1, d.contentHash(), "etag-1", clock.instant())).isFalse();

        BlobRef row = store().findBlobRef(d.contentHash()).orElseThrow();
        assertThat(row.state()).isEqualTo(BlobRef.State.LIVE);
        assertThat(row.refCount()).as("the damaged count is set to its references").isEqualTo(1);
        assertThat(store().unreferencedBlobs(10)).extracting(BlobRef::hash).doesNotContain(d.contentHash());
    }

    @Test
    public void collectorMarksOnlyUnreferencedLiveRowsOlderThanNotAfter() {
        ContentHash used = hash("used");
        ContentHash zero = hash("zero");
        write(T1, u -> {
            u.addBlobRef(used, 4, "e-used");
            u.addBlobRef(zero, 4, "e-zero");
            u.releaseBlobRef(zero);
        });
        Instant rowTime = clock.instant();
        clock.advance(Duration.ofHours(1));
        assertThat(store().markBlobDeleting(T1, used, "e-used", clock.instant())).isFalse();
        assertThat(store().markBlobDeleting(T1, hash("absent"), "e", clock.instant())).isFalse();
        assertThat(store().markBlobDeleting(T1, zero, "e-zero", rowTime)).as("younger than notAfter").isFalse();
        assertThat(store().findBlobRef(zero).orElseThrow().state()).isEqualTo(BlobRef.State.LIVE);

        assertThat(store().markBlobDeleting(T1, zero, "e-zero", clock.instant())).isTrue();
        BlobRef marked = store().findBlobRef(zero).orElseThrow();
        assertThat(marked.state()).isEqualTo(BlobRef.State.DELETING);
        assertThat(marked.blobEtag()).contains("e-zero");
        assertThat(marked.refCount()).isZero();
        clock.advance(Duration.ofHours(1));
        assertThat(store().markBlobDeleting(T1, zero, "e-other", clock.instant())).as("already deleting").isFalse();
        assertThat(store().findBlobRef(zero).orElseThrow().blobEtag()).contains("e-zero");
        assertThat(store().unreferencedBlobs(10)).extracting(BlobRef::hash).containsExactly(zero);
    }

    @Test
    public void referencingARowBeingCollectedWithTheSameEtagFailsAndRollsBack() {
        ContentHash h = hash("collected");
        markedForDeletion(h, "etag-old");
        Instant now = clock.instant();
        Throwable thrown = catchThrowable(() -> write(T1, u -> {
            u.upsertFileset(fileset(FS, now));
            u.addBlobRef(h, 9, "etag-old");
        }));
        assertThat(thrown).isInstanceOf(BlobBeingCollectedException.class);
        assertThat(((BlobBeingCollectedException) thrown).hash()).isEqualTo(h);
        assertThat(store().findFileset(FS)).isEmpty();
        BlobRef row = store().findBlobRef(h).orElseThrow();
        assertThat(row.state()).isEqualTo(BlobRef.State.DELETING);
        assertThat(row.refCount()).isZero();
    }

    @Test
    public void referencingARowBeingCollectedWithANewEtagRevivesIt() {
        ContentHash h = hash("revived");
        markedForDeletion(h, "etag-old");
        BlobRef revived = uow(T1, u -> u.addBlobRef(h, 7, "etag-new"));
        assertThat(revived.state()).isEqualTo(BlobRef.State.LIVE);
        assertThat(revived.refCount()).isEqualTo(1);
        assertThat(revived.blobEtag()).contains("etag-new");
        assertThat(store().findBlobRef(h)).contains(revived);
        assertThat(store().removeBlobRefIfDeleting(T1, h, "etag-old")).isFalse();
        assertThat(store().findBlobRef(h)).contains(revived);
        assertThat(store().unreferencedBlobs(10)).isEmpty();
    }

    @Test
    public void collectorRemovesOnlyARowStillDeletingWithItsEtag() {
        ContentHash h = hash("gone");
        markedForDeletion(h, "etag-1");
        assertThat(store().removeBlobRefIfDeleting(T1, h, "etag-other")).isFalse();
        assertThat(store().findBlobRef(h)).isPresent();
        assertThat(store().removeBlobRefIfDeleting(T1, h, "etag-1")).isTrue();
        assertThat(store().findBlobRef(h)).isEmpty();
        assertThat(store().removeBlobRefIfDeleting(T1, h, "etag-1")).isFalse();

        ContentHash live = hash("live");
        write(T1, u -> {
            u.addBlobRef(live, 4, "etag-l");
            u.releaseBlobRef(live);
        });
        assertThat(store().removeBlobRefIfDeleting(T1, live, "etag-l")).as("LIVE rows stay").isFalse();
        assertThat(store().findBlobRef(live)).isPresent();
    }

    @Test
    public void reviveRestoresADeletingRowWithItsEtagOnly() {
        ContentHash h = hash("back");
        markedForDeletion(h, "etag-1");
        store().reviveBlobRef(T1, h, "etag-other");
        assertThat(store().findBlobRef(h).orElseThrow().state()).isEqualTo(BlobRef.State.DELETING);
        store().reviveBlobRef(T1, h, "etag-1");
        BlobRef row = store().findBlobRef(h).orElseThrow();
        assertThat(row.state()).isEqualTo(BlobRef.State.LIVE);
        assertThat(row.refCount()).isZero();
        store().reviveBlobRef(T1, hash("absent"), "etag-1");
        assertThat(store().findBlobRef(hash("absent"))).isEmpty();
    }

    @Test
    public void unreferencedBlobsHonoursTheLimit() {
        write(T1, u -> {
            for (int i = 0; i < 5; i++) {
                ContentHash h = hash("z" + i);
                u.addBlobRef(h, 2, "e" + i);
                u.releaseBlobRef(h);
            }
            u.addBlobRef(hash("kept"), 4, "ek");
        });
        assertThat(store().unreferencedBlobs(3)).hasSize(3);
        assertThat(store().unreferencedBlobs(100)).hasSize(5).extracting(BlobRef::refCount).containsOnly(0L);
    }

    private void markedForDeletion(ContentHash h, String etag) {
        write(T1, u -> {
            u.addBlobRef(h, 7, etag);
            u.releaseBlobRef(h);
        });
        clock.advance(Duration.ofMinutes(10));
        assertThat(store().markBlobDeleting(T1, h, etag, clock.instant())).isTrue();
    }

    // ------------------------------------------------------------------ skips

    @Test
    public void skipsAreRememberedReplacedAndForgotten() {
        Instant now = clock.instant();
        PermanentSkip a = new PermanentSkip(fileId(1), FS, "\"etag-1\"", SkipReason.TOO_LARGE, now);
        PermanentSkip b = new PermanentSkip(fileId(2), FS, "2026-01-01T00:00:00Z/123", SkipReason.INVALID_PATH, now);
        PermanentSkip other = new PermanentSkip(fileId(3), FS2, "v", SkipReason.UNSUPPORTED_TYPE, now);
        write(T1, u -> {
            u.rememberSkip(a);
            u.rememberSkip(b);
            u.rememberSkip(other);
        });
        assertThat(store().permanentSkips(FS)).containsOnly(Map.entry(fileId(1), a), Map.entry(fileId(2), b));
        assertThat(store().permanentSkips(FS2)).containsOnly(Map.entry(fileId(3), other));

        PermanentSkip a2 = new PermanentSkip(fileId(1), FS, "\"etag-2\"", SkipReason.CHECKSUM_MISMATCH,
                now.plusSeconds(60));
        write(T1, u -> u.rememberSkip(a2));
        assertThat(store().permanentSkips(FS)).containsOnly(Map.entry(fileId(1), a2), Map.entry(fileId(2), b));
        write(T1, u -> {
            u.forgetSkip(fileId(2));
            u.forgetSkip(fileId(42));
        });
        assertThat(store().permanentSkips(FS)).containsOnly(Map.entry(fileId(1), a2));
    }

    // ------------------------------------------------------------------ outbox

    @Test
    public void outboxIsOrderedAndAssignsIncreasingIds() {
        Instant now = clock.instant();
        List<DocumentUuid> docs = List.of(DocumentUuid.forVsrxFile(fileId(1)), DocumentUuid.forVsrxFile(fileId(2)),
                DocumentUuid.forVsrxFile(fileId(3)));
        write(T1, u -> {
            u.enqueue(OutboxEntry.pending(docs.get(0), OutboxEntry.Action.PROCESS, hash("1"), now));
            u.enqueue(OutboxEntry.pending(docs.get(1), OutboxEntry.Action.PURGE_VECTORS, hash("2"), now));
        });
        write(T1, u -> u.enqueue(OutboxEntry.pending(docs.get(2), OutboxEntry.Action.COLLECT_BLOB, hash("3"), now)));
        List<OutboxEntry> pending = store().pendingOutbox(10);
        assertThat(pending).extracting(OutboxEntry::document).containsExactlyElementsOf(docs);
        assertThat(pending).extracting(OutboxEntry::action).containsExactly(OutboxEntry.Action.PROCESS,
                OutboxEntry.Action.PURGE_VECTORS, OutboxEntry.Action.COLLECT_BLOB);
        assertThat(pending).extracting(OutboxEntry::contentHash).containsExactly(hash("1"), hash("2"), hash("3"));
        assertThat(pending).allSatisfy(e -> {
            assertThat(e.attempts()).isZero();
            assertThat(e.lastError()).isEmpty();
            assertThat(e.createdAt()).isEqualTo(now);
            assertThat(e.id()).isPositive();
        });
        assertThat(pending.get(0).id()).isLessThan(pending.get(1).id());
        assertThat(pending.get(1).id()).isLessThan(pending.get(2).id());
        assertThat(store().pendingOutbox(2)).containsExactlyElementsOf(pending.subList(0, 2));
    }

    @Test
    public void outboxEntriesCompleteFailAndPark() {
        Instant now = clock.instant();
        write(T1, u -> {
            for (int i = 1; i <= 3; i++) {
                u.enqueue(OutboxEntry.pending(DocumentUuid.forVsrxFile(fileId(i)), OutboxEntry.Action.PROCESS,
                        hash("c" + i), now));
            }
        });
        List<OutboxEntry> pending = store().pendingOutbox(10);
        long first = pending.get(0).id();
        long second = pending.get(1).id();
        long third = pending.get(2).id();

        store().completeOutbox(T1, first);
        assertThat(store().pendingOutbox(10)).extracting(OutboxEntry::id).containsExactly(second, third);

        store().failOutbox(T1, second, "HTTP_503", false);
        OutboxEntry failed = store().pendingOutbox(10).get(0);
        assertThat(failed.id()).isEqualTo(second);
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(failed.lastError()).contains("HTTP_503");
        store().failOutbox(T1, second, "TIMEOUT", false);
        assertThat(store().pendingOutbox(10).get(0).attempts()).isEqualTo(2);
        assertThat(store().pendingOutbox(10).get(0).lastError()).contains("TIMEOUT");

        store().failOutbox(T1, third, "UNREADABLE", true);
        assertThat(store().pendingOutbox(10)).extracting(OutboxEntry::id).containsExactly(second);
        store().completeOutbox(T1, second);
        assertThat(store().pendingOutbox(10)).isEmpty();
    }

    /**
     * DESIGN §2.6: the post-commit work completes a page of entries in one call after their work. The batch
     * removes the given entries, pending or parked, ignores ids not there, writes nothing for none, and a stale
     * token completes none of them (rule 10).
     */
    @Test
    public void outboxEntriesCompleteTogether() {
        Instant now = clock.instant();
        write(T1, u -> {
            for (int i = 1; i <= 4; i++) {
                u.enqueue(OutboxEntry.pending(DocumentUuid.forVsrxFile(fileId(i)), OutboxEntry.Action.PROCESS,
                        hash("b" + i), now));
            }
        });
        List<Long> ids = store().pendingOutbox(10).stream().map(OutboxEntry::id).toList();
        FencingToken current = FencingToken.of(7);
        store().failOutbox(current, ids.get(3), "UNREADABLE", true);
        FencingToken stale = T1;

        assertThatThrownBy(() -> store().completeOutbox(stale, List.of(ids.get(0), ids.get(1))))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThat(store().pendingOutbox(10)).extracting(OutboxEntry::id).containsExactlyElementsOf(ids.subList(0, 3));

        store().completeOutbox(current, List.of());
        assertThat(store().pendingOutbox(10)).hasSize(3);

        long absent = ids.get(3) + 1_000;
        store().completeOutbox(current, List.of(ids.get(2), ids.get(0), absent, ids.get(3)));
        assertThat(store().pendingOutbox(10)).extracting(OutboxEntry::id).containsExactly(ids.get(1));
        assertThat(store().parkedOutbox(0, 10)).as("a parked entry completes too").isEmpty();
    }

    @Test
    public void entriesOfARolledBackUnitOfWorkAreNotEnqueued() {
        Instant now = clock.instant();
        catchThrowable(() -> write(T1, u -> {
            u.enqueue(OutboxEntry.pending(DocumentUuid.forVsrxFile(fileId(1)), OutboxEntry.Action.PROCESS,
                    hash("x"), now));
            throw new IllegalStateException("rollback");
        }));
        assertThat(store().pendingOutbox(10)).isEmpty();
        write(T1, u -> u.enqueue(OutboxEntry.pending(DocumentUuid.forVsrxFile(fileId(2)),
                OutboxEntry.Action.PROCESS, hash("y"), now)));
        assertThat(store().pendingOutbox(10)).extracting(OutboxEntry::document)
                .containsExactly(DocumentUuid.forVsrxFile(fileId(2)));
    }

    // ------------------------------------------------------------------ state and runs

    @Test
    public void stateRoundTripsExactlyIncludingItsJson() {
        SyncState state = new SyncState(Optional.of(Instant.parse("2024-01-20T10:00:00Z")),
                new SyncState.PartialSyncState(List.of(FilesetId.of("uuid1"), FilesetId.of("uuid2")),
                        List.of(FilesetId.of("uuid3")), Optional.of(FilesetId.of("uuid3"))));
        write(T1, u -> u.saveState(state));
        assertThat(store().loadState()).isEqualTo(state);
        assertThat(store().loadState().toJson()).isEqualTo("{\"lastCompleteSync\":\"2024-01-20T10:00:00Z\","
                + "\"partialSyncState\":{\"processedFilesets\":[\"uuid1\",\"uuid2\"],\"failedFilesets\":[\"uuid3\"],"
                + "\"resumeFromFileset\":\"uuid3\"}}");

        SyncState odd = new SyncState(Optional.empty(), new SyncState.PartialSyncState(
                List.of(FilesetId.of("fs \"quoted\" \\ back"), FilesetId.of("fs-ü-✓")), List.of(), Optional.empty()));
        write(T1, u -> u.saveState(odd));
        assertThat(store().loadState()).isEqualTo(odd);
        assertThat(store().loadState().toJson()).isEqualTo(odd.toJson());

        write(T1, u -> u.saveState(SyncState.initial()));
        assertThat(store().loadState()).isEqualTo(SyncState.initial());
    }

    @Test
    @DisplayName("issue 11 run history: recent runs are summaries, newest first")
    public void runHistoryIsNewestFirst() {
        Instant t0 = clock.instant();
        SyncReport r1 = Fixtures.report("run-1", t0, false);
        SyncReport r2 = Fixtures.report("run-2", t0.plusSeconds(60), true);
        SyncReport r3 = Fixtures.report("run-3", t0.plusSeconds(120), false);
        store().recordRun(T1, r1);
        store().recordRun(T1, r2);
        store().recordRun(FencingToken.of(2), r3);
        assertThat(store().recentRuns(10)).containsExactly(r3.summary(), r2.summary(), r1.summary());
        assertThat(store().recentRuns(2)).containsExactly(r3.summary(), r2.summary());
        assertThat(store().recentRuns(1)).containsExactly(r3.summary());
    }

    @Test
    @DisplayName("issue 11 run history: a run shows from its start; finished, it has its summary")
    public void runsAreRecordedFromTheirStartAndFoundByIdAndTime() {
        Instant t0 = clock.instant();
        RunId crashed = RunId.of("run-crashed");
        store().recordRunStarted(T1, crashed, t0);
        store().recordRunStarted(T1, crashed, t0);
        SyncReport done = Fixtures.report("run-done", t0.plusSeconds(60), false);
        store().recordRunStarted(T1, done.runId(), done.startedAt());
        store().recordRun(T1, done);
        SyncReport later = Fixtures.report("run-later", t0.plusSeconds(120), false);
        store().recordRun(T1, later);

        assertThat(store().findRun(crashed)).contains(new RunRecord(crashed, t0, Optional.empty()));
        assertThat(store().findRun(done.runId())).contains(new RunRecord(done.runId(), done.startedAt(),
                Optional.of(done.summary())));
        assertThat(store().findRun(RunId.of("run-none"))).isEmpty();
        assertThat(store().runs(t0, t0.plusSeconds(3600), 10)).extracting(RunRecord::runId)
                .containsExactly(later.runId(), done.runId(), crashed);
        assertThat(store().runs(t0.plusSeconds(1), t0.plusSeconds(120), 10)).extracting(RunRecord::runId)
                .as("from inclusive, to exclusive").containsExactly(done.runId());
        assertThat(store().runs(t0, t0.plusSeconds(3600), 1)).extracting(RunRecord::runId)
                .containsExactly(later.runId());
        assertThat(store().recentRuns(10)).as("finished runs only").containsExactly(later.summary(),
                done.summary());
    }

    @Test
    @DisplayName("issue 11 run history: fileset reports are rows, paged in the order recorded, with their alerts; a"
            + " second replaces")
    public void filesetReportsArePagedInTheOrderRecorded() {
        RunId run = RunId.of("run-1");
        RunId other = RunId.of("run-2");
        store().recordRunStarted(T1, run, clock.instant());
        List<FilesetReport> reports = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            FilesetId id = FilesetId.of(String.format("fs-%03d", 7 - i));
            // a scale-out coordinator raises a worker's alerts from the reports it reads back (issue 11)
            List<Alert> alerts = i % 2 == 0 ? List.of() : List.of(
                    new Alert(Alert.Kind.LEDGER_INCONSISTENT, Alert.Severity.WARNING, "fileset " + id + ": " + i),
                    new Alert(Alert.Kind.MASS_DELETE_GUARD, Alert.Severity.CRITICAL, "fileset " + id + ": guard"));
            FilesetReport r = new FilesetReport(id,
                    i % 3 == 0 ? FilesetOutcome.FAILED : FilesetOutcome.COMPLETED,
                    i % 3 == 0 ? Optional.of("reason " + i) : Optional.empty(),
                    List.of(FileReport.of(fileId(i), FileAction.CREATED)), Duration.ofMillis(10 * i), i, i, 0, alerts);
            reports.add(r);
            store().recordFilesetReport(T1, run, r, Optional.empty());
        }
        store().recordFilesetReport(T1, other, reports.get(0), Optional.empty());
        FilesetReport replaced = new FilesetReport(reports.get(2).filesetId(), FilesetOutcome.VANISHED,
                Optional.of("again"), List.of(), Duration.ZERO, 0, 0);
        store().recordFilesetReport(T1, run, replaced, Optional.empty());
        reports.set(2, replaced);

        List<FilesetReport> read = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            Page<FilesetReport> page = store().runFilesets(run, cursor, 3);
            assertThat(page.items().size()).isLessThanOrEqualTo(3);
            read.addAll(page.items());
            cursor = page.nextCursor();
            pages++;
        } while (cursor.isPresent());
        assertThat(read).containsExactlyElementsOf(reports);
        assertThat(pages).isEqualTo(3);
        assertThat(store().runFilesets(other, Optional.empty(), 10).items()).containsExactly(reports.get(0));
        assertThat(store().runFilesets(RunId.of("run-none"), Optional.empty(), 10).items()).isEmpty();
    }

    @Test
    @DisplayName("issue 11 run history: retention removes runs by age and count with their fileset reports")
    public void pruningRemovesOldRunsAndTheirFilesetReportsAndKeepsTheNewest() {
        Instant t0 = clock.instant();
        FilesetReport fs = new FilesetReport(FS, FilesetOutcome.COMPLETED, Optional.empty(), List.of(), Duration.ZERO,
                0, 0);
        for (int i = 0; i < 5; i++) {
            SyncReport r = Fixtures.report("run-" + i, t0.plusSeconds(60L * i), false);
            store().recordRunStarted(T1, r.runId(), r.startedAt());
            store().recordFilesetReport(T1, r.runId(), fs, Optional.empty());
            if (i != 3) {
                store().recordRun(T1, r);
            }
        }
        assertThat(store().pruneRuns(T1, t0.plusSeconds(60), 10)).as("older than the age").isEqualTo(1);
        assertThat(store().findRun(RunId.of("run-0"))).isEmpty();
        assertThat(store().runFilesets(RunId.of("run-0"), Optional.empty(), 10).items()).isEmpty();
        assertThat(store().pruneRuns(T1, t0, 2)).as("beyond the two newest").isEqualTo(2);
        assertThat(store().runs(t0, t0.plusSeconds(3600), 10)).extracting(RunRecord::runId)
                .containsExactly(RunId.of("run-4"), RunId.of("run-3"));
        assertThat(store().runFilesets(RunId.of("run-1"), Optional.empty(), 10).items()).isEmpty();
        assertThat(store().runFilesets(RunId.of("run-4"), Optional.empty(), 10).items()).containsExactly(fs);
        assertThat(store().pruneRuns(T1, t0, 2)).isZero();
        assertThatThrownBy(() -> store().pruneRuns(T1, t0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("rule 10: history writes are fenced like every write")
    public void historyWritesRefuseAStaleToken() {
        Instant now = clock.instant();
        store().fence(FencingToken.of(5));
        FencingToken stale = FencingToken.of(4);
        FilesetReport fs = new FilesetReport(FS, FilesetOutcome.COMPLETED, Optional.empty(), List.of(), Duration.ZERO,
                0, 0);
        assertThatThrownBy(() -> store().recordRunStarted(stale, RunId.of("run-1"), now))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> store().recordFilesetReport(stale, RunId.of("run-1"), fs, Optional.empty()))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> store().pruneRuns(stale, now, 1)).isInstanceOf(StaleFencingTokenException.class);
        assertThat(store().findRun(RunId.of("run-1"))).isEmpty();
        assertThat(store().runFilesets(RunId.of("run-1"), Optional.empty(), 10).items()).isEmpty();
    }

    /**
     * Issue 13 item 1 (lost acknowledgement): a run whose {@code recordRun} answer was lost records it again
     * on retry; the history still holds the run once, as last recorded.
     */
    @Test
    public void recordingARunAgainReplacesItInsteadOfAddingADuplicate() {
        Instant t0 = clock.instant();
        SyncReport r1 = Fixtures.report("run-1", t0, false);
        SyncReport r2 = Fixtures.report("run-2", t0.plusSeconds(60), false);
        SyncReport r2again = Fixtures.report("run-2", t0.plusSeconds(60), true);
        store().recordRun(T1, r1);
        store().recordRun(T1, r2);
        store().recordRun(T1, r2again);
        assertThat(store().recentRuns(10)).containsExactly(r2again.summary(), r1.summary());
    }

    // ------------------------------------------------------------------ concurrency

    /**
     * Several threads run many small units of work adding and releasing references to a few shared blobs,
     * each writing its own documents and outbox entries. With serializable units of work no update is
     * lost. {@link TransientSyncException} (serialization failure, deadlock) is retried, as the engine
     * would.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 42L, 20260101L})
    public void concurrentUnitsOfWorkLoseNoUpdate(long seed) throws Exception {
        int threads = 4;
        int perThread = 25;
        List<ContentHash> shared = List.of(hash("s1"), hash("s2"), hash("s3"));
        Instant now = clock.instant();
        write(T1, u -> u.upsertFileset(fileset(FS, now)));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Map<ContentHash, Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Callable<Map<ContentHash, Long>> task = () -> {
                    SplittableRandom random = new SplittableRandom(seed * 31 + thread);
                    Map<ContentHash, Long> net = new HashMap<>();
                    for (int i = 0; i < perThread; i++) {
                        ContentHash h = shared.get(random.nextInt(shared.size()));
                        boolean release = net.getOrDefault(h, 0L) > 0 && random.nextInt(3) == 0;
                        VsrxFileId file = fileId(1000 + thread * perThread + i);
                        SilknoteDocument d = document(FS, file, h, 2, now);
                        retryTransient(() -> write(T1, u -> {
                            if (release) {
                                u.releaseBlobRef(h);
                            } else {
                                u.addBlobRef(h, 2, "etag-" + h.shortHex());
                            }
                            u.upsertDocument(d);
                            u.enqueue(OutboxEntry.pending(d.uuid(), OutboxEntry.Action.PROCESS, h, now));
                        }));
                        net.merge(h, release ? -1L : 1L, Long::sum);
                    }
                    return net;
                };
                results.add(pool.submit(task));
            }
            Map<ContentHash, Long> expected = new HashMap<>();
            for (Future<Map<ContentHash, Long>> f : results) {
                f.get(60, TimeUnit.SECONDS).forEach((h, n) -> expected.merge(h, n, Long::sum));
            }
            for (ContentHash h : shared) {
                long want = expected.getOrDefault(h, 0L);
                Optional<BlobRef> row = store().findBlobRef(h);
                assertThat(row.map(BlobRef::refCount).orElse(0L)).as("refCount of %s", h).isEqualTo(want);
            }
            assertThat(store().documents(FS)).hasSize(threads * perThread);
            List<OutboxEntry> outbox = store().pendingOutbox(1000);
            assertThat(outbox).hasSize(threads * perThread);
            assertThat(outbox).extracting(OutboxEntry::id).doesNotHaveDuplicates().isSorted();
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A collector marking a zero-count row races a run referencing the same blob version: exactly one wins.
     * Either the mark succeeds and the reference fails with {@link BlobBeingCollectedException}, or the
     * reference succeeds and the mark is refused; never both.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11L, 2026L})
    public void collectorAndNewReferenceNeverBothWin(long seed) throws Exception {
        DocumentStore shared = store();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        SplittableRandom random = new SplittableRandom(seed);
        try {
            for (int round = 0; round < 20; round++) {
                ContentHash h = hash("race-" + seed + "-" + round);
                String etag = "etag-" + round;
                write(T1, u -> {
                    u.addBlobRef(h, 5, etag);
                    u.releaseBlobRef(h);
                });
                Instant notAfter = clock.instant().plus(Duration.ofDays(1));
                CountDownLatch start = new CountDownLatch(1);
                boolean collectorFirst = random.nextBoolean();
                Callable<Boolean> collector = () -> {
                    start.await();
                    return retryTransientResult(() -> shared.markBlobDeleting(T1, h, etag, notAfter));
                };
                Callable<Boolean> reference = () -> {
                    start.await();
                    try {
                        retryTransient(() -> shared.inUnitOfWork(T1, u -> u.addBlobRef(h, 5, etag)));
                        return true;
                    } catch (BlobBeingCollectedException e) {
                        return false;
                    }
                };
                Future<Boolean> first = pool.submit(collectorFirst ? collector : reference);
                Future<Boolean> second = pool.submit(collectorFirst ? reference : collector);
                start.countDown();
                boolean marked = (collectorFirst ? first : second).get(60, TimeUnit.SECONDS);
                boolean referenced = (collectorFirst ? second : first).get(60, TimeUnit.SECONDS);
                assertThat(marked ^ referenced).as("round %d: marked=%s referenced=%s", round, marked, referenced)
                        .isTrue();
                BlobRef row = shared.findBlobRef(h).orElseThrow();
                if (referenced) {
                    assertThat(row.state()).isEqualTo(BlobRef.State.LIVE);
                    assertThat(row.refCount()).isEqualTo(1);
                } else {
                    assertThat(row.state()).isEqualTo(BlobRef.State.DELETING);
                    assertThat(row.refCount()).isZero();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> T retryTransientResult(Supplier<T> action) {
        for (int attempt = 1; ; attempt++) {
            try {
                return action.get();
            } catch (TransientSyncException e) {
                if (attempt >= 50) {
                    throw e;
                }
            }
        }
    }

    private static void retryTransient(Runnable action) {
        for (int attempt = 1; ; attempt++) {
            try {
                action.run();
                return;
            } catch (TransientSyncException e) {
                if (attempt >= 50) {
                    throw e;
                }
            }
        }
    }
}
