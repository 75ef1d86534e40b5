package com.silknote.sync.vsrx.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.Secret;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import java.time.Clock;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * {@link VsrxHttpServer} turns Nagle's algorithm off on the JDK server's connections unless the JVM's starter
 * chose otherwise: with it on, every small answer (a listing page, a small file) waited for the client's delayed
 * acknowledgement of the headers. The effect is measured in docs/benchmarks.md ("The VSRX server's small
 * answers"), never timed here.
 */
class VsrxHttpServerNoDelayTest {

    @Test
    void turnsNoDelayOnWhenTheJvmWasStartedWithoutIt() {
        Properties p = new Properties();
        VsrxHttpServer.preferNoDelay(p);
        assertThat(p.getProperty(VsrxHttpServer.NO_DELAY)).isEqualTo("true");
    }

    @Test
    void leavesAnExplicitChoiceAlone() {
        Properties off = new Properties();
        off.setProperty(VsrxHttpServer.NO_DELAY, "false");
        VsrxHttpServer.preferNoDelay(off);
        assertThat(off.getProperty(VsrxHttpServer.NO_DELAY)).isEqualTo("false");

        Properties on = new Properties();
        on.setProperty(VsrxHttpServer.NO_DELAY, "true");
        VsrxHttpServer.preferNoDelay(on);
        assertThat(on.getProperty(VsrxHttpServer.NO_DELAY)).isEqualTo("true");
    }

    @Test
    void startSetsItBeforeTheFirstServerIsCreated() {
        String before = System.getProperty(VsrxHttpServer.NO_DELAY);
        try (VsrxHttpServer server = VsrxHttpServer.builder()
                .handler(VsrxHttpHandler.builder().source(new InMemoryVsrxSource(Clock.systemUTC()))
                        .acceptedToken(Secret.of("no-delay-token-0123456789")).build())
                .build().start()) {
            assertThat(server.port()).isPositive();
            assertThat(System.getProperty(VsrxHttpServer.NO_DELAY)).isEqualTo(before == null ? "true" : before);
        }
    }
}
