package com.silknote.sync.core;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Asks a running sync to stop at a fileset boundary: it starts no further fileset, lets the filesets in
 * flight commit, saves its resume state and returns {@link com.silknote.sync.core.model.SyncResult.Status#STOPPED};
 * the next run resumes where it stopped. Pass one to {@link VsrxSync#run(com.silknote.sync.core.model.SyncRequest,
 * RunControl)}; {@link SyncScheduler} uses one for its graceful shutdown. Thread-safe; a stop request cannot be
 * taken back.
 */
public final class RunControl {
    private final AtomicReference<String> reason = new AtomicReference<>();

    /** A control with no stop requested. */
    public RunControl() {
    }

    /** Asks the run to stop at the next fileset boundary; the first reason given wins. */
    public void requestStop() {
        requestStop("stop requested");
    }

    /**
     * Asks the run to stop at the next fileset boundary, giving a log-safe reason; the first reason given wins.
     *
     * @throws NullPointerException when reason is null
     */
    public void requestStop(String reason) {
        this.reason.compareAndSet(null, requireNonNull(reason, "reason"));
    }

    /** {@code true} once a stop was requested. */
    public boolean isStopRequested() {
        return reason.get() != null;
    }

    /** The reason of the stop request, once there is one. */
    public Optional<String> stopReason() {
        return Optional.ofNullable(reason.get());
    }
}
