package com.silknote.sync.jdbc;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jdbi.v3.core.JdbiException;

/**
 * Translates SQL and Jdbi failures into the {@link SyncException} hierarchy. Messages name only the
 * operation and the SQLState, never SQL text or bound values; the cause is kept.
 */
final class SqlErrors {
    /** SQLStates that may succeed when tried again: serialization failure, deadlock, lock timeout, shutdown. */
    private static final Set<String> TRANSIENT_STATES = Set.of(
            "40001", "40P01", "55P03", "57P01", "57P02", "57P03", "53300", "57014");

    private SqlErrors() {
    }

    /** Runs {@code body}, translating backend failures; {@link SyncException}s pass unchanged. */
    static <T> T translate(String operation, Supplier<T> body) {
        try {
            return body.get();
        } catch (SyncException e) {
            throw e;
        } catch (JdbiException e) {
            throw translate(operation, e);
        } catch (RuntimeException e) {
            if (findSqlException(e).isPresent()) {
                throw translate(operation, e);
            }
            throw e;
        }
    }

    static void run(String operation, Runnable body) {
        translate(operation, () -> {
            body.run();
            return null;
        });
    }

    /** The translated exception for a backend failure. */
    static SyncException translate(String operation, Throwable failure) {
        Optional<SQLException> sql = findSqlException(failure);
        String state = sql.map(SQLException::getSQLState).orElse(null);
        boolean transientFailure = sql.map(SqlErrors::isTransient).orElse(false);
        String message = operation + " failed" + (state == null ? "" : " (SQLState " + state + ")");
        return transientFailure ? new TransientSyncException(message, failure)
                : new PermanentSyncException(message, failure);
    }

    static boolean isTransient(SQLException e) {
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
            return true;
        }
        String state = e.getSQLState();
        if (state == null) {
            return false;
        }
        return state.startsWith("08") || TRANSIENT_STATES.contains(state);
    }

    /**
     * The most telling SQL exception in the chain (causes, suppressed exceptions, next exceptions): the
     * first with a SQLState, else the first at all.
     */
    static Optional<SQLException> findSqlException(Throwable failure) {
        List<SQLException> found = new ArrayList<>();
        collect(failure, found, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
        return found.stream().filter(e -> e.getSQLState() != null).findFirst()
                .or(() -> found.stream().findFirst());
    }

    private static void collect(Throwable t, List<SQLException> found, Set<Throwable> seen, int depth) {
        if (t == null || depth > 32 || !seen.add(t)) {
            return;
        }
        if (t instanceof SQLException sql) {
            found.add(sql);
            collect(sql.getNextException(), found, seen, depth + 1);
        }
        collect(t.getCause(), found, seen, depth + 1);
        for (Throwable s : t.getSuppressed()) {
            collect(s, found, seen, depth + 1);
        }
    }
}
