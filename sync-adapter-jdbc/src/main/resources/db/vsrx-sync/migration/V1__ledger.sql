-- vsrx-sync ledger, version 1: documents, mappings, filesets, blob references, skips, outbox,
-- resume state, run history and the store's fencing high-water mark. See docs/schema.md.

CREATE TABLE vsrx_sync_fileset (
    fileset_id          text        PRIMARY KEY,
    patient_uuid        uuid        NOT NULL,
    patient_id_history  jsonb       NOT NULL,
    last_synced_at      timestamptz NOT NULL
);

CREATE TABLE vsrx_sync_document (
    uuid            uuid        PRIMARY KEY,
    patient_uuid    uuid        NOT NULL,
    fileset_id      text        NOT NULL,
    client_file_id  text        NOT NULL,
    content_hash    char(64)    NOT NULL,
    size            bigint      NOT NULL CHECK (size >= 0),
    mime_type       text        NOT NULL,
    metadata        jsonb       NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT vsrx_sync_document_client_file_id_key UNIQUE (client_file_id)
);
CREATE INDEX vsrx_sync_document_fileset_idx ON vsrx_sync_document (fileset_id);
CREATE INDEX vsrx_sync_document_hash_idx ON vsrx_sync_document (content_hash);

CREATE TABLE vsrx_sync_mapping (
    vsrx_file_id       text        PRIMARY KEY,
    document_uuid      uuid        NOT NULL,
    fileset_id         text        NOT NULL,
    etag               text,
    modified_at        timestamptz NOT NULL,
    modified_at_nanos  integer     NOT NULL CHECK (modified_at_nanos BETWEEN 0 AND 999999999),
    size               bigint      NOT NULL CHECK (size >= 0),
    content_hash       char(64)    NOT NULL,
    synced_at          timestamptz NOT NULL
);
CREATE INDEX vsrx_sync_mapping_fileset_idx ON vsrx_sync_mapping (fileset_id);
CREATE INDEX vsrx_sync_mapping_document_idx ON vsrx_sync_mapping (document_uuid);

CREATE TABLE vsrx_sync_blob_ref (
    content_hash  char(64)    PRIMARY KEY,
    ref_count     bigint      NOT NULL CHECK (ref_count >= 0),
    size          bigint      NOT NULL CHECK (size >= 0),
    state         text        NOT NULL CHECK (state IN ('LIVE', 'DELETING')),
    blob_etag     text,
    updated_at    timestamptz NOT NULL
);
-- The collector's work list: only rows that may be collected are indexed.
CREATE INDEX vsrx_sync_blob_ref_collectable_idx ON vsrx_sync_blob_ref (content_hash)
    WHERE ref_count = 0 OR state = 'DELETING';

CREATE TABLE vsrx_sync_skip (
    file_id     text        PRIMARY KEY,
    fileset_id  text        NOT NULL,
    version     text        NOT NULL,
    reason      text        NOT NULL,
    skipped_at  timestamptz NOT NULL
);
CREATE INDEX vsrx_sync_skip_fileset_idx ON vsrx_sync_skip (fileset_id);

CREATE TABLE vsrx_sync_outbox (
    id             bigserial   PRIMARY KEY,
    document_uuid  uuid        NOT NULL,
    action         text        NOT NULL CHECK (action IN ('PROCESS', 'PURGE_VECTORS', 'COLLECT_BLOB')),
    content_hash   char(64)    NOT NULL,
    attempts       integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at     timestamptz NOT NULL,
    last_error     text,
    parked         boolean     NOT NULL DEFAULT false
);
-- pendingOutbox reads the oldest unparked entries.
CREATE INDEX vsrx_sync_outbox_pending_idx ON vsrx_sync_outbox (id) WHERE NOT parked;

CREATE TABLE vsrx_sync_state (
    id          smallint    PRIMARY KEY CHECK (id = 1),
    state       jsonb       NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE vsrx_sync_run (
    run_id       text        PRIMARY KEY,
    seq          bigserial   NOT NULL,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz NOT NULL,
    report       jsonb       NOT NULL
);
CREATE INDEX vsrx_sync_run_recent_idx ON vsrx_sync_run (started_at DESC, seq DESC);

CREATE TABLE vsrx_sync_fence (
    name        text   PRIMARY KEY,
    high_water  bigint NOT NULL CHECK (high_water >= 0)
);
