package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.port.BlobStore;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An in-memory, content-addressed blob store with the semantics of the {@link BlobStore} port:
 * <ul>
 *   <li>Uploads are read and verified (SHA-256 and size) before anything is stored; a mismatch gives
 *       {@link ContentRejectedException} ({@code CHECKSUM_MISMATCH} / {@code SIZE_MISMATCH}) and stores
 *       nothing. A source that fails while read gives {@link PermanentSyncException} and stores nothing.</li>
 *   <li>{@code putIfAbsent} is atomic: of concurrent callers with the same content exactly one creates.</li>
 *   <li>Every write gives a new ETag ({@code 0x<n>} from a store-wide counter); {@code lastModified} comes
 *       from the injected clock.</li>
 *   <li>{@code list} is in name order ({@link com.silknote.sync.core.model.BlobKey}, i.e. hash order) with an
 *       opaque cursor.</li>
 * </ul>
 * Thread-safe. Counters and {@link #rawBytes} let tests look behind the port.
 */
public final class InMemoryBlobStore implements BlobStore {

    private record Stored(BlobInfo info, byte[] bytes, String contentType) {
    }

    private final Clock clock;
    private final Object lock = new Object();
    private final TreeMap<ContentHash, Stored> blobs = new TreeMap<>();
    private long nextEtag = 1;
    private long writes;
    private long opens;
    private long bytesWritten;

    /** An empty store whose {@code lastModified} times come from {@code clock}. */
    @Inject
    public InMemoryBlobStore(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * @throws ContentRejectedException when the bytes do not match the declared hash or size
     * @throws PermanentSyncException when the upload's source cannot be read
     */
    @Override
    public BlobPutResult putIfAbsent(BlobUpload upload) {
        requireNonNull(upload, "upload");
        synchronized (lock) {
            Stored existing = blobs.get(upload.hash());
            if (existing != null) {
                return new BlobPutResult(existing.info(), false);
            }
        }
        byte[] bytes = readVerified(upload);
        synchronized (lock) {
            Stored existing = blobs.get(upload.hash());
            if (existing != null) {
                return new BlobPutResult(existing.info(), false);
            }
            return new BlobPutResult(store(upload, bytes), true);
        }
    }

    /**
     * @throws ContentRejectedException when the bytes do not match the declared hash or size (the stored
     *         blob, if any, stays as it was)
     * @throws PermanentSyncException when the upload's source cannot be read
     */
    @Override
    public BlobInfo overwrite(BlobUpload upload) {
        requireNonNull(upload, "upload");
        byte[] bytes = readVerified(upload);
        synchronized (lock) {
            return store(upload, bytes);
        }
    }

    @Override
    public Optional<BlobInfo> stat(ContentHash hash) {
        requireNonNull(hash, "hash");
        synchronized (lock) {
            Stored s = blobs.get(hash);
            return s == null ? Optional.empty() : Optional.of(s.info());
        }
    }

    /** @throws PermanentSyncException (404) when absent */
    @Override
    public InputStream open(ContentHash hash) {
        requireNonNull(hash, "hash");
        synchronized (lock) {
            Stored s = blobs.get(hash);
            if (s == null) {
                throw new PermanentSyncException("blob not found", 404, null);
            }
            opens++;
            return new ByteArrayInputStream(s.bytes());
        }
    }

    @Override
    public boolean deleteIfMatch(ContentHash hash, String etag) {
        requireNonNull(hash, "hash");
        requireNonNull(etag, "etag");
        synchronized (lock) {
            Stored s = blobs.get(hash);
            if (s == null || !s.info().etag().equals(etag)) {
                return false;
            }
            blobs.remove(hash);
            return true;
        }
    }

    /**
     * @throws IllegalArgumentException when {@code limit} is outside 1..1000
     * @throws PermanentSyncException (400) for a cursor this store did not issue
     */
    @Override
    public Page<BlobInfo> list(Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be in 1..1000, was " + limit);
        }
        synchronized (lock) {
            NavigableMap<ContentHash, Stored> tail = blobs;
            if (cursor.isPresent()) {
                ContentHash after;
                try {
                    after = ContentHash.ofHex(cursor.get());
                } catch (IllegalArgumentException e) {
                    throw new PermanentSyncException("invalid cursor", 400, e);
                }
                tail = blobs.tailMap(after, false);
            }
            List<BlobInfo> items = new ArrayList<>();
            boolean more = false;
            for (Stored s : tail.values()) {
                if (items.size() == limit) {
                    more = true;
                    break;
                }
                items.add(s.info());
            }
            return new Page<>(items, more ? Optional.of(items.get(items.size() - 1).hash().hex()) : Optional.empty());
        }
    }

    // ------------------------------------------------------------------ beyond the port

    /** The stored bytes under {@code hash}, read directly (a copy). */
    public Optional<byte[]> rawBytes(ContentHash hash) {
        requireNonNull(hash, "hash");
        synchronized (lock) {
            Stored s = blobs.get(hash);
            return s == null ? Optional.empty() : Optional.of(s.bytes().clone());
        }
    }

    /** The content type stored with a blob. */
    public Optional<String> contentType(ContentHash hash) {
        requireNonNull(hash, "hash");
        synchronized (lock) {
            Stored s = blobs.get(hash);
            return s == null ? Optional.empty() : Optional.of(s.contentType());
        }
    }

    /** Every stored blob, by hash. */
    public Map<ContentHash, BlobInfo> all() {
        synchronized (lock) {
            TreeMap<ContentHash, BlobInfo> out = new TreeMap<>();
            blobs.forEach((h, s) -> out.put(h, s.info()));
            return Collections.unmodifiableMap(out);
        }
    }

    /** Number of blobs stored. */
    public int size() {
        synchronized (lock) {
            return blobs.size();
        }
    }

    /** Blobs opened for reading ({@link #open}) so far. */
    public long opens() {
        synchronized (lock) {
            return opens;
        }
    }

    /** Writes that stored bytes (creating putIfAbsent calls and overwrites) so far. */
    public long writes() {
        synchronized (lock) {
            return writes;
        }
    }

    /** Bytes stored by those writes. */
    public long bytesWritten() {
        synchronized (lock) {
            return bytesWritten;
        }
    }

    /**
     * Replaces the stored bytes under {@code hash} without any check, keeping the ETag: models silent
     * corruption in the backend, for invariant-checker tests.
     *
     * @throws IllegalArgumentException when nothing is stored under {@code hash}
     */
    public void corrupt(ContentHash hash, byte[] bytes) {
        requireNonNull(hash, "hash");
        requireNonNull(bytes, "bytes");
        synchronized (lock) {
            Stored s = blobs.get(hash);
            if (s == null) {
                throw new IllegalArgumentException("nothing stored under " + hash);
            }
            blobs.put(hash, new Stored(s.info(), bytes.clone(), s.contentType()));
        }
    }

    // ------------------------------------------------------------------ internals

    private BlobInfo store(BlobUpload upload, byte[] bytes) {
        BlobInfo info = new BlobInfo(upload.hash(), bytes.length, "0x" + String.format("%08X", nextEtag++),
                clock.instant());
        blobs.put(upload.hash(), new Stored(info, bytes, upload.contentType()));
        writes++;
        bytesWritten += bytes.length;
        return info;
    }

    private static byte[] readVerified(BlobUpload upload) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = upload.source().open()) {
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                sha.update(buf, 0, n);
                out.write(buf, 0, n);
                if (out.size() > upload.size()) {
                    throw new ContentRejectedException(SkipReason.SIZE_MISMATCH,
                            "upload longer than its declared size " + upload.size());
                }
            }
        } catch (IOException e) {
            throw new PermanentSyncException("reading the upload source failed", e);
        }
        if (out.size() != upload.size()) {
            throw new ContentRejectedException(SkipReason.SIZE_MISMATCH,
                    "upload has " + out.size() + " bytes, declared " + upload.size());
        }
        ContentHash actual = ContentHash.ofBytes(sha.digest());
        if (!actual.equals(upload.hash())) {
            throw new ContentRejectedException(SkipReason.CHECKSUM_MISMATCH,
                    "upload hash " + actual + " differs from declared " + upload.hash());
        }
        return out.toByteArray();
    }
}
