package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.port.SyncLock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** DESIGN rule 10 (one run at a time, fencing): the run keeps its lease or stops before its next write. */
class LeaseKeeperTest {
    private static final Duration TTL = Duration.ofMinutes(3);

    /** A mutable clock. */
    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    /** A one-lease lock: renewals counted; can be taken over. */
    private static final class FakeLock implements SyncLock {
        final MutableClock clock;
        FencingToken holder = FencingToken.of(7);
        Instant expires;
        int renewals;
        boolean inspectFails;
        boolean renewFails;
        boolean closeFails;
        int closes;

        FakeLock(MutableClock clock) {
            this.clock = clock;
            this.expires = clock.now.plus(TTL);
        }

        @Override
        public Optional<Lease> tryAcquire(String name, Duration ttl, String requestId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<LockStatus> inspect(String name) {
            if (inspectFails) {
                throw new TransientSyncException("lock store unreachable");
            }
            return clock.now.isBefore(expires) ? Optional.of(new LockStatus(name, "h", holder, expires))
                    : Optional.empty();
        }

        Lease lease() {
            FencingToken mine = FencingToken.of(7);
            return new Lease() {
                @Override public FencingToken token() { return mine; }

                @Override
                public void renew(Duration ttl) {
                    if (renewFails) {
                        throw new TransientSyncException("lock store unreachable");
                    }
                    if (!holder.equals(mine) || !clock.now.isBefore(expires)) {
                        throw new LeaseLostException("lost");
                    }
                    renewals++;
                    expires = clock.now.plus(ttl);
                }

                @Override
                public void close() {
                    closes++;
                    if (closeFails) {
                        throw new TransientSyncException("lock store unreachable");
                    }
                }
            };
        }
    }

    private final MutableClock clock = new MutableClock();
    private final FakeLock lock = new FakeLock(clock);
    private final LeaseKeeper keeper = new LeaseKeeper(lock, "vsrx-sync", lock.lease(), TTL, clock);

    @Test
    void renewsOnlyOnceAThirdOfTheTtlPassed() {
        keeper.checkpoint();
        clock.now = clock.now.plusSeconds(59);
        keeper.checkpoint();
        assertThat(lock.renewals).isZero();
        clock.now = clock.now.plusSeconds(1);
        keeper.checkpoint();
        assertThat(lock.renewals).isEqualTo(1);
        keeper.checkpoint();
        assertThat(lock.renewals).isEqualTo(1);
        clock.now = clock.now.plusSeconds(61);
        keeper.checkpoint();
        assertThat(lock.renewals).isEqualTo(2);
        assertThat(keeper.token()).isEqualTo(FencingToken.of(7));
    }

    @Test
    void verifyDetectsATakeoverWithoutWaitingForRenewal() {
        keeper.verify();
        lock.holder = FencingToken.of(8);
        assertThatThrownBy(keeper::verify).isInstanceOf(LeaseLostException.class);
        assertThat(keeper.isLost()).isTrue();
        assertThatThrownBy(keeper::checkpoint).as("once lost, always lost").isInstanceOf(LeaseLostException.class);
    }

    @Test
    void expiredLeaseIsLostAtTheNextCheckpoint() {
        clock.now = clock.now.plus(TTL).plusSeconds(1);
        assertThatThrownBy(keeper::checkpoint).isInstanceOf(LeaseLostException.class);
        assertThat(keeper.isLost()).isTrue();
    }

    @Test
    @DisplayName("DESIGN rule 10: a lock the backend no longer shows held (released, expired) is lost at verify")
    void verifyFindsALockNoLongerHeld() {
        clock.now = clock.now.plusSeconds(30);
        lock.expires = clock.now;
        assertThatThrownBy(keeper::verify).isInstanceOf(LeaseLostException.class);
        assertThat(keeper.isLost()).isTrue();
    }

    @Test
    @DisplayName("DESIGN rule 10: a lock store that cannot be asked before a commit leaves the decision to fencing")
    void verifyToleratesAnUnreachableLockStoreWhileTheLeaseIsValid() {
        lock.inspectFails = true;
        keeper.verify();
        assertThat(keeper.isLost()).isFalse();
        lock.inspectFails = false;
        keeper.verify();
        assertThat(keeper.isLost()).isFalse();
    }

    @Test
    @DisplayName("DESIGN rule 10: a failed renewal is tried again while the lease lasts; once it expired, it is lost")
    void failedRenewalsLoseTheLeaseOnlyOnceItExpired() {
        lock.renewFails = true;
        clock.now = clock.now.plusSeconds(61);
        keeper.checkpoint();
        assertThat(keeper.isLost()).as("a third of the ttl: still valid").isFalse();
        clock.now = clock.now.plus(TTL).minusSeconds(62);
        keeper.checkpoint();
        assertThat(keeper.isLost()).as("one second before expiry").isFalse();
        clock.now = clock.now.plusSeconds(1);
        assertThatThrownBy(keeper::checkpoint).isInstanceOf(LeaseLostException.class)
                .hasCauseInstanceOf(TransientSyncException.class);
        assertThat(keeper.isLost()).isTrue();
        lock.renewFails = false;
        assertThatThrownBy(keeper::checkpoint).as("lost for good").isInstanceOf(LeaseLostException.class);
        assertThat(lock.renewals).isZero();
    }

    @Test
    @DisplayName("DESIGN rule 10: a renewal that landed restarts the ttl")
    void aSuccessfulRenewalRestartsTheTtl() {
        clock.now = clock.now.plusSeconds(61);
        keeper.checkpoint();
        assertThat(lock.renewals).isEqualTo(1);
        lock.renewFails = true;
        clock.now = clock.now.plus(TTL).minusSeconds(1);
        keeper.checkpoint();
        assertThat(keeper.isLost()).as("within the ttl of the last renewal").isFalse();
    }

    @Test
    @DisplayName("DESIGN rule 10: release gives the lock back and never throws")
    void releaseClosesTheLeaseAndSwallowsFailures() {
        keeper.release();
        assertThat(lock.closes).isEqualTo(1);
        lock.closeFails = true;
        keeper.release();
        assertThat(lock.closes).isEqualTo(2);
    }

    @Test
    @DisplayName("DESIGN rule 10: verify before a commit renews like a checkpoint once a third of the ttl passed")
    void verifyRenewsOnceAThirdOfTheTtlPassed() {
        keeper.verify();
        assertThat(lock.renewals).isZero();
        clock.now = clock.now.plusSeconds(60);
        keeper.verify();
        assertThat(lock.renewals).isEqualTo(1);
    }
}
