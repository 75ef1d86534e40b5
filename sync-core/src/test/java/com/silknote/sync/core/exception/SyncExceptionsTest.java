package com.silknote.sync.core.exception;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.SkipReason;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN rule 8: a caller tells a failure worth retrying from one that is not by its type, and honours the
 * remote side's {@code Retry-After}; every exception is a {@link SyncException} whose message is safe to log.
 */
class SyncExceptionsTest {
    @Test
    @DisplayName("rule 8: a transient failure carries the server's Retry-After when it gave one, never negative")
    void transientRetryAfter() {
        IOException cause = new IOException("reset");
        TransientSyncException hinted = new TransientSyncException("throttled", Duration.ofSeconds(3), cause);
        assertThat(hinted.retryAfter()).contains(Duration.ofSeconds(3));
        assertThat(hinted).hasMessage("throttled").hasCause(cause).isInstanceOf(SyncException.class);
        assertThat(new TransientSyncException("zero", Duration.ZERO, null).retryAfter()).contains(Duration.ZERO);
        assertThat(new TransientSyncException("timeout").retryAfter()).isEmpty();
        assertThat(new TransientSyncException("reset", cause).retryAfter()).isEmpty();
        assertThat(new TransientSyncException("reset", cause)).hasCause(cause);
        assertThatThrownBy(() -> new TransientSyncException("x", Duration.ofMillis(-1), null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransientSyncException(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    @DisplayName("rule 8: a permanent failure keeps the remote status code; none is -1 or any negative")
    void permanentStatusCode() {
        assertThat(new PermanentSyncException("gone", 404, null).statusCode()).hasValue(404);
        assertThat(new PermanentSyncException("odd", 0, null).statusCode()).hasValue(0);
        assertThat(new PermanentSyncException("none", -1, null).statusCode()).isEmpty();
        assertThat(new PermanentSyncException("bad").statusCode()).isEmpty();
        IllegalStateException cause = new IllegalStateException();
        assertThat(new PermanentSyncException("bad", cause)).hasCause(cause).hasMessage("bad");
        MalformedResponseException m = new MalformedResponseException("json", 502, cause);
        assertThat(m).isInstanceOf(PermanentSyncException.class).hasCause(cause);
        assertThat(m.statusCode()).hasValue(502);
        assertThat(new MalformedResponseException("json").statusCode()).isEmpty();
        assertThat(new MalformedResponseException("json", cause)).hasCause(cause);
    }

    @Test
    @DisplayName("rule 7 and rule 10: rejections keep their skip reason; ledger and lease failures say what happened")
    void otherFailures() {
        assertThat(new ContentRejectedException(SkipReason.TYPE_MISMATCH, "sniffed").reason())
                .isEqualTo(SkipReason.TYPE_MISMATCH);
        assertThatThrownBy(() -> new ContentRejectedException(null, "x")).isInstanceOf(NullPointerException.class);
        ContentHash h = ContentHash.ofHex("ab".repeat(32));
        BlobBeingCollectedException b = new BlobBeingCollectedException(h);
        assertThat(b.hash()).isEqualTo(h);
        assertThat(b).hasMessage("blob sha256:abababababab is being collected; re-upload required");
        assertThat(new ConcurrentUpdateException()).hasMessage(ConcurrentUpdateException.MESSAGE);
        assertThat(new ConcurrentUpdateException("reference count")).hasMessage(ConcurrentUpdateException.MESSAGE
                + " (reference count)");
        Throwable cause = new RuntimeException();
        assertThat(new LeaseLostException("lost", cause)).hasCause(cause).hasMessage("lost");
        assertThat(new ConfigurationException("bad", cause)).hasCause(cause).hasMessage("bad");
        assertThat(new StaleFencingTokenException("stale")).isInstanceOf(SyncException.class);
        assertThat(new ClaimLostException("claim")).isInstanceOf(SyncException.class);
    }
}
