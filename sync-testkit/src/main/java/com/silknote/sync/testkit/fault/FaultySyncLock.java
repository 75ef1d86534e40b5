package com.silknote.sync.testkit.fault;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.port.SyncLock;
import java.time.Duration;
import java.util.Optional;

/**
 * A {@link SyncLock} that dies with its {@link FaultPlan}: after the plan's simulated crash, renewing a
 * lease throws {@link SimulatedCrash} and closing it does nothing, so the lock stays held until it expires
 * (or a test forces expiry), as it would after a real crash. Before the crash it passes everything through.
 * Lock calls are not effects.
 */
public final class FaultySyncLock implements SyncLock {
    private final SyncLock delegate;
    private final FaultPlan plan;

    /** Decorates {@code delegate}, tying its leases to the life of {@code plan}. */
    public FaultySyncLock(SyncLock delegate, FaultPlan plan) {
        this.delegate = requireNonNull(delegate, "delegate");
        this.plan = requireNonNull(plan, "plan");
    }

    /** @throws SimulatedCrash after the plan crashed */
    @Override
    public Optional<Lease> tryAcquire(String name, Duration ttl) {
        plan.requireAlive("lock acquire");
        return delegate.tryAcquire(name, ttl).map(DyingLease::new);
    }

    @Override
    public Optional<LockStatus> inspect(String name) {
        return delegate.inspect(name);
    }

    private final class DyingLease implements Lease {
        private final Lease lease;

        DyingLease(Lease lease) {
            this.lease = lease;
        }

        @Override
        public FencingToken token() {
            return lease.token();
        }

        @Override
        public void renew(Duration ttl) {
            plan.requireAlive("lease renewal");
            lease.renew(ttl);
        }

        @Override
        public void close() {
            if (!plan.crashed()) {
                lease.close();
            }
        }
    }
}
