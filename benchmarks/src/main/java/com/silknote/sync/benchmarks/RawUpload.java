package com.silknote.sync.benchmarks;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.silknote.sync.azure.AzureBlobStore;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The baseline of {@code benchmarks/run.sh}: every file of a data set directory uploaded into one container
 * with the raw SDK, N files in flight, each with {@code uploadWithResponse(BlobParallelUploadOptions(stream,
 * length))} (4 MiB blocks above an 8 MiB single request), the same JDK HTTP client and single-try retry
 * options as the sync; or ({@code --noop}) the container listed and compared with the directory by name
 * and size (the raw list-and-compare a no-op sync is measured against). Blob name = path relative to the
 * directory; {@code manifest.json} is skipped. Prints one JSON line.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar com.silknote.sync.benchmarks.RawUpload --dir DIR --container NAME
 *      [--threads 8] [--noop]        (connection string from AZURE_STORAGE_CONNECTION_STRING)
 * </pre>
 */
public final class RawUpload {

    private record Entry(String name, Path path, long size) { }

    private RawUpload() {
    }

    /** Runs; exit code 1 when an upload failed. @throws Exception on a setup failure */
    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--noop")) {
                opt.put("--noop", "true");
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                opt.put(args[i], args[++i]);
            } else {
                throw new IllegalArgumentException("bad argument: " + args[i]);
            }
        }
        String conn = System.getenv("AZURE_STORAGE_CONNECTION_STRING");
        if (conn == null || !opt.containsKey("--dir") || !opt.containsKey("--container")) {
            throw new IllegalArgumentException("need --dir, --container and AZURE_STORAGE_CONNECTION_STRING");
        }
        Path dir = Path.of(opt.get("--dir"));
        int threads = Integer.parseInt(opt.getOrDefault("--threads", "8"));
        BlobContainerClient cc = new BlobServiceClientBuilder().connectionString(conn)
                .retryOptions(AzureBlobStore.recommendedRetryOptions(Duration.ofMinutes(5))).buildClient()
                .getBlobContainerClient(opt.get("--container"));

        long t0 = System.nanoTime();
        List<Entry> entries = scan(dir);
        long bytes = entries.stream().mapToLong(Entry::size).sum();
        if (opt.containsKey("--noop")) {
            Map<String, Long> remote = new HashMap<>(entries.size() * 2);
            for (BlobItem item : cc.listBlobs(new ListBlobsOptions().setMaxResultsPerPage(5000), null)) {
                remote.put(item.getName(), item.getProperties().getContentLength());
            }
            long missing = 0;
            long differ = 0;
            for (Entry e : entries) {
                Long size = remote.remove(e.name());
                if (size == null) {
                    missing++;
                } else if (size != e.size()) {
                    differ++;
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "{\"tool\":\"raw\",\"mode\":\"noop\",\"files\":%d,\"bytes\":%d,"
                    + "\"seconds\":%.3f,\"missing\":%d,\"size_mismatch\":%d,\"extra\":%d}%n",
                    entries.size(), bytes, s, missing, differ, remote.size());
            System.exit(missing + differ == 0 ? 0 : 1);
        }
        cc.createIfNotExists();
        ParallelTransferOptions pto = new ParallelTransferOptions().setBlockSizeLong(4L << 20)
                .setMaxSingleUploadSizeLong(8L << 20).setMaxConcurrency(1);
        AtomicLong errors = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> all = new ArrayList<>();
        for (Entry e : entries) {
            all.add(pool.submit(() -> {
                try (InputStream in = new BufferedInputStream(Files.newInputStream(e.path()), 256 * 1024)) {
                    cc.getBlobClient(e.name()).uploadWithResponse(new BlobParallelUploadOptions(in, e.size())
                            .setParallelTransferOptions(pto), Duration.ofMinutes(5), Context.NONE);
                } catch (IOException | RuntimeException ex) {
                    if (errors.incrementAndGet() <= 5) {
                        System.err.println("upload failed: " + ex.getClass().getSimpleName());
                    }
                }
            }));
        }
        for (Future<?> f : all) {
            f.get();
        }
        pool.shutdown();
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "{\"tool\":\"raw\",\"mode\":\"upload\",\"threads\":%d,\"files\":%d,"
                + "\"bytes\":%d,\"seconds\":%.3f,\"errors\":%d}%n", threads, entries.size(), bytes, s, errors.get());
        System.exit(errors.get() == 0 ? 0 : 1);
    }

    private static List<Entry> scan(Path dir) throws IOException {
        Path manifest = dir.resolve("manifest.json");
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.equals(manifest)).sorted().map(p -> {
                try {
                    return new Entry(dir.relativize(p).toString().replace('\\', '/'), p, Files.size(p));
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }).toList();
        }
    }
}
