package com.silknote.sync.examples;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.examples.config.VsrxSyncConfigFile;
import com.silknote.sync.examples.config.VsrxSyncSettings;
import com.silknote.sync.examples.embedded.Backends;
import com.silknote.sync.examples.embedded.EmbeddedDefault;
import com.silknote.sync.vsrx.http.VsrxHttpServer;
import com.silknote.sync.vsrx.http.WebhookReceiver;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Silknote side of real-time sync: VSRX posts signed webhooks ({@code file.created}, {@code file.updated},
 * {@code file.deleted}, {@code fileset.rebooked}); {@link WebhookReceiver} verifies the HMAC signature, the
 * timestamp window and the event id, and the trigger syncs exactly the named fileset on a background
 * executor, so VSRX gets its answer at once. The engine's lock keeps webhook runs and scheduled runs apart.
 */
public final class WebhookReceiverExample implements AutoCloseable {
    /** Where the receiver listens. */
    public static final String PATH = "/webhooks/vsrx";

    private final VsrxHttpServer server;
    private final ExecutorService executor;

    private WebhookReceiverExample(VsrxHttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts the receiver on loopback at {@code port} (0 = any free port).
     *
     * @param secrets   accepted signing secrets (several during a rotation; each at least 32 bytes)
     * @param onRun     called with each triggered run's result (metrics, alerting)
     * @throws NullPointerException when an argument is null
     */
    public static WebhookReceiverExample start(VsrxSync sync, List<Secret> secrets, int port, Consumer<SyncResult> onRun) {
        requireNonNull(sync, "sync");
        requireNonNull(onRun, "onRun");
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vsrx-webhook-sync");
            t.setDaemon(true);
            return t;
        });
        WebhookReceiver receiver = WebhookReceiver.builder()
                .secrets(secrets)
                .trigger((filesetId, event) -> executor.execute(() -> onRun.accept(sync.run(SyncRequest.fileset(filesetId)))))
                .build();
        VsrxHttpServer server = VsrxHttpServer.builder().webhookReceiver(PATH, receiver).port(port).build().start();
        return new WebhookReceiverExample(server, executor);
    }

    /** The URL VSRX posts to. */
    public URI endpoint() {
        return server.baseUri().resolve(PATH);
    }

    /** Stops receiving and waits briefly for a running sync. */
    @Override
    public void close() {
        server.close();
        executor.shutdown();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@code WebhookReceiverExample [port]}: the embedded default (or whatever {@code VSRX_SYNC_*} configures),
     * VSRX at {@code VSRX_SYNC_VSRX_URL}, secrets from {@code VSRX_SYNC_WEBHOOK_SECRETS}. Runs until stopped.
     *
     * @throws InterruptedException when interrupted while serving
     */
    public static void main(String[] args) throws InterruptedException {
        VsrxSyncSettings settings = VsrxSyncConfigFile.load(
                VsrxSyncConfigFile.fileFromEnvironment(System.getenv()), System.getenv(), Map.of());
        Backends backends = EmbeddedDefault.open(settings);
        VsrxSync sync = backends.syncBuilder(EmbeddedDefault.vsrxSource(settings)).build();
        WebhookReceiverExample receiver = start(sync, settings.webhookSecrets(),
                args.length > 0 ? Integer.parseInt(args[0]) : 8081,
                r -> System.out.println("webhook sync: " + (r.success() ? "completed" : r.error().orElse("failed"))));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            receiver.close();
            backends.close();
            stopped.countDown();
        }));
        System.out.println("receiving VSRX webhooks on " + receiver.endpoint());
        stopped.await();
    }
}
