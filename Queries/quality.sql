-- name: quality
-- description: Data quality checks, one row per check with a count and an example contact.
-- parameters: none; --from/--to/--queue narrow the legs checked
-- columns: check, count, example_contact_id
-- Each check counts current legs, except duplicate_deliveries (deliveries beyond the first of
-- each version), rejected_records (rows of rejects) and partial_files (files only partly
-- readable), which count the whole database: the load keeps those three in quality_counters,
-- so that a one-day quality report costs the day, not the history. Zero counts are listed too.
-- duration_mismatch: Queue.Duration differs from dequeue - enqueue by more than 1 s and, for a
-- callback leg, also from dequeue - initiation (AWS's corrected queued-callback example counts
-- the initial delay in Queue.Duration).
SELECT 'duration_mismatch' AS "check", COUNT(*) AS count, MIN(contact_id) AS example_contact_id
FROM legs
WHERE queue_duration_s IS NOT NULL AND enqueue_ts IS NOT NULL AND dequeue_ts IS NOT NULL
  AND abs(queue_duration_s - (unixepoch(dequeue_ts) - unixepoch(enqueue_ts))) > 1
  AND NOT (callback_leg = 1 AND initiation_ts IS NOT NULL
           AND abs(queue_duration_s - (unixepoch(dequeue_ts) - unixepoch(initiation_ts))) <= 1)
UNION ALL
SELECT 'missing_queue_duration', COUNT(*), MIN(contact_id)
FROM legs WHERE queued = 1 AND queue_duration_s IS NULL
UNION ALL
SELECT 'negative_whisper_gap', COUNT(*), MIN(contact_id)
FROM legs WHERE agent_whisper_s < 0 OR outbound_whisper_s < 0
UNION ALL
SELECT 'missing_parent', COUNT(*), MIN(contact_id) FROM legs WHERE missing_parent = 1
UNION ALL
SELECT 'missing_next', COUNT(*), MIN(contact_id) FROM legs WHERE missing_next = 1
UNION ALL
SELECT 'cycle', COUNT(*), MIN(contact_id) FROM legs WHERE in_cycle = 1
UNION ALL
SELECT 'duplicate_deliveries', count, example_contact_id FROM quality_counters WHERE check_name = 'duplicate_deliveries'
UNION ALL
-- legs in range with two versions of the same LastUpdateTimestamp (_leg.sql)
SELECT 'conflicting_versions', COUNT(*), MIN(contact_id) FROM legs WHERE conflicting_versions = 1
UNION ALL
SELECT 'rejected_records', count, NULL FROM quality_counters WHERE check_name = 'rejected_records'
UNION ALL
SELECT 'partial_files', count, NULL FROM quality_counters WHERE check_name = 'partial_files'
