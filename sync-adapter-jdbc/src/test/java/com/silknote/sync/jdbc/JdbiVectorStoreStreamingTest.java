package com.silknote.sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 12 (vector writes batched and streamed): entries from an iterator, in bounded batches, atomically. */
class JdbiVectorStoreStreamingTest {
    private static final FencingToken TOKEN = FencingToken.of(1);
    private static final DocumentUuid DOC = DocumentUuid.forVsrxFile(VsrxFileId.of("file-stream"));
    private static final DocumentUuid OTHER = DocumentUuid.forVsrxFile(VsrxFileId.of("file-other"));

    private JdbiVectorStore store;

    @BeforeEach
    void setUp() {
        DataSource ds = Backends.THROWAWAY.freshDataSource();
        store = JdbiVectorStore.builder().dataSource(ds).build();
    }

    @Test
    void writesEveryEntryAcrossSeveralBatchesInOrdinalOrder() {
        int count = 3 * JdbiVectorStore.BATCH_ROWS + 17;
        store.replace(TOKEN, DOC, new StreamedVectorEntries(DOC, count, -1));

        List<VectorEntry> stored = store.entries(DOC);
        assertThat(stored).hasSize(count);
        for (int i = 0; i < count; i += 997) {
            assertThat(stored.get(i).ordinal()).isEqualTo(i);
            assertThat(stored.get(i).embedding()).containsExactly(StreamedVectorEntries.embedding(i));
        }
        store.replace(TOKEN, DOC, new StreamedVectorEntries(DOC, 5, -1));
        assertThat(store.entries(DOC)).hasSize(5);
    }

    @Test
    void aFailingIteratorOrABadEntryAfterSeveralBatchesLeavesThePreviousEntries() {
        store.replace(TOKEN, DOC, new StreamedVectorEntries(DOC, 10, -1));
        List<VectorEntry> before = store.entries(DOC);

        assertThatThrownBy(() -> store.replace(TOKEN, DOC,
                new StreamedVectorEntries(DOC, 5 * JdbiVectorStore.BATCH_ROWS, 2 * JdbiVectorStore.BATCH_ROWS + 3)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(store.entries(DOC)).isEqualTo(before);

        var mixed = new java.util.ArrayList<VectorEntry>();
        new StreamedVectorEntries(DOC, 2 * JdbiVectorStore.BATCH_ROWS, -1).forEachRemaining(mixed::add);
        mixed.add(new VectorEntry(OTHER, 2 * JdbiVectorStore.BATCH_ROWS, StreamedVectorEntries.HASH, new float[1]));
        assertThatThrownBy(() -> store.replace(TOKEN, DOC, mixed.iterator())).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.entries(DOC)).isEqualTo(before);

        var backwards = List.of(new VectorEntry(DOC, 1, StreamedVectorEntries.HASH, new float[1]),
                new VectorEntry(DOC, 0, StreamedVectorEntries.HASH, new float[1]));
        assertThatThrownBy(() -> store.replace(TOKEN, DOC, backwards.iterator())).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.entries(DOC)).isEqualTo(before);
    }

    @Test
    void aListInAnyOrderIsStillAccepted() {
        var entries = List.of(new VectorEntry(DOC, 2, StreamedVectorEntries.HASH, new float[] {2}),
                new VectorEntry(DOC, 0, StreamedVectorEntries.HASH, new float[] {0}),
                new VectorEntry(DOC, 1, StreamedVectorEntries.HASH, new float[] {1}));

        store.replace(TOKEN, DOC, entries);

        assertThat(store.entries(DOC)).extracting(VectorEntry::ordinal).containsExactly(0, 1, 2);
    }
}
