package com.silknote.sync.examples.reliability;

import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.port.SyncLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Watches every lease of the {@code vsrx-sync} lock handed out to a set of runners (DESIGN rule 10): a lease
 * is held from a successful acquire until it is released or the test expires it in the backend; at most one
 * may be held at any instant, and tokens rise strictly from holder to holder.
 */
final class LockMonitor {
    private Long held;
    private long lastToken;
    private int acquisitions;
    private final List<String> violations = new ArrayList<>();

    /** {@code lock}, reporting its leases here. */
    SyncLock watch(SyncLock lock) {
        return new SyncLock() {
            @Override
            public Optional<Lease> tryAcquire(String name, Duration ttl, String requestId) {
                Optional<Lease> lease = lock.tryAcquire(name, ttl, requestId);
                lease.ifPresent(l -> acquired(l.token().value()));
                return lease.map(Watched::new);
            }

            @Override
            public Optional<LockStatus> inspect(String name) {
                return lock.inspect(name);
            }
        };
    }

    /** The test expires the current lease in the backend (call before doing so). */
    synchronized void expireHolder() {
        held = null;
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    synchronized int acquisitions() {
        return acquisitions;
    }

    private synchronized void acquired(long token) {
        if (held != null && held == token) {
            return; // the same acquire retried after a lost answer
        }
        acquisitions++;
        if (held != null) {
            violations.add("token " + token + " acquired while token " + held + " was held");
        }
        if (token <= lastToken) {
            violations.add("token " + token + " after token " + lastToken);
        }
        held = token;
        lastToken = Math.max(lastToken, token);
    }

    private synchronized void released(long token) {
        if (held != null && held == token) {
            held = null;
        }
    }

    private final class Watched implements SyncLock.Lease {
        private final SyncLock.Lease lease;

        Watched(SyncLock.Lease lease) {
            this.lease = lease;
        }

        @Override
        public FencingToken token() {
            return lease.token();
        }

        @Override
        public void renew(Duration ttl) {
            lease.renew(ttl);
        }

        @Override
        public void close() {
            // marked free before the backend frees it, so a next holder is never seen overlapping
            released(lease.token().value());
            lease.close();
        }
    }
}
