package com.silknote.sync.core.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 12: the streaming replace added to the port works for stores that only implement the list one. */
class VectorStoreDefaultReplaceTest {
    private static final DocumentUuid DOC = DocumentUuid.forVsrxFile(VsrxFileId.of("file-1"));
    private static final ContentHash HASH = ContentHash.ofHex("cd".repeat(32));

    private final List<List<VectorEntry>> replaced = new ArrayList<>();
    private static final FencingToken TOKEN = FencingToken.of(1);
    private final VectorStore listOnly = new VectorStore() {
        @Override
        public void fence(FencingToken token) {
        }

        @Override
        public void replace(FencingToken token, DocumentUuid document, List<VectorEntry> entries) {
            replaced.add(List.copyOf(entries));
        }

        @Override
        public int deleteByDocument(FencingToken token, DocumentUuid document) {
            return 0;
        }

        @Override
        public List<VectorEntry> entries(DocumentUuid document) {
            return List.of();
        }

        @Override
        public Page<DocumentUuid> documents(Optional<String> cursor, int limit) {
            return Page.last(List.of());
        }
    };

    private static VectorEntry entry(int ordinal) {
        return new VectorEntry(DOC, ordinal, HASH, new float[] {ordinal});
    }

    @Test
    void collectsTheIteratorIntoOneListReplace() {
        listOnly.replace(TOKEN, DOC, List.of(entry(0), entry(1), entry(5)).iterator());

        assertThat(replaced).containsExactly(List.of(entry(0), entry(1), entry(5)));
    }

    @Test
    void refusesOrdinalsThatDoNotIncreaseAndReplacesNothing() {
        assertThatThrownBy(() -> listOnly.replace(TOKEN, DOC, List.of(entry(0), entry(2), entry(2)).iterator()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> listOnly.replace(TOKEN, DOC, List.of(entry(1), entry(0)).iterator()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(replaced).isEmpty();
    }
}
