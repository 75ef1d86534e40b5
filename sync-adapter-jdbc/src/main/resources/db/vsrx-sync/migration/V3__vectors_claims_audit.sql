-- vsrx-sync ledger, version 3: vector entries, scale-out claims and the audit log.

CREATE TABLE vsrx_sync_vector (
    document_uuid  uuid     NOT NULL,
    ordinal        integer  NOT NULL CHECK (ordinal >= 0),
    content_hash   char(64) NOT NULL,
    embedding      real[]   NOT NULL,
    PRIMARY KEY (document_uuid, ordinal)
);

CREATE TABLE vsrx_sync_claim (
    run_id         text        NOT NULL,
    fileset_id     text        NOT NULL,
    seq            bigserial   NOT NULL,
    status         text        NOT NULL CHECK (status IN ('OPEN', 'CLAIMED', 'SUCCEEDED', 'FAILED')),
    worker         text,
    claimed_until  timestamptz,
    attempts       integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, fileset_id)
);
-- claimNext scans a run's open or claimed rows in offer order.
CREATE INDEX vsrx_sync_claim_next_idx ON vsrx_sync_claim (run_id, seq) WHERE status IN ('OPEN', 'CLAIMED');

CREATE TABLE vsrx_sync_audit (
    id             bigserial   PRIMARY KEY,
    recorded_at    timestamptz NOT NULL,
    db_time        timestamptz NOT NULL DEFAULT now(),
    run_id         text,
    actor          text,
    fencing_token  bigint      NOT NULL,
    fileset_id     text,
    action         text        NOT NULL,
    counts         jsonb       NOT NULL
);
CREATE INDEX vsrx_sync_audit_fileset_idx ON vsrx_sync_audit (fileset_id, id);
CREATE INDEX vsrx_sync_audit_run_idx ON vsrx_sync_audit (run_id, id) WHERE run_id IS NOT NULL;
