package com.silknote.sync.vsrx.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.exception.MalformedResponseException;
import com.silknote.sync.core.model.SkipReason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class VerifyingInputStreamTest {
    static byte[] sha(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    }

    static InputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void passesMatchingContent() throws Exception {
        var v = new VerifyingInputStream(in("hello"), 5, sha("hello"));
        assertThat(new String(v.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(v.read()).isEqualTo(-1);
    }

    @Test
    void shortContentIsTruncated() throws Exception {
        var v = new VerifyingInputStream(in("hell"), 5, sha("hello"));
        var e = catchThrowableOfType(ContentRejectedException.class, v::readAllBytes);
        assertThat(e.reason()).isEqualTo(SkipReason.TRUNCATED);
        assertThat(e).hasMessage("content ended after 4 of 5 declared bytes");
    }

    @Test
    void longerContentIsRefusedAtOnce() throws Exception {
        var v = new VerifyingInputStream(in("hello!"), 5, sha("hello"));
        var e = catchThrowableOfType(ContentRejectedException.class, v::readAllBytes);
        assertThat(e.reason()).isEqualTo(SkipReason.SIZE_MISMATCH);
    }

    @Test
    void alteredContentIsAChecksumMismatch() throws Exception {
        var v = new VerifyingInputStream(in("hellO"), 5, sha("hello"));
        var e = catchThrowableOfType(ContentRejectedException.class, () -> v.skip(10));
        assertThat(e.reason()).isEqualTo(SkipReason.CHECKSUM_MISMATCH);
    }

    @Test
    void transportFailureIsAnIOException() throws Exception {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        };
        var v = new VerifyingInputStream(failing, 5, sha("hello"));
        var e = catchThrowableOfType(IOException.class, v::read);
        assertThat(e).hasMessage("content stream failed after 0 of 5 bytes")
                .hasCauseInstanceOf(MalformedResponseException.class);
    }
}
