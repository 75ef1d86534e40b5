package com.silknote.sync.benchmarks;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One Azurite blob service (node, npm package {@code azurite@3.37.0}) on a free loopback port, installed
 * into {@code <repo>/.ci/.cache/azurite} with npm when missing. Data lives in a temporary directory (or in
 * memory), removed on {@link #close()}.
 */
final class Azurite implements AutoCloseable {
    static final String VERSION = "3.37.0";
    static final String ACCOUNT = "devstoreaccount1";
    static final String KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private final Process process;
    private final int port;
    private final Path dataDir;
    private final Path logFile;

    private Azurite(Process process, int port, Path dataDir, Path logFile) {
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
        this.logFile = logFile;
    }

    /**
     * Starts Azurite, installing it first when needed.
     *
     * @param repoRoot     the repository root (holds {@code .ci/})
     * @param inMemory     keep blobs in memory instead of a temporary directory
     * @throws IllegalStateException when it cannot be installed or does not come up
     */
    static Azurite start(Path repoRoot, boolean inMemory) {
        requireNonNull(repoRoot, "repoRoot");
        Path prefix = repoRoot.resolve(".ci/.cache/azurite");
        Path bin = prefix.resolve("node_modules/.bin/azurite-blob");
        try {
            if (!Files.isExecutable(bin)) {
                run(List.of("npm", "install", "--prefix", prefix.toString(), "--no-audit", "--no-fund",
                        "--loglevel=error", "azurite@" + VERSION), Duration.ofMinutes(5));
            }
            Path dataDir = Files.createTempDirectory("vsrx-bench-azurite-");
            Path log = dataDir.resolve("azurite.log");
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = freePort();
                List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--silent", "--blobHost", "127.0.0.1",
                        "--blobPort", Integer.toString(port), "--skipApiVersionCheck", "--disableTelemetry"));
                if (inMemory) {
                    cmd.add("--inMemoryPersistence");
                } else {
                    cmd.add("--location");
                    cmd.add(dataDir.resolve("data").toString());
                }
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
                if (awaitUp(p, port, Duration.ofSeconds(60))) {
                    return new Azurite(p, port, dataDir, log);
                }
                p.destroyForcibly();
            }
            throw new IllegalStateException("Azurite did not start; see " + log);
        } catch (IOException e) {
            throw new UncheckedIOException("starting Azurite failed", e);
        }
    }

    /** The repository root: {@code -Dvsrx.repo}, else the first ancestor of the working directory with {@code .ci/run}. */
    static Path repoRoot() {
        String prop = System.getProperty("vsrx.repo");
        if (prop != null) {
            return Path.of(prop).toAbsolutePath();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve(".ci/run"))) {
                return d;
            }
        }
        throw new IllegalStateException("repository root not found from " + dir + "; pass -Dvsrx.repo=<dir>");
    }

    int port() {
        return port;
    }

    /** Process id of the node process (to sample its CPU time). */
    long pid() {
        return process.pid();
    }

    String endpoint() {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + KEY + ";BlobEndpoint="
                + endpoint() + ";";
    }

    /** Fails when the process has exited (Azurite quits quietly, e.g. when its port is taken). */
    void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("Azurite exited with " + process.exitValue() + "; see " + logFile);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(dataDir);
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean awaitUp(Process p, int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                return false;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return p.isAlive();
            } catch (IOException notYet) {
                pause(100);
            }
        }
        return false;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static void run(List<String> cmd, Duration timeout) throws IOException {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        try {
            if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("command failed: " + String.join(" ", cmd));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
