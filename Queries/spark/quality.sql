-- name: quality
-- description: Data quality checks, one row per check with a count and an example contact (Spark SQL over the lake).
-- parameters: none; --from/--to/--queue narrow the legs checked
-- columns: check, count, example_contact_id
-- Queries/quality.sql in Spark SQL. The checks of legs are computed from the lake's legs/ and
-- equal ctrdb's. duplicate_deliveries, conflicting_versions, rejected_records and partial_files
-- count the database's versions, rejects and ingest files, which the lake does not hold:
-- their count and example are empty here (not zero: not measured); run `ctrdb report quality` for them.
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
    SELECT 7, 'duplicate_deliveries', CAST(NULL AS BIGINT), CAST(NULL AS STRING)
    UNION ALL
    SELECT 8, 'conflicting_versions', CAST(NULL AS BIGINT), CAST(NULL AS STRING)
    UNION ALL
    SELECT 9, 'rejected_records', CAST(NULL AS BIGINT), CAST(NULL AS STRING)
    UNION ALL
    SELECT 10, 'partial_files', CAST(NULL AS BIGINT), CAST(NULL AS STRING)
) AS checks
ORDER BY ordinal
