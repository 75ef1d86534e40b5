package com.silknote.sync.testkit.engine;

import com.silknote.sync.core.VsrxSync;

import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.ContentSource;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.testkit.InMemoryDocumentProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 3: the document processor gets the content the run downloaded, without a second round trip
 * to the blob store; after a crash (or a failed first attempt) it reads the stored blob. With
 * {@link DocumentProcessor#NONE} no processing work is enqueued.
 */
class ProcessorContentTest {
    private final EngineFixture fx = new EngineFixture();

    private List<VsrxFileId> files(FilesetId fs, int n, String prefix) {
        List<VsrxFileId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(fx.text(fs, prefix + i + ".txt", prefix + " content " + i + " " + "x".repeat(300 * i)));
        }
        return ids;
    }

    private SilknoteDocument doc(VsrxFileId id) {
        return fx.silknote.documents().findDocumentByClientFileId(id).orElseThrow();
    }

    @Test
    @DisplayName("issue 12.3: processing reads the run's checked copy, not the blob store")
    void processingReadsTheDownloadedCopy() {
        FilesetId fs = fx.linkedFileset("P1");
        List<VsrxFileId> ids = files(fs, 6, "a");

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(fx.silknote.processor().totalProcessCalls()).isEqualTo(ids.size());
        assertThat(fx.silknote.blobs().opens()).as("blob reads for processing").isZero();
        for (VsrxFileId id : ids) {
            SilknoteDocument d = doc(id);
            assertThat(fx.silknote.vectors().entries(d.uuid()))
                    .isEqualTo(InMemoryDocumentProcessor.expectedEntries(d.uuid(), fx.vsrx.content(id)));
        }

        // an update is processed from its new copy too
        fx.vsrx.modifyFile(ids.get(2), "changed content");
        SyncResult again = fx.run();
        assertThat(action(again, ids.get(2))).isEqualTo(FileAction.UPDATED);
        assertThat(fx.silknote.blobs().opens()).isZero();
        SilknoteDocument d = doc(ids.get(2));
        assertThat(fx.silknote.vectors().entries(d.uuid()))
                .isEqualTo(InMemoryDocumentProcessor.expectedEntries(d.uuid(), "changed content".getBytes()));
        fx.silknote.assertQuiescent();
    }

    @Test
    @DisplayName("issue 12.3: work the fileset could not finish is done later from the stored blob")
    void workLeftOverReadsTheStoredBlob() {
        FilesetId fs = fx.linkedFileset("P1");
        List<VsrxFileId> ids = files(fs, 4, "b");
        InMemoryDocumentProcessor real = fx.silknote.processor();
        Map<DocumentUuid, Integer> attempts = new ConcurrentHashMap<>();
        List<String> sources = new ArrayList<>();
        fx.processor = new DocumentProcessor() {
            @Override
            public void process(SilknoteDocument document, FencingToken token) {
                throw new AssertionError("the engine hands a content source");
            }

            @Override
            public void process(SilknoteDocument document, FencingToken token, ContentSource content) {
                // busy for every retry of the fileset's own drain (the fixture's retry policy makes 3 attempts)
                if (attempts.merge(document.uuid(), 1, Integer::sum) <= 3) {
                    throw new TransientSyncException("pipeline busy");
                }
                synchronized (sources) {
                    sources.add(document.uuid().toString());
                }
                real.process(document, token, content);
            }
        };

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        // the fileset's own drain failed for every document; the end of the run finished them from the store
        assertThat(sources).hasSize(ids.size());
        assertThat(fx.silknote.blobs().opens()).isEqualTo(ids.size());
        for (VsrxFileId id : ids) {
            SilknoteDocument d = doc(id);
            assertThat(fx.silknote.vectors().entries(d.uuid()))
                    .isEqualTo(InMemoryDocumentProcessor.expectedEntries(d.uuid(), fx.vsrx.content(id)));
        }
        fx.silknote.assertQuiescent();
    }

    @Test
    @DisplayName("issue 12.3: with no processor no processing work is enqueued and no vector entry written")
    void noProcessorEnqueuesNoProcessing() {
        FilesetId fs = fx.linkedFileset("P1");
        List<VsrxFileId> ids = files(fs, 3, "c");
        // synced once with processing: the documents have entries
        fx.run();
        DocumentUuid updated = doc(ids.get(0)).uuid();
        assertThat(fx.silknote.vectors().entries(updated)).isNotEmpty();
        long calls = fx.silknote.processor().totalProcessCalls();

        fx.processor = DocumentProcessor.NONE;
        VsrxFileId added = fx.text(fs, "new.txt", "new without processing");
        fx.vsrx.modifyFile(ids.get(0), "changed without processing");
        List<OutboxEntry> enqueued = new ArrayList<>();
        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(action(r, added)).isEqualTo(FileAction.CREATED);
        assertThat(action(r, ids.get(0))).isEqualTo(FileAction.UPDATED);
        assertThat(fx.silknote.processor().totalProcessCalls()).isEqualTo(calls);
        assertThat(fx.silknote.vectors().entries(doc(added).uuid())).isEmpty();
        // the old content's entries are gone: none describes what the document holds now
        assertThat(fx.silknote.vectors().entries(updated)).isEmpty();
        assertThat(fx.silknote.vectors().entries(doc(ids.get(1)).uuid())).isNotEmpty();
        assertThat(fx.silknote.documents().allPendingOutbox()).isEmpty();
        assertThat(enqueued).isEmpty();
    }

    @Test
    @DisplayName("issue 12.3: a hook without token or content is called once per created or updated document")
    void aHookIsCalledOncePerDocumentAfterTheCommit() {
        FilesetId fs = fx.linkedFileset("P1");
        List<VsrxFileId> ids = files(fs, 3, "h");
        List<SilknoteDocument> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        VsrxSync sync = VsrxSync.builder().source(fx.source).documents(fx.documents).blobs(fx.blobs)
                .vectors(fx.vectors).lock(fx.lock).config(fx.config).clock(fx.clock).sleeper(fx.clock)
                .random(new java.util.SplittableRandom(7))
                .processor(doc -> seen.add(fx.documents.findDocumentByClientFileId(doc.clientFileId()).orElseThrow()))
                .build();

        assertThat(sync.run(com.silknote.sync.core.model.SyncRequest.full()).success()).isTrue();
        assertThat(seen).extracting(SilknoteDocument::clientFileId).containsExactlyInAnyOrderElementsOf(ids);

        fx.vsrx.modifyFile(ids.get(1), "changed");
        seen.clear();
        assertThat(sync.run(com.silknote.sync.core.model.SyncRequest.full()).success()).isTrue();
        assertThat(seen).extracting(SilknoteDocument::clientFileId).containsExactly(ids.get(1));
        assertThat(seen.get(0).contentHash()).isEqualTo(doc(ids.get(1)).contentHash());
    }
}
