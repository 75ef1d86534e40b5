package com.silknote.sync.benchmarks;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.VsrxSource;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A VSRX with one linked fileset holding one file whose bytes are generated while they are read, so a
 * file of any size is served without being held in memory (the in-memory simulator keeps content in byte
 * arrays). Serves the SHA-256 digest, like a VSRX that declares it, when one is given.
 */
final class SingleFileVsrxSource implements VsrxSource {
    static final FilesetId FILESET = FilesetId.of("fs-heap");
    static final VsrxFileId FILE = VsrxFileId.of("file-heap");

    private final GeneratedContent content;
    private final Optional<ContentHash> sha256;
    private final VsrxFileset fileset;
    private final VsrxFile file;
    private final AtomicLong downloads = new AtomicLong();

    SingleFileVsrxSource(GeneratedContent content, Optional<ContentHash> sha256, Instant at) {
        this.content = requireNonNull(content, "content");
        this.sha256 = requireNonNull(sha256, "sha256");
        this.fileset = new VsrxFileset(FILESET, PatientId.of("P-HEAP"),
                Optional.of(PatientUuid.of("00000000-0000-4000-8000-00000000feed")), List.of(), at);
        this.file = new VsrxFile(FILE, FILESET, "notes/large/scan." + content.kind().extension(), content.size(),
                content.kind().mimeType, at, Optional.of("etag-" + content.seed()), Optional.empty(), false);
    }

    long downloads() {
        return downloads.get();
    }

    @Override
    public Page<VsrxFileset> listFilesets(PageRequest request) {
        requireNonNull(request, "request");
        return Page.last(request.cursor().isPresent() ? List.of() : List.of(fileset));
    }

    @Override
    public Optional<VsrxFileset> findFileset(FilesetId id) {
        return FILESET.equals(requireNonNull(id, "id")) ? Optional.of(fileset) : Optional.empty();
    }

    @Override
    public Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
        if (!FILESET.equals(requireNonNull(filesetId, "filesetId"))) {
            throw new PermanentSyncException("fileset not found", 404, null);
        }
        return Page.last(request.cursor().isPresent() ? List.of() : List.of(file));
    }

    @Override
    public FileContent openContent(VsrxFileId fileId) {
        if (!FILE.equals(requireNonNull(fileId, "fileId"))) {
            throw new PermanentSyncException("file not found", 404, null);
        }
        downloads.incrementAndGet();
        return new FileContent(content.open(), file.etag(), OptionalLong.of(content.size()), sha256);
    }
}
