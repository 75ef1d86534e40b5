package com.silknote.sync.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.silknote.sync.testkit.TempFolders;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Azurite blob service per test JVM, installed and started by the tests themselves. Shared with the
 * {@code examples} tests through this module's test jar.
 *
 * <ol>
 *   <li>Finds {@code azurite-blob} {@value #VERSION} under {@code <repo root>/.ci/.cache/azurite/node_modules/.bin/}
 *       (override the directory with {@code -Dvsrx.azurite.dir=...}); if it is missing or another version, runs
 *       {@code npm install --prefix <dir> --no-audit --no-fund azurite@3.37.0} under a file lock, so JVMs
 *       racing to install wait for each other.</li>
 *   <li>Starts it on a free loopback port, in memory, and waits until the process is alive and answers
 *       HTTP (Azurite quits quietly when its port is taken, so a dead process means: try another port).</li>
 *   <li>Stops it (and its child processes) when the JVM exits.</li>
 * </ol>
 * Anything failing here throws: tests that need Azurite fail, they are never skipped.
 */
public final class Azurite {

    static final String VERSION = "3.37.0";
    static final String ACCOUNT = "devstoreaccount1";
    private static final String KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger CONTAINERS = new AtomicInteger();
    private static final String TRANSPORT = System.getProperty("vsrx.azure.transport", "jdk");
    private static final HttpClient JDK = new JdkHttpClientBuilder().build();
    private static final HttpClient URL_CONNECTION = UrlConnectionAzureHttpClient.builder().build();

    private static Azurite shared;
    private static IllegalStateException failure;

    private final Process process;
    private final int port;
    private final BlobServiceClient service;

    private Azurite(Process process, int port) {
        this.process = process;
        this.port = port;
        this.service = new BlobServiceClientBuilder()
                .connectionString(connectionString())
                .httpClient(httpClient())
                .retryOptions(AzureBlobStore.recommendedRetryOptions(Duration.ofSeconds(30)))
                .buildClient();
    }

    /**
     * The SDK transport the tests' clients use: {@code -Dvsrx.azure.transport=urlconnection} for
     * {@link UrlConnectionAzureHttpClient} (the embedded default's), otherwise the SDK's JDK {@code HttpClient}
     * (what a host that passes its own client typically has). The module's surefire executions run every
     * Azurite test over both (issue 12: the adapter's behaviour must not depend on the transport).
     */
    static HttpClient httpClient() {
        return TRANSPORT.equals("urlconnection") ? URL_CONNECTION : JDK;
    }

    /** Which transport this JVM's tests use ({@code jdk} or {@code urlconnection}). */
    static String transport() {
        return TRANSPORT;
    }

    /** The JVM's Azurite, installed and started on first use. */
    public static synchronized Azurite shared() {
        if (failure != null) {
            throw new IllegalStateException("Azurite is not available (first failure is the cause)", failure);
        }
        if (shared == null) {
            try {
                shared = start(install());
            } catch (IllegalStateException e) {
                failure = e;
                throw e;
            }
            Azurite started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "azurite-stop"));
        }
        if (!shared.process.isAlive()) {
            throw new IllegalStateException("Azurite died during the tests; see its log in target/");
        }
        return shared;
    }

    public int port() {
        return port;
    }

    public String connectionString() {
        return connectionString(port);
    }

    static String connectionString(int port) {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + KEY
                + ";BlobEndpoint=http://127.0.0.1:" + port + "/" + ACCOUNT + ";";
    }

    public BlobServiceClient service() {
        return service;
    }

    /** A new, empty container with a name unique in this JVM and process. */
    public BlobContainerClient newContainer() {
        String name = "t" + ProcessHandle.current().pid() + "-" + CONTAINERS.incrementAndGet();
        BlobContainerClient c = service.getBlobContainerClient(name);
        c.create();
        return c;
    }

    // ------------------------------------------------------------------------------------------- install

    static Path installDir() {
        String override = System.getProperty("vsrx.azurite.dir");
        if (override != null && !override.isBlank()) {
            return Path.of(override).toAbsolutePath();
        }
        return repoRoot().resolve(".ci").resolve(".cache").resolve("azurite");
    }

    /** The reactor root: the top-most ancestor of the working directory whose pom lists sync-core. */
    static Path repoRoot() {
        Path found = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path pom = p.resolve("pom.xml");
            try {
                if (Files.isRegularFile(pom) && Files.readString(pom).contains("<module>sync-core</module>")) {
                    found = p;
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + pom, e);
            }
        }
        if (found == null) {
            throw new IllegalStateException("no reactor root above " + Path.of("").toAbsolutePath());
        }
        return found;
    }

    static Path install() {
        Path dir = installDir();
        Path bin = dir.resolve("node_modules").resolve(".bin").resolve("azurite-blob");
        if (installed(dir, bin)) {
            return bin;
        }
        try {
            Files.createDirectories(dir);
            try (FileChannel channel = FileChannel.open(dir.resolve(".install.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                if (!lock.isValid()) {
                    throw new IllegalStateException("lost the install lock on " + dir);
                }
                if (installed(dir, bin)) {
                    return bin;
                }
                Path log = dir.resolve("install.log");
                Process npm = new ProcessBuilder(List.of("npm", "install", "--prefix", dir.toString(), "--no-audit",
                        "--no-fund", "azurite@" + VERSION))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
                if (!npm.waitFor(10, TimeUnit.MINUTES)) {
                    npm.destroyForcibly();
                    throw new IllegalStateException("npm install of azurite timed out; see " + log);
                }
                if (npm.exitValue() != 0 || !installed(dir, bin)) {
                    throw new IllegalStateException("npm install of azurite@" + VERSION + " failed (exit "
                            + npm.exitValue() + "): " + tail(log));
                }
                return bin;
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot install azurite into " + dir + " (is npm on the PATH?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing azurite", e);
        }
    }

    private static boolean installed(Path dir, Path bin) {
        Path pkg = dir.resolve("node_modules").resolve("azurite").resolve("package.json");
        if (!Files.isExecutable(bin) || !Files.isRegularFile(pkg)) {
            return false;
        }
        try {
            Matcher m = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(Files.readString(pkg));
            return m.find() && m.group(1).equals(VERSION);
        } catch (IOException e) {
            return false;
        }
    }

    // --------------------------------------------------------------------------------------------- start

    private static Azurite start(Path bin) {
        Path logDir = Path.of("target").toAbsolutePath();
        StringBuilder failures = new StringBuilder();
        for (int attempt = 1; attempt <= 3; attempt++) {
            int port = freePort();
            try {
                Files.createDirectories(logDir);
                Path log = logDir.resolve("azurite-" + port + ".log");
                Path work = TempFolders.deleteAtExit(Files.createTempDirectory("azurite-"));
                Process p = new ProcessBuilder(List.of(bin.toString(), "--silent", "--inMemoryPersistence",
                        "--blobHost", "127.0.0.1", "--blobPort", Integer.toString(port), "--skipApiVersionCheck",
                        "--disableTelemetry"))
                        .directory(work.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
                if (awaitReady(p, port)) {
                    return new Azurite(p, port);
                }
                destroy(p);
                failures.append("attempt ").append(attempt).append(" on port ").append(port).append(": ")
                        .append(tail(log)).append('\n');
            } catch (IOException e) {
                failures.append("attempt ").append(attempt).append(": ").append(e).append('\n');
            }
        }
        throw new IllegalStateException("Azurite did not start:\n" + failures);
    }

    /** Alive and answering HTTP on the port (any status: the account answers 400/403 without auth). */
    private static boolean awaitReady(Process p, int port) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    return false;
                }
                if (answers(port) && p.isAlive()) {
                    return true;
                }
                // returns as soon as the process exits, so a port clash is noticed at once
                p.waitFor(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private static boolean answers(int port) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/" + ACCOUNT
                    + "?comp=list").toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            int status = c.getResponseCode();
            c.disconnect();
            return status > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port", e);
        }
    }

    private void stop() {
        destroy(process);
    }

    private static void destroy(Process p) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path log) {
        try {
            String s = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }
}
