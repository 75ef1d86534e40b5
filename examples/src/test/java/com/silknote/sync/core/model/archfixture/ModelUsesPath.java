package com.silknote.sync.core.model.archfixture;

import com.silknote.sync.core.path.PathValidator;

/** Test fixture: the domain model depending on a domain service. */
public final class ModelUsesPath {
    public boolean ok(String p) {
        return PathValidator.validate(p).accepted();
    }
}
