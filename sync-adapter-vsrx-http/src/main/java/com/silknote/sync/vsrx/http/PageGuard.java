package com.silknote.sync.vsrx.http;

import com.silknote.sync.core.exception.MalformedResponseException;
import com.silknote.sync.core.model.PageRequest;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks listing pages against the protocol: at most {@code limit} items, ids strictly increasing (no
 * duplicates) within a page and across the pages of one walk, no cursor that comes back. A walk is
 * followed through the cursors this client handed out; memory is bounded (least recently used walks
 * are forgotten, then only the per-page checks apply).
 */
final class PageGuard {
    static final int MAX_WALKS = 1024;
    static final int RECENT_CURSORS = 64;
    static final int MAX_EMPTY_PAGES = 1000;

    /** What is known of one walk at a cursor. */
    private record Walk(String lastId, int emptyPages, List<String> recentCursors) { }

    private final Map<String, Walk> walks = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Walk> eldest) {
            return size() > MAX_WALKS;
        }
    };

    /**
     * @param listing identifies the listing (route, fileset, changedSince)
     * @throws MalformedResponseException when the page breaks a rule
     */
    void check(String op, String listing, PageRequest request, List<String> ids, Optional<String> next) {
        if (ids.size() > request.limit()) {
            throw new MalformedResponseException(op + ": page holds " + ids.size() + " items, more than the limit "
                    + request.limit());
        }
        for (int i = 1; i < ids.size(); i++) {
            if (ids.get(i).compareTo(ids.get(i - 1)) <= 0) {
                throw new MalformedResponseException(op + ": page ids are duplicated or out of order");
            }
        }
        Walk prev;
        synchronized (walks) {
            prev = request.cursor().map(c -> walks.get(listing + '\u0000' + c)).orElse(null);
        }
        if (next.isPresent() && (request.cursor().isPresent() && request.cursor().get().equals(next.get())
                || prev != null && prev.recentCursors.contains(next.get()))) {
            throw new MalformedResponseException(op + ": cursor loop");
        }
        if (prev != null && prev.lastId != null && !ids.isEmpty() && ids.get(0).compareTo(prev.lastId) <= 0) {
            throw new MalformedResponseException(op + ": page repeats ids of an earlier page (cursor loop or duplicates)");
        }
        if (next.isEmpty()) {
            return;
        }
        String n = next.get();
        int empty = ids.isEmpty() ? (prev == null ? 1 : prev.emptyPages + 1) : 0;
        if (empty > MAX_EMPTY_PAGES) {
            throw new MalformedResponseException(op + ": more than " + MAX_EMPTY_PAGES + " empty pages in a row");
        }
        ArrayDeque<String> recent = new ArrayDeque<>(prev == null ? List.of() : prev.recentCursors);
        request.cursor().ifPresent(recent::addLast);
        while (recent.size() > RECENT_CURSORS) {
            recent.removeFirst();
        }
        String lastId = ids.isEmpty() ? (prev == null ? null : prev.lastId) : ids.get(ids.size() - 1);
        synchronized (walks) {
            walks.put(listing + '\u0000' + n, new Walk(lastId, empty, List.copyOf(recent)));
        }
    }
}
