package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Alert thresholds. {@link #defaults()} are those of the design notes: duration 300 s / 600 s, error
 * rate 5 % / 10 %, consecutive failed runs 3 / 5.
 */
public record AlertThresholds(Duration durationWarning, Duration durationCritical, double errorRateWarning,
        double errorRateCritical, int consecutiveFailuresWarning, int consecutiveFailuresCritical) {
    public AlertThresholds {
        requireNonNull(durationWarning, "durationWarning");
        requireNonNull(durationCritical, "durationCritical");
        if (durationCritical.compareTo(durationWarning) < 0) {
            throw new IllegalArgumentException("durationCritical must be >= durationWarning");
        }
        // Written so that NaN fails: every comparison with NaN is false.
        if (!(errorRateWarning >= 0 && errorRateWarning <= errorRateCritical && errorRateCritical <= 1)) {
            throw new IllegalArgumentException("need 0 <= errorRateWarning <= errorRateCritical <= 1");
        }
        if (consecutiveFailuresWarning < 1 || consecutiveFailuresCritical < consecutiveFailuresWarning) {
            throw new IllegalArgumentException("need 1 <= consecutiveFailuresWarning <= consecutiveFailuresCritical");
        }
    }

    public static AlertThresholds defaults() {
        return new AlertThresholds(Duration.ofSeconds(300), Duration.ofSeconds(600), 0.05, 0.10, 3, 5);
    }
}
