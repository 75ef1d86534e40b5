package com.silknote.sync.examples.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets log levels for a command-line run. With a progress bar on a terminal the library's INFO and WARN
 * lines would tear the bar apart, so only errors are logged (the bar, the alerts and the report say the
 * same: every skip, failure and guard with its reason code), and so are the read-only commands' start-up
 * lines (status, report, config); a run in a pipe or a log file keeps INFO. {@code --verbose} turns on DEBUG for vsrx-sync. The library never logs paths or
 * patient ids at INFO or above; DEBUG is for diagnosis by the operator.
 */
final class Logging {
    private Logging() { }

    /**
     * @param verbose DEBUG for vsrx-sync
     * @param quiet   a progress bar is drawn, or the command only reads (status, report): errors only
     */
    static void configure(boolean verbose, boolean quiet) {
        if (!(LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext)) {
            return;
        }
        Logger sync = (Logger) LoggerFactory.getLogger("com.silknote.sync");
        if (verbose) {
            sync.setLevel(Level.DEBUG);
        } else if (quiet) {
            sync.setLevel(Level.ERROR);
        } else {
            sync.setLevel(Level.INFO);
        }
    }
}
