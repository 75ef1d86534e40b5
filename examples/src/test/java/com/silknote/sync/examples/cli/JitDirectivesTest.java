package com.silknote.sync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.TestClock;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: the command line's own JVM compiles with C2 only the digests and the stand-in processor, for the
 * commands that move contents, and leaves a JVM whose compilers were configured by whoever started it alone.
 */
class JitDirectivesTest {

    @Test
    void theDirectivesAreAcceptedByThisJvmAndKeepC2ForTheDigestsOnly() throws Exception {
        ObjectName dcmd = new ObjectName("com.sun.management:type=DiagnosticCommand");
        try {
            assertThat(JitDirectives.add()).contains("2 compiler directives added");
            String printed = (String) ManagementFactory.getPlatformMBeanServer().invoke(dcmd,
                    "compilerDirectivesPrint", new Object[] {new String[0]}, new String[] {String[].class.getName()});
            int digests = printed.indexOf("sun/security/provider/*.*");
            int everything = printed.indexOf("matching: *.*");
            assertThat(digests).as(printed).isNotNegative();
            assertThat(printed).contains("com/silknote/sync/examples/embedded/HashEmbeddingDocumentProcessor*.*");
            assertThat(everything).as("the catch-all comes after the digests: the first match decides")
                    .isGreaterThan(digests);
            String c2OfEverything = printed.substring(printed.indexOf("c2 directives:", everything));
            assertThat(c2OfEverything).contains("Exclude:true");
        } finally {
            ManagementFactory.getPlatformMBeanServer().invoke(dcmd, "compilerDirectivesClear",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
        }
    }

    @Test
    void onlyTheCommandsThatMoveContentsAndNotWhenTurnedOff() throws Exception {
        ObjectName dcmd = new ObjectName("com.sun.management:type=DiagnosticCommand");
        String saved = System.getProperty(JitDirectives.PROPERTY);
        try {
            assertThat(JitDirectives.forCommand("status")).isEmpty();
            assertThat(JitDirectives.forCommand("report")).isEmpty();
            assertThat(JitDirectives.forCommand("run-every")).as("lives for days: C2 pays off").isEmpty();
            System.setProperty(JitDirectives.PROPERTY, "off");
            assertThat(JitDirectives.forCommand("sync")).isEmpty();
            System.clearProperty(JitDirectives.PROPERTY);
            Thread t = JitDirectives.forCommand("sync").orElseThrow();
            t.join(30_000);
            assertThat(t.isAlive()).isFalse();
            String printed = (String) ManagementFactory.getPlatformMBeanServer().invoke(dcmd,
                    "compilerDirectivesPrint", new Object[] {new String[0]}, new String[] {String[].class.getName()});
            assertThat(printed).as("this JVM runs with the default compilers").contains("sun/security/provider/*.*");
        } finally {
            if (saved == null) {
                System.clearProperty(JitDirectives.PROPERTY);
            } else {
                System.setProperty(JitDirectives.PROPERTY, saved);
            }
            ManagementFactory.getPlatformMBeanServer().invoke(dcmd, "compilerDirectivesClear",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
        }
    }

    @Test
    void aJvmWhoseCompilersWereConfiguredIsLeftAlone() {
        Map<String, String> defaults = Map.of("TieredCompilation", "true", "TieredStopAtLevel", "4",
                "CompilationMode", "default", "UseJVMCICompiler", "false", "CompilerDirectivesFile", "");
        assertThat(JitDirectives.configuredElsewhere(name -> Optional.ofNullable(defaults.get(name)))).isEmpty();
        assertThat(reason(defaults, "TieredStopAtLevel", "1")).contains("C2 is off");
        assertThat(reason(defaults, "TieredCompilation", "false")).as("C2 alone: excluding it would interpret")
                .contains("tiered compilation is off");
        assertThat(reason(defaults, "CompilationMode", "high-only")).contains("high-only");
        assertThat(reason(defaults, "UseJVMCICompiler", "true")).contains("JVMCI");
        assertThat(reason(defaults, "CompilerDirectivesFile", "/etc/mine.json")).contains("directives file");
        assertThat(JitDirectives.configuredElsewhere(name -> Optional.empty())).as("not HotSpot").isPresent();
        // an older HotSpot without CompilationMode or JVMCI still counts as the defaults
        Map<String, String> older = new HashMap<>(defaults);
        older.remove("CompilationMode");
        older.remove("UseJVMCICompiler");
        assertThat(JitDirectives.configuredElsewhere(name -> Optional.ofNullable(older.get(name)))).isEmpty();
    }

    private static String reason(Map<String, String> defaults, String option, String value) {
        Map<String, String> options = new HashMap<>(defaults);
        options.put(option, value);
        return JitDirectives.configuredElsewhere(name -> Optional.ofNullable(options.get(name))).orElse("");
    }

    @Test
    void theHookSeesTheCommandAboutToRunButNotHelpOrVersion() {
        TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
        CliFixture cli = CliFixture.inMemory(new InMemoryVsrxSource(clock), clock);
        List<String> seen = new ArrayList<>();
        assertThat(VsrxSyncCommand.execute(cli.environment(), seen::add, "status")).isEqualTo(ExitCode.OK);
        VsrxSyncCommand.execute(cli.environment(), seen::add, "--help");
        VsrxSyncCommand.execute(cli.environment(), seen::add, "sync", "--help");
        VsrxSyncCommand.execute(cli.environment(), seen::add, "--version");
        assertThat(VsrxSyncCommand.execute(cli.environment(), seen::add, "sync", "--json")).isEqualTo(ExitCode.OK);
        assertThat(seen).containsExactly("status", "sync");
        assertThat(JitDirectives.COMMANDS).contains("sync", "serve-vsrx", "demo")
                .doesNotContain("status", "report", "config", "run-every");
    }
}
