package com.silknote.sync.testkit.fault;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.port.VectorStore;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** A {@link VectorStore} that fails as its {@link FaultPlan} says; writes are effects (crash points). */
public final class FaultyVectorStore implements VectorStore {
    private final VectorStore delegate;
    private final FaultPlan plan;

    /** Decorates {@code delegate} with the faults of {@code plan}. */
    public FaultyVectorStore(VectorStore delegate, FaultPlan plan) {
        this.delegate = requireNonNull(delegate, "delegate");
        this.plan = requireNonNull(plan, "plan");
    }

    /** Not a fault point: raises the delegate's mark. */
    @Override
    public void fence(FencingToken token) {
        delegate.fence(token);
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public void replace(FencingToken token, DocumentUuid document, List<VectorEntry> entries) {
        plan.effect(Operation.VECTOR_REPLACE, document.toString(), () -> {
            delegate.replace(token, document, entries);
            return null;
        });
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public int deleteByDocument(FencingToken token, DocumentUuid document) {
        return plan.effect(Operation.VECTOR_DELETE, document.toString(),
                () -> delegate.deleteByDocument(token, document));
    }

    /**
     * One effect for all of them; key: the documents joined by {@code ,}.
     *
     * @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says
     */
    @Override
    public int deleteByDocuments(FencingToken token, Collection<DocumentUuid> documents) {
        List<DocumentUuid> docs = List.copyOf(documents);
        String key = docs.stream().map(DocumentUuid::toString).collect(Collectors.joining(","));
        return plan.effect(Operation.VECTOR_DELETE, key, () -> delegate.deleteByDocuments(token, docs));
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public List<VectorEntry> entries(DocumentUuid document) {
        return plan.call(Operation.VECTOR_READ, document.toString(), () -> delegate.entries(document));
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public Page<DocumentUuid> documents(Optional<String> cursor, int limit) {
        return plan.call(Operation.VECTOR_READ, "", () -> delegate.documents(cursor, limit));
    }
}
