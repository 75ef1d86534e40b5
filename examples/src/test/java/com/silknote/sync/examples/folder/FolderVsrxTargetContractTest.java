package com.silknote.sync.examples.folder;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.contract.VsrxTargetContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/**
 * The folder source as a {@link com.silknote.sync.core.port.VsrxTarget}: the write port's contract (issue 14). A
 * restart is a new instance over the same folder, so the fence's high-water mark, the idempotency keys, the
 * origins and the deletion marks must all come back from {@code .vsrx-target/}.
 */
class FolderVsrxTargetContractTest extends VsrxTargetContract {
    @TempDir
    Path root;
    private final AtomicInteger filesets = new AtomicInteger();

    @Override
    protected Vsrx newVsrx(Clock clock) {
        FolderVsrxSource folder = new FolderVsrxSource(root);
        return new Vsrx(folder, folder);
    }

    @Override
    protected FilesetId addFileset(String patientId) {
        String id = "fs-" + filesets.incrementAndGet();
        try {
            Files.createDirectories(root.resolve(id).resolve("notes"));
            Files.writeString(root.resolve(id).resolve(FolderVsrxSource.FILESET_FILE), "patientId=" + patientId + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return FilesetId.of(id);
    }

    @Override
    protected VsrxFileId addVsrxFile(FilesetId fileset, String path, String mimeType, byte[] content) {
        try {
            Path file = root.resolve(fileset.value()).resolve(path);
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return FolderVsrxSource.fileId(fileset, path);
    }

    @Override
    protected Vsrx restart() {
        return newVsrx(clock);
    }
}
