-- name: quality
-- description: Data quality checks, one row per check with a count and an example contact (Spark SQL over the lake).
-- parameters: none; --from/--to/--queue narrow the legs checked
-- columns: check, count, example_contact_id
-- Queries/quality.sql in Spark SQL; its rows equal ctrdb's. The checks of legs are computed
-- from the lake's legs/ (conflicting_versions from its 0/1 column of that name).
-- duplicate_deliveries, rejected_records and partial_files count the database's versions,
-- rejects and files, which the lake does not hold: `ctrdb lake` writes them into
-- _ctrdb_lake.json ("quality") and report.py binds them here (null for a lake without them).
-- The checks come in ctrdb's order (ordinal), which UNION ALL alone does not promise on Spark.
SELECT `check`, count, example_contact_id
FROM (
    SELECT 1 AS ordinal, 'duration_mismatch' AS `check`, COUNT(*) AS count, MIN(contact_id) AS example_contact_id
    FROM legs
    WHERE queue_duration_s IS NOT NULL AND enqueue_ts IS NOT NULL AND dequeue_ts IS NOT NULL
      AND abs(queue_duration_s - (unix_seconds(dequeue_ts) - unix_seconds(enqueue_ts))) > 1
      AND NOT (callback_leg = 1 AND initiation_ts IS NOT NULL
               AND abs(queue_duration_s - (unix_seconds(dequeue_ts) - unix_seconds(initiation_ts))) <= 1)
    UNION ALL
    SELECT 2, 'missing_queue_duration', COUNT(*), MIN(contact_id)
    FROM legs WHERE queued = 1 AND queue_duration_s IS NULL
    UNION ALL
    SELECT 3, 'negative_whisper_gap', COUNT(*), MIN(contact_id)
    FROM legs WHERE agent_whisper_s < 0 OR outbound_whisper_s < 0
    UNION ALL
    SELECT 4, 'missing_parent', COUNT(*), MIN(contact_id) FROM legs WHERE missing_parent = 1
    UNION ALL
    SELECT 5, 'missing_next', COUNT(*), MIN(contact_id) FROM legs WHERE missing_next = 1
    UNION ALL
    SELECT 6, 'cycle', COUNT(*), MIN(contact_id) FROM legs WHERE in_cycle = 1
    UNION ALL
    SELECT 7, 'duplicate_deliveries', CAST(:duplicates_count AS BIGINT), CAST(:duplicates_example AS STRING)
    UNION ALL
    SELECT 8, 'conflicting_versions', COUNT(*), MIN(contact_id) FROM legs WHERE conflicting_versions = 1
    UNION ALL
    SELECT 9, 'rejected_records', CAST(:rejected_count AS BIGINT), CAST(:rejected_example AS STRING)
    UNION ALL
    SELECT 10, 'partial_files', CAST(:partial_count AS BIGINT), CAST(:partial_example AS STRING)
) AS checks
ORDER BY ordinal
