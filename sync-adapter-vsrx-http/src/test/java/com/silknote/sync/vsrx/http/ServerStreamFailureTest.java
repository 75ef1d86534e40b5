package com.silknote.sync.vsrx.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.ForwardingVsrxSource;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The JDK server adapter over a real socket: mid-download failures and methods without a body. */
class ServerStreamFailureTest {
    static final Secret TOKEN = Secret.of("token-aaaaaaaaaaaaaaaaaaaa");

    @Test
    void aDataPortStreamFailingMidwayIsAFailedReadNotAShortFile() throws IOException {
        FixtureVsrxSource fixture = new FixtureVsrxSource().fileset("fs-1", FixtureVsrxSource.T0)
                .file("fs-1", "f-1", "notes/a.txt", "0123456789", Optional.of("e1"), false);
        VsrxSource failing = new ForwardingVsrxSource(fixture) {
            @Override
            public FileContent openContent(VsrxFileId id) {
                InputStream broken = new InputStream() {
                    int sent;

                    @Override
                    public int read() throws IOException {
                        if (sent++ < 5) {
                            return '0';
                        }
                        throw new IOException("disk gone");
                    }
                };
                return new FileContent(broken, Optional.of("e1"), OptionalLong.of(10),
                        Optional.of(FixtureVsrxSource.hash("0123456789".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            }
        };
        try (VsrxHttpServer server = VsrxHttpServer.builder()
                .handler(VsrxHttpHandler.builder().source(failing).acceptedToken(TOKEN).build()).build().start()) {
            HttpVsrxSource client = HttpVsrxSource.builder().baseUri(server.baseUri()).token(TOKEN)
                    .readTimeout(Duration.ofSeconds(20)).build();
            long start = System.nanoTime();
            try (FileContent c = client.openContent(VsrxFileId.of("f-1"))) {
                var e = catchThrowableOfType(IOException.class, () -> c.stream().readAllBytes());
                assertThat(e).hasMessageStartingWith("content stream failed after");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the connection is dropped, not left hanging")
                    .isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void headAndWrongMethodsGetAHeaderOnlyAnswerOverTheSocket() throws Exception {
        FixtureVsrxSource fixture = new FixtureVsrxSource().fileset("fs-1", FixtureVsrxSource.T0);
        try (VsrxHttpServer server = VsrxHttpServer.builder()
                .handler(VsrxHttpHandler.builder().source(fixture).acceptedToken(TOKEN).build()).build().start()) {
            var http = java.net.http.HttpClient.newHttpClient();
            var head = http.send(java.net.http.HttpRequest.newBuilder(server.baseUri().resolve("/v1/filesets"))
                    .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody())
                    .header("Authorization", "Bearer " + TOKEN.value()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(head.statusCode()).isEqualTo(405);
            assertThat(head.headers().firstValue("Allow")).contains("GET");
            var post = http.send(java.net.http.HttpRequest.newBuilder(server.baseUri().resolve("/v1/filesets"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                    .header("Authorization", "Bearer " + TOKEN.value()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.body()).contains("\"method_not_allowed\"");
            var unknown = http.send(java.net.http.HttpRequest.newBuilder(server.baseUri().resolve("/nope"))
                    .header("Authorization", "Bearer " + TOKEN.value()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.headers().firstValue("Content-Type")).contains("application/json");
            assertThat(fixture.calls).hasValue(0);
        }
    }
}
