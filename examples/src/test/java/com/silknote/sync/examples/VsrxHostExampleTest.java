package com.silknote.sync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.examples.demo.SampleFiles;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.vsrx.http.HttpVsrxSource;
import com.silknote.sync.vsrx.http.VsrxHttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VsrxHostExampleTest {
    @TempDir
    Path folder;

    @Test
    void silknoteSyncsTheFilesTheHostServes() throws IOException {
        SplittableRandom random = new SplittableRandom(3);
        write("fs-1/fileset.properties", "patientId=P-H-1\nsilknotePatientUuid=00000000-0000-4000-8000-0000000000a1\n".getBytes());
        write("fs-1/notes/scan.jpg", SampleFiles.jpeg(random, 10_000));
        write("fs-1/notes/letters/referral.pdf", SampleFiles.pdf(random, "Referral", 5_000));
        write("fs-2/fileset.properties", "patientId=P-H-2\n".getBytes());
        write("fs-2/notes/waiting.txt", "not linked yet".getBytes());
        Secret token = Secret.of("host-token-0123456789abcdef");
        TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
        SilknoteSimulator silknote = new SilknoteSimulator(clock);

        try (VsrxHttpServer host = VsrxHostExample.start(folder, 0, token)) {
            HttpVsrxSource source = HttpVsrxSource.builder().baseUri(host.baseUri()).token(token).build();
            VsrxSync sync = VsrxSync.builder().source(source).documents(silknote.documents()).blobs(silknote.blobs())
                    .vectors(silknote.vectors()).processor(silknote.processor()).lock(silknote.lock()).build();
            SyncResult result = sync.run(SyncRequest.full());

            assertThat(result.success()).isTrue();
            assertThat(result.report().orElseThrow().count(FileAction.CREATED)).isEqualTo(2);
            assertThat(silknote.documents().documents(FilesetId.of("fs-1"))).hasSize(2);
            assertThat(silknote.documents().documents(FilesetId.of("fs-2"))).isEmpty();
            HttpVsrxSource wrongToken = HttpVsrxSource.builder().baseUri(host.baseUri())
                    .token(Secret.of("wrong-token-0123456789abcdef")).build();
            Assertions.assertThatThrownBy(() -> wrongToken.listFilesets(com.silknote.sync.core.model.PageRequest.first(10)))
                    .isInstanceOf(PermanentSyncException.class);
        }
        silknote.assertInvariants();
    }

    private void write(String rel, byte[] content) throws IOException {
        Path p = folder.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
    }
}
