package com.silknote.sync.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.port.SyncLock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The monitor of {@link ConcurrentRunnersTest} sees a broken lock (rule 10): it can fail. */
class LockMonitorTest {

    /** Grants every acquire, with tokens from {@code tokens}. */
    private static SyncLock grantingEverything(AtomicLong tokens) {
        return new SyncLock() {
            @Override
            public Optional<Lease> tryAcquire(String name, Duration ttl, String requestId) {
                FencingToken t = FencingToken.of(tokens.getAndIncrement());
                return Optional.of(new Lease() {
                    @Override
                    public FencingToken token() {
                        return t;
                    }

                    @Override
                    public void renew(Duration d) {
                    }

                    @Override
                    public void close() {
                    }
                });
            }

            @Override
            public Optional<LockStatus> inspect(String name) {
                return Optional.empty();
            }
        };
    }

    @Test
    void twoHoldersAtOnceAndFallingTokensAreViolations() {
        LockMonitor monitor = new LockMonitor();
        AtomicLong tokens = new AtomicLong(5);
        SyncLock lock = monitor.watch(grantingEverything(tokens));
        SyncLock.Lease a = lock.tryAcquire("vsrx-sync", Duration.ofMinutes(1), "r1").orElseThrow();
        lock.tryAcquire("vsrx-sync", Duration.ofMinutes(1), "r2").orElseThrow();
        assertThat(monitor.violations()).singleElement().asString().contains("acquired while token 5 was held");

        LockMonitor fresh = new LockMonitor();
        tokens.set(9);
        SyncLock again = fresh.watch(grantingEverything(tokens));
        again.tryAcquire("vsrx-sync", Duration.ofMinutes(1), "r3").orElseThrow().close();
        tokens.set(3);
        again.tryAcquire("vsrx-sync", Duration.ofMinutes(1), "r4").orElseThrow();
        assertThat(fresh.violations()).singleElement().asString().contains("token 3 after token 9");
        a.close();
    }

    @Test
    void releasedOrExpiredLeasesMakeRoomForTheNextHolder() {
        LockMonitor monitor = new LockMonitor();
        SyncLock lock = monitor.watch(grantingEverything(new AtomicLong(1)));
        lock.tryAcquire("vsrx-sync", Duration.ofMinutes(1), "r1").orElseThrow().close();
        lock.tryAcquire("vsrx-sync", Duration.ofMinutes(1), "r2").orElseThrow();
        monitor.expireHolder();
        lock.tryAcquire("vsrx-sync", Duration.ofMinutes(1), "r3").orElseThrow();
        assertThat(monitor.violations()).isEmpty();
        assertThat(monitor.acquisitions()).isEqualTo(3);
    }
}
