package com.silknote.sync.examples.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderVsrxSourceTest {
    @TempDir
    Path root;

    @Test
    void listsFilesetsAndFilesWithIdsThatCarryNoPath() throws IOException {
        fileset("fs-b", "patientId=P-2\n");
        fileset("fs-a", "patientId=P-1\nsilknotePatientUuid=00000000-0000-0000-0000-00000000000a\npreviousPatientIds=P-0\n");
        write("fs-a/notes/scans/one.jpg", "jpg");
        write("fs-a/notes/letter.pdf", "pdf");
        write("fs-a/notes/.hidden.txt", "x");
        write("fs-a/outside.txt", "not under notes");
        FolderVsrxSource source = new FolderVsrxSource(root);

        Page<VsrxFileset> filesets = source.listFilesets(PageRequest.first(10));
        assertThat(filesets.items()).extracting(f -> f.id().value()).containsExactly("fs-a", "fs-b");
        VsrxFileset a = filesets.items().get(0);
        assertThat(a.silknotePatientUuid()).isPresent();
        assertThat(a.patientIdHistory()).extracting(p -> p.value()).containsExactly("P-0", "P-1");
        assertThat(filesets.items().get(1).silknotePatientUuid()).isEmpty();

        List<VsrxFile> files = source.listFiles(FilesetId.of("fs-a"), PageRequest.first(10)).items();
        assertThat(files).extracting(VsrxFile::path).containsExactlyInAnyOrder("notes/scans/one.jpg", "notes/letter.pdf");
        assertThat(files).extracting(VsrxFile::mimeType).containsExactlyInAnyOrder("image/jpeg", "application/pdf");
        assertThat(files).allSatisfy(f -> {
            assertThat(f.id().value()).startsWith("f-").doesNotContain("one", "letter");
            assertThat(f.etag()).isPresent();
            assertThat(f.deleted()).isFalse();
        });
        assertThat(files).isSortedAccordingTo((x, y) -> x.id().compareTo(y.id()));
    }

    @Test
    void servesContentWithItsEtagAndLength() throws IOException {
        fileset("fs-a", "patientId=P-1\n");
        write("fs-a/notes/a.txt", "hello");
        FolderVsrxSource source = new FolderVsrxSource(root);
        VsrxFile file = source.listFiles(FilesetId.of("fs-a"), PageRequest.first(10)).items().get(0);

        try (FileContent c = source.openContent(file.id())) {
            assertThat(c.stream().readAllBytes()).isEqualTo("hello".getBytes());
            assertThat(c.etag()).isEqualTo(file.etag());
            assertThat(c.contentLength().getAsLong()).isEqualTo(5);
        }
        FolderVsrxSource fresh = new FolderVsrxSource(root);
        try (FileContent c = fresh.openContent(file.id())) {
            assertThat(c.stream().readAllBytes()).hasSize(5);
        }
        assertThatThrownBy(() -> source.openContent(VsrxFileId.of("f-unknown"))).isInstanceOf(PermanentSyncException.class);
        assertThatThrownBy(() -> source.listFiles(FilesetId.of("fs-none"), PageRequest.first(1)))
                .isInstanceOf(PermanentSyncException.class);
        assertThat(source.findFileset(FilesetId.of("../etc"))).isEmpty();
    }

    @Test
    void paginatesAndFiltersByChangedSince() throws IOException {
        fileset("fs-a", "patientId=P-1\n");
        for (int i = 0; i < 5; i++) {
            Path f = write("fs-a/notes/f" + i + ".txt", "x" + i);
            Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2026-01-0" + (i + 1) + "T00:00:00Z")));
        }
        FolderVsrxSource source = new FolderVsrxSource(root);
        FilesetId fs = FilesetId.of("fs-a");

        Page<VsrxFile> p1 = source.listFiles(fs, PageRequest.first(2));
        Page<VsrxFile> p2 = source.listFiles(fs, PageRequest.first(2).next(p1.nextCursor().orElseThrow()));
        Page<VsrxFile> p3 = source.listFiles(fs, PageRequest.first(2).next(p2.nextCursor().orElseThrow()));
        assertThat(p1.items()).hasSize(2);
        assertThat(p2.items()).hasSize(2);
        assertThat(p3.items()).hasSize(1);
        assertThat(p3.isLast()).isTrue();
        List<VsrxFile> changed = source.listFiles(fs,
                PageRequest.first(10).changedSince(Instant.parse("2026-01-04T00:00:00Z"))).items();
        assertThat(changed).extracting(VsrxFile::path).containsExactlyInAnyOrder("notes/f3.txt", "notes/f4.txt");
    }

    @Test
    void symbolicLinksAreNotFollowed() throws IOException {
        fileset("fs-a", "patientId=P-1\n");
        Path secret = Files.writeString(root.resolveSibling(root.getFileName() + "-secret.txt"), "secret");
        Files.createDirectories(root.resolve("fs-a/notes"));
        Files.createSymbolicLink(root.resolve("fs-a/notes/link.txt"), secret);
        try {
            assertThat(new FolderVsrxSource(root).listFiles(FilesetId.of("fs-a"), PageRequest.first(10)).items()).isEmpty();
        } finally {
            Files.deleteIfExists(secret);
        }
    }

    /**
     * Issue 9 item 7: a fileset folder that is a symbolic link to outside the root is not served at all: not
     * listed, not found by id, its files neither listed nor readable, locally and over the /v1 protocol.
     */
    @Test
    void aFilesetFolderLinkedToOutsideTheRootIsNotServed(@org.junit.jupiter.api.io.TempDir Path outside)
            throws IOException {
        fileset("fs-a", "patientId=P-1\n");
        write("fs-a/notes/inside.txt", "inside");
        Files.writeString(outside.resolve(FolderVsrxSource.FILESET_FILE), "patientId=P-OUTSIDE\n");
        Files.createDirectories(outside.resolve("notes"));
        Files.writeString(outside.resolve("notes/secret.txt"), "secret");
        Files.createSymbolicLink(root.resolve("fs-link"), outside);
        FolderVsrxSource source = new FolderVsrxSource(root);
        FilesetId link = FilesetId.of("fs-link");
        VsrxFileId secretId = FolderVsrxSource.fileId(link, "notes/secret.txt");

        assertThat(source.listFilesets(PageRequest.first(10)).items()).extracting(f -> f.id().value())
                .containsExactly("fs-a");
        assertThat(source.findFileset(link)).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> source.listFiles(link, PageRequest.first(10)))
                .isInstanceOf(com.silknote.sync.core.exception.PermanentSyncException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> source.openContent(secretId))
                .isInstanceOf(com.silknote.sync.core.exception.PermanentSyncException.class);

        com.silknote.sync.core.model.Secret token = com.silknote.sync.core.model.Secret.of("folder-token-0123456789");
        try (var server = com.silknote.sync.vsrx.http.VsrxHttpServer.builder()
                .handler(com.silknote.sync.vsrx.http.VsrxHttpHandler.builder().source(source).acceptedToken(token)
                        .build()).port(0).build().start()) {
            var client = com.silknote.sync.vsrx.http.HttpVsrxSource.builder().baseUri(server.baseUri()).token(token)
                    .build();
            assertThat(client.findFileset(FilesetId.of("fs-a"))).isPresent();
            assertThat(client.findFileset(link)).isEmpty();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.listFiles(link, PageRequest.first(10)))
                    .isInstanceOf(com.silknote.sync.core.exception.SyncException.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.openContent(secretId).stream().close())
                    .isInstanceOf(com.silknote.sync.core.exception.SyncException.class);
        }
    }

    private void fileset(String id, String properties) throws IOException {
        Files.createDirectories(root.resolve(id));
        Files.writeString(root.resolve(id).resolve(FolderVsrxSource.FILESET_FILE), properties);
    }

    private Path write(String rel, String content) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, content);
    }
}
