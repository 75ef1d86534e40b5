/**
 * The {@code vsrx-sync} command line (picocli): {@link com.silknote.sync.examples.cli.VsrxSyncCommand} and its
 * subcommands, exit codes ({@link com.silknote.sync.examples.cli.ExitCode}) and the progress display. See
 * {@code docs/cli.md}.
 */
package com.silknote.sync.examples.cli;
