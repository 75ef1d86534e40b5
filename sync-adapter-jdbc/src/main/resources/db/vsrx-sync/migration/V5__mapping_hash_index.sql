-- vsrx-sync ledger, version 5 (see docs/schema.md):
-- * the blob collector never marks a row at zero that a mapping or document still holds (a count damaged
--   outside the sync); documents have an index on content_hash since version 1, mappings get one here.

CREATE INDEX vsrx_sync_mapping_hash_idx ON vsrx_sync_mapping (content_hash);
