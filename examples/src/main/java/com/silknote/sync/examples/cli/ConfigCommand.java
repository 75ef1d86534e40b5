package com.silknote.sync.examples.cli;

import com.silknote.sync.examples.config.VsrxSyncSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code vsrx-sync config}: the effective configuration and where each value came from; secrets masked. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Prints the effective configuration (secrets masked) and checks it.")
final class ConfigCommand implements Callable<Integer> {

    @ParentCommand
    VsrxSyncCommand root;

    @Override
    public Integer call() {
        VsrxSyncSettings settings = root.settings();
        for (String line : settings.describe()) {
            root.environment().out().println(line);
        }
        root.environment().out().flush();
        return ExitCode.OK;
    }
}
