package com.silknote.sync.vsrx.http;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.VsrxSource;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A small VSRX data port for the adapter's own tests: ordered by id, cursor = last id served. */
final class FixtureVsrxSource implements VsrxSource {
    final Map<FilesetId, VsrxFileset> filesets = new TreeMap<>();
    final Map<FilesetId, TreeMap<VsrxFileId, VsrxFile>> files = new TreeMap<>();
    final Map<VsrxFileId, byte[]> contents = new TreeMap<>();
    final AtomicInteger calls = new AtomicInteger();
    /** When false, content is opened without declared length and digest (the handler must spool). */
    boolean declareContentMetadata = true;
    /** What {@link #openContent} throws for a file instead of serving it (a file gone after its lookup). */
    final Map<VsrxFileId, RuntimeException> contentFailures = new TreeMap<>();

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    FixtureVsrxSource fileset(String id, Instant updatedAt) {
        FilesetId fs = FilesetId.of(id);
        filesets.put(fs, new VsrxFileset(fs, PatientId.of("P-" + id), Optional.empty(), List.of(), updatedAt));
        files.computeIfAbsent(fs, k -> new TreeMap<>());
        return this;
    }

    FixtureVsrxSource file(String filesetId, String id, String path, String text, Optional<String> etag,
            boolean deleted) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        VsrxFileId fid = VsrxFileId.of(id);
        FilesetId fs = FilesetId.of(filesetId);
        files.computeIfAbsent(fs, k -> new TreeMap<>()).put(fid, new VsrxFile(fid, fs, path, bytes.length,
                "text/plain", T0, etag, Optional.of(hash(bytes)), deleted));
        contents.put(fid, bytes);
        return this;
    }

    static ContentHash hash(byte[] bytes) {
        try {
            return ContentHash.ofBytes(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Page<VsrxFileset> listFilesets(PageRequest request) {
        calls.incrementAndGet();
        List<VsrxFileset> all = new ArrayList<>();
        for (VsrxFileset fs : filesets.values()) {
            if (request.changedSince().map(s -> !fs.updatedAt().isBefore(s)).orElse(true)) {
                all.add(fs);
            }
        }
        return page(all, request, f -> f.id().value());
    }

    @Override
    public Optional<VsrxFileset> findFileset(FilesetId id) {
        calls.incrementAndGet();
        return Optional.ofNullable(filesets.get(id));
    }

    @Override
    public Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
        calls.incrementAndGet();
        TreeMap<VsrxFileId, VsrxFile> fs = files.get(filesetId);
        if (fs == null) {
            throw new PermanentSyncException("no such fileset", 404, null);
        }
        List<VsrxFile> all = new ArrayList<>();
        for (VsrxFile f : fs.values()) {
            if (request.changedSince().map(s -> !f.modifiedAt().isBefore(s)).orElse(true)) {
                all.add(f);
            }
        }
        return page(all, request, f -> f.id().value());
    }

    @Override
    public FileContent openContent(VsrxFileId fileId) {
        calls.incrementAndGet();
        RuntimeException failure = contentFailures.get(fileId);
        if (failure != null) {
            throw failure;
        }
        byte[] bytes = contents.get(fileId);
        if (bytes == null) {
            throw new PermanentSyncException("no such file", 404, null);
        }
        VsrxFile f = files.values().stream().map(m -> m.get(fileId)).filter(x -> x != null).findFirst().orElseThrow();
        if (!declareContentMetadata) {
            return new FileContent(new ByteArrayInputStream(bytes), f.etag(), OptionalLong.empty(), Optional.empty());
        }
        return new FileContent(new ByteArrayInputStream(bytes), f.etag(), OptionalLong.of(bytes.length),
                Optional.of(hash(bytes)));
    }

    private static <T> Page<T> page(List<T> all, PageRequest request, java.util.function.Function<T, String> id) {
        if (request.cursor().isPresent() && request.cursor().get().startsWith("!")) {
            throw new IllegalArgumentException("unknown cursor");
        }
        List<T> out = new ArrayList<>();
        String after = request.cursor().orElse(null);
        for (T t : all) {
            if (after == null || id.apply(t).compareTo(after) > 0) {
                out.add(t);
            }
        }
        if (out.size() <= request.limit()) {
            return Page.last(out);
        }
        List<T> head = out.subList(0, request.limit());
        return new Page<>(head, Optional.of(id.apply(head.get(head.size() - 1))));
    }
}
