package com.silknote.sync.fs;

import com.silknote.sync.core.model.BlobKey;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.testkit.contract.BlobStoreContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;

/** The blob store contract on a temporary directory per test. */
class FileSystemBlobStoreContractTest extends BlobStoreContract {

    @TempDir
    Path root;

    @Override
    protected BlobStore newStore(Clock clock) {
        return FileSystemBlobStore.builder().root(root).clock(clock).build();
    }

    @Override
    protected Optional<byte[]> rawBytes(ContentHash hash) {
        Path file = root.resolve(BlobKey.of(hash).value());
        try {
            return Files.exists(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
