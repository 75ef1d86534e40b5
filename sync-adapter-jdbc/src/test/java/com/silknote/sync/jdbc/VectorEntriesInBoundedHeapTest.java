package com.silknote.sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.VsrxFileId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 (constant heap: vector writes batched and streamed): the entries of a document larger than a
 * 2 GiB file has at one per 4 KiB (524,288), made up lazily, written at {@code -Xmx128m} (the
 * {@code bounded-heap} surefire execution). Holding them in one list or one batch needs several times
 * that heap.
 */
@Tag("bounded-heap")
class VectorEntriesInBoundedHeapTest {
    private static final FencingToken TOKEN = FencingToken.of(1);
    private static final int ENTRIES = 600_000;

    @Test
    void writesSixHundredThousandStreamedEntriesInASmallHeap() throws Exception {
        assertThat(Runtime.getRuntime().maxMemory()).as("run in the bounded-heap execution").isLessThan(160L << 20);
        DataSource ds = Backends.THROWAWAY.freshDataSource();
        JdbiVectorStore store = JdbiVectorStore.builder().dataSource(ds).build();
        DocumentUuid doc = DocumentUuid.forVsrxFile(VsrxFileId.of("file-2gib"));

        store.replace(TOKEN, doc, new StreamedVectorEntries(doc, ENTRIES, -1));

        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), min(ordinal), max(ordinal), "
                        + "sum(embedding[1]::float8) FROM vsrx_sync_vector WHERE document_uuid = '" + doc.value() + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(ENTRIES);
            assertThat(rs.getInt(2)).isZero();
            assertThat(rs.getInt(3)).isEqualTo(ENTRIES - 1);
            assertThat(rs.getDouble(4)).isEqualTo(8.0 * ENTRIES * (ENTRIES - 1) / 2, org.assertj.core.data.Offset.offset(1e9));
        }
    }
}
