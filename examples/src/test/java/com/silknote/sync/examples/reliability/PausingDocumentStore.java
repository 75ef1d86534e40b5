package com.silknote.sync.examples.reliability;

import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.ForwardingDocumentStore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Runs {@code pause} once, just before the k-th unit of work reaches the store. */
final class PausingDocumentStore extends ForwardingDocumentStore {
    private final int at;
    private final Runnable pause;
    private final AtomicInteger units = new AtomicInteger();

    PausingDocumentStore(DocumentStore delegate, int at, Runnable pause) {
        super(delegate);
        this.at = at;
        this.pause = pause;
    }

    @Override
    public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
        if (units.incrementAndGet() == at) {
            pause.run();
        }
        return super.inUnitOfWork(token, work);
    }
}
