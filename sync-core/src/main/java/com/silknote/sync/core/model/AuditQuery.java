package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

/**
 * Which audit rows to read: those of one document, one fileset (as it was before or after the change) or
 * one run.
 *
 * @param kind  what {@code value} names
 * @param value the document uuid, fileset id or run id
 */
public record AuditQuery(Kind kind, String value) {

    /** What an audit query selects by. */
    public enum Kind { DOCUMENT, FILESET, RUN }

    public AuditQuery {
        requireNonNull(kind, "kind");
        requireNonNull(value, "value");
    }

    public static AuditQuery byDocument(DocumentUuid document) {
        return new AuditQuery(Kind.DOCUMENT, requireNonNull(document, "document").value().toString());
    }

    public static AuditQuery byFileset(FilesetId fileset) {
        return new AuditQuery(Kind.FILESET, requireNonNull(fileset, "fileset").value());
    }

    public static AuditQuery byRun(RunId run) {
        return new AuditQuery(Kind.RUN, requireNonNull(run, "run").value());
    }

    /** {@code true} when {@code r} is one of the rows this query selects. */
    public boolean matches(AuditRecord r) {
        AuditEntry e = r.entry();
        return switch (kind) {
            case DOCUMENT -> e.document().map(d -> d.value().toString().equals(value)).orElse(false);
            case FILESET -> e.filesetId().map(f -> f.value().equals(value)).orElse(false)
                    || e.fromFilesetId().map(f -> f.value().equals(value)).orElse(false);
            case RUN -> e.runId().value().equals(value);
        };
    }
}
