-- vsrx-sync ledger, version 21: scale-out claims (issue 11, DESIGN section 6). A run is opened to workers
-- under its coordinator's fencing token; every claim carries a token of its own (strictly increasing over
-- all claims), checked inside the unit of work that commits the fileset; a fileset's report finishes its
-- claim in the same transaction and numbers it from the run's done_count, whose row lock makes the numbers
-- follow the commit order (a sequence would not: a number taken earlier can commit later, and a coordinator
-- reading "after n" would miss it). Nothing used vsrx_sync_claim before this version, so it is made anew.

DROP TABLE vsrx_sync_claim;

CREATE SEQUENCE vsrx_sync_claim_token_seq;

CREATE TABLE vsrx_sync_claim_run (
    run_id       text        PRIMARY KEY,
    token        bigint      NOT NULL CHECK (token >= 0),
    all_offered  boolean     NOT NULL DEFAULT false,
    done_count   bigint      NOT NULL DEFAULT 0,
    opened_at    timestamptz NOT NULL DEFAULT now(),
    open_seq     bigserial   NOT NULL
);

CREATE TABLE vsrx_sync_claim (
    run_id         text        NOT NULL REFERENCES vsrx_sync_claim_run (run_id) ON DELETE CASCADE,
    fileset_id     text        NOT NULL,
    seq            bigserial   NOT NULL,
    status         text        NOT NULL CHECK (status IN ('OPEN', 'CLAIMED', 'SUCCEEDED', 'FAILED')),
    worker         text,
    claim_token    bigint,
    claimed_until  timestamptz,
    done_seq       bigint,
    attempts       integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, fileset_id)
);
-- claimNext scans a run's open or claimed rows in offer order
CREATE INDEX vsrx_sync_claim_next_idx ON vsrx_sync_claim (run_id, seq) WHERE status IN ('OPEN', 'CLAIMED');
-- completions pages a run's finished rows in finishing order
CREATE INDEX vsrx_sync_claim_done_idx ON vsrx_sync_claim (run_id, done_seq) WHERE done_seq IS NOT NULL;
