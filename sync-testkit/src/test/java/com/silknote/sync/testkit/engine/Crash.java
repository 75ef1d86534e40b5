package com.silknote.sync.testkit.engine;

/** A simulated process crash: an {@link Error}, so no layer may swallow it. */
final class Crash extends Error {
    private static final long serialVersionUID = 1L;

    Crash(String where) {
        super("simulated crash at " + where);
    }
}
