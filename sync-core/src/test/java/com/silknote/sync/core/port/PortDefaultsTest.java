package com.silknote.sync.core.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.VsrxFileId;
import java.time.Instant;
import java.util.ArrayList;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the ports promise by default, so an adapter that leaves a default alone gets the documented behaviour. */
class PortDefaultsTest {
    @Test
    @DisplayName("rule 12: a blob store that does not ask for Content-MD5 is spared computing it")
    void blobStoreDoesNotUseMd5ByDefault() {
        InvocationHandler defaults = (proxy, method, args) -> {
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            throw new UnsupportedOperationException(method.getName());
        };
        BlobStore store = (BlobStore) Proxy.newProxyInstance(BlobStore.class.getClassLoader(),
                new Class<?>[] {BlobStore.class}, defaults);
        assertThat(store.usesContentMd5()).isFalse();
    }

    @Test
    @DisplayName("rule 6: the no-op processor says it processes nothing, so no PROCESS entries are queued")
    void noneProcessesNothing() {
        assertThat(DocumentProcessor.NONE.processes()).isFalse();
        assertThat(DocumentProcessor.NONE).hasToString("DocumentProcessor.NONE");
        assertThatThrownBy(() -> DocumentProcessor.NONE.process(null, FencingToken.of(1)))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    @DisplayName("rule 6: a processor that does not read the held content is called as before, and processes")
    void processorDefaults() {
        List<SilknoteDocument> seen = new ArrayList<>();
        DocumentProcessor p = (document, token) -> seen.add(document);
        assertThat(p.processes()).isTrue();
        VsrxFileId file = VsrxFileId.of("file-1");
        SilknoteDocument doc = new SilknoteDocument(DocumentUuid.forVsrxFile(file),
                PatientUuid.of("0f8fad5b-d9cb-469f-a165-70867728950e"), FilesetId.of("fs-1"), file,
                ContentHash.ofHex("ab".repeat(32)), 0, "text/plain", DocumentMetadata.synced(file, "notes/a", List.of()),
                Instant.EPOCH);
        p.process(doc, FencingToken.of(1), () -> {
            throw new AssertionError("the default does not open the content");
        });
        assertThat(seen).containsExactly(doc);
    }

    @Test
    @DisplayName("issue 11: a composite listener prints how many it holds, nothing of what they are")
    void compositeToString() {
        SyncListener a = new SyncListener() { };
        SyncListener b = new SyncListener() { };
        assertThat(SyncListener.composite(List.of(a, b))).hasToString("CompositeSyncListener[2 listeners]");
        assertThat(SyncListener.composite(List.of(a))).isSameAs(a);
    }
}
