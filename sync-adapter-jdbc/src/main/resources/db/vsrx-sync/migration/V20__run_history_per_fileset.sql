-- vsrx-sync ledger, version 20: the run history is stored per fileset (issue 11 "run history", issue 12
-- "constant heap"). A run row is written when the run starts (finished_at and report stay null until it
-- finishes, so a run whose process died shows as unfinished) and completed with the run's summary: totals,
-- metrics, alerts, status, no fileset list. Every fileset's report is a row of its own, written as the
-- fileset finishes.

ALTER TABLE vsrx_sync_run ALTER COLUMN finished_at DROP NOT NULL;
ALTER TABLE vsrx_sync_run ALTER COLUMN report DROP NOT NULL;

CREATE TABLE vsrx_sync_run_fileset (
    run_id       text        NOT NULL,
    fileset_id   text        NOT NULL,
    seq          bigserial   NOT NULL,
    recorded_at  timestamptz NOT NULL,
    outcome      text        NOT NULL,
    report       jsonb       NOT NULL,
    PRIMARY KEY (run_id, fileset_id)
);
-- a run's reports in the order they were recorded (runFilesets pages by seq)
CREATE INDEX vsrx_sync_run_fileset_order_idx ON vsrx_sync_run_fileset (run_id, seq);

-- Runs recorded before this version hold their fileset reports in one array: they become rows, in order.
INSERT INTO vsrx_sync_run_fileset (run_id, fileset_id, recorded_at, outcome, report)
SELECT r.run_id, f.value -> 'filesetId' ->> 'value', r.finished_at, f.value ->> 'outcome', f.value
FROM vsrx_sync_run r, jsonb_array_elements(r.report -> 'filesets') WITH ORDINALITY AS f(value, n)
WHERE jsonb_typeof(r.report -> 'filesets') = 'array'
ORDER BY r.seq, f.n
ON CONFLICT (run_id, fileset_id) DO NOTHING;

-- Reports written before the run's status was recorded: the status their filesets imply.
UPDATE vsrx_sync_run r SET report = r.report || CASE
        WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(r.report -> 'filesets') f
                     WHERE f ->> 'outcome' IN ('FAILED', 'MASS_DELETE_BLOCKED'))
        THEN jsonb_build_object('status', 'PARTIAL_FAILURE', 'error', 'a fileset failed')
        ELSE jsonb_build_object('status', 'COMPLETED', 'error', NULL) END
WHERE jsonb_typeof(r.report -> 'filesets') = 'array'
  AND (r.report -> 'status' IS NULL OR jsonb_typeof(r.report -> 'status') = 'null');

-- The summary keeps the totals of the filesets it no longer lists.
UPDATE vsrx_sync_run r SET report = (r.report - 'filesets') || jsonb_build_object(
    'filesets', '[]'::jsonb,
    'totals', jsonb_build_object(
        'filesets', COALESCE((SELECT jsonb_object_agg(x.o, x.c) FROM (
                SELECT f ->> 'outcome' AS o, count(*) AS c
                FROM jsonb_array_elements(r.report -> 'filesets') f GROUP BY 1) x), '{}'::jsonb),
        'files', COALESCE((SELECT jsonb_object_agg(y.a, y.c) FROM (
                SELECT fl ->> 'action' AS a, count(*) AS c
                FROM jsonb_array_elements(r.report -> 'filesets') f,
                     jsonb_array_elements(CASE WHEN jsonb_typeof(f -> 'files') = 'array'
                                               THEN f -> 'files' ELSE '[]'::jsonb END) fl
                GROUP BY 1) y), '{}'::jsonb),
        'bytesDownloaded', COALESCE((SELECT sum((f ->> 'bytesDownloaded')::bigint)
                FROM jsonb_array_elements(r.report -> 'filesets') f), 0),
        'newUniqueBytes', COALESCE((SELECT sum((f ->> 'newUniqueBytes')::bigint)
                FROM jsonb_array_elements(r.report -> 'filesets') f), 0)))
WHERE jsonb_typeof(r.report -> 'filesets') = 'array' AND r.report -> 'totals' IS NULL;
