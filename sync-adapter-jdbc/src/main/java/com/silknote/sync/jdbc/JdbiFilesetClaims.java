package com.silknote.sync.jdbc;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.port.FilesetClaims;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * {@link FilesetClaims} on the table {@code vsrx_sync_claim}: workers claim a run's filesets one at a time
 * with {@code FOR UPDATE SKIP LOCKED}, so no two workers get the same fileset and none waits for another.
 * Claims expire by the database's clock. Filesets are handed out in the order they were offered.
 * Thread-safe.
 */
public final class JdbiFilesetClaims implements FilesetClaims {
    private final Jdbi jdbi;

    /**
     * Claims on a migrated database.
     *
     * @throws NullPointerException when {@code dataSource} is null
     */
    @Inject
    public JdbiFilesetClaims(DataSource dataSource) {
        this(Jdbis.create(requireNonNull(dataSource, "dataSource")));
    }

    JdbiFilesetClaims(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@inheritDoc}
     *
     * @throws com.silknote.sync.core.exception.SyncException when the database failed
     */
    @Override
    public void offer(RunId run, List<FilesetId> filesets) {
        requireNonNull(run, "run");
        List<FilesetId> copy = List.copyOf(requireNonNull(filesets, "filesets"));
        if (copy.isEmpty()) {
            return;
        }
        SqlErrors.run("offer filesets", () -> jdbi.useTransaction(h -> {
            PreparedBatch batch = h.prepareBatch("""
                    INSERT INTO vsrx_sync_claim (run_id, fileset_id, status) VALUES (:run, :fileset, 'OPEN')
                    ON CONFLICT (run_id, fileset_id) DO NOTHING""");
            copy.forEach(f -> batch.bind("run", run.value()).bind("fileset", f.value()).add());
            batch.execute();
        }));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code ttl} is not positive
     * @throws com.silknote.sync.core.exception.SyncException when the database failed
     */
    @Override
    public Optional<FilesetId> claimNext(RunId run, String worker, Duration ttl) {
        requireNonNull(run, "run");
        requireNonNull(worker, "worker");
        requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        long micros = Math.max(1, ttl.toNanos() / 1000);
        return SqlErrors.translate("claim fileset", () -> jdbi.withHandle(h -> h.createQuery("""
                UPDATE vsrx_sync_claim c SET status = 'CLAIMED', worker = :worker,
                    claimed_until = now() + :ttl * interval '1 microsecond', attempts = c.attempts + 1
                WHERE (c.run_id, c.fileset_id) = (
                    SELECT run_id, fileset_id FROM vsrx_sync_claim
                    WHERE run_id = :run
                      AND (status = 'OPEN' OR (status = 'CLAIMED' AND claimed_until <= now()))
                    ORDER BY seq LIMIT 1
                    FOR UPDATE SKIP LOCKED)
                RETURNING c.fileset_id""")
                .bind("worker", worker).bind("ttl", micros).bind("run", run.value())
                .mapTo(String.class).findOne().map(FilesetId::of)));
    }

    /**
     * {@inheritDoc} Only the worker holding the claim can complete it; a claim that expired and went to
     * another worker is left to that worker.
     *
     * @throws com.silknote.sync.core.exception.SyncException when the database failed
     */
    @Override
    public void complete(RunId run, FilesetId fileset, String worker, boolean succeeded) {
        requireNonNull(run, "run");
        requireNonNull(fileset, "fileset");
        requireNonNull(worker, "worker");
        SqlErrors.run("complete claim", () -> jdbi.useHandle(h -> h.createUpdate("""
                UPDATE vsrx_sync_claim SET status = :status, claimed_until = NULL
                WHERE run_id = :run AND fileset_id = :fileset AND worker = :worker AND status = 'CLAIMED'""")
                .bind("status", succeeded ? "SUCCEEDED" : "FAILED").bind("run", run.value())
                .bind("fileset", fileset.value()).bind("worker", worker).execute()));
    }

    /** Builds a {@link JdbiFilesetClaims}. */
    public static final class Builder {
        private DataSource dataSource;

        private Builder() {
        }

        /** Connections to a migrated database (required). @return this builder */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = requireNonNull(dataSource, "dataSource");
            return this;
        }

        /**
         * The claims.
         *
         * @throws IllegalStateException when no data source was given
         */
        public JdbiFilesetClaims build() {
            if (dataSource == null) {
                throw new IllegalStateException("dataSource is required");
            }
            return new JdbiFilesetClaims(dataSource);
        }
    }
}
