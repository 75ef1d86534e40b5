package com.silknote.sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 12 (vector writes cheap in CPU and round trips): the binary {@code COPY} path of
 * {@link JdbiVectorStore} on pgjdbc's connections, and the portable path it keeps for other connections, hold
 * the same guarantees: one transaction, fenced (DESIGN rule 10), entries streamed from the iterator in bounded
 * buffers, ordinals checked, rolled back on any failure, floats stored bit for bit.
 */
class JdbiVectorStoreCopyTest {
    private static final FencingToken TOKEN = FencingToken.of(3);
    private static final DocumentUuid DOC = DocumentUuid.forVsrxFile(VsrxFileId.of("file-copy"));
    private static final DocumentUuid OTHER = DocumentUuid.forVsrxFile(VsrxFileId.of("file-copy-other"));
    private static final ContentHash HASH = ContentHash.ofHex("cd".repeat(32));

    /** How the store reaches the server. */
    enum Path {
        /** pgjdbc's connections behind the ledger's pool: one round trip for the prologue, rows by COPY. */
        COPY,
        /** Connections that do not unwrap to pgjdbc's: a statement per step, rows in insert batches. */
        PORTABLE
    }

    private static JdbiVectorStore store(Path path) {
        DataSource ds = Backends.THROWAWAY.freshDataSource();
        return JdbiVectorStore.builder().dataSource(path == Path.COPY ? ds : new PortableDataSource(ds)).build();
    }

