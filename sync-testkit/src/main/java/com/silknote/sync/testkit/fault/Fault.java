package com.silknote.sync.testkit.fault;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.MalformedResponseException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * One injected failure. How it surfaces:
 * <ul>
 *   <li>{@link Kind#STATUS}: 408, 429 and 5xx as {@link TransientSyncException} (with {@code retryAfter}
 *       when given), any other status as {@link PermanentSyncException} carrying it.</li>
 *   <li>{@link Kind#TIMEOUT}: {@link TransientSyncException} caused by a {@link SocketTimeoutException}.</li>
 *   <li>{@link Kind#CONNECTION_RESET}: on a content stream ({@code OPEN_CONTENT}, {@code BLOB_OPEN}) the
 *       stream throws {@link SocketException} from {@code read} after {@code afterBytes} bytes; on any other
 *       call a {@link TransientSyncException} caused by it.</li>
 *   <li>{@link Kind#READ_TIMEOUT}: like {@code CONNECTION_RESET}, but the stream throws
 *       {@link SocketTimeoutException}.</li>
 *   <li>{@link Kind#TRUNCATED}: on a content stream the stream ends (EOF) after {@code afterBytes} bytes
 *       while the declared length stays the full one; not allowed on other calls.</li>
 *   <li>{@link Kind#WRONG_CHECKSUM}: {@code OPEN_CONTENT} only: the content is served with a SHA-256 digest
 *       that does not match the bytes.</li>
 *   <li>{@link Kind#MALFORMED}: {@link MalformedResponseException}.</li>
 *   <li>{@link Kind#LOST_RESPONSE}: the call is carried out, then a {@link TransientSyncException} is thrown
 *       as if the answer was lost (an upload that happened though the caller saw a timeout).</li>
 * </ul>
 *
 * @param kind       what fails
 * @param status     the status for {@link Kind#STATUS}, else 0
 * @param retryAfter the server's hint for {@link Kind#STATUS}
 * @param afterBytes bytes served before a stream fault
 */
public record Fault(Kind kind, int status, Optional<Duration> retryAfter, long afterBytes) {

    /** The kinds of fault. */
    public enum Kind { STATUS, TIMEOUT, CONNECTION_RESET, TRUNCATED, WRONG_CHECKSUM, MALFORMED, LOST_RESPONSE,
        READ_TIMEOUT }

    public Fault {
        requireNonNull(kind, "kind");
        requireNonNull(retryAfter, "retryAfter");
        if (afterBytes < 0) {
            throw new IllegalArgumentException("afterBytes must be >= 0");
        }
        if (kind == Kind.STATUS && (status < 100 || status > 599)) {
            throw new IllegalArgumentException("status must be 100..599, was " + status);
        }
    }

    /** HTTP 429 with {@code Retry-After}. */
    public static Fault tooManyRequests(Duration retryAfter) {
        return new Fault(Kind.STATUS, 429, Optional.of(requireNonNull(retryAfter, "retryAfter")), 0);
    }

    /** A bare status (e.g. 503, 500, 404, 401). */
    public static Fault status(int status) {
        return new Fault(Kind.STATUS, status, Optional.empty(), 0);
    }

    /** A status with {@code Retry-After}. */
    public static Fault status(int status, Duration retryAfter) {
        return new Fault(Kind.STATUS, status, Optional.of(requireNonNull(retryAfter, "retryAfter")), 0);
    }

    /** HTTP 503. */
    public static Fault serviceUnavailable() {
        return status(503);
    }

    /** A timeout before any answer. */
    public static Fault timeout() {
        return new Fault(Kind.TIMEOUT, 0, Optional.empty(), 0);
    }

    /** The connection resets after {@code afterBytes} bytes of content (or at once for other calls). */
    public static Fault connectionReset(long afterBytes) {
        return new Fault(Kind.CONNECTION_RESET, 0, Optional.empty(), afterBytes);
    }

    /** The content stream times out after {@code afterBytes} bytes (or the call at once for other calls). */
    public static Fault readTimeout(long afterBytes) {
        return new Fault(Kind.READ_TIMEOUT, 0, Optional.empty(), afterBytes);
    }

    /** The content stream ends after {@code afterBytes} bytes though the declared length is larger. */
    public static Fault truncated(long afterBytes) {
        return new Fault(Kind.TRUNCATED, 0, Optional.empty(), afterBytes);
    }

    /** The content is served with a wrong SHA-256 digest. */
    public static Fault wrongChecksum() {
        return new Fault(Kind.WRONG_CHECKSUM, 0, Optional.empty(), 0);
    }

    /** The answer breaks the protocol. */
    public static Fault malformed() {
        return new Fault(Kind.MALFORMED, 0, Optional.empty(), 0);
    }

    /** The call is carried out but its answer is lost. */
    public static Fault lostResponse() {
        return new Fault(Kind.LOST_RESPONSE, 0, Optional.empty(), 0);
    }

    /** {@code true} for faults that act on a content stream rather than on the call. */
    public boolean actsOnStream() {
        return kind == Kind.TRUNCATED || kind == Kind.WRONG_CHECKSUM || kind == Kind.CONNECTION_RESET
                || kind == Kind.READ_TIMEOUT;
    }

    /** The exception this fault throws from a call (not from a stream). */
    SyncException toException(Operation op) {
        String where = "injected fault on " + op;
        return switch (kind) {
            case STATUS -> {
                if (status == 408 || status == 429 || status >= 500) {
                    yield new TransientSyncException(where + ": status " + status, retryAfter.orElse(null), null);
                }
                yield new PermanentSyncException(where + ": status " + status, status, null);
            }
            case TIMEOUT -> new TransientSyncException(where + ": timeout",
                    new SocketTimeoutException("simulated timeout"));
            case READ_TIMEOUT -> new TransientSyncException(where + ": read timeout",
                    new SocketTimeoutException("simulated read timeout"));
            case CONNECTION_RESET, TRUNCATED, WRONG_CHECKSUM -> new TransientSyncException(where + ": connection reset",
                    new SocketException("Connection reset (simulated)"));
            case MALFORMED -> new MalformedResponseException(where + ": malformed response");
            case LOST_RESPONSE -> new TransientSyncException(where + ": response lost",
                    new SocketTimeoutException("simulated timeout after the request was carried out"));
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case STATUS -> "Fault[" + status + retryAfter.map(d -> " retryAfter=" + d).orElse("") + "]";
            case CONNECTION_RESET, TRUNCATED, READ_TIMEOUT -> "Fault[" + kind + " after " + afterBytes + " bytes]";
            default -> "Fault[" + kind + "]";
        };
    }
}
