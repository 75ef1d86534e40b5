-- vsrx-sync ledger, version 2: the lease table of JdbiSyncLock. A row is never deleted, so its token
-- keeps rising across holders; release only moves expires_at to the database's now().

CREATE TABLE vsrx_sync_lock (
    name         text        PRIMARY KEY,
    holder       text        NOT NULL,
    token        bigint      NOT NULL CHECK (token >= 1),
    acquired_at  timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
