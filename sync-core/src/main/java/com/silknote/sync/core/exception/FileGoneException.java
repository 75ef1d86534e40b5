package com.silknote.sync.core.exception;

/**
 * The source no longer serves a file: it is unknown, gone from its fileset's listing or marked deleted (over
 * HTTP: 404 {@code file_not_found} or 410 {@code file_deleted} on the content route). Thrown by
 * {@link com.silknote.sync.core.port.VsrxSource#openContent}. A file listed by a run and gone by its download
 * was deleted or moved while the run was under way: the engine skips it for that run
 * ({@link com.silknote.sync.core.model.SkipReason#GONE}, not remembered), commits the rest of the fileset and
 * leaves the file's document as it is; the next run sees the file as the source lists it then (DESIGN rule 3).
 * Any other {@link PermanentSyncException} from the content route (a wrong route, a refused token) still fails
 * the fileset: only a source that says the file is gone makes it a skip.
 */
public class FileGoneException extends PermanentSyncException {
    private static final long serialVersionUID = 1L;

    /** @param statusCode 404 (unknown or not listed) or 410 (marked deleted), or -1 for a source without statuses */
    public FileGoneException(String safeMessage, int statusCode, Throwable cause) {
        super(safeMessage, statusCode, cause);
    }

    /** Unknown, or no longer in its fileset's listing (404, as {@code /v1} answers it). */
    public static FileGoneException notFound() {
        return new FileGoneException("file not found", 404, null);
    }

    /** Marked deleted: the source lists it with {@code deleted} and serves no content for it. */
    public static FileGoneException deleted() {
        return new FileGoneException("file is deleted", 410, null);
    }

    /** Whether the source said the file is marked deleted (410) rather than unknown or unlisted. */
    public boolean markedDeleted() {
        return statusCode().orElse(-1) == 410;
    }
}
