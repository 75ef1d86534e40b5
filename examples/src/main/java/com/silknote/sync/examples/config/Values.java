package com.silknote.sync.examples.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Parsing and printing of configuration values: durations ({@code 200ms}, {@code 30s}, {@code 5m}, ISO) and sizes. */
public final class Values {
    private Values() { }

    /**
     * Parses {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d} or an ISO-8601 duration.
     *
     * @throws IllegalArgumentException when it is none of these, or too long to count in milliseconds
     */
    public static Duration parseDuration(String raw) {
        Duration d = parseDurationUnchecked(raw);
        try {
            d.toMillis();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration too long", e);
        }
        return d;
    }

    private static Duration parseDurationUnchecked(String raw) {
        String s = raw.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("p")) {
            try {
                return Duration.parse(s.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not a duration", e);
            }
        }
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("not a duration");
        }
        long n = Long.parseLong(s.substring(0, i));
        return switch (s.substring(i).trim()) {
            case "ms" -> Duration.ofMillis(n);
            case "s", "" -> Duration.ofSeconds(n);
            case "m", "min" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("unknown duration unit");
        };
    }

    /** Prints a duration in the short form {@link #parseDuration} reads. */
    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0 && ms > 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0 && ms > 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0 && ms > 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1000L == 0) {
            return ms / 1000L + "s";
        }
        return ms + "ms";
    }

    /** Parses a byte count: digits, optionally followed by {@code KiB}, {@code MiB} or {@code GiB}. */
    public static long parseBytes(String raw) {
        String s = raw.trim();
        long factor = 1;
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.endsWith("kib")) {
            factor = 1024;
        } else if (lower.endsWith("mib")) {
            factor = 1024L * 1024;
        } else if (lower.endsWith("gib")) {
            factor = 1024L * 1024 * 1024;
        }
        if (factor != 1) {
            s = s.substring(0, s.length() - 3).trim();
        }
        return Math.multiplyExact(Long.parseLong(s), factor);
    }

    static boolean parseBoolean(String raw) {
        return switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }
}
