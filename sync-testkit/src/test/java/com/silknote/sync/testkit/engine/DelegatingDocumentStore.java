package com.silknote.sync.testkit.engine;

import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.ForwardingDocumentStore;

/** Forwards every call to another document store; tests override single methods. */
class DelegatingDocumentStore extends ForwardingDocumentStore {
    DelegatingDocumentStore(DocumentStore d) {
        super(d);
    }
}
