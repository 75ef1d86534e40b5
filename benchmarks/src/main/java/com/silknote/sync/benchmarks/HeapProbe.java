package com.silknote.sync.benchmarks;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Measures peak heap while a piece of work runs, two ways:
 * <ul>
 *   <li>{@code peakUsed}: the sum of the heap pools' peak usage (reset before the work). It counts garbage
 *       not yet collected, so it is bounded by {@code -Xmx} and the collector's heuristics as much as by the
 *       work.</li>
 *   <li>{@code peakLive}: the highest heap occupancy right after any collection during the work (from GC
 *       notifications), i.e. what the work really kept reachable; plus one forced collection at the end.</li>
 * </ul>
 */
final class HeapProbe implements AutoCloseable {
    private final List<MemoryPoolMXBean> heapPools = new ArrayList<>();
    private final AtomicLong peakLive = new AtomicLong();
    private final AtomicLong collections = new AtomicLong();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = (notification, handback) -> {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        long after = 0;
        for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (isHeapPool(e.getKey())) {
                after += e.getValue().getUsed();
            }
        }
        collections.incrementAndGet();
        peakLive.accumulateAndGet(after, Math::max);
    };

    HeapProbe() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                heapPools.add(p);
            }
        }
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                emitters.add(emitter);
            }
        }
    }

    /** Collects garbage, then resets the pools' peaks and the live peak. */
    void reset() {
        System.gc();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        peakLive.set(0);
        collections.set(0);
    }

    /** Sum of the heap pools' peak usage since {@link #reset()}. */
    long peakUsed() {
        long sum = 0;
        for (MemoryPoolMXBean p : heapPools) {
            sum += p.getPeakUsage().getUsed();
        }
        return sum;
    }

    /** Highest heap occupancy after a collection since {@link #reset()}. */
    long peakLive() {
        return peakLive.get();
    }

    /** Collections seen since {@link #reset()}. */
    long collections() {
        return collections.get();
    }

    /** Maximum heap size ({@code -Xmx}). */
    static long maxHeap() {
        return Runtime.getRuntime().maxMemory();
    }

    private boolean isHeapPool(String name) {
        for (MemoryPoolMXBean p : heapPools) {
            if (p.getName().equals(name)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (javax.management.ListenerNotFoundException ignored) {
                // already removed
            }
        }
    }
}
