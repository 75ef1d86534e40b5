package com.silknote.sync.testkit.fault;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.port.SyncLock;
import java.time.Duration;
import java.util.Optional;

/**
 * A {@link SyncLock} that fails as its {@link FaultPlan} says ({@link Operation#LOCK_ACQUIRE},
 * {@link Operation#LOCK_RENEW}, {@link Operation#LOCK_INSPECT}, keyed by lock name) and dies with the plan:
 * after the plan's simulated crash, acquiring or renewing throws {@link SimulatedCrash} and closing a lease
 * does nothing, so the lock stays held until it expires (or a test forces expiry), as it would after a real
 * crash. Lock calls are not effects.
 */
public final class FaultySyncLock implements SyncLock {
    private final SyncLock delegate;
    private final FaultPlan plan;

    /** Decorates {@code delegate}, tying its leases to the life of {@code plan}. */
    public FaultySyncLock(SyncLock delegate, FaultPlan plan) {
        this.delegate = requireNonNull(delegate, "delegate");
        this.plan = requireNonNull(plan, "plan");
    }

    /**
     * A {@link Fault#lostResponse()} on {@link Operation#LOCK_ACQUIRE} takes the lock and then throws, as an
     * acquire whose answer was lost.
     *
     * @throws SimulatedCrash after the plan crashed
     */
    @Override
    public Optional<Lease> tryAcquire(String name, Duration ttl, String requestId) {
        plan.requireAlive("lock acquire");
        return plan.call(Operation.LOCK_ACQUIRE, name, () -> delegate.tryAcquire(name, ttl, requestId))
                .map(lease -> new DyingLease(name, lease));
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public Optional<LockStatus> inspect(String name) {
        return plan.call(Operation.LOCK_INSPECT, name, () -> delegate.inspect(name));
    }

    private final class DyingLease implements Lease {
        private final String name;
        private final Lease lease;

        DyingLease(String name, Lease lease) {
            this.name = name;
            this.lease = lease;
        }

        @Override
        public FencingToken token() {
            return lease.token();
        }

        @Override
        public void renew(Duration ttl) {
            plan.requireAlive("lease renewal");
            plan.call(Operation.LOCK_RENEW, name, () -> {
                lease.renew(ttl);
                return null;
            });
        }

        @Override
        public void close() {
            if (!plan.crashed()) {
                lease.close();
            }
        }
    }
}
