package com.silknote.sync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 12 item 2: the command line reads downloads in 256 KiB buffers, unless the operator chose a size. */
class HttpBuffersTest {
    private String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty(VsrxSyncCommand.HTTP_BUFSIZE_PROPERTY);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(VsrxSyncCommand.HTTP_BUFSIZE_PROPERTY);
        } else {
            System.setProperty(VsrxSyncCommand.HTTP_BUFSIZE_PROPERTY, saved);
        }
    }

    @Test
    void largeBuffersUnlessTheJvmWasGivenASize() {
        System.clearProperty(VsrxSyncCommand.HTTP_BUFSIZE_PROPERTY);
        VsrxSyncCommand.useLargeHttpBuffers();
        assertThat(System.getProperty(VsrxSyncCommand.HTTP_BUFSIZE_PROPERTY)).isEqualTo("262144");

        System.setProperty(VsrxSyncCommand.HTTP_BUFSIZE_PROPERTY, "32768");
        VsrxSyncCommand.useLargeHttpBuffers();
        assertThat(System.getProperty(VsrxSyncCommand.HTTP_BUFSIZE_PROPERTY)).isEqualTo("32768");
    }
}
