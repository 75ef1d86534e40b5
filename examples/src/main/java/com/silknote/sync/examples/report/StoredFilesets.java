package com.silknote.sync.examples.report;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.port.DocumentStore;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * A run's fileset reports as stored in the run history, read page by page as they are iterated: memory holds
 * one page, however many filesets the run had.
 */
public final class StoredFilesets implements Iterable<FilesetReport> {
    /** Reports read per page. */
    public static final int PAGE = 500;

    private final DocumentStore store;
    private final RunId run;

    /** @throws NullPointerException when an argument is null */
    public StoredFilesets(DocumentStore store, RunId run) {
        this.store = requireNonNull(store, "store");
        this.run = requireNonNull(run, "run");
    }

    /** @throws com.silknote.sync.core.exception.SyncException (from {@code next}) when the store fails */
    @Override
    public Iterator<FilesetReport> iterator() {
        return new Iterator<>() {
            private Iterator<FilesetReport> page = null;
            private Optional<String> cursor = Optional.empty();
            private boolean last;

            @Override
            public boolean hasNext() {
                while ((page == null || !page.hasNext()) && !last) {
                    Page<FilesetReport> p = store.runFilesets(run, cursor, PAGE);
                    page = p.items().iterator();
                    cursor = p.nextCursor();
                    last = cursor.isEmpty();
                }
                return page != null && page.hasNext();
            }

            @Override
            public FilesetReport next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.next();
            }
        };
    }
}
