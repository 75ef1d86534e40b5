package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.port.DocumentStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 2: a re-sync with nothing changed downloads nothing and costs one listing and one read of
 * each fileset's ledger rows; an incremental one with nothing changed lists no file and reads no fileset.
 */
class NoopRunTest {
    private static final int FILESETS = 12;
    private static final int FILES = 3;

    private final EngineFixture fx = new EngineFixture();
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

    @BeforeEach
    void syncedWorld() {
        fx.config(c -> c.pageSize(100));
        for (int s = 0; s < FILESETS; s++) {
            FilesetId fs = fx.linkedFileset("P" + s);
            for (int i = 0; i < FILES; i++) {
                fx.text(fs, "f" + i + ".txt", "content " + s + "/" + i);
            }
        }
        assertThat(fx.run().success()).isTrue();
        // a complete run after the filesets' last change: the next incremental run's watermark is past it
        fx.clock.advance(Duration.ofMinutes(10));
        assertThat(fx.run().success()).isTrue();
        DocumentStore real = fx.documents;
        fx.documents = (DocumentStore) Proxy.newProxyInstance(DocumentStore.class.getClassLoader(),
                new Class<?>[] {DocumentStore.class}, (proxy, method, args) -> {
                    calls.computeIfAbsent(method.getName(), k -> new LongAdder()).increment();
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        fx.vsrx.resetCounters();
        fx.clock.advance(Duration.ofMinutes(10)); // past the watermark overlap
    }

    private long calls(String method) {
        LongAdder n = calls.get(method);
        return n == null ? 0 : n.sum();
    }

    @Test
    @DisplayName("issue 12.2: a full no-op lists each fileset once and reads its ledger rows once, nothing else per file")
    void fullNoopReadsEachFilesetOnce() {
        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(fx.vsrx.downloads()).isZero();
        assertThat(report(r).count(FileAction.UNCHANGED)).isEqualTo(FILESETS * FILES);
        assertThat(report(r).filesets()).allSatisfy(f -> assertThat(f.files()).isEmpty());
        assertThat(fx.vsrx.listFilesCalls()).isEqualTo(FILESETS);
        for (String perFileset : List.of("mappings", "documents", "findFileset", "permanentSkips")) {
            assertThat(calls(perFileset)).as(perFileset).isEqualTo(FILESETS);
        }
        // no lookup of other filesets' records when every listed file has its own, no per-file read
        assertThat(calls("findMappings") + calls("findDocumentsByClientFileIds") + calls("findDocument")
                + calls("findMapping") + calls("findDocumentByClientFileId")).isZero();
        // the final state save is the run's only write
        assertThat(calls("inUnitOfWork")).isEqualTo(1);
    }

    @Test
    @DisplayName("issue 12.2: an incremental no-op skips unchanged filesets without listing their files")
    void incrementalNoopListsNoFile() {
        SyncResult r = fx.run(SyncRequest.incrementalRun());

        assertThat(r.success()).isTrue();
        assertThat(report(r).filesets()).isEmpty();
        assertThat(fx.vsrx.listFilesetsCalls()).isEqualTo(1);
        assertThat(fx.vsrx.listFilesCalls()).isZero();
        assertThat(fx.vsrx.downloads()).isZero();
        assertThat(calls("mappings") + calls("documents") + calls("findFileset") + calls("permanentSkips")).isZero();

        // a change in one fileset: only that one is listed
        FilesetId changed = fx.vsrx.filesetIds().get(3);
        fx.text(changed, "new.txt", "new");
        fx.clock.advance(Duration.ofMinutes(10));
        SyncResult next = fx.run(SyncRequest.incrementalRun());
        assertThat(report(next).filesets()).singleElement().satisfies(f -> {
            assertThat(f.filesetId()).isEqualTo(changed);
            assertThat(f.count(FileAction.CREATED)).isEqualTo(1);
            assertThat(f.unchangedFiles()).isEqualTo(FILES);
        });
        assertThat(fx.vsrx.listFilesCalls()).isEqualTo(1);
    }
}
