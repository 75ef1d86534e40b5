package com.silknote.sync.examples.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiler directives the command line gives its own JVM when a command moves contents and ends ({@code sync},
 * {@code demo}) or serves a folder to a few syncs ({@code serve-vsrx}), however the JVM was started ({@code ./vsrx-sync} or
 * {@code java -jar vsrx-sync.jar}): only the JDK's message digests and the stand-in processor's loops are compiled
 * by C2; everything else (the PostgreSQL driver, Jdbi, Jackson, the Azure SDK, the JDK's HTTP and class-loading
 * code) stays with C1's full optimisation.
 *
 * <p>Why (issue 12, docs/benchmarks.md "The JIT of a command-line run"): a sync is a short, CPU-bound run on the
 * same cores as the blob store, the VSRX server and the ledger, and with the JVM's defaults C2 spent 8 to 11 of
 * the sync JVM's 17 to 24 CPU seconds on the 2,000-file benchmark set, compiling framework code that each file
 * runs a few dozen times. With the directives the compiler threads took about 3 s and the transfer threads about
 * 1 s more (C1's code): 14 to 15 s in all. SHA-256 and MD5, which C1 runs 2.5 times slower (their intrinsics are
 * C2's in JDK 17), keep C2.
 *
 * <p>The directives are added through the JVM's diagnostic command {@code Compiler.directives_add} on a daemon
 * thread while the command starts (the management server it needs costs about 0.2 s of CPU, overlapped with the
 * ledger's start). They change which compiler compiles a method, never what a program does. They are not added
 * when the JVM's compilers were configured by whoever started it: C2 off or alone ({@code -XX:TieredStopAtLevel}
 * below 4, {@code -XX:-TieredCompilation}, {@code -XX:CompilationMode}), a directives file of its own, or the
 * system property {@value #PROPERTY} set to {@code off}. A host that embeds the library keeps its own JVM's
 * defaults: only the command line's {@code main} adds them.
 */
final class JitDirectives {
    private static final Logger LOG = LoggerFactory.getLogger(JitDirectives.class);

    /** System property: {@code off} keeps the JVM's own compilation policy. */
    static final String PROPERTY = "vsrx.sync.jit-directives";
    /** The directives, a resource next to this class (HotSpot's JSON-like directives format). */
    static final String RESOURCE = "jit-directives.json";
    /**
     * The commands whose JVM lives for one job, for which C2's compile work is a large share of the CPU. Not
     * {@code run-every}: a JVM that runs syncs for days amortises C2's work and keeps its faster code.
     * {@code serve-vsrx} is in: on the 10,000-file set its CPU for the first sync it served fell by 4.5 s, for
     * each later one it rose by 1 to 2 s (docs/benchmarks.md).
     */
    static final Set<String> COMMANDS = Set.of("sync", "demo", "serve-vsrx");

    private JitDirectives() { }

    /**
     * Adds the directives on a daemon thread when {@code command} is one of {@link #COMMANDS} and the JVM's
     * compilers were left to their defaults; returns at once, with the thread when one was started.
     */
    static Optional<Thread> forCommand(String command) {
        if (!COMMANDS.contains(command) || "off".equalsIgnoreCase(System.getProperty(PROPERTY, ""))) {
            return Optional.empty();
        }
        Thread t = new Thread(JitDirectives::addIfDefaultCompilers, "vsrx-sync-jit-directives");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
        return Optional.of(t);
    }

    private static void addIfDefaultCompilers() {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            Optional<String> reason = configuredElsewhere(name -> {
                try {
                    return Optional.of(hotspot.getVMOption(name).getValue());
                } catch (IllegalArgumentException e) {
                    return Optional.empty();
                }
            });
            if (reason.isPresent()) {
                LOG.debug("compiler directives not added: {}", reason.get());
                return;
            }
            add();
        } catch (RuntimeException | LinkageError | IOException | JMException e) {
            // no management support in this runtime, or a JVM without the command: the JVM's defaults stay
            LOG.debug("compiler directives not added", e);
        }
    }

    /**
     * Why the JVM's compilers must be left as they are, if they must: read from its options ({@code option}
     * returns an option's value, empty when this JVM has no such option).
     */
    static Optional<String> configuredElsewhere(Function<String, Optional<String>> option) {
        if (!option.apply("TieredCompilation").map("true"::equals).orElse(false)) {
            return Optional.of("tiered compilation is off");
        }
        Optional<String> stop = option.apply("TieredStopAtLevel");
        if (stop.isEmpty() || !"4".equals(stop.get())) {
            return Optional.of("C2 is off (TieredStopAtLevel " + stop.orElse("unknown") + ")");
        }
        Optional<String> mode = option.apply("CompilationMode");
        if (mode.isPresent() && !"default".equals(mode.get()) && !mode.get().isEmpty()) {
            return Optional.of("compilation mode " + mode.get());
        }
        if (option.apply("UseJVMCICompiler").map("true"::equals).orElse(false)) {
            return Optional.of("a JVMCI compiler");
        }
        if (option.apply("CompilerDirectivesFile").map(v -> !v.isEmpty()).orElse(false)) {
            return Optional.of("the JVM has a directives file");
        }
        return Optional.empty();
    }

    /** Adds the directives of {@link #RESOURCE} to this JVM; returns what the JVM answered. */
    static String add() throws IOException, JMException {
        Path file = Files.createTempFile("vsrx-sync-jit", ".json");
        try {
            try (InputStream in = JitDirectives.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IOException("resource " + RESOURCE + " missing");
                }
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            Object answer = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                    new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
            String said = String.valueOf(answer).trim();
            LOG.debug("compiler directives: {}", said);
            return said;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
