package com.silknote.sync.examples.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.FileGoneException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.vsrx.http.ServerRequest;
import com.silknote.sync.vsrx.http.ServerResponse;
import com.silknote.sync.vsrx.http.VsrxHttpHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
            // issue 12 (the VSRX side serves as fast as the sync consumes): the digest is declared, so the HTTP
            // handler streams the file instead of spooling a copy to learn it
            assertThat(c.sha256()).contains(ContentHash.ofHex("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"));
        }
        FolderVsrxSource fresh = new FolderVsrxSource(root);
        try (FileContent c = fresh.openContent(file.id())) {
            assertThat(c.stream().readAllBytes()).hasSize(5);
        }
        assertThatThrownBy(() -> source.openContent(VsrxFileId.of("f-unknown"))).isInstanceOf(FileGoneException.class);
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

    /** Issue 12: the folder source is its own O(1) file lookup, current with the folder. */
    @Test
    void findsFilesByIdAsTheyAreOnDisk() throws IOException {
        fileset("fs-a", "patientId=P-1\n");
        fileset("fs-b", "patientId=P-2\n");
        write("fs-a/notes/a.pdf", "one");
        write("fs-a/notes/gone.pdf", "two");
        write("fs-a/notes/swapped.pdf", "three");
        FolderVsrxSource source = new FolderVsrxSource(root);
        List<VsrxFile> listed = source.listFiles(FilesetId.of("fs-a"), PageRequest.first(10)).items();
        for (VsrxFile f : listed) {
            assertThat(source.findFile(f.id())).contains(f);
        }
        VsrxFile a = listed.stream().filter(f -> f.path().equals("notes/a.pdf")).findFirst().orElseThrow();
        VsrxFile gone = listed.stream().filter(f -> f.path().equals("notes/gone.pdf")).findFirst().orElseThrow();
        VsrxFile swapped = listed.stream().filter(f -> f.path().equals("notes/swapped.pdf")).findFirst().orElseThrow();

        Files.setLastModifiedTime(write("fs-a/notes/a.pdf", "changed!"), FileTime.from(Instant.parse("2026-02-01T00:00:00Z")));
        Files.delete(root.resolve("fs-a/notes/gone.pdf"));
        Path outside = Files.writeString(root.resolveSibling(root.getFileName() + "-outside.txt"), "secret");
        Files.delete(root.resolve("fs-a/notes/swapped.pdf"));
        Files.createSymbolicLink(root.resolve("fs-a/notes/swapped.pdf"), outside);
        write("fs-b/notes/later.pdf", "added after the listing");
        try {
            VsrxFile changed = source.findFile(a.id()).orElseThrow();
            assertThat(changed.size()).isEqualTo(8);
            assertThat(changed.etag()).isNotEqualTo(a.etag());
            assertThat(changed.path()).isEqualTo("notes/a.pdf");
            assertThat(source.findFile(gone.id())).isEmpty();
            assertThat(source.findFile(swapped.id())).isEmpty();
            assertThatThrownBy(() -> source.openContent(swapped.id())).isInstanceOf(FileGoneException.class);
            // removed after it was listed: the engine skips it for the run (SkipReason.GONE) on this answer only
            assertThatThrownBy(() -> source.openContent(gone.id())).isInstanceOf(FileGoneException.class);
            VsrxFileId later = FolderVsrxSource.fileId(FilesetId.of("fs-b"), "notes/later.pdf");
            assertThat(source.findFile(later)).hasValueSatisfying(f -> {
                assertThat(f.filesetId()).isEqualTo(FilesetId.of("fs-b"));
                assertThat(f.path()).isEqualTo("notes/later.pdf");
            });
            assertThat(source.findFile(VsrxFileId.of("f-unknown"))).isEmpty();
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    /**
     * Issue 12 (listings streamed page by page): a page reads the filesets it returns and one more, never
     * the rest of the folder: a broken descriptor further on does not fail the first page.
     */
    @Test
    void aListingPageReadsOnlyItsOwnFilesets() throws IOException {
        fileset("fs-1", "patientId=P-1\n");
        fileset("fs-2", "patientId=P-2\n");
        fileset("fs-3", "patientId=P-3\n");
        fileset("fs-4", "silknotePatientUuid=broken\n");
        FolderVsrxSource source = new FolderVsrxSource(root);

        Page<VsrxFileset> first = source.listFilesets(PageRequest.first(2));

        assertThat(first.items()).extracting(f -> f.id().value()).containsExactly("fs-1", "fs-2");
        assertThat(first.nextCursor()).contains("fs-2");
        assertThatThrownBy(() -> source.listFilesets(PageRequest.first(2).next("fs-2")))
                .isInstanceOf(PermanentSyncException.class);
    }

    /**
     * Issue 12: {@code serve-vsrx --folder} (the handler built on the folder source alone) finds a file for a
     * content request through the folder's id index, never by walking the listings: a fileset whose
     * descriptor broke after the listing does not stop the others' content from being served.
     */
    @Test
    void theHandlerServesFolderContentWithoutWalkingTheListings() throws IOException {
        fileset("fs-a", "patientId=P-1\n");
        fileset("fs-b", "patientId=P-2\n");
        for (int i = 0; i < 20; i++) {
            write("fs-a/notes/n" + i + ".txt", "note " + i);
        }
        FolderVsrxSource source = new FolderVsrxSource(root);
        VsrxHttpHandler handler = VsrxHttpHandler.builder().source(source)
                .acceptedToken(Secret.of("token-aaaaaaaaaaaaaaaaaaaa")).build();
        List<VsrxFile> listed = source.listFiles(FilesetId.of("fs-a"), PageRequest.first(100)).items();
        fileset("fs-b", "silknotePatientUuid=not-a-uuid\n");

        for (VsrxFile f : listed) {
            try (ServerResponse r = handler.handle(ServerRequest.of("GET", "/v1/files/" + f.id().value() + "/content",
                    Optional.empty(), Map.of("Authorization", List.of("Bearer token-aaaaaaaaaaaaaaaaaaaa"))))) {
                assertThat(r.status()).as("content of %s", f.id()).isEqualTo(200);
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                r.writeBody(out);
                assertThat(out.size()).isEqualTo(f.size());
            }
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

    /**
     * Issue 12 (the no-op re-sync lists every fileset): a fileset's {@code updatedAt} is the latest modification of
     * its descriptor and of the files its listing holds, read from the folder walk alone; hidden files, files in
     * hidden folders and files outside {@code notes/} do not move it, a changed listed file does, even when the
     * files were never listed before.
     */
    @Test
    void filesetUpdatedAtIsTheLatestModificationOfWhatItsListingHolds() throws IOException {
        fileset("fs-a", "patientId=P-1\n");
        Instant base = Instant.parse("2026-01-01T00:00:00Z");
        Files.setLastModifiedTime(root.resolve("fs-a").resolve(FolderVsrxSource.FILESET_FILE), FileTime.from(base));
        Path listed = write("fs-a/notes/scans/one.jpg", "jpg");
        Files.setLastModifiedTime(listed, FileTime.from(base.plusSeconds(60)));
        Path hidden = write("fs-a/notes/.draft.pdf", "x");
        Files.setLastModifiedTime(hidden, FileTime.from(base.plusSeconds(600)));
        Path inHidden = write("fs-a/notes/.trash/old.pdf", "x");
        Files.setLastModifiedTime(inHidden, FileTime.from(base.plusSeconds(700)));
        Path outside = write("fs-a/outside.txt", "x");
        Files.setLastModifiedTime(outside, FileTime.from(base.plusSeconds(800)));

        assertThat(new FolderVsrxSource(root).findFileset(FilesetId.of("fs-a")).orElseThrow().updatedAt())
                .isEqualTo(base.plusSeconds(60));
        FolderVsrxSource source = new FolderVsrxSource(root);
        assertThat(source.listFiles(FilesetId.of("fs-a"), PageRequest.first(10)).items())
                .extracting(VsrxFile::path).containsExactly("notes/scans/one.jpg");

        Files.setLastModifiedTime(listed, FileTime.from(base.plusSeconds(120)));
        assertThat(source.listFilesets(PageRequest.first(10)).items().get(0).updatedAt())
                .isEqualTo(base.plusSeconds(120));
        assertThat(source.listFilesets(PageRequest.first(10).changedSince(base.plusSeconds(121))).items()).isEmpty();
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
