package com.silknote.sync.vsrx.http.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reads {@code Retry-After}: delay-seconds or an HTTP-date (judged against the given clock). */
public final class RetryAfter {
    private static final long MAX_SECONDS = 7 * 24 * 3600L;

    private RetryAfter() { }

    /** The delay asked for; empty when the header is absent or unreadable. Never negative. */
    public static Optional<Duration> parse(Optional<String> header, Clock clock) {
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String v = header.get().trim();
        if (v.matches("[0-9]{1,10}")) {
            return Optional.of(Duration.ofSeconds(Math.min(Long.parseLong(v), MAX_SECONDS)));
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration d = Duration.between(clock.instant(), at.toInstant());
            if (d.isNegative()) {
                return Optional.of(Duration.ZERO);
            }
            return Optional.of(d.getSeconds() > MAX_SECONDS ? Duration.ofSeconds(MAX_SECONDS) : d);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Delay-seconds for a response header, rounded up. */
    public static String format(Duration d) {
        long s = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
        return Long.toString(Math.max(0, s));
    }
}
