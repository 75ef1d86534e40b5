package com.silknote.sync.examples.reliability;

import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.ForwardingDocumentStore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/** Runs {@code pause} once, just before the first unit of work reaches the store. */
final class PausingDocumentStore extends ForwardingDocumentStore {
    private final Runnable pause;
    private final AtomicBoolean paused = new AtomicBoolean();

    PausingDocumentStore(DocumentStore delegate, Runnable pause) {
        super(delegate);
        this.pause = pause;
    }

    @Override
    public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
        if (paused.compareAndSet(false, true)) {
            pause.run();
        }
        return super.inUnitOfWork(token, work);
    }
}
