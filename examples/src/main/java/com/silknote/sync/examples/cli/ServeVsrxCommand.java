package com.silknote.sync.examples.cli;

import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.core.port.VsrxTarget;
import com.silknote.sync.examples.config.ConfigKey;
import com.silknote.sync.examples.config.VsrxSyncSettings;
import com.silknote.sync.examples.demo.Demo;
import com.silknote.sync.examples.demo.DemoData;
import com.silknote.sync.examples.folder.FolderVsrxSource;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.vsrx.http.VsrxHttpHandler;
import com.silknote.sync.vsrx.http.VsrxHttpServer;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code vsrx-sync serve-vsrx}: the VSRX side of the protocol, over a folder or the simulator. */
@Command(name = "serve-vsrx", mixinStandardHelpOptions = true,
        description = {
            "Serves the VSRX /v1 HTTP protocol over a folder or over the simulator with the demo's data.",
            "Clients must send the bearer token configured as vsrx.token (VSRX_SYNC_VSRX_TOKEN). Runs until Ctrl-C."
        })
final class ServeVsrxCommand implements Callable<Integer> {

    @ParentCommand
    VsrxSyncCommand root;

    @ArgGroup(exclusive = true, multiplicity = "1")
    What what;

    static final class What {
        @Option(names = "--folder", paramLabel = "DIR",
                description = "Serve this folder: one sub-folder per fileset with fileset.properties and notes/.")
        Path folder;

        @Option(names = "--simulator", description = "Serve the in-memory simulator with the demo's sample data.")
        boolean simulator;
    }

    @Option(names = "--port", defaultValue = "8080", description = "TCP port (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address to listen on. Default: ${DEFAULT-VALUE} (loopback only).")
    String bind;

    @Override
    public Integer call() throws InterruptedException {
        CliEnvironment env = root.environment();
        VsrxSyncSettings settings = root.settings();
        Secret token = settings.vsrxToken().orElseThrow(() -> new ConfigurationException(
                "serve-vsrx needs a bearer token: set " + ConfigKey.VSRX_TOKEN.envVar()));
        VsrxSource source;
        VsrxTarget target;
        String description;
        if (what.folder != null) {
            if (!Files.isDirectory(what.folder)) {
                throw new ConfigurationException("--folder is not a folder: " + what.folder);
            }
            FolderVsrxSource folder = new FolderVsrxSource(what.folder);
            source = folder;
            target = folder;
            description = "the folder " + what.folder.toAbsolutePath().normalize();
        } else {
            InMemoryVsrxSource vsrx = new InMemoryVsrxSource(env.clock());
            DemoData.populate(vsrx, new SplittableRandom(2026), Demo.MAX_FILE_SIZE);
            source = vsrx;
            target = vsrx;
            description = "the simulator (" + vsrx.filesetIds().size() + " filesets of sample data)";
        }
        InetSocketAddress address;
        try {
            address = new InetSocketAddress(InetAddress.getByName(bind), port);
        } catch (UnknownHostException | IllegalArgumentException e) {
            throw new ConfigurationException("--bind/--port do not name a local address", e);
        }
        // the /v1 write routes too, so a bi-directional sync (direction = BIDIRECTIONAL) can write back
        VsrxHttpHandler handler = VsrxHttpHandler.builder().source(source).target(target).acceptedToken(token)
                .clock(env.clock()).build();
        VsrxHttpServer server;
        try {
            server = VsrxHttpServer.builder().handler(handler).address(address).build().start();
        } catch (UncheckedIOException e) {
            throw new ConfigurationException("cannot listen on " + bind + ":" + port + " (in use?)", e);
        }
        try (server) {
            env.out().println("Serving VSRX /v1 over " + description + " on " + server.baseUri());
            env.out().println("Sync from it with: VSRX_SYNC_VSRX_URL=" + server.baseUri()
                    + " VSRX_SYNC_VSRX_TOKEN=<the same token> ./vsrx-sync sync");
            env.out().println("Ctrl-C stops.");
            env.out().flush();
            env.stop().join();
        }
        return ExitCode.OK;
    }
}
