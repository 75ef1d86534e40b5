-- vsrx-sync ledger, version 10: one audit row per change (issue 11), append-only.
--
-- Besides the unit-of-work row (action FILESET_COMMIT, with counts) every unit of work now writes one row per
-- change it makes: created, updated, metadata-only, deleted, conflict, migrated, cleaned up, repaired. Ids,
-- hashes and reason codes only; never a patient id or a path.

ALTER TABLE vsrx_sync_audit ALTER COLUMN counts DROP NOT NULL;
ALTER TABLE vsrx_sync_audit
    ADD COLUMN document_uuid    uuid,
    ADD COLUMN file_id          text,
    ADD COLUMN from_fileset_id  text,
    ADD COLUMN before_hash      char(64),
    ADD COLUMN after_hash       char(64),
    ADD COLUMN detail           text;

-- vsrx-sync audit --document / --fileset (the fileset a migration moved a document from) / --run
CREATE INDEX vsrx_sync_audit_document_idx ON vsrx_sync_audit (document_uuid, id) WHERE document_uuid IS NOT NULL;
CREATE INDEX vsrx_sync_audit_from_fileset_idx ON vsrx_sync_audit (from_fileset_id, id)
    WHERE from_fileset_id IS NOT NULL;

-- Append-only: a row, once written, is never changed or removed.
CREATE FUNCTION vsrx_sync_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'vsrx_sync_audit is append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER vsrx_sync_audit_append_only BEFORE UPDATE OR DELETE ON vsrx_sync_audit
    FOR EACH ROW EXECUTE FUNCTION vsrx_sync_audit_append_only();
