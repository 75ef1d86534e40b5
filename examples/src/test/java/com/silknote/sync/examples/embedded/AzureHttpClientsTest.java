package com.silknote.sync.examples.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.azure.UrlConnectionAzureHttpClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 10 item 7: the allow-list keeps what an operator configured and gains content-length once. */
class AzureHttpClientsTest {
    private String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty(AzureHttpClients.ALLOW_PROPERTY);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(AzureHttpClients.ALLOW_PROPERTY);
        } else {
            System.setProperty(AzureHttpClients.ALLOW_PROPERTY, saved);
        }
    }

    @Test
    void contentLengthIsAddedToWhatIsConfiguredOnlyOnce() {
        System.setProperty(AzureHttpClients.ALLOW_PROPERTY, "expect");
        AzureHttpClients.allowContentLengthHeader();
        AzureHttpClients.allowContentLengthHeader();
        assertThat(System.getProperty(AzureHttpClients.ALLOW_PROPERTY)).isEqualTo("expect,content-length");

        System.setProperty(AzureHttpClients.ALLOW_PROPERTY, "Content-Length");
        AzureHttpClients.allowContentLengthHeader();
        assertThat(System.getProperty(AzureHttpClients.ALLOW_PROPERTY)).isEqualTo("Content-Length");

        System.clearProperty(AzureHttpClients.ALLOW_PROPERTY);
        AzureHttpClients.allowContentLengthHeader();
        assertThat(System.getProperty(AzureHttpClients.ALLOW_PROPERTY)).isEqualTo("content-length");
    }

    @Test
    void theClientIsBuiltWhetherOrNotThisJvmAcceptsTheHeader() {
        assertThat(AzureHttpClients.jdk()).isNotNull();
    }

    /** Issue 12: the embedded default sends Azure requests on the calling thread, not through the JDK client. */
    @Test
    void theEmbeddedDefaultUsesTheUrlConnectionTransport() {
        assertThat(AzureHttpClients.forAzure()).isInstanceOfSatisfying(UrlConnectionAzureHttpClient.class, c -> {
            assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(60));
            assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        });
    }
}
