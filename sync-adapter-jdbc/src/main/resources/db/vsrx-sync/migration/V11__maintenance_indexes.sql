-- vsrx-sync ledger, version 11: indexes of the consistency check and the orphan cleanup (issue 11).

-- References per content hash (reference tallies, recounts, the cleanup's "is this blob referenced?") read the
-- mappings by content hash, as they read the documents by theirs (vsrx_sync_document_hash_idx).
CREATE INDEX vsrx_sync_mapping_hash_idx ON vsrx_sync_mapping (content_hash);
