package com.silknote.sync.examples.cli;

import com.silknote.sync.examples.config.ConfigKey;
import com.silknote.sync.examples.config.VsrxSyncSettings;
import com.silknote.sync.examples.embedded.EmbeddedDefault;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vsrx-sync config}: the effective configuration and where each value came from; secrets masked. Then
 * it checks what {@code sync} needs (the VSRX URL and token) and fails the way {@code sync} would, so it is a
 * real check before the first scheduled run. Starts nothing.
 */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Prints the effective configuration (secrets masked) and checks it as `sync` would:",
            "exit code 3 with sync's message when something sync needs is missing or invalid."})
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
        EmbeddedDefault.checkVsrxClient(settings);
        if (settings.syncConfig().bidirectional().enabled()) {
            // what `sync` writes to: the /v1 write routes of the same VSRX (docs/bidirectional.md)
            root.environment().out().println("vsrx target = HTTP write routes on "
                    + settings.describe().stream().filter(l -> l.startsWith(ConfigKey.VSRX_URL.property() + " = "))
                            .findFirst().map(l -> l.substring(l.indexOf('=') + 2, l.lastIndexOf("  ("))).orElse("-")
                    + " (direction BIDIRECTIONAL)");
        } else {
            root.environment().out().println("vsrx target = (none: one-way, nothing is written to VSRX)");
        }
        root.environment().out().flush();
        return ExitCode.OK;
    }
}
