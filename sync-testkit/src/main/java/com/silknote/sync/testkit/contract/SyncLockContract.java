package com.silknote.sync.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.fault.Fault;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultySyncLock;
import com.silknote.sync.testkit.fault.Operation;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link SyncLock} must have. An adapter's test extends this class and supplies:
 * <ul>
 *   <li>{@link #newLock(Clock)}: a lock client; every call within one test must reach the <em>same</em>
 *       backend namespace (two calls model two hosts), and each test gets a fresh namespace;</li>
 *   <li>{@link #forceExpiry(String)}: expire the current lease of a name inside the backend (JDBC: move
 *       {@code expires_at} back; Azure: break the lease).</li>
 * </ul>
 * No test waits on wall time. Lease ttls are long (minutes) so a backend judging expiry by its own clock
 * never expires a lease during a test by itself.
 */
public abstract class SyncLockContract {

    /** The clock given to every lock client. */
    protected final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");

    private static final String NAME = "vsrx-sync";
    private static final Duration TTL = Duration.ofMinutes(5);

    /** A lock client on this test's backend namespace. */
    protected abstract SyncLock newLock(Clock clock);

    /** Expires the current lease of {@code name} inside the backend. */
    protected abstract void forceExpiry(String name);

    @Test
    public void secondAcquireIsRefusedWhileHeld() {
        SyncLock a = newLock(clock);
        SyncLock b = newLock(clock);
        SyncLock.Lease lease = a.tryAcquire(NAME, TTL).orElseThrow();
        assertThat(b.tryAcquire(NAME, TTL)).isEmpty();
        assertThat(a.tryAcquire(NAME, TTL)).as("not re-entrant").isEmpty();
        lease.close();
    }

    @Test
    public void namesAreIndependent() {
        SyncLock a = newLock(clock);
        SyncLock.Lease one = a.tryAcquire(NAME, TTL).orElseThrow();
        SyncLock.Lease other = newLock(clock).tryAcquire("another-lock", TTL).orElseThrow();
        assertThat(one).isNotNull();
        assertThat(other).isNotNull();
        one.close();
        other.close();
    }

    @Test
    public void releaseThenAcquireGivesAHigherToken() {
        SyncLock a = newLock(clock);
        SyncLock b = newLock(clock);
        SyncLock.Lease first = a.tryAcquire(NAME, TTL).orElseThrow();
        first.close();
        assertThat(a.inspect(NAME)).isEmpty();
        SyncLock.Lease second = b.tryAcquire(NAME, TTL).orElseThrow();
        assertThat(second.token()).isGreaterThan(first.token());
        second.close();
        SyncLock.Lease third = a.tryAcquire(NAME, TTL).orElseThrow();
        assertThat(third.token()).isGreaterThan(second.token());
        third.close();
    }

    @Test
    public void takeoverAfterExpiryGetsAHigherTokenAndFencesTheOldHolder() {
        SyncLock.Lease first = newLock(clock).tryAcquire(NAME, TTL).orElseThrow();
        forceExpiry(NAME);
        SyncLock.Lease second = newLock(clock).tryAcquire(NAME, TTL).orElseThrow();
        assertThat(second.token()).isGreaterThan(first.token());
        assertThatThrownBy(() -> first.renew(TTL)).isInstanceOf(LeaseLostException.class);
        assertThatCode(first::close).as("closing a lost lease").doesNotThrowAnyException();
        assertThat(newLock(clock).tryAcquire(NAME, TTL)).as("old holder's close must not release the new lease")
                .isEmpty();
        assertThatCode(() -> second.renew(TTL)).doesNotThrowAnyException();
        second.close();
    }

    @Test
    public void renewOfAnExpiredLeaseFailsEvenWithoutTakeover() {
        SyncLock.Lease lease = newLock(clock).tryAcquire(NAME, TTL).orElseThrow();
        forceExpiry(NAME);
        assertThatThrownBy(() -> lease.renew(TTL)).isInstanceOf(LeaseLostException.class);
        lease.close();
    }

    @Test
    public void renewKeepsTheLeaseAndItsToken() {
        SyncLock a = newLock(clock);
        SyncLock.Lease lease = a.tryAcquire(NAME, TTL).orElseThrow();
        FencingToken token = lease.token();
        lease.renew(Duration.ofMinutes(10));
        lease.renew(TTL);
        assertThat(lease.token()).isEqualTo(token);
        assertThat(newLock(clock).tryAcquire(NAME, TTL)).isEmpty();
        assertThat(a.inspect(NAME).orElseThrow().token()).isEqualTo(token);
        lease.close();
    }

    @Test
    public void closeIsIdempotentAndFreesTheLock() {
        SyncLock a = newLock(clock);
        SyncLock.Lease lease = a.tryAcquire(NAME, TTL).orElseThrow();
        lease.close();
        assertThatCode(lease::close).doesNotThrowAnyException();
        assertThatThrownBy(() -> lease.renew(TTL)).isInstanceOf(LeaseLostException.class);
        SyncLock.Lease next = newLock(clock).tryAcquire(NAME, TTL).orElseThrow();
        lease.close();
        assertThat(a.inspect(NAME)).map(LockStatus::token).contains(next.token());
        next.close();
    }

    @Test
    public void inspectShowsTheCurrentHolder() {
        SyncLock a = newLock(clock);
        assertThat(a.inspect(NAME)).isEmpty();
        SyncLock.Lease lease = a.tryAcquire(NAME, TTL).orElseThrow();
        Optional<LockStatus> status = newLock(clock).inspect(NAME);
        assertThat(status).hasValueSatisfying(s -> {
            assertThat(s.name()).isEqualTo(NAME);
            assertThat(s.token()).isEqualTo(lease.token());
            assertThat(s.holder()).isNotBlank();
        });
        forceExpiry(NAME);
        assertThat(a.inspect(NAME)).as("expired leases have no holder").isEmpty();
        lease.close();
    }

    @Test
    @DisplayName("issue 9.7: an acquire retried after a lost answer gets its own lease back")
    public void anAcquireRetriedAfterALostAnswerGetsItsOwnLeaseBack() {
        FaultPlan lostAnswer = FaultPlan.seeded(1).on(Operation.LOCK_ACQUIRE).onCall(1)
                .thenFail(Fault.lostResponse());
        SyncLock retrying = new FaultySyncLock(newLock(clock), lostAnswer);
        assertThatThrownBy(() -> retrying.tryAcquire(NAME, TTL, "request-1"))
                .isInstanceOf(TransientSyncException.class);
        assertThat(lostAnswer.injected()).hasSize(1);

        SyncLock.Lease lease = retrying.tryAcquire(NAME, TTL, "request-1").orElseThrow(
                () -> new AssertionError("the retry of the same request was refused"));

        assertThat(newLock(clock).tryAcquire(NAME, TTL, "request-2")).as("another request").isEmpty();
        assertThat(retrying.tryAcquire(NAME, TTL, "request-3")).as("a new request of the same host").isEmpty();
        assertThat(newLock(clock).inspect(NAME)).map(LockStatus::token).contains(lease.token());
        assertThatCode(() -> lease.renew(TTL)).doesNotThrowAnyException();
        lease.close();
        SyncLock.Lease next = newLock(clock).tryAcquire(NAME, TTL, "request-2").orElseThrow();
        assertThat(next.token()).isGreaterThan(lease.token());
        next.close();
    }

    @Test
    @DisplayName("issue 9.7: the same request id gets the same lease and token while it is unexpired")
    public void theSameRequestGetsTheSameTokenWhileTheLeaseIsUnexpired() {
        SyncLock a = newLock(clock);
        SyncLock.Lease first = a.tryAcquire(NAME, TTL, "request-a").orElseThrow();
        SyncLock.Lease again = a.tryAcquire(NAME, TTL, "request-a").orElseThrow();
        assertThat(again.token()).isEqualTo(first.token());
        assertThat(a.tryAcquire(NAME, TTL)).as("the two-argument acquire is a new request").isEmpty();
        forceExpiry(NAME);
        SyncLock.Lease later = a.tryAcquire(NAME, TTL, "request-a").orElseThrow();
        assertThat(later.token()).as("an expired lease is not revived").isGreaterThan(first.token());
        later.close();
        SyncLock.Lease afterRelease = a.tryAcquire(NAME, TTL, "request-a").orElseThrow();
        assertThat(afterRelease.token()).as("a released lease is not revived").isGreaterThan(later.token());
        afterRelease.close();
    }

    @Test
    @DisplayName("rule 10: another host presenting the same request id is refused while the lease is held")
    public void anotherHostPresentingTheSameRequestIdIsRefused() {
        SyncLock a = newLock(clock);
        SyncLock b = newLock(clock);
        SyncLock.Lease lease = a.tryAcquire(NAME, TTL, "request-seeded-alike").orElseThrow();

        assertThat(b.tryAcquire(NAME, TTL, "request-seeded-alike")).as("a second holder at once").isEmpty();
        assertThat(newLock(clock).inspect(NAME)).map(LockStatus::token).contains(lease.token());
        assertThatCode(() -> lease.renew(TTL)).as("the holder keeps its lease").doesNotThrowAnyException();
        lease.close();
    }

    /**
     * Several hosts compete for the lock: at most one is inside the critical section at any time, and the
     * tokens of successive holders only rise.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3L, 17L, 4242L})
    public void competingHostsNeverHoldAtOnceAndTokensOnlyRise(long seed) throws Exception {
        int hosts = 4;
        int rounds = 40;
        List<SyncLock> locks = new ArrayList<>();
        for (int i = 0; i < hosts; i++) {
            locks.add(newLock(clock));
        }
        AtomicInteger inside = new AtomicInteger();
        List<Long> tokens = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(hosts);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int h = 0; h < hosts; h++) {
                SyncLock lock = locks.get(h);
                SplittableRandom random = new SplittableRandom(seed * 1_000 + h);
                results.add(pool.submit(() -> {
                    start.await();
                    int held = 0;
                    for (int r = 0; r < rounds; r++) {
                        Optional<SyncLock.Lease> lease = lock.tryAcquire(NAME, TTL);
                        if (lease.isEmpty()) {
                            Thread.yield();
                            continue;
                        }
                        try (SyncLock.Lease l = lease.get()) {
                            assertThat(inside.incrementAndGet()).as("holders at once").isEqualTo(1);
                            synchronized (tokens) {
                                tokens.add(l.token().value());
                            }
                            held++;
                            if (random.nextBoolean()) {
                                l.renew(TTL);
                            }
                            if (random.nextInt(4) == 0) {
                                assertThat(lock.inspect(NAME)).map(LockStatus::token).contains(l.token());
                            }
                            for (int spin = random.nextInt(3); spin > 0; spin--) {
                                Thread.yield();
                            }
                            inside.decrementAndGet();
                        }
                    }
                    return held;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get(120, TimeUnit.SECONDS);
            }
            assertThat(total).isPositive();
            assertThat(tokens).hasSize(total).doesNotHaveDuplicates().isSorted();
        } finally {
            pool.shutdownNow();
        }
    }
}
