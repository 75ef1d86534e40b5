package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * When {@code SyncScheduler} runs: the first run at once, then each next run {@code delay} plus a random
 * jitter in {@code [0, jitter]} after the previous one ended (fixed delay: runs never overlap, a long run
 * pushes the next one back).
 *
 * @param delay   pause between the end of a run and the start of the next (positive)
 * @param jitter  at most this much is added to each pause, at random, so hosts started together spread out
 * @param request what each run does
 */
public record Schedule(Duration delay, Duration jitter, SyncRequest request) {
    public Schedule {
        requireNonNull(delay, "delay");
        requireNonNull(jitter, "jitter");
        requireNonNull(request, "request");
        if (delay.isNegative() || delay.isZero()) {
            throw new IllegalArgumentException("delay must be positive");
        }
        if (jitter.isNegative()) {
            throw new IllegalArgumentException("jitter must not be negative");
        }
    }

    /** Full runs every {@code delay}, without jitter. @throws IllegalArgumentException when delay is not positive */
    public static Schedule every(Duration delay) {
        return new Schedule(delay, Duration.ZERO, SyncRequest.full());
    }

    /** This schedule with a jitter. @throws IllegalArgumentException when jitter is negative */
    public Schedule withJitter(Duration jitter) {
        return new Schedule(delay, jitter, request);
    }

    /** This schedule running {@code request}. @throws NullPointerException when request is null */
    public Schedule withRequest(SyncRequest request) {
        return new Schedule(delay, jitter, request);
    }
}
