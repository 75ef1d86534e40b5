package com.silknote.sync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The command line's logging set-up in code (issue 12: no XML configuration read at start-up): what it sets up
 * is what {@code logback.xml} said, and an operator's own configuration file still wins.
 */
class LogbackSetupTest {

    @Test
    void logbackFindsTheSetUpThroughItsServiceFile() {
        List<Class<?>> found = new ArrayList<>();
        ServiceLoader.load(Configurator.class).forEach(c -> found.add(c.getClass()));
        assertThat(found).containsExactly(LogbackSetup.class);
        // and this JVM's logging was set up by it: the library at INFO, third parties at WARN, on stderr
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(context.getLogger("com.silknote.sync").getEffectiveLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("org.jdbi.v3.core.Jdbi").getEffectiveLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void linesGoToStandardErrorWithTimeLevelAndLoggerOnly() {
        LoggerContext context = new LoggerContext();
        assertThat(new LogbackSetup().configure(context)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
        Appender<ILoggingEvent> appender = root.getAppender("STDERR");
        assertThat(appender).isInstanceOf(ConsoleAppender.class);
        ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) appender;
        assertThat(console.getTarget()).isEqualTo("System.err");
        assertThat(console.isStarted()).isTrue();
        for (String name : List.of("io.zonky", "org.flywaydb", "com.zaxxer.hikari", "org.jdbi", "com.azure")) {
            assertThat(context.getLogger(name + ".Some").getEffectiveLevel()).as(name).isEqualTo(Level.WARN);
        }
        assertThat(context.getLogger("com.silknote.sync.core.internal.SyncEngine").getEffectiveLevel())
                .isEqualTo(Level.INFO);
        assertThat(context.getLogger("org.example.Other").isInfoEnabled()).isFalse();

        Logger engine = context.getLogger("com.silknote.sync.core.internal.SyncEngine");
        ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent(
                Logger.class.getName(), engine, Level.INFO, "run done run={}", null, new Object[] {"run-1"});
        event.setTimeStamp(0);
        Encoder<ILoggingEvent> encoder = console.getEncoder();
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
        assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  SyncEngine - run done run=run-1\\R");
    }

    @Test
    void anOperatorsConfigurationFileWins() {
        String before = System.getProperty(LogbackSetup.CONFIGURATION_FILE_PROPERTY);
        System.setProperty(LogbackSetup.CONFIGURATION_FILE_PROPERTY, "/etc/vsrx-sync/logback.xml");
        try {
            LoggerContext context = new LoggerContext();
            assertThat(new LogbackSetup().configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
            assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
        } finally {
            if (before == null) {
                System.clearProperty(LogbackSetup.CONFIGURATION_FILE_PROPERTY);
            } else {
                System.setProperty(LogbackSetup.CONFIGURATION_FILE_PROPERTY, before);
            }
        }
    }
}
