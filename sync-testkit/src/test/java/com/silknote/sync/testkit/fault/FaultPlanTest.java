package com.silknote.sync.testkit.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.silknote.sync.core.exception.MalformedResponseException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.InMemoryBlobStore;
import com.silknote.sync.testkit.InMemorySyncLock;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FaultPlanTest {
    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    private final InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
    private FilesetId fs;
    private VsrxFileId a;
    private VsrxFileId b;
    private final byte[] content = "0123456789abcdefghij".getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void populate() {
        fs = vsrx.addFileset("P-1");
        a = vsrx.addFile(fs, "notes/a.txt", "text/plain", content);
        b = vsrx.addFile(fs, "notes/b.txt", "text/plain", content);
    }

    private static byte[] readAll(FileContent c) throws IOException {
        try (c; InputStream in = c.stream()) {
            return in.readAllBytes();
        }
    }

    @Test
    void failsTheKthOpenOfOneFileWith429AndRetryAfter() throws IOException {
        var source = new FaultyVsrxSource(vsrx,
                FaultPlan.seeded(1).failOpenContent(a, 2, Fault.tooManyRequests(Duration.ofSeconds(2))));
        readAll(source.openContent(a));
        readAll(source.openContent(b));
        Throwable t = catchThrowable(() -> source.openContent(a));
        assertThat(t).isInstanceOf(TransientSyncException.class);
        assertThat(((TransientSyncException) t).retryAfter()).contains(Duration.ofSeconds(2));
        assertThat(readAll(source.openContent(a))).isEqualTo(content);
        assertThat(vsrx.downloads(a)).isEqualTo(2);
    }

    @Test
    void failsListFilesNTimesThenRecovers() {
        var plan = FaultPlan.seeded(1).failListFiles(3, Fault.serviceUnavailable());
        var source = new FaultyVsrxSource(vsrx, plan);
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> source.listFiles(fs, PageRequest.first(10)))
                    .isInstanceOf(TransientSyncException.class);
        }
        assertThat(source.listFiles(fs, PageRequest.first(10)).items()).hasSize(2);
        assertThat(plan.injected()).hasSize(3).allSatisfy(f -> assertThat(f.operation()).isEqualTo(Operation.LIST_FILES));
        assertThat(plan.calls(Operation.LIST_FILES)).isEqualTo(4);
    }

    @Test
    void statusesSurfaceAsTheDocumentedExceptions() {
        var plan = FaultPlan.seeded(1);
        plan.on(Operation.LIST_FILESETS).onCall(1).thenFail(Fault.status(404))
                .on(Operation.LIST_FILESETS).onCall(2).thenFail(Fault.timeout())
                .on(Operation.LIST_FILESETS).onCall(3).thenFail(Fault.malformed())
                .on(Operation.LIST_FILESETS).onCall(4).thenFail(Fault.status(500))
                .on(Operation.LIST_FILESETS).onCall(5).thenFail(Fault.connectionReset(0));
        var source = new FaultyVsrxSource(vsrx, plan);
        Throwable notFound = catchThrowable(() -> source.listFilesets(PageRequest.first(10)));
        assertThat(notFound).isExactlyInstanceOf(PermanentSyncException.class);
        assertThat(((PermanentSyncException) notFound).statusCode()).hasValue(404);
        assertThat(catchThrowable(() -> source.listFilesets(PageRequest.first(10))))
                .isInstanceOf(TransientSyncException.class).hasCauseInstanceOf(SocketTimeoutException.class);
        assertThat(catchThrowable(() -> source.listFilesets(PageRequest.first(10))))
                .isInstanceOf(MalformedResponseException.class);
        Throwable serverError = catchThrowable(() -> source.listFilesets(PageRequest.first(10)));
        assertThat(serverError).isInstanceOf(TransientSyncException.class);
        assertThat(((TransientSyncException) serverError).retryAfter()).isEmpty();
        assertThat(catchThrowable(() -> source.listFilesets(PageRequest.first(10))))
                .isInstanceOf(TransientSyncException.class).hasCauseInstanceOf(SocketException.class);
        assertThat(source.listFilesets(PageRequest.first(10)).items()).hasSize(1);
    }

    @Test
    void connectionResetMidStream() {
        var source = new FaultyVsrxSource(vsrx, FaultPlan.seeded(1).failOpenContent(a, 1, Fault.connectionReset(7)));
        FileContent c = source.openContent(a);
        assertThat(c.contentLength()).hasValue(content.length);
        byte[] buf = new byte[64];
        int got = 0;
        Throwable t = null;
        try (InputStream in = c.stream()) {
            int n;
            while ((n = in.read(buf, got, buf.length - got)) >= 0) {
                got += n;
            }
        } catch (IOException e) {
            t = e;
        }
        assertThat(got).isEqualTo(7);
        assertThat(t).isInstanceOf(SocketException.class);
    }

    @Test
    void readTimeoutMidStream() throws IOException {
        var source = new FaultyVsrxSource(vsrx, FaultPlan.seeded(1).failOpenContent(a, 1, Fault.readTimeout(3)));
        FileContent c = source.openContent(a);
        try (c; InputStream in = c.stream()) {
            assertThat(in.readNBytes(3)).hasSize(3);
            assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
        }
        var plan = FaultPlan.seeded(1).on(Operation.LIST_FILES).thenFail(Fault.readTimeout(0));
        assertThatThrownBy(() -> new FaultyVsrxSource(vsrx, plan).listFiles(fs, PageRequest.first(5)))
                .isInstanceOf(TransientSyncException.class).hasCauseInstanceOf(SocketTimeoutException.class);
    }

    private List<String> mixedRun(long seed) {
        var plan = FaultPlan.seeded(seed).on(Operation.OPEN_CONTENT).withProbability(0.5)
                .thenFailWithOneOf(List.of(Fault.status(503), Fault.tooManyRequests(Duration.ofSeconds(1)),
                        Fault.timeout()));
        var source = new FaultyVsrxSource(vsrx, plan);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            Throwable t = catchThrowable(() -> source.openContent(a).close());
            out.add(t == null ? "ok" : t.getMessage());
        }
        return out;
    }

    @Test
    void oneOfSeveralFaultsIsDrawnDeterministically() {
        List<String> first = mixedRun(7);
        assertThat(mixedRun(7)).isEqualTo(first);
        assertThat(first).anyMatch(s -> s.contains("status 503")).anyMatch(s -> s.contains("status 429"))
                .anyMatch(s -> s.contains("timeout")).contains("ok");
        assertThatThrownBy(() -> FaultPlan.seeded(1).on(Operation.LIST_FILES).thenFailWithOneOf(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void truncatedStreamEndsEarlyWithTheFullDeclaredLength() throws IOException {
        var source = new FaultyVsrxSource(vsrx, FaultPlan.seeded(1).failOpenContent(a, 1, Fault.truncated(5)));
        FileContent c = source.openContent(a);
        assertThat(c.contentLength()).hasValue(content.length);
        assertThat(c.sha256()).contains(TestHashes.sha256(content));
        assertThat(readAll(c)).hasSize(5);
    }

    @Test
    void wrongChecksumIsServedWithIntactBytes() throws IOException {
        var source = new FaultyVsrxSource(vsrx, FaultPlan.seeded(1).failOpenContent(a, 1, Fault.wrongChecksum()));
        FileContent c = source.openContent(a);
        assertThat(c.sha256()).isPresent().isNotEqualTo(java.util.Optional.of(TestHashes.sha256(content)));
        assertThat(readAll(c)).isEqualTo(content);
    }

    @Test
    void lostResponseOnAnUploadStoresTheBlob() {
        var blobs = new InMemoryBlobStore(clock);
        BlobUpload up = new BlobUpload(TestHashes.sha256(content), content.length, "text/plain",
                () -> new ByteArrayInputStream(content));
        var plan = FaultPlan.seeded(1).on(Operation.BLOB_PUT_IF_ABSENT).thenFail(Fault.lostResponse());
        var faulty = new FaultyBlobStore(blobs, plan);
        assertThatThrownBy(() -> faulty.putIfAbsent(up)).isInstanceOf(TransientSyncException.class);
        assertThat(blobs.rawBytes(up.hash())).isPresent();
        assertThat(faulty.putIfAbsent(up).created()).isFalse();
    }

    @Test
    void streamFaultsNeedAContentOperation() {
        var plan = FaultPlan.seeded(1);
        assertThatThrownBy(() -> plan.on(Operation.LIST_FILES).thenFail(Fault.truncated(3)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> plan.on(Operation.BLOB_OPEN).thenFail(Fault.wrongChecksum()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatCode(() -> plan.on(Operation.BLOB_OPEN).thenFail(Fault.truncated(3))).doesNotThrowAnyException();
    }

    private List<String> randomRun(long seed) {
        var plan = FaultPlan.seeded(seed).failRandomly(Operation.OPEN_CONTENT, 0.3, Fault.status(503));
        var source = new FaultyVsrxSource(vsrx, plan);
        List<String> outcome = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            VsrxFileId id = i % 2 == 0 ? a : b;
            try {
                source.openContent(id).close();
                outcome.add("ok");
            } catch (TransientSyncException e) {
                outcome.add("fail");
            }
        }
        return outcome;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 2L, 99L})
    void randomFaultsAreDeterministicPerSeed(long seed) {
        List<String> first = randomRun(seed);
        List<String> second = randomRun(seed);
        assertThat(second).isEqualTo(first);
        long failures = first.stream().filter("fail"::equals).count();
        assertThat(failures).isBetween(30L, 90L);
        assertThat(randomRun(seed + 1000)).isNotEqualTo(first);
    }

    @Test
    void probabilityZeroNeverAndOneAlwaysFires() {
        var never = new FaultyVsrxSource(vsrx, FaultPlan.seeded(5).failRandomly(Operation.FIND_FILESET, 0.0,
                Fault.status(500)));
        var always = new FaultyVsrxSource(vsrx, FaultPlan.seeded(5).on(Operation.FIND_FILESET).always()
                .thenFail(Fault.status(500)));
        for (int i = 0; i < 50; i++) {
            assertThat(never.findFileset(fs)).isPresent();
            assertThatThrownBy(() -> always.findFileset(fs)).isInstanceOf(TransientSyncException.class);
        }
    }

    @Test
    void fromCallAndTimesSelectAWindow() {
        var plan = FaultPlan.seeded(1).on(Operation.FIND_FILESET).key(fs).fromCall(3).times(2)
                .thenFail(Fault.status(502));
        var source = new FaultyVsrxSource(vsrx, plan);
        List<Boolean> failed = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            failed.add(catchThrowable(() -> source.findFileset(fs)) != null);
        }
        assertThat(failed).containsExactly(false, false, true, true, false, false);
        assertThat(plan.injected()).extracting(FaultPlan.InjectedFault::call).containsExactly(3L, 4L);
    }

    // ------------------------------------------------------------------ crash points

    private static BlobUpload upload(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return new BlobUpload(TestHashes.sha256(bytes), bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes));
    }

    /** Three uploads and a conditional delete: four effects. */
    private static void workload(FaultyBlobStore blobs) {
        blobs.putIfAbsent(upload("one"));
        blobs.stat(TestHashes.sha256("one"));
        var two = blobs.putIfAbsent(upload("two"));
        blobs.putIfAbsent(upload("three"));
        blobs.deleteIfMatch(two.info().hash(), two.info().etag());
    }

    @Test
    void cleanRunCountsItsEffects() {
        var plan = FaultPlan.none();
        workload(new FaultyBlobStore(new InMemoryBlobStore(clock), plan));
        assertThat(plan.effectCount()).isEqualTo(4);
        assertThat(plan.effects()).extracting(FaultPlan.Effect::operation).containsExactly(
                Operation.BLOB_PUT_IF_ABSENT, Operation.BLOB_PUT_IF_ABSENT, Operation.BLOB_PUT_IF_ABSENT,
                Operation.BLOB_DELETE_IF_MATCH);
        assertThat(plan.crashed()).isFalse();
    }

    @Test
    void crashBeforeAnEffectLeavesItUndone() {
        var backend = new InMemoryBlobStore(clock);
        var plan = FaultPlan.crashBeforeEffect(2);
        Throwable t = catchThrowable(() -> workload(new FaultyBlobStore(backend, plan)));
        assertThat(t).isInstanceOf(SimulatedCrash.class);
        assertThat(((SimulatedCrash) t).effect()).isEqualTo(2);
        assertThat(((SimulatedCrash) t).operation()).isEqualTo(Operation.BLOB_PUT_IF_ABSENT);
        assertThat(backend.rawBytes(TestHashes.sha256("one"))).isPresent();
        assertThat(backend.rawBytes(TestHashes.sha256("two"))).isEmpty();
        assertThat(plan.crashed()).isTrue();
    }

    @Test
    void crashAfterAnEffectLeavesItDone() {
        var backend = new InMemoryBlobStore(clock);
        var plan = FaultPlan.crashAfterEffect(2);
        assertThatThrownBy(() -> workload(new FaultyBlobStore(backend, plan))).isInstanceOf(SimulatedCrash.class);
        assertThat(backend.rawBytes(TestHashes.sha256("two"))).isPresent();
        assertThat(backend.rawBytes(TestHashes.sha256("three"))).isEmpty();
    }

    @Test
    void aCrashedPlanAppliesNoFurtherEffect() {
        var backend = new InMemoryBlobStore(clock);
        var plan = FaultPlan.crashAtEffect(1);
        var blobs = new FaultyBlobStore(backend, plan);
        assertThatThrownBy(() -> blobs.putIfAbsent(upload("one"))).isInstanceOf(SimulatedCrash.class);
        assertThatThrownBy(() -> blobs.putIfAbsent(upload("two"))).isInstanceOf(SimulatedCrash.class);
        assertThat(backend.size()).isZero();
    }

    @Test
    void sweepOverEveryCrashPointIsDeterministic() {
        int effects = 4;
        for (int n = 1; n <= effects; n++) {
            int point = n;
            var before = new InMemoryBlobStore(clock);
            assertThatThrownBy(() -> workload(new FaultyBlobStore(before, FaultPlan.crashBeforeEffect(point))))
                    .isInstanceOf(SimulatedCrash.class);
            assertThat(before.writes()).as("writes before crash at %d", n).isEqualTo(Math.min(n - 1, 3));
            var after = new InMemoryBlobStore(clock);
            assertThatThrownBy(() -> workload(new FaultyBlobStore(after, FaultPlan.crashAfterEffect(point))))
                    .isInstanceOf(SimulatedCrash.class);
            assertThat(after.writes()).as("writes after crash at %d", n).isEqualTo(Math.min(n, 3));
        }
        var beyond = FaultPlan.crashAfterEffect(effects + 1);
        workload(new FaultyBlobStore(new InMemoryBlobStore(clock), beyond));
        assertThat(beyond.crashed()).isFalse();
    }

    @Test
    void aFaultedEffectIsNotCountedNorApplied() {
        var backend = new InMemoryBlobStore(clock);
        var plan = FaultPlan.seeded(3).on(Operation.BLOB_PUT_IF_ABSENT).thenFail(Fault.timeout());
        var blobs = new FaultyBlobStore(backend, plan);
        assertThatThrownBy(() -> blobs.putIfAbsent(upload("one"))).isInstanceOf(TransientSyncException.class);
        assertThat(plan.effectCount()).isZero();
        assertThat(backend.size()).isZero();
        blobs.putIfAbsent(upload("one"));
        assertThat(plan.effectCount()).isEqualTo(1);
    }

    @Test
    void lockCallsCanFail() {
        var lock = new InMemorySyncLock(clock, "host-1");
        var plan = FaultPlan.seeded(1).on(Operation.LOCK_RENEW).key("vsrx-sync").onCall(2).thenFail(Fault.timeout())
                .on(Operation.LOCK_ACQUIRE).onCall(1).thenFail(Fault.status(503));
        var faulty = new FaultySyncLock(lock, plan);
        assertThatThrownBy(() -> faulty.tryAcquire("vsrx-sync", Duration.ofMinutes(5)))
                .isInstanceOf(TransientSyncException.class);
        var lease = faulty.tryAcquire("vsrx-sync", Duration.ofMinutes(5)).orElseThrow();
        lease.renew(Duration.ofMinutes(5));
        assertThatThrownBy(() -> lease.renew(Duration.ofMinutes(5))).isInstanceOf(TransientSyncException.class);
        lease.renew(Duration.ofMinutes(5));
        assertThat(faulty.inspect("vsrx-sync")).isPresent();
        lease.close();
        assertThat(lock.inspect("vsrx-sync")).isEmpty();
    }

    @Test
    void theLockOfACrashedProcessStaysHeld() {
        var lock = new InMemorySyncLock(clock, "host-1");
        var plan = FaultPlan.crashAtEffect(1);
        var faulty = new FaultySyncLock(lock, plan);
        var blobs = new FaultyBlobStore(new InMemoryBlobStore(clock), plan);
        var lease = faulty.tryAcquire("vsrx-sync", Duration.ofMinutes(5)).orElseThrow();
        assertThatThrownBy(() -> blobs.putIfAbsent(upload("x"))).isInstanceOf(SimulatedCrash.class);
        lease.close();
        assertThat(lock.inspect("vsrx-sync")).isPresent();
        assertThatThrownBy(() -> lease.renew(Duration.ofMinutes(5))).isInstanceOf(SimulatedCrash.class);
        lock.forceExpiry("vsrx-sync");
        var next = lock.newHolder("host-2").tryAcquire("vsrx-sync", Duration.ofMinutes(5)).orElseThrow();
        assertThat(next.token()).isGreaterThan(lease.token());
    }
}
