package com.silknote.sync.testkit.fault;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.port.DocumentProcessor;

/** A {@link DocumentProcessor} that fails as its {@link FaultPlan} says; {@code process} is an effect. */
public final class FaultyDocumentProcessor implements DocumentProcessor {
    private final DocumentProcessor delegate;
    private final FaultPlan plan;

    /** Decorates {@code delegate} with the faults of {@code plan}. */
    public FaultyDocumentProcessor(DocumentProcessor delegate, FaultPlan plan) {
        this.delegate = requireNonNull(delegate, "delegate");
        this.plan = requireNonNull(plan, "plan");
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public void process(SilknoteDocument document, FencingToken token) {
        plan.effect(Operation.PROCESS, document.uuid().toString(), () -> {
            delegate.process(document, token);
            return null;
        });
    }
}
