package com.silknote.sync.examples.cli;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.examples.config.ConfigKey;
import com.silknote.sync.examples.config.VsrxSyncConfigFile;
import com.silknote.sync.examples.config.VsrxSyncSettings;
import com.silknote.sync.examples.embedded.AzureHttpClients;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code vsrx-sync} command line. Each operation is a subcommand class listed in
 * {@link Command#subcommands()} below (sync, status, report, the operations cleanup, check, repair, migrate,
 * audit, ...); each reads {@link #settings()} and {@link #environment()} and returns an {@link ExitCode}.
 */
@Command(name = "vsrx-sync", mixinStandardHelpOptions = true, versionProvider = VsrxSyncCommand.Version.class,
        description = "Keeps Silknote in step with VSRX: one VSRX file, one Silknote document.",
        subcommands = {
            DemoCommand.class, SyncCommand.class, RunEveryCommand.class, StatusCommand.class, ReportCommand.class,
            HistoryCommand.class, ConflictsCommand.class, CleanupCommand.class, CheckCommand.class,
            RepairCommand.class, MigrateCommand.class, AuditCommand.class, ServeVsrxCommand.class, ConfigCommand.class,
            CommandLine.HelpCommand.class
        },
        footerHeading = "%nConfiguration:%n",
        footer = {
            "  A .properties file (--config, or VSRX_SYNC_CONFIG) and VSRX_SYNC_*",
            "  environment variables, which win. See docs/configuration.md.",
            "  Secrets are never printed."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:completed (or stopped at a fileset boundary by a budget or a stop request: the next run resumes)",
            "1:failed (a backend unreachable, an unexpected error)",
            "2:usage error",
            "3:bad configuration",
            "4:another sync is in progress (nothing touched)",
            "5:partial failure (some filesets failed; the next run retries them)",
            "6:mass-delete guard tripped (a person must look)",
            "7:check found inconsistencies, or repair left some",
            "8:refused: not a re-booking pair (nothing changed)"
        })
public final class VsrxSyncCommand implements Callable<Integer> {

    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Configuration file (.properties). Default: $VSRX_SYNC_CONFIG if set.")
    Path configFile;

    @Option(names = "--data-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Folder of the embedded default (default: .vsrx-sync).")
    Path dataDir;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "Debug logging.")
    boolean verbose;

    /** Commands whose INFO log lines (runs, filesets) are worth reading; the others log warnings only. */
    private static final java.util.Set<String> RUNNING_COMMANDS = java.util.Set.of("sync", "demo", "serve-vsrx",
            "run-every", "cleanup", "repair", "migrate");

    private final CliEnvironment environment;
    private CommandLine.Model.CommandSpec spec;

    /**
     * @throws NullPointerException when environment is null
     */
    public VsrxSyncCommand(CliEnvironment environment) {
        this.environment = requireNonNull(environment, "environment");
    }

    /** Runs the command line of this JVM and exits with its {@link ExitCode}. */
    public static void main(String[] args) {
        // before any HTTP request of this JVM: the JDK reads its restricted-header list only once
        AzureHttpClients.allowContentLengthHeader();
        useLargeHttpBuffers();
        int code = execute(SystemEnvironment.create(), JitDirectives::forCommand, args);
        SystemEnvironment.commandDone();
        System.exit(code);
    }

    /** The JDK HTTP client's read-buffer size property, read once when the client is first used. */
    static final String HTTP_BUFSIZE_PROPERTY = "jdk.httpclient.bufsize";
    /** Read-buffer size the command line gives the JDK HTTP client unless the JVM was started with one. */
    static final int HTTP_BUFSIZE = 256 * 1024;

    /**
     * Sets {@value #HTTP_BUFSIZE_PROPERTY} to {@value #HTTP_BUFSIZE} bytes unless it is set (issue 12 item 2): a
     * download then crosses from the client's selector to the reading thread in 256 KiB pieces instead of
     * 16 KiB ones, which cut the client's selector CPU by a quarter on the benchmark data set
     * (docs/scaling.md). A download holds at most one such buffer at a time, so memory stays bounded by
     * {@code file-concurrency} buffers. Call it before anything in the JVM sends an HTTP request.
     */
    static void useLargeHttpBuffers() {
        if (System.getProperty(HTTP_BUFSIZE_PROPERTY) == null) {
            System.setProperty(HTTP_BUFSIZE_PROPERTY, Integer.toString(HTTP_BUFSIZE));
        }
    }

    /** The JDK's keep-alive cache size for {@code HttpURLConnection}, idle connections per server. */
    static final String KEEP_ALIVE_PROPERTY = "http.maxConnections";

    /**
     * Sets {@value #KEEP_ALIVE_PROPERTY} to {@code fileConcurrency} unless it is set (issue 12): the VSRX source
     * reads contents over {@code HttpURLConnection}, whose JVM-wide keep-alive cache keeps at most that many idle
     * connections per server (5 by default) and closes the others as they are released, so with more downloads in
     * flight some would be reconnected. The JDK reads the property once, when the first connection is cached, so
     * this runs when the command opens its VSRX source ({@link SystemEnvironment}), before any download of this
     * JVM; nothing in the command line sends a request over {@code HttpURLConnection} before.
     */
    static void keepAliveConnections(int fileConcurrency) {
        if (System.getProperty(KEEP_ALIVE_PROPERTY) == null) {
            System.setProperty(KEEP_ALIVE_PROPERTY, Integer.toString(Math.max(5, fileConcurrency)));
        }
    }

    /**
     * Runs the command line in-process and returns its exit code; never calls {@code System.exit}.
     *
     * @throws NullPointerException when an argument is null
     */
    public static int execute(CliEnvironment environment, String... args) {
        return execute(environment, command -> { }, args);
    }

    /**
     * {@link #execute(CliEnvironment, String...)} that first hands the name of the command about to run (not for
     * {@code --help} or {@code --version}) to {@code beforeCommand}: {@link #main} tunes its own JVM there.
     */
    static int execute(CliEnvironment environment, java.util.function.Consumer<String> beforeCommand,
            String... args) {
        requireNonNull(environment, "environment");
        requireNonNull(beforeCommand, "beforeCommand");
        requireNonNull(args, "args");
        VsrxSyncCommand root = new VsrxSyncCommand(environment);
        CommandLine cl = new CommandLine(root);
        root.spec = cl.getCommandSpec();
        cl.setOut(environment.out());
        cl.setErr(environment.err());
        cl.setExecutionStrategy(parseResult -> {
            CommandLine.ParseResult sub = parseResult;
            while (sub.hasSubcommand()) {
                sub = sub.subcommand();
            }
            boolean runs = RUNNING_COMMANDS.contains(sub.commandSpec().name());
            if (!helpOrVersion(parseResult)) { // --help and --version start nothing, not even logging
                Logging.configure(root.verbose, environment.interactive() || !runs);
                beforeCommand.accept(sub.commandSpec().name());
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println(describe(ex));
            commandLine.getErr().flush();
            if (root.verbose) {
                ex.printStackTrace(commandLine.getErr());
            }
            return exitCodeOf(ex);
        });
        int code = cl.execute(args);
        environment.out().flush();
        environment.err().flush();
        return code;
    }

    private static boolean helpOrVersion(CommandLine.ParseResult parseResult) {
        for (CommandLine.ParseResult p = parseResult; p != null; p = p.hasSubcommand() ? p.subcommand() : null) {
            if (p.isUsageHelpRequested() || p.isVersionHelpRequested()) {
                return true;
            }
        }
        return false;
    }

    /** Without a subcommand: the usage, exit code 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(environment.err());
        return ExitCode.USAGE;
    }

    /** The world the commands see. */
    CliEnvironment environment() {
        return environment;
    }

    /**
     * The configuration: file, environment, then command-line options.
     *
     * @throws ConfigurationException when it is invalid
     */
    VsrxSyncSettings settings() {
        Map<ConfigKey, String> overrides = new EnumMap<>(ConfigKey.class);
        if (dataDir != null) {
            overrides.put(ConfigKey.DATA_DIR, dataDir.toString());
        }
        Optional<Path> file = configFile != null ? Optional.of(configFile)
                : VsrxSyncConfigFile.fileFromEnvironment(environment.env());
        return VsrxSyncConfigFile.load(file, environment.env(), overrides);
    }

    static int exitCodeOf(Throwable ex) {
        if (ex instanceof ConfigurationException) {
            return ExitCode.CONFIGURATION;
        }
        return ExitCode.FAILED;
    }

    /** A one-line, log-safe description: our exceptions' messages are safe; others show their type. */
    static String describe(Throwable ex) {
        if (ex instanceof ConfigurationException) {
            return "configuration error: " + ex.getMessage();
        }
        if (ex instanceof SyncException) {
            return "error: " + ex.getMessage();
        }
        return "error: unexpected " + ex.getClass().getSimpleName() + " (run with --verbose for details)";
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = VsrxSyncCommand.class.getPackage().getImplementationVersion();
            return new String[] {"vsrx-sync " + (v == null ? "(development build)" : v)};
        }
    }
}
