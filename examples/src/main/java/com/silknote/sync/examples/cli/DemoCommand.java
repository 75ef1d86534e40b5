package com.silknote.sync.examples.cli;

import com.silknote.sync.examples.config.ConfigKey;
import com.silknote.sync.examples.demo.Demo;
import com.silknote.sync.examples.embedded.OpenMode;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code vsrx-sync demo}: the README's first command. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
            "Shows the sync at work: a VSRX simulator with sample data, synced into the embedded default.",
            "Three runs (new files; changes and deletes; nothing changed), each report explained.",
            "Uses <data-dir>/demo (--data-dir, default .vsrx-sync; wiped at the start); ignores any other configuration."
        })
final class DemoCommand implements Callable<Integer> {

    @ParentCommand
    VsrxSyncCommand root;

    @Option(names = "--no-progress", description = "No progress display.")
    boolean noProgress;

    @Override
    public Integer call() {
        CliEnvironment env = root.environment();
        // Only --data-dir counts: the demo ignores the configuration file and the environment on purpose.
        Path dataDir = root.dataDir != null ? root.dataDir : Path.of(ConfigKey.DATA_DIR.defaultValue().orElseThrow());
        Path demoDir = dataDir.resolve("demo");
        Demo demo = new Demo(env.out(), settings -> env.backends().open(settings, OpenMode.READ_WRITE),
                (backends, source, request) -> SyncCommand.run(env, backends, source, Optional.empty(), request,
                        !noProgress),
                env.clock());
        return demo.run(demoDir) ? ExitCode.OK : ExitCode.FAILED;
    }
}
