package com.silknote.sync.examples.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * The logging set-up of the command line and the examples, found by logback through its service file
 * ({@code META-INF/services/ch.qos.logback.classic.spi.Configurator}) in place of a {@code logback.xml}.
 *
 * <p>What it sets up: log lines on stderr, so stdout carries only results (reports, status, JSON), as
 * {@code HH:mm:ss.SSS LEVEL Logger - message}; {@code com.silknote.sync} at INFO ({@link Logging} adjusts it per
 * command), third parties at WARN (the embedded PostgreSQL echoes its server's output at INFO).
 *
 * <p>Why code and not XML (issue 12, docs/startup.md): reading a configuration file loads logback's XML
 * machinery (Joran, the JDK's SAX parser) and cost about 0.1 s of every command's start, a tenth of a
 * {@code status}. An operator's own file still wins: with {@code -Dlogback.configurationFile=...} this set-up
 * steps aside and logback reads that file as usual.
 */
public final class LogbackSetup extends ContextAwareBase implements Configurator {
    /** Logback's own system property naming a configuration file. */
    static final String CONFIGURATION_FILE_PROPERTY = "logback.configurationFile";
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n";
    /** Levels other than the root's (WARN). */
    static final Map<String, Level> LEVELS = Map.of(
            "com.silknote.sync", Level.INFO,
            "io.zonky", Level.WARN,
            "org.flywaydb", Level.WARN,
            "com.zaxxer.hikari", Level.WARN,
            "org.jdbi", Level.WARN,
            "com.azure", Level.WARN);

    /** For logback's service loader. */
    public LogbackSetup() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty(CONFIGURATION_FILE_PROPERTY) != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
