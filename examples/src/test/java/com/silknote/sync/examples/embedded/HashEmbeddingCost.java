package com.silknote.sync.examples.embedded;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.testkit.InMemoryBlobStore;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The stand-in processor's own CPU (issue 12), without a database: processes documents of the medium preset's
 * average size (326 KiB, 80 entries each) from memory into a vector store that only takes the entries, and
 * prints the calling thread's CPU time and allocation per round. Not a test.
 *
 * <pre>java -cp examples/target/test-classes:examples/target/vsrx-sync.jar \
 *     com.silknote.sync.examples.embedded.HashEmbeddingCost [documents per round, 2000] [rounds, 5]</pre>
 */
public final class HashEmbeddingCost {
    private HashEmbeddingCost() { }

    public static void main(String[] args) {
        int docs = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        byte[] content = new byte[80 * HashEmbeddingDocumentProcessor.CHUNK_BYTES - 1000];
        new SplittableRandom(12).nextBytes(content);
        ContentHash hash = TestHashes.sha256(content);
        long[] taken = new long[1];
        VectorStore sink = new EntrySink() {
            @Override
            public void replace(FencingToken token, DocumentUuid document, List<VectorEntry> entries) {
                taken[0] += entries.size();
            }

            @Override
            public void replace(FencingToken token, DocumentUuid document, Iterator<VectorEntry> entries) {
                while (entries.hasNext()) {
                    taken[0] += entries.next().embedding().length;
                }
            }
        };
        TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
        var processor = new HashEmbeddingDocumentProcessor(new InMemoryBlobStore(clock), sink);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        System.out.printf(Locale.ROOT, "%d documents of %d bytes per round%n", docs, content.length);
        System.out.println("| round | thread CPU s | MB/s of CPU | allocated MB |");
        System.out.println("|---|---:|---:|---:|");
        for (int r = 0; r <= rounds; r++) {
            long cpu0 = threads.getCurrentThreadCpuTime();
            long alloc0 = threads.getThreadAllocatedBytes(self);
            for (int i = 0; i < docs; i++) {
                VsrxFileId id = VsrxFileId.of("cost-" + i);
                SilknoteDocument doc = new SilknoteDocument(DocumentUuid.forVsrxFile(id),
                        PatientUuid.of("00000000-0000-0000-0000-000000000001"), FilesetId.of("fs-1"), id, hash,
                        content.length, "application/pdf", DocumentMetadata.synced(id, "a.pdf", List.of()),
                        clock.instant());
                processor.process(doc, FencingToken.of(1), () -> new ByteArrayInputStream(content));
            }
            double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
            double mb = (threads.getThreadAllocatedBytes(self) - alloc0) / 1e6;
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.0f | %.0f |%n", r == 0 ? "warm-up" : Integer.toString(r),
                    cpu, (double) docs * content.length / 1e6 / cpu, mb);
        }
        System.out.println("floats taken: " + taken[0]);
    }
}
