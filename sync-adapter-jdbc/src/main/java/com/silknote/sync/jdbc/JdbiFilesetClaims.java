package com.silknote.sync.jdbc;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.port.FilesetClaims;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/**
 * {@link FilesetClaims} on the tables {@code vsrx_sync_claim_run} and {@code vsrx_sync_claim}: workers claim
 * a run's filesets one at a time with {@code FOR UPDATE SKIP LOCKED}, so no two workers get the same fileset
 * and none waits for another; every claim gets a token from {@code vsrx_sync_claim_token_seq}. Claims expire
 * by the database's clock. Filesets are handed out in the order they were offered. The
 * {@link JdbiDocumentStore} of the same database checks claims inside units of work and finishes them with
 * the fileset's report ({@code docs/schema.md}). Thread-safe.
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

    /** @throws com.silknote.sync.core.exception.SyncException when the database failed */
    @Override
    public void open(RunId run, FencingToken token) {
        requireNonNull(run, "run");
        requireNonNull(token, "token");
        SqlErrors.run("open run to workers", () -> jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM vsrx_sync_claim_run WHERE run_id <> :run").bind("run", run.value()).execute();
            h.createUpdate("""
                    INSERT INTO vsrx_sync_claim_run (run_id, token) VALUES (:run, :token)
                    ON CONFLICT (run_id) DO NOTHING""")
                    .bind("run", run.value()).bind("token", token.value()).execute();
        }));
    }

    /** @throws com.silknote.sync.core.exception.SyncException when the database failed */
    @Override
    public Optional<OpenRun> openRun() {
        return SqlErrors.translate("read open run", () -> jdbi.withHandle(h -> h.createQuery("""
                SELECT run_id, token, all_offered FROM vsrx_sync_claim_run ORDER BY open_seq DESC LIMIT 1""")
                .map((rs, ctx) -> new OpenRun(RunId.of(rs.getString("run_id")), FencingToken.of(rs.getLong("token")),
                        rs.getBoolean("all_offered")))
                .findOne()));
    }

    /**
     * {@inheritDoc} One statement; nothing is offered when the run is not open.
     *
     * @throws com.silknote.sync.core.exception.SyncException when the database failed
     */
    @Override
    public void offer(RunId run, List<FilesetId> filesets) {
        requireNonNull(run, "run");
        List<String> ids = requireNonNull(filesets, "filesets").stream().map(f -> requireNonNull(f, "fileset").value())
                .toList();
        if (ids.isEmpty()) {
            return;
        }
        SqlErrors.run("offer filesets", () -> jdbi.useHandle(h -> h.createUpdate("""
                INSERT INTO vsrx_sync_claim (run_id, fileset_id, status)
                SELECT :run, f.id, 'OPEN' FROM unnest(CAST(:ids AS text[])) WITH ORDINALITY AS f(id, n)
                WHERE EXISTS (SELECT 1 FROM vsrx_sync_claim_run WHERE run_id = :run)
                ORDER BY f.n
                ON CONFLICT (run_id, fileset_id) DO NOTHING""")
                .bind("run", run.value()).bindArray("ids", String.class, ids).execute()));
    }

    /** @throws com.silknote.sync.core.exception.SyncException when the database failed */
    @Override
    public void allOffered(RunId run) {
        requireNonNull(run, "run");
        SqlErrors.run("close offers", () -> jdbi.useHandle(h -> h.createUpdate(
                "UPDATE vsrx_sync_claim_run SET all_offered = true WHERE run_id = :run")
                .bind("run", run.value()).execute()));
    }

    /** @throws com.silknote.sync.core.exception.SyncException when the database failed */
    @Override
    public void withdraw(RunId run) {
        requireNonNull(run, "run");
        SqlErrors.run("withdraw offers", () -> jdbi.useHandle(h -> h.createUpdate(
                "DELETE FROM vsrx_sync_claim WHERE run_id = :run AND status = 'OPEN'")
                .bind("run", run.value()).execute()));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code ttl} is not positive
     * @throws com.silknote.sync.core.exception.SyncException when the database failed
     */
    @Override
    public Optional<Claim> claimNext(RunId run, String worker, Duration ttl) {
        requireNonNull(run, "run");
        requireNonNull(worker, "worker");
        long micros = micros(ttl);
        return SqlErrors.translate("claim fileset", () -> jdbi.withHandle(h -> h.createQuery("""
                UPDATE vsrx_sync_claim c SET status = 'CLAIMED', worker = :worker,
                    claim_token = nextval('vsrx_sync_claim_token_seq'),
                    claimed_until = now() + :ttl * interval '1 microsecond', attempts = c.attempts + 1
                WHERE (c.run_id, c.fileset_id) = (
                    SELECT run_id, fileset_id FROM vsrx_sync_claim
                    WHERE run_id = :run
                      AND (status = 'OPEN' OR (status = 'CLAIMED' AND claimed_until <= now()))
                    ORDER BY seq LIMIT 1
                    FOR UPDATE SKIP LOCKED)
                RETURNING c.fileset_id, c.claim_token""")
                .bind("worker", worker).bind("ttl", micros).bind("run", run.value())
                .map((rs, ctx) -> new Claim(run, FilesetId.of(rs.getString("fileset_id")), worker,
                        rs.getLong("claim_token")))
                .findOne()));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code ttl} is not positive
     * @throws com.silknote.sync.core.exception.SyncException when the database failed
     */
    @Override
    public void renew(RunId run, String worker, Duration ttl) {
        requireNonNull(run, "run");
        requireNonNull(worker, "worker");
        long micros = micros(ttl);
        SqlErrors.run("renew claims", () -> jdbi.useHandle(h -> h.createUpdate("""
                UPDATE vsrx_sync_claim SET claimed_until = now() + :ttl * interval '1 microsecond'
                WHERE run_id = :run AND worker = :worker AND status = 'CLAIMED'""")
                .bind("ttl", micros).bind("run", run.value()).bind("worker", worker).execute()));
    }

    /** @throws com.silknote.sync.core.exception.SyncException when the database failed */
    @Override
    public List<Completion> completions(RunId run, long afterSeq, int limit) {
        requireNonNull(run, "run");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        return SqlErrors.translate("read finished claims", () -> jdbi.withHandle(h -> h.createQuery("""
                SELECT fileset_id, status, done_seq FROM vsrx_sync_claim
                WHERE run_id = :run AND done_seq > :after ORDER BY done_seq LIMIT :limit""")
                .bind("run", run.value()).bind("after", afterSeq).bind("limit", limit)
                .map((rs, ctx) -> new Completion(FilesetId.of(rs.getString("fileset_id")),
                        "SUCCEEDED".equals(rs.getString("status")), rs.getLong("done_seq")))
                .list()));
    }

    /** @throws com.silknote.sync.core.exception.SyncException when the database failed */
    @Override
    public long unfinished(RunId run) {
        requireNonNull(run, "run");
        return SqlErrors.translate("count unfinished claims", () -> jdbi.withHandle(h -> h.createQuery(
                "SELECT count(*) FROM vsrx_sync_claim WHERE run_id = :run AND status IN ('OPEN', 'CLAIMED')")
                .bind("run", run.value()).mapTo(Long.class).one()));
    }

    /** @throws com.silknote.sync.core.exception.SyncException when the database failed */
    @Override
    public void close(RunId run) {
        requireNonNull(run, "run");
        SqlErrors.run("close run", () -> jdbi.useHandle(h -> h.createUpdate(
                "DELETE FROM vsrx_sync_claim_run WHERE run_id = :run").bind("run", run.value()).execute()));
    }

    private static long micros(Duration ttl) {
        requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        return Math.max(1, ttl.toNanos() / 1000);
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
