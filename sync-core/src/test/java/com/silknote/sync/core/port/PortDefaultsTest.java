package com.silknote.sync.core.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.OutboxEntry;
import java.time.Duration;
import java.util.Optional;
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

    /** A port whose default methods run as written and whose abstract methods answer from {@code answer}. */
    @SuppressWarnings("unchecked")
    private static <T> T port(Class<T> type, List<String> calls, java.util.function.Function<Object[], Object> answer) {
        InvocationHandler h = (proxy, method, args) -> {
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            calls.add(method.getName() + java.util.Arrays.toString(args));
            return answer.apply(args);
        };
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h);
    }

    @Test
    @DisplayName("rule 12: putNewIfAbsent defaults to putIfAbsent and returns its result")
    void putNewDefaultsToPutIfAbsent() {
        ContentHash hash = ContentHash.ofHex("ab".repeat(32));
        BlobPutResult result = new BlobPutResult(new BlobInfo(hash, 0, "e", Instant.EPOCH), true);
        List<String> calls = new ArrayList<>();
        BlobStore store = port(BlobStore.class, calls, args -> result);
        BlobUpload upload = new BlobUpload(hash, 0, "text/plain", () -> new java.io.ByteArrayInputStream(new byte[0]));
        assertThat(store.putNewIfAbsent(upload)).isSameAs(result);
        assertThat(calls).singleElement().asString().startsWith("putIfAbsent[");
    }

    @Test
    @DisplayName("rule 6: the first outbox page starts after id 0")
    void firstOutboxPage() {
        List<String> calls = new ArrayList<>();
        OutboxEntry entry = OutboxEntry.pending(DocumentUuid.forVsrxFile(VsrxFileId.of("f")),
                OutboxEntry.Action.PROCESS, ContentHash.ofHex("ab".repeat(32)), Instant.EPOCH);
        DocumentStore store = port(DocumentStore.class, calls, args -> List.of(entry));
        assertThat(store.pendingOutbox(7)).containsExactly(entry);
        assertThat(calls).containsExactly("pendingOutbox[0, 7]");
    }

    @Test
    @DisplayName("rule 10: a fresh lock attempt uses a new request id each time and returns the lease")
    void freshLockAttempts() {
        List<String> calls = new ArrayList<>();
        Object lease = Optional.of(new Object());
        SyncLock lock = port(SyncLock.class, calls, args -> {
            assertThat((String) args[2]).startsWith("fresh-");
            return lease;
        });
        assertThat((Object) lock.tryAcquire("vsrx-sync", Duration.ofSeconds(5))).isSameAs(lease);
        lock.tryAcquire("vsrx-sync", Duration.ofSeconds(5));
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0)).startsWith("tryAcquire[vsrx-sync, PT5S, fresh-").isNotEqualTo(calls.get(1));
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