    private static VectorEntry entry(DocumentUuid doc, int ordinal, float... embedding) {
        return new VectorEntry(doc, ordinal, HASH, embedding);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    @DisplayName("one transaction: an empty iterator leaves the document without entries and others untouched")
    void anEmptyIteratorRemovesTheDocumentsEntries(Path path) {
        JdbiVectorStore store = store(path);
        store.replace(TOKEN, DOC, List.of(entry(DOC, 0, 1f), entry(DOC, 1, 2f)));
        store.replace(TOKEN, OTHER, List.of(entry(OTHER, 0, 3f)));

        store.replace(TOKEN, DOC, List.<VectorEntry>of().iterator());

        assertThat(store.entries(DOC)).isEmpty();
        assertThat(store.entries(OTHER)).containsExactly(entry(OTHER, 0, 3f));
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    @DisplayName("one entry is written and read back as it was")
    void oneEntry(Path path) {
        JdbiVectorStore store = store(path);
        VectorEntry only = new VectorEntry(DOC, 7, HASH, new float[] {0.25f, -1f, 3.5e-20f});

        store.replace(TOKEN, DOC, List.of(only).iterator());

        assertThat(store.entries(DOC)).containsExactly(only);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    @DisplayName("bounded buffers: entries spanning many buffers all arrive, in ordinal order, gaps kept")
    void entriesSpanningManyBuffers(Path path) {
        JdbiVectorStore store = store(path);
        int count = 2 * JdbiVectorStore.BATCH_ROWS + 123; // ~110 bytes a row: 14 buffers, 3 batches
        List<VectorEntry> written = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < count; i++) {
            float[] v = new float[1 + r.nextInt(8)];
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) r.nextGaussian();
            }
            written.add(new VectorEntry(DOC, 3 * i + r.nextInt(3), HASH, v));
        }

        store.replace(TOKEN, DOC, written.iterator());

        assertThat(store.entries(DOC)).containsExactlyElementsOf(written);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    @DisplayName("rollback on any failure: an iterator that throws after several buffers changes nothing, "
            + "and the connections stay usable")
    void anIteratorThatThrowsMidwayChangesNothing(Path path) {
        JdbiVectorStore store = store(path);
        List<VectorEntry> before = List.of(entry(DOC, 0, 9f), entry(DOC, 1, 8f));
        store.replace(TOKEN, DOC, before);

        // more failures than the pool has connections: a connection left in COPY mode would fail the next use
        for (int i = 0; i < 12; i++) {
            int failAt = i % 2 == 0 ? 1 + i : 3 * VectorCopy.BUFFER_BYTES / 100 + i;
            assertThatThrownBy(() -> store.replace(TOKEN, DOC, new StreamedVectorEntries(DOC, 5000, failAt)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("source failed");
            assertThat(store.entries(DOC)).isEqualTo(before);
        }
        store.replace(TOKEN, DOC, new StreamedVectorEntries(DOC, 5, -1));
        assertThat(store.entries(DOC)).hasSize(5);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    @DisplayName("ordinals checked: a foreign, repeated or falling ordinal after several buffers changes nothing")
    void badEntriesAfterSeveralBuffersChangeNothing(Path path) {
        JdbiVectorStore store = store(path);
        List<VectorEntry> before = List.of(entry(DOC, 0, 1f));
        store.replace(TOKEN, DOC, before);
        int late = 3 * VectorCopy.BUFFER_BYTES / 100;

        for (VectorEntry bad : List.of(entry(OTHER, late, 1f), entry(DOC, late - 1, 1f), entry(DOC, 2, 1f))) {
            List<VectorEntry> entries = new ArrayList<>();
            new StreamedVectorEntries(DOC, late, -1).forEachRemaining(entries::add);
            entries.add(bad);
            assertThatThrownBy(() -> store.replace(TOKEN, DOC, entries.iterator()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(store.entries(DOC)).isEqualTo(before);
            assertThat(store.entries(OTHER)).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    @DisplayName("rule 10: a replace with a token below the mark changes nothing and does not read the entries")
    void aLostFenceChangesNothing(Path path) {
        JdbiVectorStore store = store(path);
        List<VectorEntry> before = List.of(entry(DOC, 0, 1f), entry(DOC, 1, 2f));
        store.replace(TOKEN, DOC, before);
        store.fence(FencingToken.of(TOKEN.value() + 1));
        AtomicInteger asked = new AtomicInteger();
        Iterator<VectorEntry> counted = new Iterator<>() {
            private final Iterator<VectorEntry> entries = new StreamedVectorEntries(DOC, 3000, -1);

            @Override
            public boolean hasNext() {
                asked.incrementAndGet();
                return entries.hasNext();
            }

            @Override
            public VectorEntry next() {
                return entries.next();
            }
        };

        assertThatThrownBy(() -> store.replace(TOKEN, DOC, counted)).isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> store.deleteByDocument(TOKEN, DOC)).isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> store.deleteByDocument(TOKEN, OTHER)).as("also for a document without entries")
                .isInstanceOf(StaleFencingTokenException.class);

        assertThat(asked).hasValue(0);
        assertThat(store.entries(DOC)).isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    @DisplayName("rule 10: a write with a token above the mark raises it, also a delete of a document without entries")
    void aNewerTokenRaisesTheMark(Path path) {
        JdbiVectorStore store = store(path);
        store.fence(TOKEN);

        store.replace(FencingToken.of(5), DOC, List.of(entry(DOC, 0, 1f), entry(DOC, 1, 2f)).iterator());
        assertThat(store.entries(DOC)).hasSize(2);
        assertThatThrownBy(() -> store.replace(FencingToken.of(4), DOC, List.of(entry(DOC, 0, 3f))))
                .isInstanceOf(StaleFencingTokenException.class);

        assertThat(store.deleteByDocument(FencingToken.of(6), OTHER)).isZero();
        assertThatThrownBy(() -> store.deleteByDocument(FencingToken.of(5), DOC))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThat(store.entries(DOC)).hasSize(2);
        assertThat(store.deleteByDocument(FencingToken.of(6), DOC)).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    @DisplayName("floats stored bit for bit: NaN, infinities, -0.0, subnormals and the extremes")
    void specialFloatsRoundTripExactly(Path path) {
        JdbiVectorStore store = store(path);
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f, 0.0f,
            Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1f / 3, (float) Math.PI};

        store.replace(TOKEN, DOC, List.of(entry(DOC, 0, special)).iterator());

        float[] read = store.entries(DOC).get(0).embedding();
        assertThat(read).hasSameSizeAs(special);
        for (int i = 0; i < special.length; i++) {
            assertThat(Float.floatToIntBits(read[i])).as("element %d", i).isEqualTo(Float.floatToIntBits(special[i]));
        }
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    @DisplayName("embeddings of 0 dimensions and larger than a buffer, mixed in one document")
    void emptyAndLargeEmbeddings(Path path) {
        JdbiVectorStore store = store(path);
        float[] large = new float[3 * VectorCopy.BUFFER_BYTES / 8 + 5]; // each float takes 8 bytes in COPY
        for (int i = 0; i < large.length; i++) {
            large[i] = i - 0.5f;
        }
        List<VectorEntry> entries = List.of(entry(DOC, 0), entry(DOC, 1, large), entry(DOC, 2), entry(DOC, 3, 7f),
                entry(DOC, 4, large));

        store.replace(TOKEN, DOC, entries.iterator());

        assertThat(store.entries(DOC)).containsExactlyElementsOf(entries);
    }

    /**
     * Issue 12 (fewer round trips): on pgjdbc, a replace sends one statement before its COPY (the fence check,
     * the lock and the delete together), and the outbox drain's delete of a document without entries one read;
     * the portable path sends each step on its own.
     */
    @Test
    void roundTripsPerDocument() {
        DataSource ds = Backends.THROWAWAY.freshDataSource();
        CountingDataSource copying = new CountingDataSource(ds);
        CountingDataSource portable = new CountingDataSource(new PortableDataSource(ds));
        JdbiVectorStore store = JdbiVectorStore.builder().dataSource(copying).build();
        JdbiVectorStore portableStore = JdbiVectorStore.builder().dataSource(portable).build();
        store.fence(TOKEN);
        copying.reset();

        assertThat(store.deleteByDocument(TOKEN, DOC)).isZero();
        assertThat(copying.executions).as("delete of a document without entries").hasValue(1);
        copying.reset();
        store.replace(TOKEN, DOC, new StreamedVectorEntries(DOC, 80, -1));
        assertThat(copying.executions).as("statements besides the COPY").hasValue(1);
        assertThat(copying.batchExecutions).hasValue(0);
        copying.reset();
        assertThat(store.deleteByDocument(TOKEN, DOC)).isEqualTo(80);
        assertThat(copying.executions).as("the read, then fence, lock and delete in one").hasValue(2);

        portable.reset();
        portableStore.replace(TOKEN, DOC, new StreamedVectorEntries(DOC, 80, -1));
        assertThat(portable.batchExecutions).hasValue(1);
        assertThat(portable.executions.get()).isGreaterThan(3);
        assertThat(rows(ds)).isEqualTo(80);
    }

    private static long rows(DataSource ds) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM vsrx_sync_vector")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
