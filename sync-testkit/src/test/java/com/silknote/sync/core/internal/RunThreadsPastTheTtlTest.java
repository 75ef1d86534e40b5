package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.admission.ContentSniffer;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.path.PathValidator;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN rules 9 and 10 at the end of a run ({@code SyncEngine.withPools}): the run's threads get up to the lock's
 * ttl to stop; a thread still busy after that (a download that ignores interrupts) leaves the lock to expire by
 * itself, never released while it may still write (the store's fencing refuses its late write once a newer run
 * holds the lock). The wait is bounded by a monotonic ticker the test supplies: past the ttl from its second
 * reading on, so no test waits the ttl out.
 */
class RunThreadsPastTheTtlTest {
    private static final Duration TTL = Duration.ofSeconds(30);

    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    private final InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
    private final SilknoteSimulator silknote = new SilknoteSimulator(clock);
    private final SyncConfig config = SyncConfig.builder().filesetConcurrency(1).fileConcurrency(1).lockTtl(TTL)
            .build();

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    /** A monotonic ticker at 0 when first read (the wait's start), past the ttl at every later reading. */
    private static LongSupplier pastTheTtlAfterTheFirstReading() {
        AtomicInteger readings = new AtomicInteger();
        return () -> readings.getAndIncrement() == 0 ? 0 : TTL.toNanos() + 1;
    }

    private long seed = 5;

    /** An engine of its own: another random seed, so another lock request id (a process of its own). */
    private SyncEngine engine(LongSupplier ticker) {
        return new SyncEngine(vsrx, silknote.documents(), silknote.blobs(), silknote.vectors(), silknote.processor(),
                silknote.lock(), Optional.empty(), SyncListener.NONE, config, clock, clock, new SplittableRandom(seed++),
                PathValidator::validate, ContentSniffer::agrees, Optional.empty(), ticker);
    }

    @Test
    @DisplayName("rules 9/10, issue 9.7: a run interrupted while a download ignores interrupts ends; its thread still"
            + " busy after the ttl leaves the lock to expire, not released; once it expired the next run completes")
    void aThreadBusyPastTheTtlLeavesTheLockToExpire() {
        PatientId patient = PatientId.of("P-1");
        FilesetId fs = vsrx.addFileset(patient,
                new PatientUuid(UUID.nameUUIDFromBytes("P-1".getBytes(StandardCharsets.UTF_8))));
        VsrxFileId f = vsrx.addFile(fs, "notes/a.txt", "text/plain", "a letter");
        Thread caller = Thread.currentThread();
        CountDownLatch runReturned = new CountDownLatch(1);
        AtomicInteger downloads = new AtomicInteger();
        List<Boolean> daemon = new ArrayList<>();
        vsrx.beforeOpen(f, () -> {
            if (downloads.incrementAndGet() > 1) {
                return;
            }
            daemon.add(Thread.currentThread().isDaemon());
            caller.interrupt(); // the caller gives up on the run (issue 9.7)
            // a download that ignores interrupts: busy until the run returned (a few seconds at most otherwise)
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (runReturned.getCount() > 0 && System.nanoTime() < until) {
                try {
                    runReturned.await(until - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException ignored) {
                    // ignores the run's cancel and the pool's shutdown
                }
            }
        });

        SyncResult r;
        boolean handedBack;
        try {
            r = engine(pastTheTtlAfterTheFirstReading()).run(SyncRequest.full());
        } finally {
            handedBack = Thread.interrupted();
            runReturned.countDown();
        }

        assertThat(handedBack).as("the caller's interrupt is handed back").isTrue();
        assertThat(r.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(r.error().orElseThrow()).contains("interrupted");
        Optional<LockStatus> held = silknote.lock().inspect(SyncConfig.LOCK_NAME);
        assertThat(held).as("rule 10: not released while a thread of the run may still write").isPresent();
        assertThat(daemon).as("a run's thread left busy never keeps the JVM from exiting").containsExactly(true);
        assertThat(engine(System::nanoTime).run(SyncRequest.full()).status())
                .as("the lock is still held").isEqualTo(SyncResult.Status.ALREADY_IN_PROGRESS);

        clock.advance(TTL.plusSeconds(1));
        SyncResult next = engine(System::nanoTime).run(SyncRequest.full());

        assertThat(next.status()).as("the lock ran out by itself").isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(silknote.documents().findMapping(f)).isPresent();
    }
}
