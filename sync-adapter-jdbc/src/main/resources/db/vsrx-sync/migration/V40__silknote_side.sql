-- vsrx-sync ledger, version 40: the Silknote side of bi-directional sync (issue 14; docs/bidirectional.md,
-- docs/schema.md).
--
-- * Documents Silknote users create have no VSRX file yet (client_file_id NULL) and may have no patient fileset.
-- * The change sequence: change_seq is the 64-bit id of the transaction that last inserted or updated the row,
--   unless that transaction was the sync's own (it sets vsrx_sync.writer = 'sync'); removals by anyone but the
--   sync are logged in vsrx_sync_document_removal the same way. A reader takes pg_snapshot_xmin as its settled
--   position, so a transaction that commits late is never skipped. The trigger functions take the column names
--   as arguments, so a host installs them on its own document table (docs/schema.md shows how).
-- * The stored change position, and the conflict records of bi-directional sync.

ALTER TABLE vsrx_sync_document ALTER COLUMN client_file_id DROP NOT NULL;
ALTER TABLE vsrx_sync_document ALTER COLUMN fileset_id DROP NOT NULL;
ALTER TABLE vsrx_sync_document ADD COLUMN change_seq bigint NOT NULL DEFAULT 0;
CREATE INDEX vsrx_sync_document_change_seq_idx ON vsrx_sync_document (change_seq) WHERE change_seq > 0;
CREATE INDEX vsrx_sync_document_authored_idx ON vsrx_sync_document (patient_uuid) WHERE client_file_id IS NULL;
CREATE INDEX vsrx_sync_fileset_patient_idx ON vsrx_sync_fileset (patient_uuid);

CREATE TABLE vsrx_sync_document_removal (
    change_seq     bigint      NOT NULL,
    document_uuid  uuid        NOT NULL,
    patient_uuid   uuid        NOT NULL,
    fileset_id     text,
    removed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (change_seq, document_uuid)
);

CREATE TABLE vsrx_sync_change_position (
    id        smallint PRIMARY KEY CHECK (id = 1),
    position  bigint   NOT NULL CHECK (position >= 0)
);

-- BEFORE INSERT OR UPDATE, argument: the change column.
CREATE FUNCTION vsrx_sync_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('vsrx_sync.writer', true) = 'sync' THEN
        IF TG_OP = 'INSERT' THEN
            NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], 0));
        END IF;
    ELSE
        NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], pg_current_xact_id()::text::bigint));
    END IF;
    RETURN NEW;
END
$$;

-- AFTER DELETE, arguments: the uuid, patient uuid and fileset id columns.
CREATE FUNCTION vsrx_sync_record_removal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    o jsonb := to_jsonb(OLD);
BEGIN
    IF current_setting('vsrx_sync.writer', true) IS DISTINCT FROM 'sync' THEN
        INSERT INTO "${flyway:defaultSchema}".vsrx_sync_document_removal
            (change_seq, document_uuid, patient_uuid, fileset_id)
        VALUES (pg_current_xact_id()::text::bigint, (o ->> TG_ARGV[0])::uuid, (o ->> TG_ARGV[1])::uuid,
                o ->> TG_ARGV[2])
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN OLD;
END
$$;

CREATE TRIGGER vsrx_sync_document_stamp_change BEFORE INSERT OR UPDATE ON vsrx_sync_document
    FOR EACH ROW EXECUTE FUNCTION vsrx_sync_stamp_change('change_seq');
CREATE TRIGGER vsrx_sync_document_record_removal AFTER DELETE ON vsrx_sync_document
    FOR EACH ROW EXECUTE FUNCTION vsrx_sync_record_removal('uuid', 'patient_uuid', 'fileset_id');

CREATE TABLE vsrx_sync_conflict (
    id             text        PRIMARY KEY,
    fileset_id     text        NOT NULL,
    file_id        text,
    document_uuid  uuid        NOT NULL,
    kind           text        NOT NULL,
    status         text        NOT NULL CHECK (status IN ('OPEN', 'APPLIED', 'RESOLVED')),
    base_hash      char(64),
    vsrx_hash      char(64),
    vsrx_etag      text,
    silknote_hash  char(64),
    strategy       text,
    decision       text,
    kept_hash      char(64),
    detail         text,
    detected_at    timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX vsrx_sync_conflict_unresolved_idx ON vsrx_sync_conflict (fileset_id, id) WHERE status <> 'RESOLVED';
CREATE INDEX vsrx_sync_conflict_status_idx ON vsrx_sync_conflict (status, id);
