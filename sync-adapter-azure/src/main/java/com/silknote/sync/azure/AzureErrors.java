package com.silknote.sync.azure;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpResponse;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Translates what the Azure SDK throws into the core's exceptions. Messages name the operation, the HTTP
 * status and Azure's error code (e.g. {@code ServerBusy}); never a URL or anything from a request.
 */
final class AzureErrors {

    private AzureErrors() {
    }

    /** HTTP status of an SDK failure, or -1 when it did not come with a response. */
    static int status(Throwable e) {
        if (e instanceof HttpResponseException hre && hre.getResponse() != null) {
            return hre.getResponse().getStatusCode();
        }
        return -1;
    }

    static boolean hasCode(Throwable e, BlobErrorCode code) {
        return e instanceof BlobStorageException bse && code.equals(bse.getErrorCode());
    }

    /**
     * Maps a failure of {@code operation} to a {@link SyncException}: 408, 429 and 5xx, timeouts, I/O
     * errors and interrupts become {@link TransientSyncException} (with the server's {@code Retry-After}
     * when given), everything else {@link PermanentSyncException} with the status code.
     */
    static SyncException translate(RuntimeException e, String operation, Clock clock) {
        if (e instanceof SyncException se) {
            return se;
        }
        if (e instanceof HttpResponseException hre && hre.getResponse() != null) {
            HttpResponse response = hre.getResponse();
            int status = response.getStatusCode();
            String code = e instanceof BlobStorageException bse && bse.getErrorCode() != null
                    ? bse.getErrorCode().toString()
                    : Optional.ofNullable(response.getHeaderValue(HttpHeaderName.fromString("x-ms-error-code"))).orElse("none");
            String message = "azure " + operation + " failed: status=" + status + " code=" + safeCode(code);
            if (isTransientStatus(status)) {
                return new TransientSyncException(message, retryAfter(response.getHeaders(), clock).orElse(null), e);
            }
            if (status == 401 || status == 403) {
                return new PermanentSyncException(message + " (authentication or authorisation refused)", status, e);
            }
            return new PermanentSyncException(message, status, e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            boolean interrupted = t instanceof InterruptedException
                    || (t instanceof InterruptedIOException && !(t instanceof java.net.SocketTimeoutException));
            if (interrupted) {
                Thread.currentThread().interrupt();
                return new TransientSyncException("azure " + operation + " interrupted", e);
            }
            if (t instanceof TimeoutException || t instanceof java.net.SocketTimeoutException
                    || t instanceof java.net.http.HttpTimeoutException) {
                return new TransientSyncException("azure " + operation + " timed out", e);
            }
            if (t instanceof IOException || t instanceof UncheckedIOException) {
                return new TransientSyncException("azure " + operation + " failed: connection or I/O error", e);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        if (e.getMessage() != null && e.getMessage().startsWith("Timeout on blocking read")) {
            return new TransientSyncException("azure " + operation + " timed out", e);
        }
        return new PermanentSyncException("azure " + operation + " failed: " + e.getClass().getSimpleName(), e);
    }

    static boolean isTransientStatus(int status) {
        return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    /**
     * The delay the service asked for: {@code x-ms-retry-after-ms} / {@code retry-after-ms} in milliseconds,
     * or {@code Retry-After} as seconds or an HTTP date.
     */
    static Optional<Duration> retryAfter(HttpHeaders headers, Clock clock) {
        if (headers == null) {
            return Optional.empty();
        }
        for (HttpHeaderName name : new HttpHeaderName[] {HttpHeaderName.X_MS_RETRY_AFTER_MS,
                HttpHeaderName.RETRY_AFTER_MS}) {
            String ms = headers.getValue(name);
            if (ms != null) {
                try {
                    return Optional.of(Duration.ofMillis(Math.max(0, Long.parseLong(ms.trim()))));
                } catch (NumberFormatException ignored) {
                    // fall through to the next header
                }
            }
        }
        String value = headers.getValue(HttpHeaderName.RETRY_AFTER);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(clock.instant(), at.toInstant());
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    /** Azure error codes are short identifiers; anything else is not echoed. */
    private static String safeCode(String code) {
        return code.matches("[A-Za-z0-9]{1,64}") ? code : "unrecognised";
    }
}
