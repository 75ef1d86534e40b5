package com.silknote.sync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.examples.embedded.HashEmbeddingDocumentProcessor;
import com.silknote.sync.vsrx.http.VsrxHttpHandler;
import com.silknote.sync.vsrx.http.VsrxHttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 5: a 2 GiB file syncs through the command line at {@code -Xmx128m}, the stand-in processor
 * included (its 524,288 vector entries streamed to the embedded PostgreSQL; {@link CountingStandInProcessor}
 * counts them, so the test knows the processor read the whole content), in a child JVM; the largest heap
 * occupancy after a collection stays far below the file's size and the limit. The file is generated while it
 * is served, so it never sits on the test's disk or heap (the spool and the file-system blob do: 4 GiB of
 * temporary disk). The full size is kept: the test takes about a minute on 2 shared cores (45-70 s measured
 * at load 8). {@code -Dvsrx.largeFile.bytes=N} changes the size.
 */
class LargeFileHeapTest {
    private static final Secret TOKEN = Secret.of("large-file-token-0123456789");
    private static final long SIZE = Long.getLong("vsrx.largeFile.bytes", 2L << 30);
    private static final String HEAP = "-Xmx128m";
    private static final Pattern AFTER_GC = Pattern.compile("Pause.*?(\\d+)M->(\\d+)M\\(\\d+M\\)");

    @TempDir
    Path dir;

