package com.silknote.sync.vsrx.http;

import java.net.HttpURLConnection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the wait for a response's headers on an {@link HttpURLConnection}, whose own timeouts bound only each
 * silence on the socket, not the whole wait, and which no interrupt of the waiting thread reaches. While
 * requests wait for their headers, one daemon thread looks at them every {@value #TICK_MILLIS} ms and
 * disconnects (which fails the blocked read at once) those past their deadline or whose thread was
 * interrupted; with nothing waiting, it schedules nothing and its thread ends.
 *
 * <p>Only the header wait is watched: once a response's body is being read, {@code disconnect} would wait for
 * the reading thread's lock instead of failing its read, so the body's pauses are bounded by the socket's read
 * timeout and an interrupt is seen by the next read ({@link UrlConnectionExchange}).
 */
final class HeaderWatch {
    static final long TICK_MILLIS = 20;

    /** Outcome of one watched wait. */
    enum State { WAITING, ANSWERED, TIMED_OUT, INTERRUPTED }

    /** One request waiting for its headers. */
    static final class Wait {
        private final HttpURLConnection connection;
        private final Thread owner;
        private final long deadlineNanos;
        private final java.util.concurrent.atomic.AtomicReference<State> state =
                new java.util.concurrent.atomic.AtomicReference<>(State.WAITING);

        private Wait(HttpURLConnection connection, Thread owner, long deadlineNanos) {
            this.connection = connection;
            this.owner = owner;
            this.deadlineNanos = deadlineNanos;
        }

        /** The state once the wait is over, by the caller or the watch; ANSWERED when the caller got there first. */
        State state() {
            return state.get();
        }

        private boolean abort(State why) {
            if (state.compareAndSet(State.WAITING, why)) {
                connection.disconnect();
                return true;
            }
            return false;
        }
    }

    private final Set<Wait> waits = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor timer;
    private ScheduledFuture<?> tick; // guarded by this

    HeaderWatch() {
        AtomicInteger n = new AtomicInteger();
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "vsrx-http-header-watch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        timer.setKeepAliveTime(1, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        timer.setRemoveOnCancelPolicy(true);
    }

    /** Starts watching the calling thread's wait for {@code connection}'s headers, for at most {@code timeoutNanos}. */
    Wait start(HttpURLConnection connection, long timeoutNanos) {
        Wait w = new Wait(connection, Thread.currentThread(), System.nanoTime() + timeoutNanos);
        waits.add(w);
        synchronized (this) {
            if (tick == null) {
                tick = timer.scheduleWithFixedDelay(this::check, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
        return w;
    }

    /**
     * Ends the watch of {@code w}: {@link State#ANSWERED} when the headers came first, otherwise why the watch
     * disconnected it.
     */
    State finish(Wait w) {
        w.state.compareAndSet(State.WAITING, State.ANSWERED);
        waits.remove(w);
        synchronized (this) {
            if (waits.isEmpty() && tick != null) {
                tick.cancel(false);
                tick = null;
            }
        }
        return w.state();
    }

    private void check() {
        long now = System.nanoTime();
        for (Wait w : waits) {
            if (w.state() != State.WAITING) {
                // aborted while it was still connecting (nothing to disconnect then): again, now that it may be
                w.connection.disconnect();
            } else if (w.owner.isInterrupted()) {
                w.abort(State.INTERRUPTED);
            } else if (now - w.deadlineNanos >= 0) {
                w.abort(State.TIMED_OUT);
            }
        }
    }
}
