package com.silknote.sync.core.internal;

import com.silknote.sync.core.port.VsrxTarget;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.path.PathVerdict;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.core.port.VsrxSource;
import java.time.Clock;
import java.util.function.Function;

/** The engine's collaborators. */
record EngineParts(VsrxSource source, DocumentStore documents, BlobStore blobs, VectorStore vectors,
        DocumentProcessor processor, SyncLock lock, SafeListener listener, SyncConfig config, Clock clock,
        Retrier retrier, Function<String, PathVerdict> pathCheck, ContentTypeCheck typeCheck,
        Optional<VsrxTarget> target) {
    EngineParts {
        requireNonNull(source, "source");
        requireNonNull(documents, "documents");
        requireNonNull(blobs, "blobs");
        requireNonNull(vectors, "vectors");
        requireNonNull(processor, "processor");
        requireNonNull(lock, "lock");
        requireNonNull(listener, "listener");
        requireNonNull(config, "config");
        requireNonNull(clock, "clock");
        requireNonNull(retrier, "retrier");
        requireNonNull(pathCheck, "pathCheck");
        requireNonNull(typeCheck, "typeCheck");
        requireNonNull(target, "target");
    }

    /** The VSRX write port when the Silknote → VSRX direction is on (docs/bidirectional.md), else empty. */
    Optional<VsrxTarget> writeTarget() {
        return config.bidirectional().enabled() ? target : Optional.empty();
    }
}
