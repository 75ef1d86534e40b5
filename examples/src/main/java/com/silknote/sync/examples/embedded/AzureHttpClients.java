package com.silknote.sync.examples.embedded;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.ConfigurationBuilder;
import com.silknote.sync.azure.UrlConnectionAzureHttpClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * The HTTP client the embedded default gives the Azure SDK: {@link UrlConnectionAzureHttpClient}
 * ({@link #forAzure()}), which does each request on the calling thread. The SDK's own JDK transport (on
 * {@code java.net.http}) completes every response on other threads and started two threads per uploaded blob
 * in the command line (issue 12, docs/benchmarks.md "The Azure transport"); it stays available as
 * {@link #jdk()} for hosts and comparisons.
 *
 * <p>For that JDK transport: the SDK sets a {@code Content-Length} header on every request with a body; the JDK refuses that header
 * unless it is allowed with the system property {@value #ALLOW_PROPERTY}, so the SDK dropped it (the JDK then
 * computes the same value itself) and logged a warning for every upload. As the SDK's warning says, the
 * header is allowed: the command line sets the property first thing in {@code main}
 * ({@link #allowContentLengthHeader()}), and the client is told it may send the header only when the JDK
 * really accepts it, so neither warns nor fails.
 */
public final class AzureHttpClients {
    /** The JDK's (and the Azure SDK's) allow-list of restricted headers. */
    public static final String ALLOW_PROPERTY = "jdk.httpclient.allowRestrictedHeaders";
    private static final String CONTENT_LENGTH = "content-length";

    private AzureHttpClients() { }

    /**
     * Adds {@code content-length} to {@value #ALLOW_PROPERTY} (keeping what is there). The JDK reads the
     * property once, when its HTTP client is first used: call this before anything in the JVM sends an HTTP
     * request (the command line's {@code main} does). Later it has no effect on the JDK.
     */
    public static void allowContentLengthHeader() {
        String current = System.getProperty(ALLOW_PROPERTY, "");
        boolean present = Arrays.stream(current.split(","))
                .anyMatch(h -> h.trim().toLowerCase(Locale.ROOT).equals(CONTENT_LENGTH));
        if (!present) {
            System.setProperty(ALLOW_PROPERTY, current.isBlank() ? CONTENT_LENGTH : current + "," + CONTENT_LENGTH);
        }
    }

    /**
     * The embedded default's transport: {@link UrlConnectionAzureHttpClient} with connect timeout 10 s and read
     * timeout 60 s (each silence of the service, and a stalled upload body, fails within it; the SDK's per-try
     * timeout cannot end a blocked exchange on this transport).
     */
    public static HttpClient forAzure() {
        return UrlConnectionAzureHttpClient.builder()
                .connectTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofSeconds(60))
                .build();
    }

    /**
     * The Azure SDK's JDK HTTP client, allowed to send {@code Content-Length} when this JVM's
     * {@code java.net.http} accepts it (else it behaves as the SDK's default: drops the header and warns).
     */
    public static HttpClient jdk() {
        allowContentLengthHeader();
        String allowed = jdkAcceptsContentLength() ? CONTENT_LENGTH : "";
        return new JdkHttpClientBuilder()
                .configuration(new ConfigurationBuilder().putProperty(ALLOW_PROPERTY, allowed).build())
                .build();
    }

    /** {@code true} when {@code java.net.http} in this JVM lets a request set {@code Content-Length}. */
    static boolean jdkAcceptsContentLength() {
        try {
            HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).header("Content-Length", "0");
            return true;
        } catch (IllegalArgumentException restricted) {
            return false;
        }
    }
}
