package com.silknote.sync.benchmarks;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.silknote.sync.azure.AzureBlobStore;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.vsrx.http.HttpVsrxSource;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The relay baseline of {@code benchmarks/run.sh} (step {@code raw-relay}): the floor for anything that reads
 * its files through the VSRX protocol. Lists every fileset and file over {@code /v1} with {@link HttpVsrxSource}
 * (the sync's own client, with the command line's 256 KiB read buffers), downloads each file (its length and
 * {@code Repr-Digest} checked while it streams, as the protocol asks of every consumer) and streams it straight
 * into one blob per file with the raw SDK, N files in flight, as {@link RawUpload} does: no ledger, no
 * spool, no content addressing, no processing. Blob name = the file id. Prints one JSON line.
 *
 * <pre>
 * VSRX_URL=... VSRX_TOKEN=... AZURE_STORAGE_CONNECTION_STRING=... \
 *   java -cp benchmarks/target/benchmarks.jar com.silknote.sync.benchmarks.RawRelay --container NAME [--threads 8]
 * </pre>
 */
public final class RawRelay {

    /** Tries per file, the first included. */
    private static final int ATTEMPTS = 3;

    private RawRelay() {
    }

    /** Runs; exit code 1 when a file failed. @throws Exception on a setup failure */
    public static void main(String[] args) throws Exception {
        String container = null;
        int threads = 8;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--container" -> container = args[i + 1];
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("bad argument: " + args[i]);
            }
        }
        if (container == null || args.length % 2 != 0) {
            throw new IllegalArgumentException("need --container NAME [--threads N]");
        }
        if (System.getProperty("jdk.httpclient.bufsize") == null) {
            System.setProperty("jdk.httpclient.bufsize", Integer.toString(256 * 1024));   // as the command line
        }
        long t0 = System.nanoTime();
        HttpVsrxSource source = HttpVsrxSource.builder().baseUri(URI.create(env("VSRX_URL")))
                .token(Secret.of(env("VSRX_TOKEN"))).build();
        BlobContainerClient cc = new BlobServiceClientBuilder().connectionString(env("AZURE_STORAGE_CONNECTION_STRING"))
                .retryOptions(AzureBlobStore.recommendedRetryOptions(Duration.ofMinutes(5))).buildClient()
                .getBlobContainerClient(container);
        cc.createIfNotExists();
        ParallelTransferOptions pto = new ParallelTransferOptions().setBlockSizeLong(4L << 20)
                .setMaxSingleUploadSizeLong(8L << 20).setMaxConcurrency(1);
        AtomicLong errors = new AtomicLong();
        AtomicLong retries = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> all = new ArrayList<>();
        int files = 0;
        PageRequest fsPage = PageRequest.first(PageRequest.MAX_LIMIT);
        while (true) {
            Page<VsrxFileset> filesets = source.listFilesets(fsPage);
            for (VsrxFileset fs : filesets.items()) {
                PageRequest page = PageRequest.first(PageRequest.MAX_LIMIT);
                while (true) {
                    Page<VsrxFile> listed = source.listFiles(fs.id(), page);
                    for (VsrxFile f : listed.items()) {
                        if (f.deleted()) {
                            continue;
                        }
                        files++;
                        all.add(pool.submit(() -> relay(source, cc, pto, f, bytes, errors, retries)));
                    }
                    if (listed.nextCursor().isEmpty()) {
                        break;
                    }
                    page = page.next(listed.nextCursor().get());
                }
            }
            if (filesets.nextCursor().isEmpty()) {
                break;
            }
            fsPage = fsPage.next(filesets.nextCursor().get());
        }
        for (Future<?> f : all) {
            f.get();
        }
        pool.shutdown();
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "{\"tool\":\"raw-relay\",\"threads\":%d,\"files\":%d,\"bytes\":%d,"
                + "\"seconds\":%.3f,\"errors\":%d,\"retries\":%d}%n", threads, files, bytes.get(), s, errors.get(),
                retries.get());
        System.exit(errors.get() == 0 ? 0 : 1);
    }

    /**
     * One file, read over {@code /v1} and streamed into its blob. A failed attempt (a reset download, an upload
     * the SDK could not retry because its body is a stream) is tried again from a new download, at most
     * {@link #ATTEMPTS} times in all, as the sync's own retrier does with a file: one transient failure in 10,000
     * files must not void the baseline.
     */
    private static void relay(HttpVsrxSource source, BlobContainerClient cc, ParallelTransferOptions pto, VsrxFile f,
            AtomicLong bytes, AtomicLong errors, AtomicLong retries) {
        for (int attempt = 1; ; attempt++) {
            try (FileContent c = source.openContent(f.id());
                    InputStream in = new BufferedInputStream(c.stream(), 256 * 1024)) {
                long length = c.contentLength().orElse(f.size());
                cc.getBlobClient(f.id().value()).uploadWithResponse(new BlobParallelUploadOptions(in, length)
                        .setParallelTransferOptions(pto), Duration.ofMinutes(5), Context.NONE);
                if (in.read() != -1) {   // reaching the end checks the length and digest the server declared
                    throw new IllegalStateException("content longer than its declared length");
                }
                bytes.addAndGet(length);
                return;
            } catch (Exception ex) {
                String why = causes(ex);
                if (attempt < ATTEMPTS) {
                    retries.incrementAndGet();
                    System.err.println("relay attempt " + attempt + " failed, trying again: " + why);
                    continue;
                }
                if (errors.incrementAndGet() <= 5) {
                    System.err.println("relay failed: " + why);
                }
                return;
            }
        }
    }

    /** The exception's class names down its causes, e.g. {@code ReactiveException<IOException}. */
    private static String causes(Throwable ex) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = ex; t != null && sb.length() < 200; t = t.getCause() == t ? null : t.getCause()) {
            sb.append(sb.length() == 0 ? "" : "<").append(t.getClass().getSimpleName());
        }
        return sb.toString();
    }

    private static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("environment variable " + name + " is required");
        }
        return v;
    }
}
