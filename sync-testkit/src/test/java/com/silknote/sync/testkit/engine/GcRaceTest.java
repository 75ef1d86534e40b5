package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.TestHashes;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §4 "GC vs. new reference": a collector works on content whose count reached zero while a run
 * references the same content again. Every interleaving of the collector's four steps with the run's
 * blob check and commit is tried; a referenced blob is never lost.
 */
class GcRaceTest {
    private static final String CONTENT = "content collected and referenced at once";
    private static final ContentHash H = TestHashes.sha256(CONTENT);
    /** Points of the run where collector steps may run. */
    private static final int BEFORE_RUN = 0;
    private static final int AFTER_BLOB_CHECK = 1;
    private static final int BEFORE_COMMIT = 2;
    private static final int AFTER_COMMIT = 3;
    private static final int AFTER_RUN = 4;

    /** A collector in another process, one step at a time, following the protocol of {@link BlobRef}. */
    private static final class Collector {
        final EngineFixture fx;
        int step;
        String etag;
        boolean done;
        boolean deleted;

        Collector(EngineFixture fx) {
            this.fx = fx;
        }

        FencingToken token() {
            return fx.silknote.lock().lastToken(SyncConfig.LOCK_NAME).orElseThrow();
        }

        void next() {
            if (done) {
                step++;
                return;
            }
            switch (step++) {
                case 0 -> {
                    Optional<BlobInfo> info = fx.silknote.blobs().stat(H);
                    if (info.isEmpty()) {
                        done = true;
                    } else {
                        etag = info.get().etag();
                    }
                }
                case 1 -> done = !fx.silknote.documents().markBlobDeleting(token(), H, etag,
                        fx.clock.instant().plusMillis(1));
                case 2 -> deleted = fx.silknote.blobs().deleteIfMatch(H, etag);
                case 3 -> {
                    if (deleted) {
                        fx.silknote.documents().removeBlobRefIfDeleting(token(), H, etag);
                    } else {
                        fx.silknote.documents().reviveBlobRef(token(), H, etag);
                    }
                }
                default -> throw new IllegalStateException("collector has four steps");
            }
        }
    }

    @Test
    void everyInterleavingOfCollectorAndNewReferenceKeepsTheBlob() {
        int tried = 0;
        for (int s0 = 0; s0 <= AFTER_RUN; s0++) {
            for (int s1 = s0; s1 <= AFTER_RUN; s1++) {
                for (int s2 = s1; s2 <= AFTER_RUN; s2++) {
                    for (int s3 = s2; s3 <= AFTER_RUN; s3++) {
                        interleave(new int[] {s0, s1, s2, s3});
                        tried++;
                    }
                }
            }
        }
        assertThat(tried).isEqualTo(70);
    }

    private void interleave(int[] schedule) {
        EngineFixture fx = new EngineFixture();
        FilesetId a = fx.linkedFileset("P1");
        VsrxFileId x = fx.text(a, "x.txt", CONTENT);
        fx.text(a, "keep1.txt", "keep 1");
        fx.text(a, "keep2.txt", "keep 2");
        assertThat(fx.run().success()).isTrue();

        // The reference goes away, but the run's own collection loses (the row stays LIVE with count 0 and
        // the blob stays): the state an external collector finds.
        fx.vsrx.deleteFile(x);
        fx.blobs = new DelegatingBlobStore(fx.silknote.blobs()) {
            @Override
            public boolean deleteIfMatch(ContentHash hash, String etag) {
                return false;
            }
        };
        assertThat(fx.run().success()).isTrue();
        assertThat(fx.silknote.documents().findBlobRef(H).orElseThrow().refCount()).isZero();
        assertThat(fx.silknote.blobs().stat(H)).isPresent();

        FilesetId b = fx.linkedFileset("P2");
        VsrxFileId y = fx.text(b, "y.txt", CONTENT);
        Collector collector = new Collector(fx);
        List<Integer> plan = new ArrayList<>();
        for (int p : schedule) {
            plan.add(p);
        }
        Runnable[] at = new Runnable[5];
        for (int point = 0; point < 5; point++) {
            int p = point;
            at[point] = () -> {
                while (!plan.isEmpty() && plan.get(0) == p) {
                    plan.remove(0);
                    collector.next();
                }
            };
        }
        fx.blobs = new DelegatingBlobStore(fx.silknote.blobs()) {
            @Override
            public BlobPutResult putIfAbsent(BlobUpload upload) {
                BlobPutResult r = super.putIfAbsent(upload);
                if (upload.hash().equals(H)) {
                    at[AFTER_BLOB_CHECK].run();
                }
                return r;
            }
        };
        DocumentStore real = fx.silknote.documents();
        fx.documents = new DelegatingDocumentStore(real) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
                at[BEFORE_COMMIT].run();
                T r = real.inUnitOfWork(token, work);
                at[AFTER_COMMIT].run();
                return r;
            }
        };

        at[BEFORE_RUN].run();
        boolean ok = fx.run().success();
        for (int p = 0; p < 5; p++) {
            at[p].run();
        }

        String where = "schedule " + java.util.Arrays.toString(schedule);
        assertThat(ok).as(where).isTrue();
        assertThat(plan).as(where).isEmpty();
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(y))).as(where).isPresent();
        assertThat(fx.silknote.blobs().rawBytes(H)).as("blob kept, " + where).isPresent();
        BlobRef ref = fx.silknote.documents().findBlobRef(H).orElseThrow();
        assertThat(ref.state()).as(where).isEqualTo(BlobRef.State.LIVE);
        assertThat(ref.refCount()).as(where).isEqualTo(1);
        fx.silknote.assertInvariants();
    }

    @Test
    void releaseAndNewReferenceOfTheSameContentInConcurrentFilesetsNeverLoseTheBlob() {
        for (int round = 0; round < 25; round++) {
            EngineFixture fx = new EngineFixture();
            fx.config(c -> c.filesetConcurrency(2).fileConcurrency(4));
            FilesetId a = fx.linkedFileset("P1");
            VsrxFileId x = fx.text(a, "x.txt", CONTENT);
            for (int i = 0; i < 4; i++) {
                fx.text(a, "a" + i + ".txt", "a " + i);
            }
            FilesetId b = fx.linkedFileset("P2");
            fx.run();
            fx.vsrx.deleteFile(x);
            VsrxFileId y = fx.text(b, "y.txt", CONTENT);
            fx.clock.advance(Duration.ofSeconds(1));

            assertThat(fx.run().success()).isTrue();

            assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(y))).isPresent();
            assertThat(fx.silknote.blobs().rawBytes(H)).as("round " + round).isPresent();
            fx.silknote.assertInvariants();
        }
    }

    /** Forwards every call; tests override single methods. */
    private static class DelegatingBlobStore implements BlobStore {
        private final BlobStore d;

        DelegatingBlobStore(BlobStore d) {
            this.d = d;
        }

        @Override public boolean usesContentMd5() { return d.usesContentMd5(); }
        @Override public BlobPutResult putIfAbsent(BlobUpload upload) { return d.putIfAbsent(upload); }
        @Override public BlobInfo overwrite(BlobUpload upload) { return d.overwrite(upload); }
        @Override public Optional<BlobInfo> stat(ContentHash hash) { return d.stat(hash); }
        @Override public InputStream open(ContentHash hash) { return d.open(hash); }
        @Override public boolean deleteIfMatch(ContentHash hash, String etag) { return d.deleteIfMatch(hash, etag); }
        @Override public Page<BlobInfo> list(Optional<String> cursor, int limit) { return d.list(cursor, limit); }
    }
}
