package com.silknote.sync.vsrx.http;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Event ids seen within the replay window. An id is kept until its delivery's timestamp leaves the
 * window (after that the timestamp check refuses a replay anyway), so memory is bounded by the traffic
 * of one window, and by a hard cap.
 */
final class ReplayMemory {
    private record Entry(String id, Instant expiresAt) { }

    enum Claim { NEW, SEEN, FULL }

    private final int max;
    private final Map<String, Instant> ids = new HashMap<>();
    private final PriorityQueue<Entry> byExpiry = new PriorityQueue<>((a, b) -> a.expiresAt.compareTo(b.expiresAt));

    ReplayMemory(int max) {
        this.max = max;
    }

    synchronized Claim claim(String id, Instant expiresAt, Instant now) {
        evict(now);
        if (ids.containsKey(id)) {
            return Claim.SEEN;
        }
        if (ids.size() >= max) {
            return Claim.FULL;
        }
        ids.put(id, expiresAt);
        byExpiry.add(new Entry(id, expiresAt));
        return Claim.NEW;
    }

    /** Forgets an id whose processing failed, so a retry of the delivery is processed. */
    synchronized void release(String id) {
        ids.remove(id);
    }

    synchronized int size() {
        return ids.size();
    }

    private void evict(Instant now) {
        while (!byExpiry.isEmpty() && byExpiry.peek().expiresAt.isBefore(now)) {
            Entry e = byExpiry.poll();
            if (e.expiresAt.equals(ids.get(e.id))) {
                ids.remove(e.id);
            }
        }
    }
}
