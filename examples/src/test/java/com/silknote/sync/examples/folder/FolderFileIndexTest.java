package com.silknote.sync.examples.folder;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.VsrxFileId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Issue 12 (the VSRX side serves as fast as the sync consumes): lookups by id cost no walk of the folder. */
class FolderFileIndexTest {

    private static final FilesetId FS_A = FilesetId.of("fs-a");
    private static final FilesetId FS_B = FilesetId.of("fs-b");

    private final AtomicInteger walks = new AtomicInteger();
    private final AtomicReference<Runnable> onWalk = new AtomicReference<>(() -> { });
    private final FolderFileIndex index = new FolderFileIndex(() -> {
        walks.incrementAndGet();
        onWalk.get().run();
    });

    private static FolderFileIndex.Entry entry(FilesetId fs, String path) {
        return new FolderFileIndex.Entry(fs, path, Path.of("/data", fs.value(), path));
    }

    @Test
    void anIndexedIdIsFoundWithoutWalking() {
        VsrxFileId id = VsrxFileId.of("f-1");
        index.replaceFileset(FS_A, Map.of(id, entry(FS_A, "notes/a.pdf")));

        for (int i = 0; i < 1000; i++) {
            assertThat(index.find(id)).contains(entry(FS_A, "notes/a.pdf"));
        }
        assertThat(walks).hasValue(0);
    }

    @Test
    void aMissWalksOnceAndFindsWhatTheWalkIndexed() {
        VsrxFileId id = VsrxFileId.of("f-new");
        onWalk.set(() -> index.replaceFileset(FS_B, Map.of(id, entry(FS_B, "notes/new.pdf"))));

        assertThat(index.find(id)).contains(entry(FS_B, "notes/new.pdf"));
        assertThat(index.find(id)).isPresent();
        assertThat(walks).hasValue(1);
        assertThat(index.find(VsrxFileId.of("f-unknown"))).isEmpty();
        assertThat(walks).hasValue(2);
    }

    @Test
    void aWalkOfAFilesetReplacesItsEntriesOnlyAndForgottenEntriesAreGone() {
        VsrxFileId a1 = VsrxFileId.of("f-a1");
        VsrxFileId a2 = VsrxFileId.of("f-a2");
        VsrxFileId b1 = VsrxFileId.of("f-b1");
        index.replaceFileset(FS_A, Map.of(a1, entry(FS_A, "notes/1"), a2, entry(FS_A, "notes/2")));
        index.replaceFileset(FS_B, Map.of(b1, entry(FS_B, "notes/1")));

        index.replaceFileset(FS_A, Map.of(a2, entry(FS_A, "notes/2")));        // notes/1 was removed
        index.forget(b1, entry(FS_B, "notes/1"));                               // found gone on use

        assertThat(index.find(a2)).isPresent();
        assertThat(walks).hasValue(0);
        assertThat(index.find(a1)).isEmpty();
        assertThat(index.find(b1)).isEmpty();
        assertThat(walks).hasValue(2);
    }

    @Test
    void concurrentMissesShareOneWalk() throws Exception {
        int threads = 8;
        List<VsrxFileId> ids = new ArrayList<>();
        Map<VsrxFileId, FolderFileIndex.Entry> all = new java.util.HashMap<>();
        for (int i = 0; i < threads; i++) {
            VsrxFileId id = VsrxFileId.of("f-" + i);
            ids.add(id);
            all.put(id, entry(FS_A, "notes/" + i));
        }
        onWalk.set(() -> index.replaceFileset(FS_A, all));
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Optional<FolderFileIndex.Entry>>> found = new ArrayList<>();
            for (VsrxFileId id : ids) {
                found.add(pool.submit(() -> {
                    start.await();
                    return index.find(id);
                }));
            }
            for (Future<Optional<FolderFileIndex.Entry>> f : found) {
                assertThat(f.get()).isPresent();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(walks).hasValue(1);
    }
}
