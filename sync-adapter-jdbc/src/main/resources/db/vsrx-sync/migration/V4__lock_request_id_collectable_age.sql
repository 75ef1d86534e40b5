-- vsrx-sync ledger, version 4 (see docs/schema.md):
-- * the request id of the acquire that took a lease, so an acquire retried after a lost answer gets its own
--   lease back (same token) instead of being refused until the lease runs out;
-- * the collector's work list in the order it takes it: least recently released first.

ALTER TABLE vsrx_sync_lock ADD COLUMN request_id text;

DROP INDEX IF EXISTS vsrx_sync_blob_ref_collectable_idx;
CREATE INDEX vsrx_sync_blob_ref_collectable_age_idx ON vsrx_sync_blob_ref (updated_at, content_hash)
    WHERE ref_count = 0 OR state = 'DELETING';
