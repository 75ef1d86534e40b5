package com.silknote.sync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 2: the command line reads downloads in 256 KiB buffers, unless the operator chose a size; and keeps
 * as many idle download connections as it has downloads in flight, unless the operator chose a number.
 */
class HttpBuffersTest {
    private String saved;
    private String savedKeepAlive;

    @BeforeEach
    void save() {
        saved = System.getProperty(VsrxSyncCommand.HTTP_BUFSIZE_PROPERTY);
        savedKeepAlive = System.getProperty(VsrxSyncCommand.KEEP_ALIVE_PROPERTY);
    }

    @AfterEach
    void restore() {
        restore(VsrxSyncCommand.HTTP_BUFSIZE_PROPERTY, saved);
        restore(VsrxSyncCommand.KEEP_ALIVE_PROPERTY, savedKeepAlive);
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    @Test
    void keepAliveConnectionsFollowTheFileConcurrencyUnlessTheJvmWasGivenANumber() {
        System.clearProperty(VsrxSyncCommand.KEEP_ALIVE_PROPERTY);
        VsrxSyncCommand.keepAliveConnections(12);
        assertThat(System.getProperty(VsrxSyncCommand.KEEP_ALIVE_PROPERTY)).isEqualTo("12");

        System.clearProperty(VsrxSyncCommand.KEEP_ALIVE_PROPERTY);
        VsrxSyncCommand.keepAliveConnections(2);
        assertThat(System.getProperty(VsrxSyncCommand.KEEP_ALIVE_PROPERTY)).as("never below the JDK's 5").isEqualTo("5");

        System.setProperty(VsrxSyncCommand.KEEP_ALIVE_PROPERTY, "3");
        VsrxSyncCommand.keepAliveConnections(12);
        assertThat(System.getProperty(VsrxSyncCommand.KEEP_ALIVE_PROPERTY)).isEqualTo("3");
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
