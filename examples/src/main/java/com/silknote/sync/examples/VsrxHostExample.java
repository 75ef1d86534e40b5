package com.silknote.sync.examples;

import com.silknote.sync.core.model.Secret;
import com.silknote.sync.examples.folder.FolderVsrxSource;
import com.silknote.sync.vsrx.http.VsrxHttpHandler;
import com.silknote.sync.vsrx.http.VsrxHttpServer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A VSRX-side host: serves its patients' files over the {@code /v1} protocol so Silknote can sync them.
 * The host's data comes in through the core's {@link com.silknote.sync.core.port.VsrxSource} port (here
 * {@link FolderVsrxSource}, a folder per fileset; a real VSRX implements the port over its own database
 * and file store); {@link VsrxHttpHandler} does the protocol, authentication, validation and path checks,
 * and {@link VsrxHttpServer} runs it on the JDK's HTTP server. A servlet container can mount the handler
 * instead (see its javadoc).
 */
public final class VsrxHostExample {
    private VsrxHostExample() { }

    /**
     * Starts serving {@code folder} on loopback at {@code port} (0 = any free port).
     *
     * @param acceptedToken the bearer token Silknote sends
     * @return the running server; close it to stop
     * @throws java.io.UncheckedIOException when the port cannot be bound
     */
    public static VsrxHttpServer start(Path folder, int port, Secret acceptedToken) {
        VsrxHttpHandler handler = VsrxHttpHandler.builder()
                .source(new FolderVsrxSource(folder))
                .acceptedToken(acceptedToken)
                .build();
        return VsrxHttpServer.builder().handler(handler).port(port).build().start();
    }

    /**
     * {@code VsrxHostExample <folder> [port]} with {@code VSRX_SYNC_VSRX_TOKEN} set; serves until stopped.
     *
     * @throws InterruptedException when interrupted while serving
     * @throws IllegalArgumentException when the arguments or the token are missing
     */
    public static void main(String[] args) throws InterruptedException {
        String token = System.getenv("VSRX_SYNC_VSRX_TOKEN");
        if (args.length < 1 || token == null) {
            throw new IllegalArgumentException("usage: VsrxHostExample <folder> [port], with VSRX_SYNC_VSRX_TOKEN set");
        }
        VsrxHttpServer server = start(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 8080,
                Secret.of(token));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        System.out.println("serving VSRX /v1 on " + server.baseUri());
        stopped.await();
    }
}