    @Test
    @DisplayName("issue 12.5: a 2 GiB file syncs through the command line at -Xmx128m, stand-in processor included")
    void aLargeFileSyncsInABoundedHeap() throws Exception {
        GeneratedPdf pdf = new GeneratedPdf(SIZE);
        ContentHash sha = pdf.sha256();
        try (VsrxHttpServer server = VsrxHttpServer.builder()
                .handler(VsrxHttpHandler.builder().source(new OneFile(pdf, sha)).acceptedToken(TOKEN).build())
                .port(0).build().start()) {
            Path gcLog = dir.resolve("gc.log");
            Path out = dir.resolve("child.txt");
            Path vectorCount = dir.resolve("vector-count.txt");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), HEAP, "-Xlog:gc:file=" + gcLog,
                    "-Dvsrx.test.vectorCount=" + vectorCount, "-cp", System.getProperty("java.class.path"),
                    VsrxSyncCommand.class.getName(), "sync", "--json", "--no-progress"));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("VSRX_SYNC_"));
            pb.environment().put("VSRX_SYNC_DATA_DIR", dir.resolve("data").toString());
            pb.environment().put("VSRX_SYNC_VSRX_URL", server.baseUri().toString());
            pb.environment().put("VSRX_SYNC_VSRX_TOKEN", TOKEN.value());
            pb.environment().put("VSRX_SYNC_MAX_FILE_SIZE_BYTES", Long.toString(SIZE + (1 << 20)));
            // the stand-in processor, counting the vector entries it writes
            pb.environment().put("VSRX_SYNC_PROCESSOR", CountingStandInProcessor.class.getName());
            Process child = pb.start();
            if (!child.waitFor(20, TimeUnit.MINUTES)) {
                child.destroyForcibly();
                throw new AssertionError("the child did not finish: " + tail(out));
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(child.exitValue()).as("exit code; output: %s", tail(out)).isZero();
            assertThat(output).as(tail(out)).contains("\"CREATED\":1").doesNotContain("OutOfMemoryError");
            long blob = Files.size(dir.resolve("data/blobs").resolve(blobPath(sha)));
            assertThat(blob).isEqualTo(SIZE);
            long entries = (SIZE + HashEmbeddingDocumentProcessor.CHUNK_BYTES - 1) / HashEmbeddingDocumentProcessor.CHUNK_BYTES;
            assertThat(Long.parseLong(Files.readString(vectorCount).trim()))
                    .as("vector entries the stand-in processor wrote: it read the whole content").isEqualTo(entries);

            long maxAfterGc = 0;
            int collections = 0;
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = AFTER_GC.matcher(line);
                if (m.find()) {
                    collections++;
                    maxAfterGc = Math.max(maxAfterGc, Long.parseLong(m.group(2)));
                }
            }
            System.out.printf("large file: %d bytes at %s, %d collections, largest heap after a collection %d MiB,"
                    + " %d vector entries%n", SIZE, HEAP, collections, maxAfterGc, entries);
            assertThat(collections).as("collections seen in the GC log").isPositive();
            // the heap holds what the run needs, not the file: far below the file and the 128 MiB limit
            assertThat(maxAfterGc).as("largest heap after a collection, MiB").isLessThan(96);
        }
    }

    private static String blobPath(ContentHash sha) {
        return com.silknote.sync.core.model.BlobKey.of(sha).value();
    }

    private static String tail(Path out) throws IOException {
        if (!Files.exists(out)) {
            return "";
        }
        String s = Files.readString(out, StandardCharsets.UTF_8);
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }

    /** A PDF of {@code size} bytes: a header, zeros, a trailer; generated while read. */
    private record GeneratedPdf(long size) {
        private static final byte[] HEAD = "%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n".getBytes(StandardCharsets.ISO_8859_1);
        private static final byte[] TAIL = "\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);

        InputStream open() {
            return new InputStream() {
                private long pos;

                @Override
                public int read() {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (pos >= size) {
                        return -1;
                    }
                    int n = (int) Math.min(len, size - pos);
                    java.util.Arrays.fill(b, off, off + n, (byte) 0);
                    for (long p = pos; p < Math.min(pos + n, HEAD.length); p++) {
                        b[off + (int) (p - pos)] = HEAD[(int) p];
                    }
                    for (long p = Math.max(pos, size - TAIL.length); p < pos + n; p++) {
                        b[off + (int) (p - pos)] = TAIL[(int) (p - (size - TAIL.length))];
                    }
                    pos += n;
                    return n;
                }
            };
        }

        ContentHash sha256() throws Exception {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            try (InputStream in = open()) {
                int n;
                while ((n = in.read(buffer, 0, buffer.length)) > 0) {
                    sha.update(buffer, 0, n);
                }
            }
            return ContentHash.ofBytes(sha.digest());
        }
    }

    /** One linked fileset with the generated PDF, served with its length and digest (streamed, not spooled). */
    private static final class OneFile implements VsrxSource {
        private static final FilesetId FS = FilesetId.of("fs-large");
        private final GeneratedPdf pdf;
        private final ContentHash sha;
        private final VsrxFileset fileset;
        private final VsrxFile file;

        OneFile(GeneratedPdf pdf, ContentHash sha) {
            this.pdf = pdf;
            this.sha = sha;
            Instant at = Instant.parse("2026-01-01T00:00:00Z");
            this.fileset = new VsrxFileset(FS, PatientId.of("P-LARGE"),
                    Optional.of(PatientUuid.of("00000000-0000-4000-8000-00000000fee1")), List.of(), at);
            this.file = new VsrxFile(VsrxFileId.of("file-large"), FS, "notes/large/scan.pdf", pdf.size(),
                    "application/pdf", at, Optional.of("etag-large"), Optional.empty(), false);
        }

        @Override
        public Page<VsrxFileset> listFilesets(PageRequest request) {
            return Page.last(request.cursor().isPresent() ? List.of() : List.of(fileset));
        }

        @Override
        public Optional<VsrxFileset> findFileset(FilesetId id) {
            return FS.equals(id) ? Optional.of(fileset) : Optional.empty();
        }

        @Override
        public Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
            if (!FS.equals(filesetId)) {
                throw new PermanentSyncException("fileset not found", 404, null);
            }
            return Page.last(request.cursor().isPresent() ? List.of() : List.of(file));
        }

        @Override
        public FileContent openContent(VsrxFileId fileId) {
            if (!file.id().equals(fileId)) {
                throw new PermanentSyncException("file not found", 404, null);
            }
            return new FileContent(pdf.open(), file.etag(), OptionalLong.of(pdf.size()), Optional.of(sha));
        }
    }
}
