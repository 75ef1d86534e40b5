package com.silknote.sync.azure;

import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A response of {@link UrlConnectionAzureHttpClient}: status and headers read, the body streamed from the
 * connection on the thread that reads it (in chunks of at most {@value #CHUNK} bytes), one consumer only.
 * Closing it releases the connection ({@link ResponseBody#close()}).
 */
final class UrlConnectionResponse extends HttpResponse {
    static final int CHUNK = 64 * 1024;

    private final int status;
    private final HttpHeaders headers;
    private final ResponseBody body;

    UrlConnectionResponse(HttpRequest request, int status, HttpHeaders headers, ResponseBody body) {
        super(request);
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    @Override
    public int getStatusCode() {
        return status;
    }

    @Override
    @Deprecated
    public String getHeaderValue(String name) {
        return headers.getValue(name);
    }

    @Override
    public HttpHeaders getHeaders() {
        return headers;
    }

    @Override
    public Flux<ByteBuffer> getBody() {
        return Flux.<ByteBuffer>generate(sink -> {
            byte[] chunk = new byte[CHUNK];
            int n;
            try {
                n = body.read(chunk, 0, chunk.length);
            } catch (IOException e) {
                sink.error(e);
                return;
            }
            if (n < 0) {
                sink.complete();
            } else {
                sink.next(ByteBuffer.wrap(chunk, 0, n));
            }
        }).doFinally(signal -> body.close());
    }

    @Override
    public Mono<byte[]> getBodyAsByteArray() {
        return Mono.fromCallable(this::bytes);
    }

    @Override
    public Mono<String> getBodyAsString() {
        return getBodyAsString(StandardCharsets.UTF_8);
    }

    @Override
    public Mono<String> getBodyAsString(Charset charset) {
        return Mono.fromCallable(() -> new String(bytes(), charset));
    }

    @Override
    public BinaryData getBodyAsBinaryData() {
        return BinaryData.fromStream(body);
    }

    @Override
    public Mono<InputStream> getBodyAsInputStream() {
        return Mono.just(body);
    }

    @Override
    public void writeBodyTo(WritableByteChannel channel) throws IOException {
        byte[] chunk = new byte[CHUNK];
        try (body) {
            for (int n; (n = body.read(chunk, 0, chunk.length)) >= 0; ) {
                ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, n);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        }
    }

    @Override
    public void close() {
        body.close();
    }

    private byte[] bytes() throws IOException {
        try (body) {
            return body.readAllBytes();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
